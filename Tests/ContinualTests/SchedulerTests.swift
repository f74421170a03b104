import Agents
import Continual
import Foundation
import HDF5
import LifelongTestSupport
import Testing

/// The scheduler on a small CartPole curriculum: what it records, and that stopping and resuming changes nothing.
@Suite struct SchedulerTests {
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
        let directory = TemporaryDirectory("scheduler-run").file("run")
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
        let temporary = TemporaryDirectory("scheduler-resume")
        let whole = temporary.file("whole")
        _ = try Scheduler.start(try Self.curriculum(), directory: whole, provenance: [:]).run(shouldStop: { false })
        let stopped = temporary.file("stopped")
        // In a scope of its own, so that every handle of the first process is gone before the resume (as when a
        // process ends).
        do {
            var polls = 0
            let first = try Scheduler.start(try Self.curriculum(), directory: stopped, provenance: [:])
            let outcome = try first.run(shouldStop: {
                polls += 1
                return polls == 777
            })
            #expect(outcome == .interrupted(step: 777))
        }
        let resumed = try Scheduler.resume(directory: stopped)
        #expect(resumed.step == 777)
        #expect(try resumed.run(shouldStop: { false }) == .finished)
        #expect(try RecordedEvaluations(runDirectory: stopped) == RecordedEvaluations(runDirectory: whole))
    }

    @Test(arguments: [#"{"name": "ewc", "lambda": 50, "fisher_samples": 64}"#, #"{"name": "l2", "lambda": 1}"#])
    func regularisingStrategiesAnchorTheAgentAtTaskBoundaries(strategy: String) throws {
        let directory = TemporaryDirectory("scheduler-strategy").file("run")
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
        let temporary = TemporaryDirectory("scheduler-agem")
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
        let whole = try RecordedEvaluations(runDirectory: temporary.file("run"))
        do {
            var polls = 0
            let first = try Scheduler.start(
                try Self.curriculum(strategy: #"{"name": "agem"}"#), directory: temporary.file("stopped"),
                provenance: [:])
            _ = try first.run(shouldStop: {
                polls += 1
                return polls == 900
            })
        }
        _ = try Scheduler.resume(directory: temporary.file("stopped")).run(shouldStop: { false })
        #expect(try RecordedEvaluations(runDirectory: temporary.file("stopped")) == whole)
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
            curriculum, directory: TemporaryDirectory("scheduler-clear").file("run"), provenance: [:])
        #expect(try scheduler.run(shouldStop: { false }) == .finished)
        let agent = try #require(scheduler.agent as? SAC)
        #expect(agent.configuration.policyCloning == 0.01 && agent.configuration.valueCloning == 0.005)
        #expect(scheduler.replay.schema.extraColumns == SAC.cloningColumns(actionSize: 1))
        #expect(scheduler.replay.eviction == .reservoir)
    }

    @Test func theReplayStrategyKeepsEarlierTasksInTheSharedStore() throws {
        let directory = TemporaryDirectory("scheduler-replay").file("run")
        let scheduler = try Scheduler.start(
            try Self.curriculum(strategy: #"{"name": "replay", "eviction": "balanced", "sampling": "task_balanced"}"#),
            directory: directory, provenance: [:])
        _ = try scheduler.run(shouldStop: { false })
        #expect(scheduler.replay.eviction == .balanced)
        #expect(scheduler.replay.count(ofTask: 0) > 0 && scheduler.replay.count(ofTask: 1) > 0)
    }
}
