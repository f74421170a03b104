import Foundation
import HDF5
import LifelongTestSupport
import Testing

@Suite("lifelong train")
struct TrainCommandTests {
    let lifelong = TestEnvironment.product("lifelong")

    @Test func trainingWritesEvaluationsToTheRunLog() throws {
        let directory = TemporaryDirectory("cli-train")
        let out = directory.file("run")
        let result = try ProcessRunner.run(
            lifelong,
            [
                "train", "--env", "CartPole-v1", "--agent", "dqn", "--steps", "2000", "--seed", "1", "--out", out,
                "--eval-interval", "1000", "--eval-episodes", "3", "--config", #"{"hiddenLayers": [32, 32]}"#,
            ])
        #expect(result.status == 0, "\(result.transcript)")
        #expect(result.standardOutput.contains("step 1000: mean evaluation return"))
        #expect(result.standardOutput.contains("step 2000: mean evaluation return"))
        let log = try File.open(out + "/log.h5", mode: .readSWMR)
        #expect(try log.attribute("schema", as: String.self) == "lifelong.runlog")
        #expect(try log.attribute("agent", as: String.self) == "dqn")
        #expect(try log.attribute("config", as: String.self).contains(#""hiddenLayers":[32,32]"#))
        #expect(try log.openDataset("eval/returns", as: Double.self).shape == [2, 1, 3])
        #expect(try log.openDataset("eval/steps", as: Int64.self).readAll() == [1000, 2000])
        #expect(try String(contentsOfFile: out + "/run.json", encoding: .utf8).contains(#""status" : "finished""#))
        if TestEnvironment.interopEnabled {
            let script = """
                import sys, h5py, pandas as pd
                f = h5py.File(sys.argv[1], "r", libver="latest", swmr=True)
                metrics = pd.DataFrame(f["metrics"][:])
                keys = set(k.decode() for k in metrics["key"])
                assert {"train/episode_return", "eval/mean_return"} <= keys, keys
                print(len(metrics[metrics["key"] == b"eval/mean_return"]))
                """
            let read = try TestEnvironment.runPython(code: script, [out + "/log.h5"])
            #expect(read.status == 0 && read.standardOutput == "2\n", "\(read.transcript)")
        }
    }

    @Test(arguments: [
        (["--env", "CartPole-v1", "--agent", "sac", "--steps", "10"], "--agent: sac does not fit"),
        (["--env", "Pendulum-v1", "--agent", "dqn", "--steps", "10"], "--agent: dqn does not fit"),
        (["--env", "CartPole-v1", "--agent", "ppo", "--steps", "10"], "--agent must be dqn, sac, mfec, nec or pets"),
        (
            ["--env", "CartPole-v1", "--agent", "dqn", "--steps", "10", "--config", #"{"learningrate": 1}"#],
            "unknown hyper-parameter \"learningrate\""
        ),
        (
            ["--env", "Pendulum-v1", "--agent", "sac", "--steps", "10", "--config", #"{"learningThreads": 0}"#],
            "--config: learningThreads must be at least 1"
        ),
        (["--env", "CartPol-v1", "--agent", "dqn", "--steps", "10"], "--env: unknown environment"),
        (["--env", "CartPole-v1", "--agent", "dqn", "--steps", "0"], "--steps must be positive"),
    ])
    func badArgumentsExitWithStatus2AndNameTheArgument(arguments: [String], expected: String) throws {
        let directory = TemporaryDirectory("cli-train-bad")
        let result = try ProcessRunner.run(lifelong, ["train"] + arguments + ["--out", directory.file("run")])
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.standardError.contains(expected), "\(result.transcript)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("run")), "no run directory for invalid input")
    }
}
