import Foundation
import HDF5
import LifelongTestSupport
import RunLog
import Testing

/// The world model in curricula: PETS as a policy, and an ensemble beside a DQN policy; both log the model's error
/// on every task seen so far, and resume exactly.
@Suite("World models in curricula")
struct WorldModelRunTests {
    let lifelong = TestEnvironment.product("lifelong")

    /// Continuous CartPole with a short pole, then a long one; 50-step episodes keep planning cheap.
    static let petsCurriculum = """
        {
          "name": "pets-poles",
          "seeds": {"agent": 1, "curriculum": 1},
          "tasks": {
            "short": {"env": "CartPoleContinuous-v0", "params": {"length": 0.4, "max_episode_steps": 50}},
            "long": {"env": "CartPoleContinuous-v0", "params": {"length": 0.8, "max_episode_steps": 50}}
          },
          "schedule": [{"task": "short", "steps": 300}, {"task": "long", "steps": 300}],
          "evaluation": {"every_steps": 150, "episodes": 1},
          "agent": {"policy": "pets", "hyperparameters": {"members": 3, "elites": 2, "hiddenLayers": [32, 32],
            "modelLearningRate": 0.002, "modelBatchSize": 32, "maximumEpochs": 10, "horizon": 8, "population": 40,
            "iterations": 2, "particles": 4, "randomSteps": 100, "trainEvery": 100, "errorHorizon": 3}},
          "strategy": {"name": "finetune"},
          "checkpoint": {"every_steps": 100}
        }
        """

    @Test func aStoppedPETSRunResumesToTheSameEvaluationsAndModelErrors() throws {
        let directory = TemporaryDirectory("cli-pets")
        let path = try CurriculumRuns.write(Self.petsCurriculum, in: directory, name: "pets.json")
        let whole = directory.file("whole")
        let first = try ProcessRunner.run(lifelong, ["run", path, "--out", whole])
        #expect(first.status == 0, "\(first.transcript)")
        let errors = try CurriculumRuns.metricRows(whole, prefix: "worldmodel/")
        let keys = Set(errors.map { String($0.split(separator: " ")[2]) })
        #expect(
            keys == [
                "worldmodel/one_step_mse", "worldmodel/one_step_nll", "worldmodel/3_step_mse", "worldmodel/3_step_nll",
            ],
            "\(errors.prefix(4))")
        // After the switch the first task is still measured (its held-out sequences outlive the switch).
        #expect(errors.contains { $0.hasPrefix("600 0 worldmodel/one_step_mse") }, "\(errors.suffix(8))")
        #expect(errors.contains { $0.hasPrefix("600 1 worldmodel/one_step_mse") })
        let out = directory.file("stopped")
        try expectStopAndResume(lifelong, curriculum: path, out: out, afterLine: "step 450")
        #expect(try RecordedEvaluations(runDirectory: out) == RecordedEvaluations(runDirectory: whole))
        #expect(try CurriculumRuns.metricRows(out, prefix: "worldmodel/") == errors)
    }

    @Test func aWorldModelBesideDQNLogsItsErrorAndLeavesThePolicyUntouched() throws {
        let directory = TemporaryDirectory("cli-dqn-world-model")
        let blocks = [("goal-left", 1000), ("goal-right", 1000)]
        let plain = try CurriculumRuns.write(
            TestCurricula.tinyMaze(
                name: "plain", blocks: blocks, evaluationEvery: 500, strategy: "l2", checkpointEvery: 250,
                agent: CurriculumRuns.tinyDQNOpen + "}"), in: directory, name: "plain.json")
        let model =
            #", "world_model": {"members": 3, "elites": 2, "hidden_layers": [16], "maximum_epochs": 5, "#
            + #""first_fit": 400, "fit_every": 400, "error_horizon": 2}}"#
        let composite = try CurriculumRuns.write(
            TestCurricula.tinyMaze(
                name: "composite", blocks: blocks, evaluationEvery: 500, strategy: "l2", checkpointEvery: 250,
                agent: CurriculumRuns.tinyDQNOpen + model), in: directory, name: "composite.json")
        let plainRun = try ProcessRunner.run(lifelong, ["run", plain, "--out", directory.file("plain")])
        #expect(plainRun.status == 0, "\(plainRun.transcript)")
        let whole = directory.file("whole")
        let compositeRun = try ProcessRunner.run(lifelong, ["run", composite, "--out", whole])
        #expect(compositeRun.status == 0, "\(compositeRun.transcript)")
        #expect(
            try RecordedEvaluations(runDirectory: whole) == RecordedEvaluations(runDirectory: directory.file("plain")))
        let errors = try CurriculumRuns.metricRows(whole, prefix: "worldmodel/")
        #expect(Set(errors.map { $0.split(separator: " ")[1] }) == ["0", "1"], "\(errors.suffix(8))")
        let out = directory.file("stopped")
        try expectStopAndResume(lifelong, curriculum: composite, out: out, afterLine: "step 1500")
        #expect(try CurriculumRuns.metricRows(out, prefix: "worldmodel/") == errors)
    }

    @Test func worldModelMistakesAreNamed() throws {
        let directory = TemporaryDirectory("cli-world-model-errors")
        let beside = try CurriculumRuns.write(
            Self.petsCurriculum.replacingOccurrences(
                of: #""strategy": {"name": "finetune"}"#, with: #""strategy": {"name": "ewc"}"#),
            in: directory, name: "ewc.json")
        let result = try ProcessRunner.run(lifelong, ["validate", beside])
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.standardError.contains("pets plans; it has no policy network"), "\(result.transcript)")
        let elites = try CurriculumRuns.write(
            TestCurricula.tinyMaze(
                blocks: [("goal-left", 100)], evaluationEvery: 50,
                agent: CurriculumRuns.tinyDQNOpen + #", "world_model": {"members": 2, "elites": 3}}"#), in: directory,
            name: "elites.json")
        let second = try ProcessRunner.run(lifelong, ["validate", elites])
        #expect(second.status == 2, "\(second.transcript)")
        #expect(
            second.standardError.contains("agent.world_model.elites: elites (3) cannot exceed members (2)"),
            "\(second.transcript)")
    }
}
