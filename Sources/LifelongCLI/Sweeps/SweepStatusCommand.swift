import ArgumentParser
import Foundation
import Sweeps

/// `lifelong sweep status DIR`: done / running / failed / pending per run, with progress.
struct SweepStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each run of a sweep: done, running, failed or pending, with its progress.",
        discussion: "With Slurm, squeue's state of each array task is shown when squeue is available."
    )

    @Argument(help: "The sweep directory.")
    var directory: String

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() throws {
        let sweep = try withInputErrors { try SweepDirectory.open(directory) }
        let statuses = sweep.statuses()
        let queue = SlurmBackend.queueStates(sweep)
        if json {
            let runs: [[String: Any]] = statuses.map { status in
                var object: [String: Any] = [
                    "index": status.entry.index, "id": status.entry.id, "state": status.state.rawValue,
                    "step": status.step, "attempts": status.attempts, "detail": status.detail,
                ]
                object["total_steps"] = status.totalSteps ?? NSNull()
                object["slurm"] = queue[status.entry.index] ?? NSNull()
                return object
            }
            let data = try JSONSerialization.data(
                withJSONObject: ["sweep": sweep.name, "runs": runs], options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let width = max(12, statuses.map(\.entry.id.count).max() ?? 0)
        print("sweep \(sweep.name) in \(directory)")
        print(
            "  " + "run".padding(toLength: width, withPad: " ", startingAt: 0) + "  state     progress          detail")
        for status in statuses {
            var progress = "\(status.step)"
            if let total = status.totalSteps, total > 0 {
                progress += String(format: "/%d %3.0f%%", total, 100 * Double(status.step) / Double(total))
            }
            var detail = status.detail
            if let state = queue[status.entry.index] {
                detail = "slurm \(state)" + (detail.isEmpty ? "" : "; " + detail)
            }
            print(
                "  " + status.entry.id.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + status.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + "  "
                    + progress.padding(toLength: 16, withPad: " ", startingAt: 0) + "  " + detail)
        }
        let counts = Dictionary(grouping: statuses, by: \.state).mapValues(\.count)
        print(
            "\(counts[.done] ?? 0) done, \(counts[.running] ?? 0) running, \(counts[.failed] ?? 0) failed, "
                + "\(counts[.pending] ?? 0) pending")
        if counts[.failed] ?? 0 > 0 { print("re-run the failed ones with `lifelong sweep retry \(directory)`") }
    }
}

/// `lifelong sweep retry DIR`: re-queue the failed runs (they resume from their last checkpoint).
struct SweepRetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Run a sweep's failed runs again with a backend; each resumes from its last checkpoint."
    )

    @Argument(help: "The sweep directory.")
    var directory: String

    @OptionGroup var launchOptions: LaunchOptions

    func run() throws {
        let sweep = try withInputErrors { try SweepDirectory.open(directory) }
        let failed = try sweep.resetFailed()
        print(
            "retrying \(failed.count) failed run(s)"
                + (failed.isEmpty ? "" : ": " + failed.map(\.id).joined(separator: ", ")))
        let waiting = sweep.statuses().filter { $0.state == .pending }.map(\.entry.index)
        try launch(
            sweep, indices: waiting, options: launchOptions, settings: try SweepSettings(directory + "/sweep.json"))
    }
}

/// `lifelong sweep merge DIR`: the merged file and its notebook, on demand.
struct SweepMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge a sweep's runs into DIR/sweep.h5 and write DIR/sweep.ipynb (replacing both).",
        discussion: "Runs without a log are left out; unfinished runs are merged as of their last commit."
    )

    @Argument(help: "The sweep directory.")
    var directory: String

    func run() throws {
        let sweep = try withInputErrors { try SweepDirectory.open(directory) }
        let module = checkoutDirectory(holding: "notebooks-export/lifelong_analysis.py").map {
            $0 + "/notebooks-export"
        }
        let merged = try withInputErrors { try sweep.merge(moduleDirectory: module) }
        print(
            "merged \(merged)/\(sweep.entries.count) runs into \(directory)/sweep.h5"
                + (module == nil
                    ? " (no notebook: notebooks-export/ not found)" : "; notebook \(directory)/sweep.ipynb"))
    }
}
