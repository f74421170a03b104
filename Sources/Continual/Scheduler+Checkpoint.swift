import Agents
import Environments
import Foundation
import HDF5
import Replay
import RunLog

/// Starting, checkpointing and resuming runs.
///
/// A run directory holds `curriculum.json` (the curriculum as given), `log.h5`, `run.json`, `replay/` (the shared
/// store) and `checkpoints/step_N/`. A checkpoint is built in `checkpoints/.partial/` — `agent.h5` (agent,
/// strategy, the scheduler's position and the log's row counts) and `replay-state.h5` (the store's state as of
/// its commit just before) — completed with a `DONE` file and only then renamed into place, so a kill at any
/// moment leaves the previous checkpoints intact; a checkpoint is removed by renaming it out of the `step_` names
/// first (``retire(_:)``), so none is ever seen half-deleted. Resuming takes the newest complete checkpoint, puts its
/// replay state back (the store's append-only step log is cut to match), cuts the log back to its row counts,
/// and continues: with the same seeds the run produces the same numbers as one never interrupted.
extension Scheduler {
    /// Checkpoints kept (older ones are removed once a newer one is complete).
    static let keptCheckpoints = 2

    /// Creates the run directory for `curriculum` with a checkpoint at step 0. The directory must not hold a run.
    public static func start(
        _ curriculum: Curriculum, directory: String, provenance: [String: String]
    ) throws -> Scheduler {
        let manager = FileManager.default
        if manager.fileExists(atPath: directory + "/curriculum.json") {
            throw ContinualError(
                "\(directory) already holds a run; resume it with `lifelong resume \(directory)`, or choose "
                    + "another --out")
        }
        try manager.createDirectory(atPath: directory + "/checkpoints", withIntermediateDirectories: true)
        let components = try RunComponents.make(curriculum, replayDirectory: directory + "/replay")
        var provenance = provenance
        provenance["curriculum"] = curriculum.text
        provenance["name"] = curriculum.name
        provenance["agent_seed"] = String(curriculum.agentSeed)
        provenance["curriculum_seed"] = String(curriculum.curriculumSeed)
        provenance["strategy"] = curriculum.strategy.name
        provenance["agent"] = curriculum.agent.policy.rawValue
        provenance["config"] = curriculum.agent.hyperparametersJSON
        let log = try RunLog(
            directory: directory, layout: layout(of: curriculum), provenance: provenance, seed: curriculum.agentSeed)
        // The curriculum goes in last: its presence marks a run that `resume` can continue.
        try DurableFile.replace(directory + "/curriculum.json", with: Data(curriculum.text.utf8))
        let random = RandomStream(seed: curriculum.curriculumSeed).derived("curriculum/environments")
        let scheduler = try Scheduler(
            curriculum: curriculum, directory: directory, components: components, log: log,
            position: Position(curriculumRandom: [random.state.0, random.state.1, random.state.2, random.state.3]),
            afterBlock: [])
        try log.recordEvent("run_started", "curriculum \(curriculum.name)", step: 0)
        try scheduler.checkpoint()
        return scheduler
    }

    /// The log's task and block tables for `curriculum`.
    static func layout(of curriculum: Curriculum) -> RunLogLayout {
        let tasks = curriculum.tasks.enumerated().map { index, task in
            TaskRow(
                index: Int32(index), name: task.name, environment: task.environment,
                parameters: parametersJSON(task.parameters))
        }
        let blocks = curriculum.blocks.enumerated().map { index, block in
            let kind: String
            switch block.kind {
            case .task: kind = "task"
            case .interleave: kind = "interleave"
            case .drift: kind = "drift"
            }
            var steps: Int64 = -1
            var episodes: Int64 = -1
            switch block.budget {
            case .steps(let count): steps = Int64(count)
            case .episodes(let count): episodes = Int64(count)
            }
            return BlockRow(
                index: Int32(index), kind: kind, tasks: block.trainedTasks, budgetSteps: steps,
                budgetEpisodes: episodes, origin: block.origin)
        }
        return RunLogLayout(
            tasks: tasks, blocks: blocks, evaluatedTasks: curriculum.evaluation.tasks,
            episodesPerEvaluation: curriculum.evaluation.episodes)
    }

    /// Parameters as a JSON-ready object.
    static func parametersObject(_ parameters: [String: ParameterValue]) -> [String: Any] {
        parameters.mapValues { value -> Any in
            switch value {
            case .number(let number): number
            case .bool(let flag): flag
            case .string(let text): text
            }
        }
    }

    static func parametersJSON(_ parameters: [String: ParameterValue]) -> String {
        let object = parametersObject(parameters)
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes a complete checkpoint of the run at the current step; the log's commit then marks the run `status`.
    func checkpoint(status state: String = "running") throws {
        position.loop = loop.state
        try replay.commit()
        let checkpoints = directory + "/checkpoints"
        let name = String(format: "step_%012d", position.step)
        let partial = checkpoints + "/.partial"
        let manager = FileManager.default
        try? manager.removeItem(atPath: partial)
        for leftover in (try? manager.contentsOfDirectory(atPath: checkpoints)) ?? []
        where leftover.hasPrefix(Self.retiredPrefix) {
            try? manager.removeItem(atPath: checkpoints + "/" + leftover)
        }
        try manager.createDirectory(atPath: partial, withIntermediateDirectories: true)
        let positionJSON = String(decoding: try JSONEncoder().encode(position), as: UTF8.self)
        let countsJSON = String(decoding: try JSONEncoder().encode(log.checkpointCounts()), as: UTF8.self)
        let afterBlockJSON = String(decoding: try JSONEncoder().encode(afterBlock), as: UTF8.self)
        try File.writeAtomically(partial + "/agent.h5") { file in
            try file.setAttribute("position", positionJSON)
            try file.setAttribute("log_counts", countsJSON)
            try file.setAttribute("after_block", afterBlockJSON)
            try agent.save(to: file.createGroup("agent"))
            try strategy.save(to: file.createGroup("strategy"))
        }
        guard let replayDirectory = replay.directory else {
            preconditionFailure("a scheduled run's replay store is persisted")
        }
        try DurableFile.replace(
            partial + "/replay-state.h5",
            with: try Data(contentsOf: URL(fileURLWithPath: replayDirectory + "/state.h5")))
        try DurableFile.replace(partial + "/DONE", with: Data("step \(position.step)\n".utf8))
        // A checkpoint of the same step exists when the run ends or stops on a periodic checkpoint's step.
        if manager.fileExists(atPath: checkpoints + "/" + name) { try retire(name) }
        try DurableFile.rename(partial, to: checkpoints + "/" + name)
        try log.recordCheckpoint(step: position.step, path: "checkpoints/" + name)
        lastCheckpointTime = log.wallTime
        try log.commit(status: status(state))
        for old in Self.completeCheckpoints(in: directory).dropLast(Self.keptCheckpoints) {
            try? retire(old)  // housekeeping: a checkpoint kept too many does no harm
        }
    }

    /// Removes the checkpoint `name`. Deleting a directory takes one file at a time, so a kill part-way would leave a
    /// `step_N` with its `DONE` but without the files it vouches for — and `resume` would pick it. The checkpoint is
    /// first renamed out of the `step_` names in one atomic step; only then are its files deleted. A leftover from a
    /// kill during the deletion is swept by the next checkpoint.
    func retire(_ name: String) throws {
        let checkpoints = directory + "/checkpoints"
        let retired = checkpoints + "/" + Self.retiredPrefix + name
        try? FileManager.default.removeItem(atPath: retired)
        try DurableFile.rename(checkpoints + "/" + name, to: retired)
        try? FileManager.default.removeItem(atPath: retired)
    }

    /// Names of checkpoints being removed; never read by `resume`.
    static let retiredPrefix = ".retired-"

    /// The names of the complete checkpoints (with `DONE`) of the run in `directory`, oldest first.
    public static func completeCheckpoints(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/checkpoints")) ?? []
        return names.filter {
            $0.hasPrefix("step_") && FileManager.default.fileExists(atPath: "\(directory)/checkpoints/\($0)/DONE")
        }.sorted()
    }

    /// Continues the run in `directory` from its newest complete checkpoint. A run that died before its first
    /// checkpoint starts again from scratch in the same directory.
    public static func resume(directory: String) throws -> Scheduler {
        let curriculumPath = directory + "/curriculum.json"
        guard FileManager.default.fileExists(atPath: curriculumPath) else {
            throw ContinualError(
                "\(directory) holds no run to resume (no curriculum.json); start one with `lifelong run FILE --out "
                    + "\(directory)`")
        }
        let curriculum = try Curriculum.load(curriculumPath)
        guard let latest = completeCheckpoints(in: directory).last else {
            for item in ["log.h5", "run.json", "replay", "checkpoints", "curriculum.json"] {
                try? FileManager.default.removeItem(atPath: directory + "/" + item)
            }
            return try start(curriculum, directory: directory, provenance: [:])
        }
        let checkpoint = directory + "/checkpoints/" + latest
        try DurableFile.replace(
            directory + "/replay/state.h5",
            with: try Data(contentsOf: URL(fileURLWithPath: checkpoint + "/replay-state.h5")))
        let replay = try ReplayStore.open(directory + "/replay")
        let components = try RunComponents.make(
            curriculum, replayDirectory: directory + "/replay", existingReplay: replay)
        let file = try File.open(checkpoint + "/agent.h5")
        let decoder = JSONDecoder()
        let position = try decoder.decode(
            Position.self, from: Data(try file.attribute("position", as: String.self).utf8))
        let counts = try decoder.decode(
            RunLog.Counts.self, from: Data(try file.attribute("log_counts", as: String.self).utf8))
        let afterBlock = try decoder.decode(
            [[Double]].self, from: Data(try file.attribute("after_block", as: String.self).utf8))
        try components.agent.load(from: file.openGroup("agent"))
        try components.strategy.load(from: file.openGroup("strategy"), agent: components.agent)
        try file.close()
        let log = try RunLog.reopen(directory: directory, counts: counts)
        let scheduler = try Scheduler(
            curriculum: curriculum, directory: directory, components: components, log: log, position: position,
            afterBlock: afterBlock)
        if let state = position.loop, position.block < curriculum.blocks.count {
            let block = curriculum.blocks[position.block]
            let task: Int
            if case .drift(let from, _, _) = block.kind { task = from } else { task = Int(state.task) }
            try scheduler.loop.restore(state, environment: try curriculum.trainingEnvironment(block: block, task: task))
        }
        scheduler.lastCheckpointTime = log.wallTime
        try log.recordEvent("resumed", "from checkpoints/\(latest)", step: position.step)
        try log.commit(status: scheduler.status("running"))
        return scheduler
    }

    /// Whether every block is done.
    public var isFinished: Bool { position.block >= curriculum.blocks.count }
    /// Environment steps taken.
    public var step: Int { position.step }
}

/// Why a continual-learning run could not start or go on.
public struct ContinualError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
