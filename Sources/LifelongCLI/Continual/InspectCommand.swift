import Analysis
import ArgumentParser
import Continual
import Foundation
import RunLog

/// `lifelong inspect RUN_DIR`: tasks, progress, the performance matrix and the metrics of a run (live or done).
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a run's tasks, progress, performance matrix and continual-learning metrics.",
        discussion: """
            Reads the log as of its last commit, also while the run goes on. With --json, one JSON object with keys
            name, status, step, tasks, blocks, after_block, average_performance, forgetting (per task),
            mean_forgetting and backward_transfer. Example:
              lifelong inspect runs/quickstart --json
            """
    )

    @Argument(help: "The run directory.")
    var directory: String

    @Flag(help: "Print one JSON object instead of tables.")
    var json = false

    @Option(help: "A directory of reference runs (`lifelong reference`): adds forward transfer and normalised scores.")
    var reference: String?

    func run() throws {
        guard FileManager.default.fileExists(atPath: directory + "/log.h5") else {
            printError("error: \(directory) holds no run log (no log.h5); give a directory made by `lifelong run`.")
            throw ExitCode(2)
        }
        let run = try withInputErrors { try RunAnalysis(directory: directory, includingMetrics: false) }
        let contents = run.contents
        let names = run.evaluatedNames
        let metrics = run.metrics
        let transfer = try reference.map { reference in
            try withInputErrors { try run.transfer(reference: reference) }
        }
        let status = contents.status["status"] as? String ?? "unknown"
        let step = contents.status["step"] as? Int ?? Int(contents.evaluationSteps.last ?? 0)
        if json {
            func value(_ number: Double?) -> Any { number.map { $0 as Any } ?? NSNull() }
            var object: [String: Any] = [
                "name": contents.status["name"] as? String ?? "", "status": status, "step": step,
                "tasks": names, "blocks": contents.blocks.count, "blocks_done": contents.afterBlock.count,
                "after_block": contents.afterBlock,
                "average_performance": value(metrics.averagePerformance),
                "forgetting": Dictionary(uniqueKeysWithValues: zip(names, metrics.forgetting.map(value))),
                "mean_forgetting": value(metrics.meanForgetting),
                "backward_transfer": value(metrics.backwardTransfer),
                "area_under_curve": Dictionary(uniqueKeysWithValues: zip(names, metrics.areaUnderCurve.map(value))),
            ]
            if let transfer {
                object["forward_transfer"] = Dictionary(
                    uniqueKeysWithValues: zip(names, transfer.forwardTransfer.map(value)))
                object["forward_transfer_raw"] = Dictionary(
                    uniqueKeysWithValues: zip(names, transfer.rawForwardTransfer.map(value)))
                object["normalized_average_performance"] = value(transfer.normalizedAveragePerformance)
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print(
            "\(directory): \(status) at step \(step), \(contents.afterBlock.count)/\(contents.blocks.count) blocks done"
        )
        print("Tasks:")
        for task in contents.tasks {
            print("  \(task.index)  \(task.name.string)  \(task.environment.string) \(task.parameters.string)")
        }
        print("Performance matrix R[block, task] (mean evaluation return at the end of each block):")
        let width = max(10, names.map(\.count).max() ?? 0)
        print(
            "  block  trained      "
                + names.map { $0.padding(toLength: width, withPad: " ", startingAt: 0) }.joined(separator: " "))
        for (block, row) in contents.afterBlock.enumerated() {
            let trained = contents.trainedTasks[block].map { contents.tasks[$0].name.string }.joined(separator: ",")
            let cells = row.map { String(format: "%-\(width).3f", $0) }.joined(separator: " ")
            print(
                String(format: "  %5d  ", block) + trained.padding(toLength: 12, withPad: " ", startingAt: 0) + " "
                    + cells)
        }
        print(forgettingTable(names: names, metrics: metrics))
        if let transfer {
            func number(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "—" }
            print("Forward transfer against the reference runs in \(reference ?? ""):")
            for (column, name) in names.enumerated() {
                print(
                    "  \(name): \(number(transfer.forwardTransfer[column])) normalised, "
                        + "\(number(transfer.rawForwardTransfer[column])) in returns (AUC − reference AUC)")
            }
            print("normalised average performance \(number(transfer.normalizedAveragePerformance))")
        }
    }
}
