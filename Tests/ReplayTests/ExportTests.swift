import Foundation
import LifelongTestSupport
import Replay
import Testing

@Suite("Offline-RL exports", .enabled(if: TestEnvironment.interopEnabled))
struct ExportTests {
    @Test func minariLoadsTheExportedTaskAndD4RLReadersGetTheSameSteps() throws {
        let directory = TemporaryDirectory("replay-export")
        let store = try ReplayStore.create(
            at: directory.file("replay"), schema: testSchema, capacity: 50, eviction: .fifo, seed: 1)
        // Task 0: 30 episodes of 10 steps, then task 1, then a task-0 episode left unfinished.
        for index in 0..<400 { store.insert(streamTransition(index, tasks: 2, perTask: 300)) }
        for index in 400..<405 { store.insert(streamTransition(index, tasks: 1)) }
        try store.commit()
        let episodes = try store.exportMinari(task: 0, root: directory.file("minari"), id: "lifelong/stream-task0-v0")
        #expect(episodes == 30, "30 complete task-0 episodes, the unfinished one left out")
        #expect(try store.exportD4RL(task: 0, path: directory.file("task0.hdf5")) == 300)
        let result = try TestEnvironment.runPython(
            "minari_check.py", [directory.file("minari"), "lifelong/stream-task0-v0", directory.file("task0.hdf5")])
        #expect(result.status == 0, "\(result.transcript)")
        #expect(result.standardOutput == "minari: 30 episodes, 300 steps; d4rl: 300 rows\n", "\(result.transcript)")
        let twice = #expect(throws: ReplayError.self) {
            try store.exportMinari(task: 0, root: directory.file("minari"), id: "lifelong/stream-task0-v0")
        }
        #expect(twice?.description.contains("already holds a Minari dataset") == true)
    }
}
