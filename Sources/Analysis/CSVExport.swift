import Foundation
import HDF5

/// `lifelong export csv`: a run's log as tidy CSV files that pandas, R or a spreadsheet read directly.
///
/// - `metrics.csv`: `step, wall_time, task, task_name, key, value` — one row per metric sample (long form);
/// - `evaluations.csv`: `evaluation, step, block, task, task_name, episode, return` — the evaluation tensor in
///   long form, one row per evaluation episode;
/// - `performance_matrix.csv`: `block, trained, <task>…` — R[block, task], the mean return after each block;
/// - `blocks.csv`: `block, kind, trained, budget_steps, budget_episodes, start_step, end_step`;
/// - `tasks.csv`: `index, name, environment, parameters`.
///
/// Each file is replaced atomically, so a kill never leaves a half-written one.
///
/// ```swift
/// let files = try CSVExport.write(try RunAnalysis(directory: "runs/quickstart"), to: "runs/quickstart/csv")
/// ```
public enum CSVExport {
    @discardableResult
    public static func write(_ run: RunAnalysis, to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let contents = run.contents
        let names = contents.tasks.map { $0.name.string }
        var files: [(String, [[String]])] = []

        var tasks = [["index", "name", "environment", "parameters"]]
        for task in contents.tasks {
            tasks.append(["\(task.index)", task.name.string, task.environment.string, task.parameters.string])
        }
        files.append(("tasks.csv", tasks))

        var metrics = [["step", "wall_time", "task", "task_name", "key", "value"]]
        metrics.reserveCapacity(contents.metrics.count + 1)
        for row in contents.metrics {
            let task = Int(row.task)
            let name = names.indices.contains(task) ? names[task] : ""
            metrics.append(["\(row.step)", "\(row.wallTime)", "\(row.task)", name, row.key.string, "\(row.value)"])
        }
        files.append(("metrics.csv", metrics))

        var evaluations = [["evaluation", "step", "block", "task", "task_name", "episode", "return"]]
        let columns = contents.evaluatedTasks.count
        let episodes = contents.episodesPerEvaluation
        for evaluation in 0..<contents.completeEvaluations {
            for (column, task) in contents.evaluatedTasks.enumerated() {
                for episode in 0..<episodes {
                    let value = contents.returns[(evaluation * columns + column) * episodes + episode]
                    evaluations.append([
                        "\(evaluation)", "\(contents.evaluationSteps[evaluation])",
                        "\(contents.evaluationBlocks[evaluation])", "\(task)", names[task], "\(episode)", "\(value)",
                    ])
                }
            }
        }
        files.append(("evaluations.csv", evaluations))

        let trained = contents.trainedTasks.map { tasks in tasks.map { names[$0] }.joined(separator: ",") }
        var matrix = [["block", "trained"] + run.evaluatedNames]
        for (block, row) in contents.afterBlock.enumerated() {
            matrix.append(["\(block)", trained[block]] + row.map { "\($0)" })
        }
        files.append(("performance_matrix.csv", matrix))

        var spans: [Int: (start: Int64, end: Int64)] = [:]
        for row in contents.progress { spans[Int(row.block)] = (row.startStep, row.endStep) }
        var blocks = [["block", "kind", "trained", "budget_steps", "budget_episodes", "start_step", "end_step"]]
        for (index, block) in contents.blocks.enumerated() {
            let span = spans[index]
            blocks.append([
                "\(block.index)", block.kind.string, trained[index], "\(block.budgetSteps)", "\(block.budgetEpisodes)",
                span.map { "\($0.start)" } ?? "", span.map { "\($0.end)" } ?? "",
            ])
        }
        files.append(("blocks.csv", blocks))
        return try files.map { file, rows in
            let path = directory + "/" + file
            let text = rows.map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
            try DurableFile.replace(path, with: Data(text.utf8))
            return path
        }
    }

    /// RFC 4180: fields holding a comma, a quote or a line break are quoted, quotes doubled.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
