public import Agents
import Environments
import Foundation
import HDF5
public import Replay
public import RunLog

/// Streams a curriculum's blocks through one agent: tells the agent and the strategy about task boundaries (or
/// withholds them in task-free runs), evaluates every evaluated task on schedule with evaluation seeds separate
/// from training, records the raw evaluation data and the per-block matrix, and checkpoints so that a killed run
/// resumes exactly (`Scheduler+Checkpoint.swift`).
///
/// ```swift
/// let curriculum = try Curriculum.load("experiments/quickstart.json")
/// let scheduler = try Scheduler.start(curriculum, directory: "runs/quickstart", provenance: [:])
/// let outcome = try scheduler.run(shouldStop: { false })
/// print(scheduler.metrics.forgetting)
/// ```
public final class Scheduler {
    public let curriculum: Curriculum
    public let directory: String
    public let agent: any Agent
    public let replay: ReplayStore
    public let strategy: any ContinualStrategy
    public let log: RunLog
    let loop: EnvironmentLoop
    var position: Position
    /// One environment per evaluated task, reset with the evaluation seeds for every episode.
    var evaluationEnvironments: [any Environment]
    /// `/eval/after_block` so far (kept for the running metrics).
    public internal(set) var afterBlock: [[Double]]
    /// Called after every evaluation with the step, the block (−1 before training) and the mean return per
    /// evaluated task.
    public var onEvaluation: ((_ step: Int, _ block: Int, _ means: [Double]) -> Void)?
    /// Called every `progressInterval` steps.
    public var onProgress: ((Progress) -> Void)?
    public var progressInterval = 1000
    /// The run's wall time at the last checkpoint.
    var lastCheckpointTime = 0.0

    /// Where the run stands, for progress displays.
    public struct Progress: Sendable {
        public var step: Int
        /// The run's step budget when every block counts steps.
        public var totalSteps: Int?
        public var block: Int
        public var blocks: Int
        public var task: String
        public var wallTime: Double
    }

    /// How `run` ended.
    public enum Outcome: Sendable, Equatable {
        case finished
        /// Stopped on request (SIGINT/SIGTERM) after a checkpoint at `step`.
        case interrupted(step: Int)
    }

    /// The scheduler's cursor: everything besides the agent, the store and the strategy that a resumed run needs.
    struct Position: Codable {
        var step = 0
        var block = 0
        var blockStarted = false
        var blockStartStep = 0
        var blockSteps = 0
        var blockEpisodes = 0
        /// Interleaved blocks: the current position in the block's task list and the episodes run since the switch.
        var slot = 0
        var episodesSinceSwitch = 0
        /// The task trained last (for boundary announcements).
        var lastTask: Int32?
        /// Training-environment seeds and random interleaving come from this stream.
        var curriculumRandom: [UInt64]
        var loop: EnvironmentLoop.State?
    }

    init(
        curriculum: Curriculum, directory: String, components: RunComponents, log: RunLog, position: Position,
        afterBlock: [[Double]]
    ) throws {
        self.curriculum = curriculum
        self.directory = directory
        agent = components.agent
        replay = components.replay
        strategy = components.strategy
        self.log = log
        self.position = position
        self.afterBlock = afterBlock
        evaluationEnvironments = try curriculum.evaluation.tasks.map { try curriculum.tasks[$0].make() }
        let first = curriculum.blocks[0]
        loop = try EnvironmentLoop(
            environment: try curriculum.trainingEnvironment(block: first, task: first.trainedTasks[0]),
            agent: components.agent, task: Int32(first.trainedTasks[0]), seed: 0)
        loop.keepsReturns = false
        loop.episodeFinished = { [unowned self] episodeReturn, length in
            try self.log.record(
                "train/episode_return", episodeReturn, step: self.position.step + 1, task: self.loop.task)
            try self.log.record(
                "train/episode_length", Double(length), step: self.position.step + 1, task: self.loop.task)
        }
    }

    /// The continual-learning metrics of the blocks finished so far.
    public var metrics: ContinualMetrics {
        let columns = curriculum.evaluation.tasks
        return ContinualMetrics(
            afterBlock: afterBlock,
            trainedTasks: curriculum.blocks.prefix(afterBlock.count).map { block in
                block.trainedTasks.compactMap { columns.firstIndex(of: $0) }
            })
    }

    // MARK: The loop

    /// Runs the remaining blocks. `shouldStop` is polled after every step; when it says so, the run checkpoints
    /// and returns `.interrupted`.
    public func run(shouldStop: () -> Bool) throws -> Outcome {
        do {
            // The untrained agent's evaluation (block −1): the "random" reference of normalised metrics.
            if try log.checkpointCounts().evaluations == 0 {
                try evaluate()
                try log.commit(status: status("running"))
            }
            while position.block < curriculum.blocks.count {
                let block = curriculum.blocks[position.block]
                if !position.blockStarted { try startBlock(block) }
                while !isDone(block) {
                    try step(in: block)
                    if position.step % curriculum.evaluation.interval == 0 && !isDone(block) {
                        try evaluate()
                        try log.commit(status: status("running"))
                    }
                    if isCheckpointDue { try checkpoint() }
                    if position.step % progressInterval == 0 { reportProgress() }
                    if shouldStop() {
                        // The event goes in before the checkpoint, so the log keeps it after a resume.
                        try log.recordEvent(
                            "interrupted", "stopped on request; resume continues here", step: position.step)
                        try checkpoint(status: "interrupted")
                        return .interrupted(step: position.step)
                    }
                }
                try finishBlock(block)
            }
            try log.recordEvent("finished", "all \(curriculum.blocks.count) blocks done", step: position.step)
            try checkpoint(status: "finished")
            try writeMetricsFile()
            return .finished
        } catch {
            try? log.recordEvent("failed", "\(error)", step: position.step)
            try? log.commit(status: status("failed", message: "\(error)"))
            throw error
        }
    }

    /// Whether the step or time schedule calls for a checkpoint now (the clock is read every 256 steps).
    var isCheckpointDue: Bool {
        if let interval = curriculum.checkpointInterval, position.step % interval == 0 { return true }
        guard let seconds = curriculum.checkpointSeconds, position.step % 256 == 0 else { return false }
        return log.wallTime - lastCheckpointTime >= seconds
    }

    func isDone(_ block: Block) -> Bool {
        switch block.budget {
        case .steps(let steps): position.blockSteps >= steps
        case .episodes(let episodes): position.blockEpisodes >= episodes
        }
    }

    /// One environment step of `block`, with the interleaving and drift bookkeeping that follows it.
    func step(in block: Block) throws {
        var cut = false
        if case .steps(let steps) = block.budget { cut = position.blockSteps + 1 == steps }
        let ended = try loop.step(cutEpisode: cut)
        position.step += 1
        position.blockSteps += 1
        switch block.kind {
        case .task:
            if ended { position.blockEpisodes += 1 }
        case .interleave(let tasks, let every, let randomOrder):
            guard ended else { break }
            position.blockEpisodes += 1
            position.episodesSinceSwitch += 1
            if position.episodesSinceSwitch >= every && !isDone(block) {
                var random = curriculumRandom
                position.slot = randomOrder ? random.index(below: tasks.count) : (position.slot + 1) % tasks.count
                curriculumRandom = random
                position.episodesSinceSwitch = 0
                try enter(task: tasks[position.slot], block: block)
            }
        case .drift(_, let to, _):
            if ended { position.blockEpisodes += 1 }
            // Task-free: the tag (for the store and the logs) follows the nearer end of the drift; nobody is told.
            if case .steps(let steps) = block.budget, position.blockSteps == steps / 2 {
                loop.task = Int32(to)
                position.lastTask = Int32(to)
            }
        }
    }

    var curriculumRandom: RandomStream {
        get {
            let words = position.curriculumRandom
            return RandomStream(state: (words[0], words[1], words[2], words[3]))
        }
        set { position.curriculumRandom = [newValue.state.0, newValue.state.1, newValue.state.2, newValue.state.3] }
    }

    /// Sets up `block`: its first task's environment, announced as a boundary when the task changes.
    func startBlock(_ block: Block) throws {
        position.blockStarted = true
        position.blockStartStep = position.step
        position.blockSteps = 0
        position.blockEpisodes = 0
        position.slot = 0
        position.episodesSinceSwitch = 0
        var first = block.trainedTasks[0]
        if case .interleave(let tasks, _, true) = block.kind {
            var random = curriculumRandom
            position.slot = random.index(below: tasks.count)
            curriculumRandom = random
            first = tasks[position.slot]
        }
        let names = block.trainedTasks.map { curriculum.tasks[$0].name }.joined(separator: ", ")
        try log.recordEvent(
            "block_started", "block \(position.block) (\(block.origin)): \(names)", step: position.step)
        try enter(task: first, block: block)
    }

    /// Switches training to `task` in a fresh environment seeded from the curriculum stream.
    func enter(task: Int, block: Block) throws {
        var random = curriculumRandom
        let seed = random.next()
        curriculumRandom = random
        let environment = try curriculum.trainingEnvironment(block: block, task: task)
        try loop.switchEnvironment(to: environment, task: Int32(task), seed: seed)
        let next = Int32(task)
        // Task-specific heads follow the task being trained.
        (agent as? any TaskConditionedAgent)?.activeTask = next
        if position.lastTask != next {
            if curriculum.announcesBoundaries {
                agent.taskBoundary(from: position.lastTask, to: next)
                try strategy.taskBoundary(agent: agent, finished: position.lastTask, next: next)
                try log.recordEvent(
                    "task_boundary",
                    "\(position.lastTask.map { curriculum.tasks[Int($0)].name } ?? "start") → "
                        + curriculum.tasks[task].name, step: position.step)
            }
            position.lastTask = next
        }
    }

    /// Ends `block`: the end-of-block evaluation becomes row `block` of `/eval/after_block`, and the running
    /// metrics go to `/metrics`.
    func finishBlock(_ block: Block) throws {
        let means = try evaluate()
        try log.recordBlockEnd(
            block: position.block, startStep: position.blockStartStep, endStep: position.step, meanReturns: means)
        afterBlock.append(means)
        let metrics = metrics
        let columns = curriculum.evaluation.tasks
        if let value = metrics.averagePerformance {
            try log.record("continual/average_performance", value, step: position.step)
        }
        if let value = metrics.backwardTransfer {
            try log.record("continual/backward_transfer", value, step: position.step)
        }
        for (column, value) in metrics.forgetting.enumerated() {
            if let value {
                try log.record("continual/forgetting", value, step: position.step, task: Int32(columns[column]))
            }
        }
        position.block += 1
        position.blockStarted = false
        try log.commit(status: status("running"))
    }

    /// Evaluates every evaluated task (greedy, episode k seeded `evaluation.seed + k`), records the returns and
    /// returns the mean per task. The caller commits (a block's end commits once, with its matrix row).
    @discardableResult
    func evaluate() throws -> [Double] {
        let schedule = curriculum.evaluation
        var returns = [Double](repeating: 0, count: schedule.tasks.count * schedule.episodes)
        var means: [Double] = []
        for (column, environment) in evaluationEnvironments.enumerated() {
            strategy.willEvaluate(task: Int32(schedule.tasks[column]), agent: agent)
            let conditioned = agent as? any TaskConditionedAgent
            let trainingTask = conditioned?.activeTask
            conditioned?.activeTask = Int32(schedule.tasks[column])
            defer {
                if let trainingTask { conditioned?.activeTask = trainingTask }
                strategy.didEvaluate(agent: agent)
            }
            var total = 0.0
            for episode in 0..<schedule.episodes {
                let value = try Agents.evaluate(
                    agent, in: environment, episodes: 1, seed: schedule.seed + UInt64(episode))
                returns[column * schedule.episodes + episode] = value
                total += value
            }
            means.append(total / Double(schedule.episodes))
        }
        let block = position.step == 0 ? -1 : position.block
        try log.recordEvaluation(returns: returns, step: position.step, block: block)
        for (column, mean) in means.enumerated() {
            try log.record("eval/mean_return", mean, step: position.step, task: Int32(schedule.tasks[column]))
        }
        if let model = agent as? any WorldModelAgent {
            for error in model.modelErrors() {
                let k = error.horizon
                try log.record("worldmodel/one_step_mse", error.oneStepMSE, step: position.step, task: error.task)
                try log.record("worldmodel/one_step_nll", error.oneStepNLL, step: position.step, task: error.task)
                try log.record("worldmodel/\(k)_step_mse", error.horizonMSE, step: position.step, task: error.task)
                try log.record("worldmodel/\(k)_step_nll", error.horizonNLL, step: position.step, task: error.task)
            }
        }
        if let memory = agent as? any EpisodicMemoryAgent {
            for retention in memory.retention() {
                try log.record("memory/entries", Double(retention.entries), step: position.step, task: retention.task)
                if let error = retention.valueError {
                    try log.record("memory/value_error", error, step: position.step, task: retention.task)
                }
            }
        }
        onEvaluation?(position.step, block, means)
        return means
    }

    func reportProgress() {
        guard let onProgress else { return }
        let block = min(position.block, curriculum.blocks.count - 1)
        onProgress(
            Progress(
                step: position.step, totalSteps: curriculum.totalSteps, block: block, blocks: curriculum.blocks.count,
                task: curriculum.tasks[Int(loop.task)].name, wallTime: log.wallTime))
    }

    /// The `run.json` contents.
    func status(_ state: String, message: String? = nil) -> [String: Any] {
        var object: [String: Any] = [
            "status": state, "step": position.step, "block": position.block, "blocks": curriculum.blocks.count,
            "name": curriculum.name,
        ]
        if let total = curriculum.totalSteps { object["total_steps"] = total }
        if let message { object["message"] = message }
        return object
    }

    /// `RUN_DIR/metrics.json`: the final metrics with their definitions (replaced atomically).
    func writeMetricsFile() throws {
        let metrics = metrics
        let names = curriculum.evaluation.tasks.map { curriculum.tasks[$0].name }
        func json(_ value: Double?) -> Any { value.map { $0 as Any } ?? NSNull() }
        let object: [String: Any] = [
            "tasks": names,
            "average_performance": json(metrics.averagePerformance),
            "backward_transfer": json(metrics.backwardTransfer),
            "mean_forgetting": json(metrics.meanForgetting),
            "forgetting": Dictionary(uniqueKeysWithValues: zip(names, metrics.forgetting.map(json))),
            "definitions": [
                "forgetting": "R[b_j, j] - R[B-1, j], b_j the last block before the final one that trained j",
                "average_performance": "mean_j R[B-1, j]",
                "backward_transfer": "-mean forgetting over tasks not trained in the final block",
            ],
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        try DurableFile.replace(directory + "/metrics.json", with: data)
    }
}
