import Foundation
import HDF5

/// A run directory's HDF5 log (`RUN_DIR/log.h5`) and status file (`RUN_DIR/run.json`), readable by h5py and
/// pandas without Lifelong code (docs/runlog.md):
///
/// - root attributes: provenance (`schema`, `schema_version`, `lifelong_version`, `libhdf5_version`, `blas`,
///   `host`, `seed`, `config` JSON, `command`);
/// - `/metrics`: a long-format table {step, wall_time, task, key, value} — new metric names need no new datasets;
/// - `/eval/returns` float64 [evaluations, tasks, episodes] and `/eval/steps` int64 [evaluations];
/// - `/commit`: the commit record (written last at every `commit()`).
///
/// The log is created atomically and written in SWMR mode, so h5py can read it while the run goes on.
public final class RunLog {
    public let directory: String
    public let tasks: Int
    public let episodesPerEvaluation: Int
    let file: File
    let metrics: Dataset<MetricRow>
    let returns: Dataset<Double>
    let evaluationSteps: Dataset<Int64>
    private let started = Date()

    /// Creates `directory` (which must not hold a run yet) with its log and a `run.json` saying "running".
    public init(
        directory: String, tasks: Int, episodesPerEvaluation: Int, provenance: [String: String], seed: UInt64
    ) throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: directory + "/log.h5") {
            throw HDF5Error(
                .alreadyExists, operation: "create run", file: directory + "/log.h5",
                reason: "the directory already holds a run. Choose another --out, or remove it.")
        }
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.tasks = tasks
        self.episodesPerEvaluation = episodesPerEvaluation
        file = try File.createAtomically(directory + "/log.h5") { file in
            try file.setAttribute("schema", "lifelong.runlog")
            try file.setAttribute("schema_version", Int64(1))
            try file.setAttribute("libhdf5_version", HDF5Library.version)
            try file.setAttribute("seed", Int64(bitPattern: seed))
            for (key, value) in provenance.sorted(by: { $0.key < $1.key }) { try file.setAttribute(key, value) }
            let table = try file.createAppendableDataset(
                "metrics", of: MetricRow.self, options: DatasetOptions(chunkRows: 4096, compression: .deflate(level: 4))
            )
            try table.setAttribute(
                "columns", "step: environment steps; wall_time: seconds since the start; task; key; value")
            _ = try file.createAppendableDataset(
                "eval/returns", of: Double.self, rowShape: [tasks, episodesPerEvaluation],
                options: DatasetOptions(chunkRows: 64))
            _ = try file.createAppendableDataset("eval/steps", of: Int64.self, options: DatasetOptions(chunkRows: 1024))
            try file.trackCommits(of: ["metrics", "eval/returns", "eval/steps"])
        }
        metrics = try file.openDataset("metrics", as: MetricRow.self)
        returns = try file.openDataset("eval/returns", as: Double.self)
        evaluationSteps = try file.openDataset("eval/steps", as: Int64.self)
        try file.startSWMRWrite()
        try writeStatus("running", step: 0)
    }

    /// Appends one scalar metric (e.g. `charts/episodic_return`, `losses/td_loss`).
    public func record(_ key: String, _ value: Double, step: Int, task: Int32 = 0) throws {
        try metrics.append(
            MetricRow(
                step: Int64(step), wallTime: Date().timeIntervalSince(started), task: task, key: FixedString(key),
                value: value))
    }

    /// Appends one evaluation: the returns of every task's episodes, [tasks × episodes], at `step`.
    public func recordEvaluation(returns values: [Double], step: Int) throws {
        precondition(values.count == tasks * episodesPerEvaluation, "an evaluation holds tasks × episodes returns")
        try returns.append(contentsOf: values)
        try evaluationSteps.append(Int64(step))
    }

    /// Makes everything recorded so far durable and updates `run.json`.
    public func commit(step: Int) throws {
        try file.commit()
        try writeStatus("running", step: step)
    }

    /// Commits and marks the run finished.
    public func finish(step: Int) throws {
        try file.commit()
        try writeStatus("finished", step: step)
    }

    private func writeStatus(_ status: String, step: Int) throws {
        let json = #"{"status": "\#(status)", "step": \#(step), "log": "log.h5"}"#
        try DurableFile.replace(directory + "/run.json", with: Data(json.utf8))
    }
}

/// One row of `/metrics`.
struct MetricRow: CompoundRow {
    var step: Int64
    var wallTime: Double
    var task: Int32
    var key: FixedString<48>
    var value: Double

    static let fields: [CompoundField<MetricRow>] = [
        .init("step", \.step), .init("wall_time", \.wallTime), .init("task", \.task), .init("key", \.key),
        .init("value", \.value),
    ]
}
