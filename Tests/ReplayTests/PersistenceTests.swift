import Foundation
import HDF5
import LifelongTestSupport
import Replay
import Testing

@Suite("Persistence and exact resume")
struct PersistenceTests {
    let directory = TemporaryDirectory("replay-persistence")

    /// What a learner would see: several batches of each strategy.
    func draws(_ store: ReplayStore, strategies: [SamplingStrategy]) throws -> [[Int64]] {
        var batch = ReplayBatch(schema: testSchema, size: 32)
        return try strategies.map { strategy in
            try store.sample(into: &batch, using: strategy)
            return batch.slots.map { store.streamPosition(ofSlot: Int($0)) }
        }
    }

    @Test(arguments: [EvictionPolicy.fifo, .reservoir, .balanced, .keepEverything])
    func aReopenedStoreContinuesExactlyAsTheUninterruptedOne(eviction: EvictionPolicy) throws {
        let strategies: [SamplingStrategy] = [.uniform, .prioritized(beta: 0.4), .taskBalanced, .uniform]
        func run(_ path: String, interruptAt: Int?) throws -> (draws: [[Int64]], slots: [Int64]) {
            var store = try ReplayStore.create(
                at: path, schema: testSchema, capacity: 300, eviction: eviction, seed: 11, priorityExponent: 0.6)
            var drawn: [[Int64]] = []
            for index in 0..<1200 {
                store.insert(streamTransition(index, tasks: 3, perTask: 400))
                if index % 100 == 99 {
                    drawn += try draws(store, strategies: strategies)
                    var batch = ReplayBatch(schema: testSchema, size: 16)
                    try store.sample(into: &batch, using: .prioritized(beta: 0.4))
                    store.updatePriorities(slots: batch.slots, priorities: batch.rewards.map { $0 + 0.1 })
                    try store.commit()
                    if index + 1 == interruptAt {
                        // Work after the last commit is lost with the process.
                        for extra in 0..<37 { store.insert(streamTransition(5000 + extra)) }
                        store = try ReplayStore.open(path)
                    }
                }
            }
            return (drawn, (0..<store.count).map { store.streamPosition(ofSlot: $0) })
        }
        let uninterrupted = try run(directory.file("a-\(eviction)"), interruptAt: nil)
        let interrupted = try run(directory.file("b-\(eviction)"), interruptAt: 600)
        #expect(interrupted.draws == uninterrupted.draws)
        #expect(interrupted.slots == uninterrupted.slots)
    }

    @Test func reopeningRestoresEveryValueAndTheLogHoldsTheWholeStream() throws {
        let path = directory.file("values")
        do {
            let store = try ReplayStore.create(at: path, schema: testSchema, capacity: 50, eviction: .fifo, seed: 1)
            for index in 0..<120 { store.insert(streamTransition(index)) }
            try store.commit()
        }
        let reopened = try ReplayStore.open(path)
        #expect(reopened.count == 50 && reopened.inserted == 120)
        for slot in 0..<reopened.count {
            let position = Int(reopened.streamPosition(ofSlot: slot))
            let expected = streamTransition(position)
            let actual = reopened.transition(at: slot)
            #expect(actual.observation == expected.observation && actual.extras == expected.extras)
            #expect(
                actual.episode == expected.episode && actual.step == expected.step && actual.reward == expected.reward)
        }
        let log = try File.open(path + "/steps.h5", mode: .readSWMR)
        #expect(try log.openDataset("steps/reward", as: Float.self).rowCount == 120)
    }

    @Test func aStoreKilledBeforeItsLogSwitchedToSWMRReopens() throws {
        let path = directory.file("before-swmr")
        let killed = directory.file("before-swmr-killed")
        do {
            let store = try ReplayStore.create(at: path, schema: testSchema, capacity: 50, eviction: .fifo, seed: 1)
            for index in 0..<120 { store.insert(streamTransition(index)) }
            try store.commit()
        }
        // The log reopened for writing and not yet switched to SWMR, as `open` leaves it for a moment: a kill now
        // leaves it marked for plain writing, which a SWMR reader refuses.
        let writer = try File.open(path + "/steps.h5", mode: .readWrite)
        try FileManager.default.copyItem(atPath: path, toPath: killed)
        try writer.close()
        let reopened = try ReplayStore.open(killed)
        #expect(reopened.count == 50 && reopened.inserted == 120)
    }

    @Test func creatingOverAStoreAndOpeningNothingAreClearErrors() throws {
        let path = directory.file("exists")
        _ = try ReplayStore.create(at: path, schema: testSchema, capacity: 5, eviction: .fifo, seed: 1)
        let again = #expect(throws: ReplayError.self) {
            try ReplayStore.create(at: path, schema: testSchema, capacity: 5, eviction: .fifo, seed: 1)
        }
        #expect(again?.description.contains("already holds a replay store") == true)
        let missing = #expect(throws: ReplayError.self) { try ReplayStore.open(directory.file("nothing")) }
        #expect(missing?.description.contains("no steps.h5") == true)
    }

    @Test(.enabled(if: TestEnvironment.interopEnabled))
    func h5pyAndPandasReadTheLogWhileTheStoreIsOpen() throws {
        let path = directory.file("live")
        let store = try ReplayStore.create(at: path, schema: testSchema, capacity: 100, eviction: .fifo, seed: 1)
        for index in 0..<250 { store.insert(streamTransition(index, tasks: 2, perTask: 200)) }
        try store.commit()
        for index in 250..<260 { store.insert(streamTransition(index)) }  // not committed: invisible to readers
        let result = try TestEnvironment.runPython("replay_read.py", [path + "/steps.h5"])
        #expect(result.status == 0, "\(result.transcript)")
        #expect(
            result.standardOutput == "250 rows, 25 episodes, tasks {0: 200, 1: 50}, returns ok\n",
            "\(result.transcript)")
    }
}

@Suite("Offline compaction")
struct CompactionTests {
    @Test func compactionDropsEvictedRowsAndTheStoreReopensUnchanged() throws {
        let directory = TemporaryDirectory("replay-compaction")
        let path = directory.file("replay")
        do {
            let store = try ReplayStore.create(
                at: path, schema: testSchema, capacity: 200, eviction: .reservoir, seed: 5, priorityExponent: 0.6)
            for index in 0..<3000 { store.insert(streamTransition(index, tasks: 2, perTask: 1500)) }
            try store.commit()
        }
        func draws(_ store: ReplayStore) throws -> [Int64] {
            var batch = ReplayBatch(schema: testSchema, size: 64)
            try store.sample(into: &batch, using: .prioritized(beta: 0.4))
            let first = batch.slots.map { store.streamPosition(ofSlot: Int($0)) }
            try store.sample(into: &batch, using: .taskBalanced)
            return first + batch.slots.map { store.streamPosition(ofSlot: Int($0)) }
        }
        let before = try draws(ReplayStore.open(path))
        let (rowsBefore, rowsAfter) = try ReplayStore.compact(path)
        #expect(rowsBefore == 3000 && rowsAfter == 200)
        let compacted = try ReplayStore.open(path)
        #expect(try draws(compacted) == before, "sampling does not notice the compaction")
        for slot in 0..<compacted.count {
            let position = Int(compacted.streamPosition(ofSlot: slot))
            #expect(
                compacted.transition(at: slot).observation
                    == streamTransition(position, tasks: 2, perTask: 1500).observation)
        }
        let log = try File.open(path + "/steps.h5", mode: .readSWMR)
        #expect(try log.openDataset("steps/reward", as: Float.self).rowCount == 200)
        // The store carries on after compaction, and reopens again.
        for index in 3000..<3100 { compacted.insert(streamTransition(index, tasks: 2, perTask: 1500)) }
        try compacted.commit()
        let again = try ReplayStore.open(path)
        #expect(again.inserted == 3100 && again.count == 200)
    }
}
