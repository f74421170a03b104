import Foundation
import LifelongTestSupport
import RunLog
import Testing

/// MFEC as a curriculum's policy: it runs, refuses strategies it cannot use, and resumes exactly.
@Suite("MFEC in curricula")
struct EpisodicControlRunTests {
    let lifelong = TestEnvironment.product("lifelong")

    func curriculum(_ directory: TemporaryDirectory, strategy: String = "finetune") throws -> String {
        let text = TestCurricula.tinyMaze(
            name: "mfec-maze", blocks: [("goal-left", 4000), ("goal-right", 4000)], evaluationEvery: 500,
            strategy: strategy, checkpointEvery: 500, agent: #"{"policy": "mfec", "hyperparameters": {"k": 5}}"#)
        let path = directory.file("mfec-\(strategy).json")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aStoppedMFECRunResumesToTheSameEvaluations() throws {
        let directory = TemporaryDirectory("cli-mfec")
        let path = try curriculum(directory)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains(#""policy": "mfec""#))
        let whole = directory.file("whole")
        let first = try ProcessRunner.run(lifelong, ["run", path, "--out", whole])
        #expect(first.status == 0, "\(first.transcript)")
        let out = directory.file("stopped")
        try expectStopAndResume(lifelong, curriculum: path, out: out, afterLine: "step 4500")
        #expect(try RecordedEvaluations(runDirectory: out) == RecordedEvaluations(runDirectory: whole))
        // The memory's retention series is logged per task, and the resumed run logs the same one.
        let series = try memoryRows(whole)
        #expect(Set(series.map(\.key)) == ["memory/entries", "memory/value_error"], "\(series.prefix(4))")
        #expect(Set(series.map(\.task)) == [0, 1])
        #expect(try memoryRows(out) == series)
    }

    struct MemoryRow: Equatable {
        var step: Int64
        var task: Int32
        var key: String
        var value: Double
    }

    func memoryRows(_ run: String) throws -> [MemoryRow] {
        try RunLogContents.read(directory: run).metrics.filter { $0.key.string.hasPrefix("memory/") }.map {
            MemoryRow(step: $0.step, task: $0.task, key: $0.key.string, value: $0.value)
        }
    }

    @Test func aGradientStrategyIsRefusedWithAHint() throws {
        let directory = TemporaryDirectory("cli-mfec-ewc")
        let result = try ProcessRunner.run(lifelong, ["validate", try curriculum(directory, strategy: "ewc")])
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.standardError.contains("mfec learns by writing finished episodes into its tables"))
        #expect(result.standardError.contains(#"hint: use "finetune""#))
    }
}
