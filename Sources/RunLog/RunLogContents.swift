import Foundation
import HDF5

/// What a run log holds as of its last commit, read without disturbing a live writer (SWMR): the tables, the
/// evaluations and the per-block matrix — everything `lifelong inspect` and the metrics need.
///
/// ```swift
/// let contents = try RunLogContents.read(directory: "runs/quickstart")
/// print(contents.afterBlock.last ?? [])
/// ```
public struct RunLogContents {
    public var tasks: [TaskRow]
    public var blocks: [BlockRow]
    /// Task indices of the evaluation columns.
    public var evaluatedTasks: [Int]
    public var episodesPerEvaluation: Int
    /// R: one row per finished block, one mean return per evaluated task.
    public var afterBlock: [[Double]]
    public var evaluationSteps: [Int64]
    public var evaluationBlocks: [Int32]
    /// Every evaluation episode's return, [evaluations × tasks × episodes] flat.
    public var returns: [Double]
    /// `run.json`, when present.
    public var status: [String: Any]
    /// The root's string and integer attributes (name, strategy, agent_seed, blas, command, …).
    public var attributes: [String: String]
    /// `/metrics`, `/schedule/progress` and `/events` as of the last commit.
    public var metrics: [MetricRow]
    public var progress: [BlockProgressRow]
    public var events: [EventRow]

    /// The trained tasks of each block, from `/schedule/blocks`.
    public var trainedTasks: [[Int]] {
        blocks.map { row in row.tasks.string.split(separator: ",").compactMap { Int($0) } }
    }

    /// Evaluations whose every episode return was read (all of them once the log is committed).
    public var completeEvaluations: Int {
        min(evaluationSteps.count, returns.count / max(evaluatedTasks.count * episodesPerEvaluation, 1))
    }

    /// Mean return per evaluated task for each complete evaluation.
    public var evaluationMeans: [[Double]] {
        let columns = evaluatedTasks.count
        let episodes = episodesPerEvaluation
        return (0..<completeEvaluations).map { evaluation in
            (0..<columns).map { column in
                let start = (evaluation * columns + column) * episodes
                return returns[start..<start + episodes].reduce(0, +) / Double(episodes)
            }
        }
    }

    /// - Parameter includingMetrics: read `/metrics` too (its rows can run into the millions; `inspect` skips them).
    public static func read(directory: String, includingMetrics: Bool = true) throws -> RunLogContents {
        let file = try File.open(directory + "/log.h5", mode: .readSWMR)
        let committed = try file.lastCommit()?.rows ?? [:]
        func rows(_ path: String) -> Int { committed["/" + path] ?? committed[path] ?? 0 }
        let tasks = try file.openDataset("tasks", as: TaskRow.self).readAll()
        let blocks = try file.openDataset("schedule/blocks", as: BlockRow.self).readAll()
        let returns = try file.openDataset("eval/returns", as: Double.self)
        let evaluated = try returns.attribute("tasks", as: [Int64].self).map { Int($0) }
        let columns = evaluated.count
        let matrix = try file.openDataset("eval/after_block", as: Double.self)
        let matrixRows = rows("eval/after_block")
        let flat = matrixRows > 0 ? try matrix.read(rows: 0..<matrixRows) : []
        let evaluations = rows("eval/steps")
        let steps =
            evaluations > 0 ? try file.openDataset("eval/steps", as: Int64.self).read(rows: 0..<evaluations) : []
        let evaluationBlocks =
            evaluations > 0 ? try file.openDataset("eval/block", as: Int32.self).read(rows: 0..<evaluations) : []
        let returnRows = min(rows("eval/returns"), evaluations)
        let values = returnRows > 0 ? try returns.read(rows: 0..<returnRows) : []
        func table<Row: CompoundRow>(_ path: String, _: Row.Type) throws -> [Row] {
            let count = rows(path)
            return count > 0 ? try file.openDataset(path, as: Row.self).read(rows: 0..<count) : []
        }
        var attributes: [String: String] = [:]
        for name in try file.attributeNames {
            if let text = try? file.attribute(name, as: String.self) {
                attributes[name] = text
            } else if let number = try? file.attribute(name, as: Int64.self) {
                attributes[name] = String(number)
            }
        }
        var status: [String: Any] = [:]
        if let data = FileManager.default.contents(atPath: directory + "/run.json"),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        {
            status = object
        }
        return RunLogContents(
            tasks: tasks, blocks: blocks, evaluatedTasks: evaluated, episodesPerEvaluation: returns.rowShape[1],
            afterBlock: (0..<matrixRows).map { Array(flat[$0 * columns..<($0 + 1) * columns]) },
            evaluationSteps: steps, evaluationBlocks: evaluationBlocks, returns: values, status: status,
            attributes: attributes, metrics: includingMetrics ? try table("metrics", MetricRow.self) : [],
            progress: try table("schedule/progress", BlockProgressRow.self), events: try table("events", EventRow.self))
    }
}
