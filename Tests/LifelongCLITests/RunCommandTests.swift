import Continual
import Foundation
import HDF5
import LifelongTestSupport
import Testing

/// `lifelong validate`, `run`, `resume` and `inspect` as a researcher uses them, including kills at random moments.
@Suite("lifelong run and resume")
struct RunCommandTests {
    let lifelong = TestEnvironment.product("lifelong")

    static let curriculum = """
        {
          "name": "cli-small",
          "seeds": {"agent": 2, "curriculum": 9},
          "tasks": {
            "default": {"env": "CartPole-v1"},
            "long-pole": {"env": "CartPole-v1", "params": {"length": 1.0}}
          },
          "schedule": [
            {"task": "default", "steps": 1500},
            {"task": "long-pole", "steps": 1500},
            {"task": "default", "steps": 1000}
          ],
          "evaluation": {"every_steps": 500, "episodes": 2},
          "agent": {"policy": "dqn", "hyperparameters": {
            "hiddenLayers": [32], "learningStarts": 200, "trainFrequency": 2, "targetUpdateInterval": 200,
            "learningRate": 0.001}},
          "strategy": {"name": "ewc", "lambda": 10, "fisher_samples": 32},
          "checkpoint": {"every_steps": 400}
        }
        """

    func writeCurriculum(_ directory: TemporaryDirectory, _ text: String = curriculum) throws -> String {
        let path = directory.file("curriculum.json")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func validateReportsEachErrorWithFileLineAndPathAndExitsWithStatus2() throws {
        let directory = TemporaryDirectory("cli-validate")
        let broken = Self.curriculum.replacingOccurrences(of: #""task": "long-pole""#, with: #""task": "long-pol""#)
        let path = try writeCurriculum(directory, broken)
        let result = try ProcessRunner.run(lifelong, ["validate", path])
        #expect(result.status == 2)
        #expect(
            result.standardError.contains(
                #"\#(path):10: schedule[1].task: unknown task "long-pol"; known: default, long-pole"#),
            "\(result.transcript)")
        #expect(result.standardError.contains(#"hint: did you mean "long-pole"?"#))
        let good = try ProcessRunner.run(lifelong, ["validate", try writeCurriculum(directory)])
        #expect(good.status == 0 && good.standardOutput.contains("ok — 2 tasks, 3 blocks, 4000 steps"))
    }

    @Test func anInvalidCurriculumExitsWithStatus2AndCreatesNoRunDirectory() throws {
        let directory = TemporaryDirectory("cli-invalid")
        let path = try writeCurriculum(
            directory, Self.curriculum.replacingOccurrences(of: "\"steps\": 1000", with: "\"stepz\": 1000"))
        let out = directory.file("run")
        let result = try ProcessRunner.run(lifelong, ["run", path, "--out", out])
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.standardError.contains(#"schedule[2].stepz: unknown key "stepz""#))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func aRunKilledAtRandomMomentsResumesToTheSameEvaluationsBitForBit() throws {
        let directory = TemporaryDirectory("cli-kill")
        let path = try writeCurriculum(directory)
        let whole = directory.file("whole")
        let started = Date()
        let reference = try ProcessRunner.run(lifelong, ["run", path, "--out", whole])
        let duration = Date().timeIntervalSince(started)
        #expect(reference.status == 0, "\(reference.transcript)")
        #expect(reference.standardOutput.contains("Forgetting"))
        let expected = try RecordedEvaluations(runDirectory: whole)
        var random = SplitMix64(seed: 42)
        var interrupted = 0
        /// A moment within the first 90% of an uninterrupted run.
        func moment() -> UInt32 { UInt32(Double(random.next() % 1000) / 1000 * 0.9 * duration * 1e6) }
        for trial in 0..<TestEnvironment.crashTrials(default: 3) {
            let out = directory.file("killed-\(trial)")
            // The first kill lands anywhere in the first seconds; resumes may be killed again.
            var kills = 0
            _ = try ProcessRunner.runAndKill(
                lifelong, ["run", path, "--out", out], afterMicroseconds: moment(), afterLine: "Run cli-small")
            if try !statusIsFinished(out) { interrupted += 1 }
            while try kills < 2 && !statusIsFinished(out) {
                kills += 1
                _ = try ProcessRunner.runAndKill(
                    lifelong, ["resume", out], afterMicroseconds: moment() / 2, afterLine: "Resuming")
            }
            if try !statusIsFinished(out) {
                let resumed = try ProcessRunner.run(lifelong, ["resume", out])
                #expect(resumed.status == 0, "\(resumed.transcript)")
            }
            #expect(try RecordedEvaluations(runDirectory: out) == expected, "trial \(trial)")
        }
        #expect(interrupted > 0, "no kill landed before the run finished")
    }

    func statusIsFinished(_ directory: String) throws -> Bool {
        guard let data = FileManager.default.contents(atPath: directory + "/run.json") else { return false }
        return String(decoding: data, as: UTF8.self).contains(#""status" : "finished""#)
    }

    @Test func sigtermCheckpointsStopsCleanlyAndResumeFinishesTheSameRun() throws {
        let directory = TemporaryDirectory("cli-sigterm")
        let path = try writeCurriculum(directory)
        let whole = directory.file("whole")
        #expect(try ProcessRunner.run(lifelong, ["run", path, "--out", whole]).status == 0)
        let out = directory.file("stopped")
        let transcript = try ProcessRunner.runAndKill(
            lifelong, ["run", path, "--out", out], afterMicroseconds: 0, afterLine: "step 1500", signal: SIGTERM)
        #expect(transcript.contains("Stopped at step"), "\(transcript)")
        let status = try String(contentsOfFile: out + "/run.json", encoding: .utf8)
        #expect(status.contains(#""status" : "interrupted""#), "\(status)")
        let resumed = try ProcessRunner.run(lifelong, ["resume", out])
        #expect(resumed.status == 0, "\(resumed.transcript)")
        #expect(try RecordedEvaluations(runDirectory: out) == RecordedEvaluations(runDirectory: whole))
    }

    @Test func inspectPrintsTheMatrixAndJSONWithTheMetrics() throws {
        let directory = TemporaryDirectory("cli-inspect")
        let out = directory.file("run")
        #expect(try ProcessRunner.run(lifelong, ["run", try writeCurriculum(directory), "--out", out]).status == 0)
        let table = try ProcessRunner.run(lifelong, ["inspect", out])
        #expect(table.status == 0 && table.standardOutput.contains("Performance matrix"), "\(table.transcript)")
        let json = try ProcessRunner.run(lifelong, ["inspect", out, "--json"])
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        #expect(object["average_performance"] is Double)
        #expect(object["backward_transfer"] is Double)
        let forgetting = try #require(object["forgetting"] as? [String: Any])
        #expect(Set(forgetting.keys) == ["default", "long-pole"])
        #expect((object["after_block"] as? [[Double]])?.count == 3)
        if TestEnvironment.interopEnabled {
            // The reading recipe of docs/runlog.md.
            let script = """
                import sys, h5py, pandas as pd
                f = h5py.File(sys.argv[1], "r", libver="latest", swmr=True)
                tasks = [t.decode() for t in f["tasks"]["name"]]
                metrics = pd.DataFrame(f["metrics"][:])
                metrics["key"] = metrics["key"].str.decode("utf-8")
                curves = metrics[metrics.key == "eval/mean_return"].pivot(index="step", columns="task", values="value")
                R = pd.DataFrame(f["eval/after_block"][:], columns=[tasks[i] for i in f["eval/after_block"].attrs["tasks"]])
                assert R.shape == (3, 2) and list(R.columns) == ["default", "long-pole"], R
                assert {"train/episode_return", "continual/forgetting", "continual/average_performance"} <= set(metrics.key)
                assert list(curves.index)[:2] == [0, 500] and f["eval/returns"].shape[1:] == (2, 2)
                assert [k.decode() for k in f["events"]["kind"]][-1] == "finished"
                assert len(f.attrs["git_commit"]) >= 40 and "OpenBLAS" in f.attrs["blas"], dict(f.attrs)
                print("ok")
                """
            let read = try TestEnvironment.runPython(code: script, [out + "/log.h5"])
            #expect(read.status == 0 && read.standardOutput == "ok\n", "\(read.transcript)")
        }
    }

    @Test func h5pyReadsTheLogWhileTheRunGoesOn() throws {
        guard TestEnvironment.interopEnabled else { return }
        let directory = TemporaryDirectory("cli-live")
        let path = try writeCurriculum(
            directory, Self.curriculum.replacingOccurrences(of: #""steps": 1000}"#, with: #""steps": 200000}"#))
        let out = directory.file("run")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: lifelong)
        process.arguments = ["run", path, "--out", out]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let reader = DataReader(output.fileHandleForReading)
        let deadline = Date().addingTimeInterval(120)
        while !reader.snapshot().contains("step 3500 (block 3/3)") && Date() < deadline && process.isRunning {
            usleep(10_000)
        }
        let script = """
            import sys, h5py
            f = h5py.File(sys.argv[1], "r", libver="latest", swmr=True)
            print(f["eval/steps"].shape[0], f["eval/after_block"].shape[0])
            """
        let read = try TestEnvironment.runPython(code: script, [out + "/log.h5"])
        #expect(process.isRunning, "the run should still be going")
        let counts = read.standardOutput.split(separator: " ").compactMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect(read.status == 0 && counts.count == 2, "\(read.transcript)")
        #expect((counts.first ?? 0) >= 8 && (counts.last ?? 0) == 2, "\(read.transcript)")
    }

    @Test func referenceRunsGiveForwardTransferInInspect() throws {
        let directory = TemporaryDirectory("cli-reference")
        let path = try writeCurriculum(directory)
        let references = directory.file("references")
        let made = try ProcessRunner.run(lifelong, ["reference", path, "--out", references])
        #expect(made.status == 0, "\(made.transcript)")
        for task in ["default", "long-pole"] {
            let log = try File.open(references + "/" + task + "/log.h5", mode: .readSWMR)
            // The reference learner trains one task for its first block's budget (1500 steps).
            #expect(try log.openDataset("eval/steps", as: Int64.self).readAll().last == 1500)
            #expect(try log.openDataset("eval/returns", as: Double.self).shape[1] == 1)
        }
        let out = directory.file("run")
        #expect(try ProcessRunner.run(lifelong, ["run", path, "--out", out]).status == 0)
        let json = try ProcessRunner.run(lifelong, ["inspect", out, "--json", "--reference", references])
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any],
            "\(json.transcript)")
        let raw = try #require(object["forward_transfer_raw"] as? [String: Any])
        #expect(raw["default"] is Double && raw["long-pole"] is Double)
    }

    @Test(.enabled(if: getuid() == 0, "mounting a small file system for the full disk needs root"))
    func aFullDiskStopsTheRunWithAClearMessageAndResumeFinishesItOnceThereIsSpace() throws {
        let directory = TemporaryDirectory("cli-full-disk")
        let path = try writeCurriculum(directory)
        let whole = directory.file("whole")
        #expect(try ProcessRunner.run(lifelong, ["run", path, "--out", whole]).status == 0)
        let disk = directory.file("disk")
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        let mounted = try ProcessRunner.run("/bin/mount", ["-t", "tmpfs", "-o", "size=600k", "tmpfs", disk])
        try #require(mounted.status == 0, "\(mounted.transcript)")
        defer { _ = try? ProcessRunner.run("/bin/umount", [disk]) }
        let out = disk + "/run"
        let full = try ProcessRunner.run(lifelong, ["run", path, "--out", out])
        #expect(full.status == 1)
        #expect(full.standardError.contains("No space left on device"), "\(full.transcript)")
        #expect(!Scheduler.completeCheckpoints(in: out).isEmpty, "the checkpoint before the disk filled is intact")
        let grown = try ProcessRunner.run("/bin/mount", ["-o", "remount,size=64m", disk])
        try #require(grown.status == 0, "\(grown.transcript)")
        let resumed = try ProcessRunner.run(lifelong, ["resume", out])
        #expect(resumed.status == 0, "\(resumed.transcript)")
        #expect(try RecordedEvaluations(runDirectory: out) == RecordedEvaluations(runDirectory: whole))
    }

    @Test func aNonFiniteLossStopsTheRunNamingTheComponentAndStep() throws {
        let directory = TemporaryDirectory("cli-nan")
        // A time step so long that the cart's state overflows: the observations become infinite.
        let path = try writeCurriculum(
            directory,
            """
            {"name": "nan", "tasks": {"a": {"env": "CartPole-v1", "params": {"tau": 1e200}}},
             "schedule": [{"task": "a", "steps": 3000}], "evaluation": {"every_steps": 1000, "episodes": 1},
             "agent": {"policy": "dqn", "hyperparameters": {"hiddenLayers": [16], "learningStarts": 100}}}
            """)
        let out = directory.file("run")
        let result = try ProcessRunner.run(lifelong, ["run", path, "--out", out])
        #expect(result.status == 1, "\(result.transcript)")
        #expect(result.standardError.contains("DQN: the TD loss became nan at update 0 (step 100)"))
        #expect(result.standardError.contains("non-finite observations"))
        let status = try String(contentsOfFile: out + "/run.json", encoding: .utf8)
        #expect(status.contains(#""status" : "failed""#) && status.contains("TD loss"))
    }

    @Test func theQuickstartFinishesAndShowsForgettingUnderFineTuning() throws {
        let directory = TemporaryDirectory("cli-quickstart")
        let out = directory.file("quickstart")
        let result = try ProcessRunner.run(
            lifelong, ["run", TestEnvironment.packageRoot + "/experiments/quickstart.json", "--out", out])
        #expect(result.status == 0, "\(result.transcript)")
        let json = try ProcessRunner.run(lifelong, ["inspect", out, "--json"])
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let forgetting = (object["forgetting"] as? [String: Any] ?? [:]).values.compactMap { $0 as? Double }
        // A goal learned to ~0.96 return and then lost: clear forgetting.
        #expect((forgetting.max() ?? 0) > 0.5, "\(json.standardOutput)")
    }
}
