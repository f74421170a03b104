import Agents
import Continual
import Foundation
import HDF5
import LifelongTestSupport
import Testing

/// The scheduler on a small CartPole curriculum: what it records, and that stopping and resuming changes nothing.
@Suite struct SchedulerTests {
    /// Every test's run directories, removed when the test ends (a `TemporaryDirectory` is removed when it is
    /// released, so one made inline inside a test would be gone before the run writes there — and the run left behind).
    let temporary = TemporaryDirectory("scheduler")

    static func curriculum(strategy: String = #"{"name": "finetune"}"#) throws -> Curriculum {
        try Curriculum.parse(
            """
            {
              "name": "small",
              "seeds": {"agent": 5, "curriculum": 6},
              "tasks": {
                "default": {"env": "CartPole-v1"},
                "long-pole": {"env": "CartPole-v1", "params": {"length": 1.0}}
              },
              "schedule": [
                {"task": "default", "steps": 600},
                {"task": "long-pole", "steps": 500},
                {"interleave": ["default", "long-pole"], "episodes": 6}
              ],
              "evaluation": {"every_steps": 400, "episodes": 2},
              "agent": {"policy": "dqn", "hyperparameters": {
                "hiddenLayers": [16], "learningStarts": 100, "trainFrequency": 4, "targetUpdateInterval": 100,
                "learningRate": 0.001}},
              "strategy": \(strategy),
              "checkpoint": {"every_steps": 300}
            }
            """, file: "small.json")
    }

    @Test func aRunRecordsEveryEvaluationAndOneMatrixRowPerBlock() throws {
        let directory = temporary.file("run")
        let scheduler = try Scheduler.start(try Self.curriculum(), directory: directory, provenance: [:])
        #expect(try scheduler.run(shouldStop: { false }) == .finished)
        let log = try RecordedEvaluations(runDirectory: directory)
        #expect(log.afterBlock.count == 3 * 2)
        #expect(log.steps.prefix(4) == [0, 400, 600, 800])  // start, periodic, end of block 0, periodic
        #expect(log.blocks.prefix(4) == [-1, 0, 0, 1])
        #expect(log.returns.count == log.steps.count * 2 * 2)
        #expect(scheduler.metrics.forgetting.count == 2)
        let status = try String(contentsOfFile: directory + "/run.json", encoding: .utf8)
        #expect(status.contains(#""status" : "finished""#))
        #expect(FileManager.default.fileExists(atPath: directory + "/metrics.json"))
        #expect(Scheduler.completeCheckpoints(in: directory).count == 2)  // the newest two are kept
    }

    @Test func stoppingAndResumingGivesTheSameNumbersAsARunNeverStopped() throws {
        let whole = try uninterruptedRun()
        let stopped = temporary.file("stopped")
        #expect(try runStopped(try Self.curriculum(), at: 777, in: stopped) == .interrupted(step: 777))
        let resumed = try Scheduler.resume(directory: stopped)
        #expect(resumed.step == 777)
        #expect(try resumed.run(shouldStop: { false }) == .finished)
        #expect(try RecordedEvaluations(runDirectory: stopped) == RecordedEvaluations(runDirectory: whole))
    }

    @Test(arguments: [#"{"name": "ewc", "lambda": 50, "fisher_samples": 64}"#, #"{"name": "l2", "lambda": 1}"#])
    func regularisingStrategiesAnchorTheAgentAtTaskBoundaries(strategy: String) throws {
        let directory = temporary.file("strategy")
        let scheduler = try Scheduler.start(
            try Self.curriculum(strategy: strategy), directory: directory, provenance: [:])
        #expect(try scheduler.run(shouldStop: { false }) == .finished)
        let agent = try #require(scheduler.agent as? DQN)
        #expect(agent.penalty != nil)
        let anchors = try #require(scheduler.strategy as? ParameterAnchors)
        #expect(anchors.anchors.count >= 1)
        if strategy.contains("ewc") {
            #expect(anchors.anchors.allSatisfy { $0.importance.contains { $0 > 0 } })
            #expect(anchors.anchors.count == 2)  // one per task, replaced when the task is left again
        }
    }

    @Test func aGEMTrainsOnTheCurrentTaskAndProjectsAgainstEarlierOnes() throws {
        let scheduler = try Scheduler.start(
            try Self.curriculum(strategy: #"{"name": "agem"}"#), directory: temporary.file("run"), provenance: [:])
        #expect(try scheduler.run(shouldStop: { false }) == .finished)
        let agent = try #require(scheduler.agent as? DQN)
        let strategy = try #require(agent.projection as? AveragedGEM)
        #expect(strategy.hasEarlierTasks)
        #expect(strategy.referenceSampling != nil)
        #expect(scheduler.replay.eviction == .balanced)
        #expect(scheduler.replay.count(ofTask: 0) > 0 && scheduler.replay.count(ofTask: 1) > 0)
        // Stopped and resumed, A-GEM's state comes back too.
        try expectResumeIsExact(
            try Self.curriculum(strategy: #"{"name": "agem"}"#), stoppingAt: 900, comparedWith: temporary.file("run"))
    }

    @Test func packNetFreezesALeftTasksWeightsSoItsEvaluationsNeverChangeAgain() throws {
        let curriculum = try Curriculum.parse(
            """
            {"name": "packnet", "seeds": {"agent": 3},
             "tasks": {"default": {"env": "CartPole-v1"}, "long-pole": {"env": "CartPole-v1", "params": {"length": 1.0}},
                       "heavy-cart": {"env": "CartPole-v1", "params": {"masscart": 3.0}}},
             "schedule": [{"task": "default", "steps": 800}, {"task": "long-pole", "steps": 600},
                          {"task": "heavy-cart", "steps": 600}],
             "evaluation": {"every_steps": 200, "episodes": 2},
             "agent": {"policy": "dqn", "hyperparameters": {
               "hiddenLayers": [16], "learningStarts": 100, "trainFrequency": 2, "targetUpdateInterval": 100,
               "learningRate": 0.003}},
             "strategy": {"name": "packnet"}}
            """, file: "packnet.json")
        let directory = temporary.file("packnet")
        let scheduler = try Scheduler.start(curriculum, directory: directory, provenance: [:])
        #expect(try scheduler.run(shouldStop: { false }) == .finished)
        let packNet = try #require(scheduler.strategy as? PackNet)
        #expect(packNet.leftTasks == [0, 1])
        // Task 0 owns half of the weights it was offered (3 tasks: 1/3), task 1 half of what was left.
        let agent = try #require(scheduler.agent as? DQN)
        let weights = agent.regularizedParameters.parameters.filter { $0.shape.rank >= 2 }
            .flatMap { $0.offset..<$0.offset + $0.shape.count }
        let owned0 = weights.filter { packNet.ownerOrder[$0] == 0 }.count
        let owned1 = weights.filter { packNet.ownerOrder[$0] == 1 }.count
        #expect(owned0 == weights.count / 3)
        #expect(owned1 == (weights.count - owned0) / 2)
        // Every evaluation of task 0 after it was pruned sees the same frozen network: the same returns.
        let log = try RecordedEvaluations(runDirectory: directory)
        let perEvaluation = 3 * 2
        let task0 = log.blocks.indices.filter { log.blocks[$0] >= 1 }.map {
            Array(log.returns[$0 * perEvaluation..<$0 * perEvaluation + 2])
        }
        #expect(task0.count >= 6)
        #expect(Set(task0.map { $0.description }).count == 1, "\(task0)")
        try expectResumeIsExact(curriculum, stoppingAt: 1100, comparedWith: directory)
    }

    @Test func stoppingOnAPeriodicCheckpointsStepReplacesThatCheckpointAndLeavesNothingBehind() throws {
        let whole = try uninterruptedRun()
        let directory = temporary.file("stopped-on-600")
        // Step 600 is a periodic checkpoint's step, so the stop's checkpoint takes the place of that one.
        #expect(try runStopped(try Self.curriculum(), at: 600, in: directory) == .interrupted(step: 600))
        let checkpoints = directory + "/checkpoints"
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: checkpoints).sorted() == [
                "step_000000000300", "step_000000000600",
            ])
        let files = try FileManager.default.contentsOfDirectory(atPath: checkpoints + "/step_000000000600")
        #expect(files.sorted() == ["DONE", "agent.h5", "replay-state.h5"])
        #expect(try Scheduler.resume(directory: directory).run(shouldStop: { false }) == .finished)
        #expect(try RecordedEvaluations(runDirectory: directory) == RecordedEvaluations(runDirectory: whole))
    }

    @Test func aKillWhileACheckpointIsBeingRemovedResumesFromTheOneBeforeAndSweepsTheRest() throws {
        let whole = try uninterruptedRun()
        let directory = temporary.file("killed-while-retiring")
        #expect(try runStopped(try Self.curriculum(), at: 777, in: directory) == .interrupted(step: 777))
        // What a kill part-way through removing step 777's checkpoint leaves: renamed away, some files deleted.
        let checkpoints = directory + "/checkpoints"
        let retired = checkpoints + "/.retired-step_000000000777"
        try FileManager.default.moveItem(atPath: checkpoints + "/step_000000000777", toPath: retired)
        try FileManager.default.removeItem(atPath: retired + "/replay-state.h5")
        let resumed = try Scheduler.resume(directory: directory)
        #expect(resumed.step == 600)
        #expect(try resumed.run(shouldStop: { false }) == .finished)
        #expect(try RecordedEvaluations(runDirectory: directory) == RecordedEvaluations(runDirectory: whole))
        #expect(!FileManager.default.fileExists(atPath: retired))
    }

    /// The small curriculum run to the end without a stop, in `whole`: the numbers a resumed run must give.
    func uninterruptedRun() throws -> String {
        let whole = temporary.file("whole")
        _ = try Scheduler.start(try Self.curriculum(), directory: whole, provenance: [:]).run(shouldStop: { false })
        return whole
    }

    /// Starts `curriculum` in `directory` and asks it to stop after `step` steps. The scheduler is released before
    /// this returns, so every handle of the "first process" is gone before a resume (as when a process ends).
    func runStopped(_ curriculum: Curriculum, at step: Int, in directory: String) throws -> Scheduler.Outcome {
        var polls = 0
        return try Scheduler.start(curriculum, directory: directory, provenance: [:]).run(shouldStop: {
            polls += 1
            return polls == step
        })
    }

    /// Runs `curriculum` stopped after `step` steps and resumed, and compares its evaluations with `reference`.
    func expectResumeIsExact(_ curriculum: Curriculum, stoppingAt step: Int, comparedWith reference: String) throws {
        let directory = temporary.file("resumed")
        _ = try runStopped(curriculum, at: step, in: directory)
        #expect(try Scheduler.resume(directory: directory).run(shouldStop: { false }) == .finished)
        #expect(try RecordedEvaluations(runDirectory: directory) == RecordedEvaluations(runDirectory: reference))
    }

    /// The quickstart's T-maze, two blocks: the goal's arm switches, and the junction looks the same in both.
    static func tMaze(taskHeads: Bool) throws -> Curriculum {
        func task(_ layout: String) -> String {
            #"{"env": "GridWorld-v0", "params": {"layout": "\#(layout)", "view_radius": 1, "max_episode_steps": 4, "reward_scale": 3}}"#
        }
        return try Curriculum.parse(
            """
            {"name": "t-maze", "seeds": {"agent": 1},
             "tasks": {"left": \(task("#######/#G...L#/###S###/#######")),
                       "right": \(task("#######/#L...G#/###S###/#######"))},
             "schedule": [{"task": "left", "steps": 4000}, {"task": "right", "steps": 4000}],
             "evaluation": {"every_steps": 4000, "episodes": 1},
             "agent": {"policy": "dqn", "task_heads": \(taskHeads), "replay": {"capacity": 2000}, "hyperparameters": {
               "learningRate": 0.0005, "gamma": 0.9, "learningStarts": 500, "trainFrequency": 1, "targetUpdateInterval": 250,
               "doubleQ": true, "explorationFraction": 0.5, "hiddenLayers": [64, 64], "batchSize": 64,
               "restartExplorationAtTaskBoundary": true}}}
            """, file: "t-maze.json")
    }

    @Test func taskSpecificHeadsKeepConflictingTasksThatOneSharedHeadForgets() throws {
        var forgetting: [Bool: Double] = [:]
        for heads in [false, true] {
            let directory = temporary.file(heads ? "task-heads" : "shared-head")
            let scheduler = try Scheduler.start(try Self.tMaze(taskHeads: heads), directory: directory, provenance: [:])
            #expect(try scheduler.run(shouldStop: { false }) == .finished)
            #expect(scheduler.afterBlock[0][0] > 0.9, "the left arm is learned first (heads: \(heads))")
            forgetting[heads] = scheduler.metrics.forgetting[0]
            if heads { #expect((scheduler.agent as? DQN)?.heads == 2) }
        }
        #expect((forgetting[false] ?? 0) > 0.9)  // one head: the right arm's policy replaced the left's
        #expect((forgetting[true] ?? 1) < 0.1)  // a head per task: the left task still acts through its own
    }

    @Test func replayWithCloningGivesSACCLEARsTermsAndTheirColumns() throws {
        let curriculum = try Curriculum.parse(
            """
            {"name": "clear", "tasks": {"light": {"env": "Pendulum-v1"}, "heavy": {"env": "Pendulum-v1", "params": {"m": 2}}},
             "schedule": [{"task": "light", "steps": 300}, {"task": "heavy", "steps": 300}],
             "evaluation": {"every_steps": 300, "episodes": 1},
             "agent": {"policy": "sac", "hyperparameters": {"hiddenLayers": [16], "learningStarts": 100, "batchSize": 16}},
             "strategy": {"name": "replay", "cloning": true}}
            """, file: "clear.json")
        let scheduler = try Scheduler.start(
            curriculum, directory: temporary.file("clear"), provenance: [:])
        #expect(try scheduler.run(shouldStop: { false }) == .finished)
        let agent = try #require(scheduler.agent as? SAC)
        #expect(agent.configuration.policyCloning == 0.01 && agent.configuration.valueCloning == 0.005)
        #expect(scheduler.replay.schema.extraColumns == SAC.cloningColumns(actionSize: 1))
        #expect(scheduler.replay.eviction == .reservoir)
    }

    @Test func theReplayStrategyKeepsEarlierTasksInTheSharedStore() throws {
        let directory = temporary.file("replay")
        let scheduler = try Scheduler.start(
            try Self.curriculum(strategy: #"{"name": "replay", "eviction": "balanced", "sampling": "task_balanced"}"#),
            directory: directory, provenance: [:])
        _ = try scheduler.run(shouldStop: { false })
        #expect(scheduler.replay.eviction == .balanced)
        #expect(scheduler.replay.count(ofTask: 0) > 0 && scheduler.replay.count(ofTask: 1) > 0)
    }
}
