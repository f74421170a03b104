import Foundation
import HDF5
import LifelongTestSupport
import RunLog
import Testing

/// NEC as a curriculum's policy, and an episodic memory riding along a DQN policy (the composite agent): both run,
/// resume exactly, and log the memory's retention; the composite leaves the policy's learning untouched, strategy
/// included.
@Suite("Episodic agents in curricula")
struct EpisodicAgentsRunTests {
    let lifelong = TestEnvironment.product("lifelong")

    /// The newest checkpoint's `agent.h5` of `run`.
    func lastCheckpoint(_ run: String) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: run + "/checkpoints").sorted()
        return run + "/checkpoints/" + names.last! + "/agent.h5"
    }

    @Test func aStoppedNECRunUnderReplayResumesToTheSameEvaluations() throws {
        let directory = TemporaryDirectory("cli-nec")
        let path = try CurriculumRuns.write(
            TestCurricula.tinyMaze(
                name: "nec-maze", blocks: [("goal-left", 1500), ("goal-right", 1500)], evaluationEvery: 500,
                strategy: "replay", checkpointEvery: 500,
                agent: #"{"policy": "nec", "hyperparameters": {"k": 10, "nSteps": 3, "explorationSteps": 500}}"#),
            in: directory, name: "nec.json")
        let whole = directory.file("whole")
        let first = try ProcessRunner.run(lifelong, ["run", path, "--out", whole])
        #expect(first.status == 0, "\(first.transcript)")
        let out = directory.file("stopped")
        try expectStopAndResume(lifelong, curriculum: path, out: out, afterLine: "step 2000")
        #expect(try RecordedEvaluations(runDirectory: out) == RecordedEvaluations(runDirectory: whole))
        let memory = try CurriculumRuns.metricRows(whole, prefix: "memory/")
        #expect(memory.contains { $0.contains("memory/value_error") }, "\(memory.prefix(4))")
        #expect(try CurriculumRuns.metricRows(out, prefix: "memory/") == memory)
    }

    @Test func aMemoryBesideDQNLogsRetentionAndLeavesThePolicyAndItsStrategyUntouched() throws {
        let directory = TemporaryDirectory("cli-composite")
        let blocks = [("goal-left", 1500), ("goal-right", 1500)]
        let plain = try CurriculumRuns.write(
            TestCurricula.tinyMaze(
                name: "plain", blocks: blocks, evaluationEvery: 500, strategy: "ewc", checkpointEvery: 500,
                agent: CurriculumRuns.tinyDQNOpen + "}"), in: directory, name: "plain.json")
        let composite = try CurriculumRuns.write(
            TestCurricula.tinyMaze(
                name: "composite", blocks: blocks, evaluationEvery: 500, strategy: "ewc", checkpointEvery: 500,
                agent: CurriculumRuns.tinyDQNOpen
                    + #", "episodic_memory": {"key_size": 0, "k": 3, "eviction": "per_task_quota"}}"#),
            in: directory, name: "composite.json")
        let plainRun = try ProcessRunner.run(lifelong, ["run", plain, "--out", directory.file("plain")])
        #expect(plainRun.status == 0, "\(plainRun.transcript)")
        let whole = directory.file("whole")
        let compositeRun = try ProcessRunner.run(lifelong, ["run", composite, "--out", whole])
        #expect(compositeRun.status == 0, "\(compositeRun.transcript)")
        // EWC reached the DQN inside the composite: it anchored at the boundary, and the policy's weights are the
        // plain run's to the bit (the memory draws from its own stream and only reads the store).
        #expect(
            try RecordedEvaluations(runDirectory: whole)
                == RecordedEvaluations(runDirectory: directory.file("plain")))
        let compositeCheckpoint = try File.open(try lastCheckpoint(whole), mode: .readOnly)
        let plainCheckpoint = try File.open(try lastCheckpoint(directory.file("plain")), mode: .readOnly)
        #expect(compositeCheckpoint.contains("strategy/anchor_0"))
        #expect(
            try compositeCheckpoint.openDataset("agent/policy/online/values", as: Float.self).readAll()
                == plainCheckpoint.openDataset("agent/online/values", as: Float.self).readAll())
        let memory = try CurriculumRuns.metricRows(whole, prefix: "memory/")
        #expect(Set(memory.map { $0.split(separator: " ")[2] }) == ["memory/entries", "memory/value_error"])
        #expect(try CurriculumRuns.metricRows(directory.file("plain"), prefix: "memory/").isEmpty)
        // Killed and resumed, the composite's memory comes back from its checkpoint.
        let out = directory.file("stopped")
        try expectStopAndResume(lifelong, curriculum: composite, out: out, afterLine: "step 2000")
        #expect(try RecordedEvaluations(runDirectory: out) == RecordedEvaluations(runDirectory: whole))
        #expect(try CurriculumRuns.metricRows(out, prefix: "memory/") == memory)
    }

    @Test func aMemoryBesideAnEpisodicPolicyOrWithAnUnknownEvictionIsRefused() throws {
        let directory = TemporaryDirectory("cli-composite-errors")
        let beside = try CurriculumRuns.write(
            TestCurricula.tinyMaze(
                blocks: [("goal-left", 100)], evaluationEvery: 50,
                agent: #"{"policy": "mfec", "episodic_memory": {"k": 3}}"#), in: directory, name: "beside.json")
        let result = try ProcessRunner.run(lifelong, ["validate", beside])
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.standardError.contains("mfec is an episodic memory itself"), "\(result.transcript)")
        let unknown = try CurriculumRuns.write(
            TestCurricula.tinyMaze(
                blocks: [("goal-left", 100)], evaluationEvery: 50,
                agent: CurriculumRuns.tinyDQNOpen + #", "episodic_memory": {"eviction": "least_recently_use"}}"#),
            in: directory, name: "unknown.json")
        let second = try ProcessRunner.run(lifelong, ["validate", unknown])
        #expect(second.status == 2, "\(second.transcript)")
        #expect(
            second.standardError.contains(#"agent.episodic_memory.eviction: unknown eviction"#), "\(second.transcript)")
        #expect(second.standardError.contains(#"did you mean "least_recently_used"?"#), "\(second.transcript)")
    }
}
