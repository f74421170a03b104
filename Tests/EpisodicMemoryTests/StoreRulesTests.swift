import EpisodicMemory
import HDF5
import LifelongTestSupport
import Randomness
import Testing

@Suite("Episodic store: write rules, eviction, persistence")
struct StoreRulesTests {
    @Test func writeRulesChangeAStoredValueAsNamed() throws {
        for (rule, expected) in [
            (MemoryConfiguration.WriteRule.max, Float(5)), (.blend(rate: 0.5), 3.5), (.overwrite, 2),
        ] {
            let store = try EpisodicStore(MemoryConfiguration(capacity: 4, keySize: 2, writeRule: rule))
            #expect(store.write(key: [1, 2], value: [5], task: 0) == .inserted(slot: 0))
            #expect(store.write(key: [1, 2], value: [2], task: 0) == .updated(slot: 0))
            #expect(Array(store.value(at: 0)) == [expected], "\(rule)")
            #expect(store.count == 1)
        }
    }

    @Test func leastRecentlyUsedKeepsWhatWasReadAndLeastRecentlyUpdatedDoesNot() throws {
        for (eviction, survivor) in [
            (MemoryConfiguration.Eviction.leastRecentlyUsed, true), (.leastRecentlyUpdated, false),
        ] {
            let store = try EpisodicStore(MemoryConfiguration(capacity: 3, keySize: 1, eviction: eviction))
            for key in 0..<3 { store.write(key: [Float(key)], value: [0], task: 0) }
            // Read key 0 (its nearest neighbour is itself), then add a fourth key.
            var neighbours = Neighbours()
            [Float(0)].withUnsafeBufferPointer {
                store.nearest($0, queryCount: 1, k: 1, into: &neighbours, touch: true)
            }
            let outcome = store.write(key: [10], value: [0], task: 0)
            let keys = (0..<store.count).map { store.key(at: $0).first! }
            #expect(keys.contains(0) == survivor, "\(eviction): \(outcome), keys \(keys)")
            #expect(outcome == .replaced(slot: survivor ? 1 : 0, evictedTask: 0), "\(eviction)")
        }
    }

    @Test func perTaskQuotaGivesEveryTaskAnEqualShareOnceFull() throws {
        let store = try EpisodicStore(MemoryConfiguration(capacity: 30, keySize: 1, eviction: .perTaskQuota))
        for key in 0..<30 { store.write(key: [Float(key)], value: [0], task: 0) }
        for key in 0..<15 { store.write(key: [Float(100 + key)], value: [0], task: 1) }
        #expect(store.entriesPerTask() == [0: 15, 1: 15])
        for key in 0..<10 { store.write(key: [Float(200 + key)], value: [0], task: 2) }
        #expect(store.entriesPerTask() == [0: 10, 1: 10, 2: 10])
    }

    @Test func aSavedStoreLoadsWithTheSameEntriesReadsAndEvictionOrder() throws {
        let directory = TemporaryDirectory("memory-persist")
        let configuration = MemoryConfiguration(
            capacity: 50, keySize: 3, valueSize: 2, eviction: .leastRecentlyUsed, writeRule: .blend(rate: 0.1))
        let original = try EpisodicStore(configuration)
        var random = SplitMix64(seed: 4)
        func key() -> [Float] { (0..<3).map { _ in Float(uniform(&random)) } }
        for index in 0..<80 {
            original.write(key: key(), value: [Float(index), -Float(index)], task: Int32(index % 3))
        }
        let file = try File.create(directory.file("memory.h5"))
        try original.save(to: try file.createGroup("memory"))
        try file.close()
        let restored = try EpisodicStore.load(from: try File.open(directory.file("memory.h5")).openGroup("memory"))
        #expect(restored.count == original.count && restored.clock == original.clock)
        let queries = (0..<12).flatMap { _ in key() }
        var a = Neighbours()
        var b = Neighbours()
        queries.withUnsafeBufferPointer {
            original.nearest($0, queryCount: 4, k: 5, into: &a, touch: true)
            restored.nearest($0, queryCount: 4, k: 5, into: &b, touch: true)
        }
        #expect(a.slots == b.slots && a.distances == b.distances)
        for index in 0..<30 {
            let next = key()
            #expect(
                original.write(key: next, value: [1, 1], task: 0) == restored.write(key: next, value: [1, 1], task: 0),
                "write \(index) evicts the same entry")
        }
    }

    @Test func hdf5ReadersSeeKeysValuesAndTags() throws {
        guard TestEnvironment.interopEnabled else { return }
        let directory = TemporaryDirectory("memory-h5py")
        let store = try EpisodicStore(MemoryConfiguration(capacity: 10, keySize: 2))
        store.write(key: [1, 2], value: [3], task: 4)
        store.write(key: [5, 6], value: [7], task: -1)
        let file = try File.create(directory.file("memory.h5"))
        try store.save(to: try file.createGroup("memory"))
        try file.close()
        let result = try TestEnvironment.runPython(
            code: """
                import h5py, sys
                g = h5py.File(sys.argv[1], "r")["memory"]
                print(g["keys"][:].tolist(), g["values"][:].tolist(), g["task"][:].tolist(), g.attrs["clock"])
                """, [directory.file("memory.h5")])
        #expect(result.standardOutput == "[[1.0, 2.0], [5.0, 6.0]] [[3.0], [7.0]] [4, -1] 2\n", "\(result.transcript)")
    }

    @Test func badSettingsAreRefusedWithTheirNames() {
        let error = #expect(throws: MemoryError.self) {
            _ = try EpisodicStore(MemoryConfiguration(capacity: 0, keySize: 4, writeRule: .blend(rate: 2)))
        }
        #expect(error?.description.contains("capacity must be at least 1; got 0") == true)
        #expect(error?.description.contains("blend rate must be in (0, 1]; got 2.0") == true)
    }

    @Test func aRandomProjectionKeepsDistancesRoughly() {
        let projection = RandomProjection(inputSize: 256, outputSize: 64, stream: RandomStream(seed: 3))
        var random = SplitMix64(seed: 5)
        var ratios: [Double] = []
        for _ in 0..<20 {
            let a = (0..<256).map { _ in Float(uniform(&random)) }
            let b = (0..<256).map { _ in Float(uniform(&random)) }
            let (pa, pb) = (projection.project(a), projection.project(b))
            let original = zip(a, b).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
            let projected = zip(pa, pb).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
            ratios.append(projected / original)
        }
        let mean = ratios.reduce(0, +) / Double(ratios.count)
        #expect(abs(mean - 1) < 0.2, "squared distances kept in expectation: mean ratio \(mean)")
    }
}
