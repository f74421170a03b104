import Foundation
import HDF5

/// What a run log holds besides its rows: the tasks, the expanded schedule, which tasks are evaluated (the
/// columns of the evaluation datasets) and how many episodes each evaluation runs.
public struct RunLogLayout: Sendable {
    public var tasks: [TaskRow]
    public var blocks: [BlockRow]
    /// Task indices of the evaluation columns.
    public var evaluatedTasks: [Int]
    public var episodesPerEvaluation: Int

    public init(tasks: [TaskRow], blocks: [BlockRow], evaluatedTasks: [Int], episodesPerEvaluation: Int) {
        self.tasks = tasks
        self.blocks = blocks
        self.evaluatedTasks = evaluatedTasks
        self.episodesPerEvaluation = episodesPerEvaluation
    }
}

/// A run directory's HDF5 log (`RUN_DIR/log.h5`) and status file (`RUN_DIR/run.json`), readable by h5py and
/// pandas without Lifelong code (schema in docs/runlog.md):
///
/// - root attributes: provenance (`schema`, `schema_version`, `lifelong_version`, `libhdf5_version`, `blas`,
///   `host`, `seed`s, `config`, `curriculum`, `command`, …);
/// - `/tasks`, `/schedule/blocks`: the curriculum's tasks and expanded blocks; `/schedule/progress`: finished blocks;
/// - `/metrics`: a long-format table {step, wall_time, task, key, value};
/// - `/eval/returns` float64 [evaluations, tasks, episodes], `/eval/steps` int64 and `/eval/block` int32
///   [evaluations], `/eval/after_block` float64 [blocks, tasks] (R[i, j]: mean return on task j after block i);
/// - `/events`, `/checkpoints`; `/commit`, the commit record written last at every `commit()`.
///
/// Every object is created before the file switches to SWMR, so h5py can read the log while the run goes on.
///
/// ```swift
/// let log = try RunLog(directory: "runs/a", layout: layout, provenance: ["lifelong_version": "0.2.0"])
/// try log.record("train/episode_return", 195, step: 1000, task: 0)
/// try log.commit(step: 1000)
/// ```
public final class RunLog {
    public let directory: String
    /// The number of evaluated tasks (columns).
    public let tasks: Int
    public let episodesPerEvaluation: Int
    let file: File
    let metrics: Dataset<MetricRow>
    let returns: Dataset<Double>
    let evaluationSteps: Dataset<Int64>
    let evaluationBlocks: Dataset<Int32>
    let afterBlock: Dataset<Double>
    let progress: Dataset<BlockProgressRow>
    let events: Dataset<EventRow>
    let checkpoints: Dataset<CheckpointRow>
    /// Seconds already spent before this process (a resumed run continues its clock).
    private let started: Date
    /// Metric rows not yet appended: they go in by the chunk, since every append to a compressed dataset costs
    /// a chunk's worth of compression buffers.
    private var pendingMetrics: [MetricRow] = []
    private static let metricChunk = 4096

    /// The row counts of every appended dataset: what a checkpoint records, and what resuming cuts back to.
    public struct Counts: Codable, Equatable, Sendable {
        public var metrics = 0
        public var evaluations = 0
        public var afterBlock = 0
        public var progress = 0
        public var events = 0
        public var checkpoints = 0
        public var wallTime = 0.0
    }

    /// The datasets the commit protocol tracks.
    static let appended = [
        "metrics", "eval/returns", "eval/steps", "eval/block", "eval/after_block", "schedule/progress", "events",
        "checkpoints",
    ]

    /// Creates `directory` (which must not hold a run yet) with its log and a `run.json` saying "running".
    public convenience init(
        directory: String, layout: RunLogLayout, provenance: [String: String], seed: UInt64 = 0
    ) throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: directory + "/log.h5") {
            throw HDF5Error(
                .alreadyExists, operation: "create run", file: directory + "/log.h5",
                reason: "the directory already holds a run. Choose another --out, resume it, or remove it.")
        }
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let tasks = layout.evaluatedTasks.count
        let episodes = layout.episodesPerEvaluation
        try File.writeAtomically(directory + "/log.h5") { file in
            try file.setAttribute("schema", "lifelong.runlog")
            try file.setAttribute("schema_version", Int64(2))
            try file.setAttribute("libhdf5_version", HDF5Library.version)
            try file.setAttribute("seed", Int64(bitPattern: seed))
            for (key, value) in provenance.sorted(by: { $0.key < $1.key }) { try file.setAttribute(key, value) }
            let taskTable = try file.createDataset("tasks", of: TaskRow.self, shape: [layout.tasks.count])
            try taskTable.write(layout.tasks)
            let blockTable = try file.createDataset("schedule/blocks", of: BlockRow.self, shape: [layout.blocks.count])
            try blockTable.write(layout.blocks)
            let compressed = DatasetOptions(chunkRows: 4096, compression: .deflate(level: 4))
            let table = try file.createAppendableDataset("metrics", of: MetricRow.self, options: compressed)
            try table.setAttribute(
                "columns", "step: environment steps; wall_time: seconds since the start; task; key; value")
            let returns = try file.createAppendableDataset(
                "eval/returns", of: Double.self, rowShape: [tasks, episodes], options: DatasetOptions(chunkRows: 64))
            try returns.setAttribute("tasks", layout.evaluatedTasks.map(Int64.init))
            try returns.setAttribute("layout", "[evaluations, evaluated tasks (attribute tasks), episodes]")
            _ = try file.createAppendableDataset("eval/steps", of: Int64.self, options: DatasetOptions(chunkRows: 1024))
            let blocks = try file.createAppendableDataset(
                "eval/block", of: Int32.self, options: DatasetOptions(chunkRows: 1024))
            try blocks.setAttribute("meaning", "the block in progress at the evaluation; −1 before training")
            let matrix = try file.createAppendableDataset(
                "eval/after_block", of: Double.self, rowShape: [tasks], options: DatasetOptions(chunkRows: 64))
            try matrix.setAttribute("tasks", layout.evaluatedTasks.map(Int64.init))
            try matrix.setAttribute(
                "meaning", "R[i, j]: mean evaluation return of evaluated task j at the end of block i")
            _ = try file.createAppendableDataset(
                "schedule/progress", of: BlockProgressRow.self, options: DatasetOptions(chunkRows: 256))
            _ = try file.createAppendableDataset("events", of: EventRow.self, options: compressed)
            _ = try file.createAppendableDataset(
                "checkpoints", of: CheckpointRow.self, options: DatasetOptions(chunkRows: 256))
            try file.trackCommits(of: Self.appended)
        }
        try self.init(directory: directory, tasks: tasks, episodes: episodes, elapsed: 0)
        try writeStatus(["status": "running", "step": 0])
    }

    /// Reopens the log of a run to continue it from a checkpoint: recovers the file if its writer died, cuts every
    /// appended dataset back to `counts` (rows written after the checkpoint are redone by the resumed run), and
    /// starts SWMR writing again.
    public static func reopen(directory: String, counts: Counts) throws -> RunLog {
        try File.recover(directory + "/log.h5").close()
        // Every handle of this one is released before SWMR starts (an object left open from another handle of
        // the same file crashes H5Fstart_swmr_write).
        let (tasks, episodes) = try cutBack(directory + "/log.h5", to: counts)
        return try RunLog(directory: directory, tasks: tasks, episodes: episodes, elapsed: counts.wallTime)
    }

    /// Cuts every appended dataset of the log at `path` back to `counts` and commits; returns the evaluation shape.
    private static func cutBack(_ path: String, to counts: Counts) throws -> (tasks: Int, episodes: Int) {
        let file = try File.open(path, mode: .readWrite)
        let shape = try file.openDataset("eval/returns", as: Double.self).rowShape
        func cut<Element: HDF5Element>(_ path: String, _: Element.Type, to rows: Int) throws {
            let dataset = try file.openDataset(path, as: Element.self)
            if dataset.rowCount > rows { try dataset.resize(rows: rows) }
        }
        try cut("metrics", MetricRow.self, to: counts.metrics)
        try cut("eval/returns", Double.self, to: counts.evaluations)
        try cut("eval/steps", Int64.self, to: counts.evaluations)
        try cut("eval/block", Int32.self, to: counts.evaluations)
        try cut("eval/after_block", Double.self, to: counts.afterBlock)
        try cut("schedule/progress", BlockProgressRow.self, to: counts.progress)
        try cut("events", EventRow.self, to: counts.events)
        try cut("checkpoints", CheckpointRow.self, to: counts.checkpoints)
        try file.commit()
        try file.close()
        return (shape[0], shape[1])
    }

    private init(directory: String, tasks: Int, episodes: Int, elapsed: Double) throws {
        self.directory = directory
        self.tasks = tasks
        episodesPerEvaluation = episodes
        file = try File.open(directory + "/log.h5", mode: .readWrite)
        metrics = try file.openDataset("metrics", as: MetricRow.self)
        returns = try file.openDataset("eval/returns", as: Double.self)
        evaluationSteps = try file.openDataset("eval/steps", as: Int64.self)
        evaluationBlocks = try file.openDataset("eval/block", as: Int32.self)
        afterBlock = try file.openDataset("eval/after_block", as: Double.self)
        progress = try file.openDataset("schedule/progress", as: BlockProgressRow.self)
        events = try file.openDataset("events", as: EventRow.self)
        checkpoints = try file.openDataset("checkpoints", as: CheckpointRow.self)
        started = Date(timeIntervalSinceNow: -elapsed)
        try file.startSWMRWrite()
    }

    /// Seconds since the run started (across resumes).
    public var wallTime: Double { Date().timeIntervalSince(started) }

    /// The row counts of everything recorded so far (for a checkpoint); pending rows are written first.
    public func checkpointCounts() throws -> Counts {
        try appendPendingMetrics()
        return Counts(
            metrics: metrics.rowCount, evaluations: evaluationSteps.rowCount, afterBlock: afterBlock.rowCount,
            progress: progress.rowCount, events: events.rowCount, checkpoints: checkpoints.rowCount,
            wallTime: wallTime)
    }

    /// Appends one scalar metric (e.g. `train/episode_return`, `continual/forgetting`).
    public func record(_ key: String, _ value: Double, step: Int, task: Int32 = -1) throws {
        pendingMetrics.append(
            MetricRow(step: Int64(step), wallTime: wallTime, task: task, key: FixedString(key), value: value))
        if pendingMetrics.count >= Self.metricChunk { try appendPendingMetrics() }
    }

    private func appendPendingMetrics() throws {
        guard !pendingMetrics.isEmpty else { return }
        try metrics.append(contentsOf: pendingMetrics)
        pendingMetrics.removeAll(keepingCapacity: true)
    }

    /// Appends one evaluation: the returns of every evaluated task's episodes, [tasks × episodes], at `step`,
    /// during `block` (−1 before training).
    public func recordEvaluation(returns values: [Double], step: Int, block: Int = 0) throws {
        precondition(values.count == tasks * episodesPerEvaluation, "an evaluation holds tasks × episodes returns")
        try returns.append(contentsOf: values)
        try evaluationSteps.append(Int64(step))
        try evaluationBlocks.append(Int32(block))
    }

    /// Appends row `block` of `/eval/after_block` and the block's span to `/schedule/progress`.
    public func recordBlockEnd(block: Int, startStep: Int, endStep: Int, meanReturns: [Double]) throws {
        precondition(meanReturns.count == tasks, "a row of after_block holds one mean return per evaluated task")
        precondition(afterBlock.rowCount == block, "blocks end in order")
        try afterBlock.append(contentsOf: meanReturns)
        try progress.append(BlockProgressRow(block: Int32(block), startStep: Int64(startStep), endStep: Int64(endStep)))
    }

    /// Appends an event (`run_started`, `block_started`, `task_boundary`, `checkpoint`, `interrupted`, …).
    public func recordEvent(_ kind: String, _ detail: String, step: Int) throws {
        try events.append(
            EventRow(step: Int64(step), wallTime: wallTime, kind: FixedString(kind), detail: FixedString(detail)))
    }

    /// Records a complete checkpoint at `path` (relative to the run directory).
    public func recordCheckpoint(step: Int, path: String) throws {
        try checkpoints.append(CheckpointRow(step: Int64(step), wallTime: wallTime, path: FixedString(path)))
    }

    /// Makes everything recorded so far durable and updates `run.json` with `status`.
    public func commit(status: [String: Any]) throws {
        try appendPendingMetrics()
        try file.commit()
        try writeStatus(status)
    }

    /// Makes everything recorded so far durable and marks the run running at `step`.
    public func commit(step: Int) throws { try commit(status: ["status": "running", "step": step]) }

    /// Commits and marks the run finished.
    public func finish(step: Int) throws { try commit(status: ["status": "finished", "step": step]) }

    /// Replaces `run.json` atomically with `status` (plus `"log": "log.h5"`).
    public func writeStatus(_ status: [String: Any]) throws {
        var object = status
        object["log"] = "log.h5"
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        try DurableFile.replace(directory + "/run.json", with: data)
    }

    /// Appends pending rows and closes the file (uncommitted rows may be cut when the run is resumed).
    public func close() throws {
        try appendPendingMetrics()
        try file.close()
    }
}
