import EpisodicMemory
import LifelongTestSupport
import Testing

/// A uniform draw in [0, 1) from the tests' seeded stream.
func uniform(_ random: inout SplitMix64) -> Double { Double(random.next() >> 11) * 0x1p-53 }

@Suite("Exact nearest neighbours")
struct NearestNeighbourTests {
    /// A store of `n` random keys with value = slot index.
    func store(_ n: Int, keySize: Int, seed: UInt64 = 1) throws -> EpisodicStore {
        let store = try EpisodicStore(MemoryConfiguration(capacity: n, keySize: keySize))
        var random = SplitMix64(seed: seed)
        for slot in 0..<n {
            store.write(key: (0..<keySize).map { _ in Float(uniform(&random) * 2 - 1) }, value: [Float(slot)], task: 0)
        }
        return store
    }

    @Test(arguments: [(1, 1), (7, 5), (32, 50), (3, 2600)])
    func theKNearestEqualABruteForceInDoublePrecision(queries: Int, k: Int) throws {
        let keySize = 16
        let store = try store(2500, keySize: keySize)  // three blocks of 1024, the last one partial
        var random = SplitMix64(seed: 9)
        let batch = (0..<queries * keySize).map { _ in Float(uniform(&random) * 2 - 1) }
        var neighbours = Neighbours()
        batch.withUnsafeBufferPointer { store.nearest($0, queryCount: queries, k: k, into: &neighbours) }
        let keys = (0..<store.count).flatMap { Array(store.key(at: $0)) }
        for query in 0..<queries {
            let exact = (0..<store.count).map { slot -> (Double, Int) in
                let distance = (0..<keySize).reduce(0.0) { total, index in
                    let difference = Double(batch[query * keySize + index]) - Double(keys[slot * keySize + index])
                    return total + difference * difference
                }
                return (distance, slot)
            }.sorted { $0 < $1 }
            let kept = min(k, store.count)
            let found = (0..<kept).map { Int(neighbours.slots[query * k + $0]) }
            let exactDistance = Dictionary(uniqueKeysWithValues: exact.map { ($0.1, $0.0) })
            #expect(Set(found).count == kept, "no slot twice")
            for index in 0..<kept {
                // The i-th neighbour found is as near as the i-th nearest (Float32 may swap near-ties).
                #expect(abs(exactDistance[found[index]]! - exact[index].0) < 1e-4, "query \(query), rank \(index)")
                #expect(abs(Double(neighbours.distances[query * k + index]) - exact[index].0) < 1e-4)
            }
            for index in kept..<k { #expect(neighbours.slots[query * k + index] == -1) }
        }
    }

    @Test func aStoredKeyIsItsOwnNearestNeighbourAtDistanceZero() throws {
        let store = try store(300, keySize: 8)
        let key = Array(store.key(at: 123))
        var neighbours = Neighbours()
        key.withUnsafeBufferPointer { store.nearest($0, queryCount: 1, k: 3, into: &neighbours) }
        #expect(neighbours.slots[0] == 123)
        #expect(neighbours.distances[0] < 1e-5)
        #expect(store.estimate(key, k: 11, kernel: .mean) == [123], "the exact-match fast path")
    }

    @Test func kernelsWeighNeighboursAsDefined() throws {
        let store = try EpisodicStore(MemoryConfiguration(capacity: 4, keySize: 1))
        store.write(key: [0], value: [10], task: 0)
        store.write(key: [1], value: [20], task: 0)
        store.write(key: [3], value: [40], task: 0)
        // Query 0.5: squared distances 0.25, 0.25, 6.25.
        #expect(store.estimate([0.5], k: 2, kernel: .mean) == [15])
        let weighted = store.estimate([0.5], k: 3, kernel: .inverseDistance(delta: 1e-3))
        let w = [1 / 0.251, 1 / 0.251, 1 / 6.251]
        let expected = (w[0] * 10 + w[1] * 20 + w[2] * 40) / w.reduce(0, +)
        #expect(abs(Double(weighted[0]) - expected) < 1e-3)
    }
}
