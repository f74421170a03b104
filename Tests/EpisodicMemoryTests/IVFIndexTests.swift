import Environments
import EpisodicMemory
import HDF5
import LifelongTestSupport
import Randomness
import Testing

@Suite("Approximate index (IVF)")
struct IVFIndexTests {
    /// CartPole states from random play, projected to 16-dim keys: keys made from real environment states.
    static func cartPoleKeys(_ count: Int) throws -> [Float] {
        let environment = try EnvironmentRegistry.make("CartPole-v1")
        let projection = RandomProjection(inputSize: 4, outputSize: 16, stream: RandomStream(seed: 11))
        var random = SplitMix64(seed: 12)
        var keys: [Float] = []
        var observation = try environment.reset(seed: 1)
        var episode: UInt64 = 1
        while keys.count < count * 16 {
            keys += projection.project(observation)
            let (next, outcome) = try environment.step(.discrete(Int(random.next() % 2)))
            observation = next
            if outcome.terminated || outcome.truncated {
                episode += 1
                observation = try environment.reset(seed: episode)
            }
        }
        return keys
    }

    func store(_ keys: [Float], capacity: Int) throws -> EpisodicStore {
        let store = try EpisodicStore(MemoryConfiguration(capacity: capacity, keySize: 16))
        for row in 0..<keys.count / 16 {
            store.write(key: Array(keys[row * 16..<(row + 1) * 16]), value: [Float(row)], task: 0)
        }
        return store
    }

    /// Mean share of the exact k nearest that the approximate search finds.
    func recall(_ store: EpisodicStore, queries: [Float], k: Int) -> Double {
        let count = queries.count / 16
        var exact = Neighbours()
        var approximate = Neighbours()
        queries.withUnsafeBufferPointer {
            store.nearest($0, queryCount: count, k: k, into: &exact)
            store.nearest($0, queryCount: count, k: k, into: &approximate, approximate: true)
        }
        var found = 0
        for query in 0..<count {
            let truth = Set(exact.slots[query * k..<(query + 1) * k])
            found += approximate.slots[query * k..<(query + 1) * k].filter { truth.contains($0) }.count
        }
        return Double(found) / Double(count * k)
    }

    @Test func onEnvironmentStatesAFewProbesFindNearlyAllTrueNeighbours() throws {
        let keys = try Self.cartPoleKeys(20_200)
        let store = try store(Array(keys[0..<20_000 * 16]), capacity: 20_000)
        try store.buildIndex(cells: 64, probes: 6, stream: RandomStream(seed: 3))
        let queries = Array(keys[20_000 * 16..<20_200 * 16])
        let measured = recall(store, queries: queries, k: 10)
        #expect(measured >= 0.95, "recall@10 with 6 of 64 cells: \(measured)")
        store.index!.probes = 64
        #expect(recall(store, queries: queries, k: 10) == 1, "probing every cell is the exact search")
    }

    @Test func theIndexFollowsWritesAndEvictions() throws {
        let keys = try Self.cartPoleKeys(6_000)
        let store = try store(Array(keys[0..<3_000 * 16]), capacity: 3_000)
        try store.buildIndex(cells: 16, probes: 16, stream: RandomStream(seed: 4))
        // Another 3000 keys replace every entry (the store is full): the index must forget the evicted keys.
        for row in 3_000..<6_000 { store.write(key: Array(keys[row * 16..<(row + 1) * 16]), value: [0], task: 1) }
        let queries = Array(keys[5_000 * 16..<5_050 * 16])
        #expect(recall(store, queries: queries, k: 5) == 1, "all cells probed: exact, over the live entries")
        var approximate = Neighbours()
        queries.withUnsafeBufferPointer {
            store.nearest($0, queryCount: 50, k: 5, into: &approximate, approximate: true)
        }
        for slot in approximate.slots { #expect(store.task(at: Int(slot)) == 1, "only live (task 1) entries") }
    }

    @Test func aReloadedStoreKeepsItsCellsAndGivesTheSameReads() throws {
        let directory = TemporaryDirectory("ivf-persist")
        let keys = try Self.cartPoleKeys(4_100)
        let store = try store(Array(keys[0..<4_000 * 16]), capacity: 4_000)
        try store.buildIndex(cells: 32, probes: 3, stream: RandomStream(seed: 5))
        // Writes after the build move entries between cells; the reload must keep the trained cells.
        for row in 0..<500 {
            store.write(key: Array(keys[row * 16..<(row + 1) * 16].map { $0 + 0.01 }), value: [1], task: 2)
        }
        let file = try File.create(directory.file("memory.h5"))
        try store.save(to: try file.createGroup("memory"))
        try file.close()
        let restored = try EpisodicStore.load(from: try File.open(directory.file("memory.h5")).openGroup("memory"))
        #expect(restored.index?.probes == 3)
        var a = Neighbours()
        var b = Neighbours()
        Array(keys[4_000 * 16..<4_100 * 16]).withUnsafeBufferPointer {
            store.nearest($0, queryCount: 100, k: 7, into: &a, approximate: true)
            restored.nearest($0, queryCount: 100, k: 7, into: &b, approximate: true)
        }
        #expect(a.slots == b.slots && a.distances == b.distances)
    }
}
