import ArgumentParser
import Foundation
import Sweeps

/// `lifelong sweep SPEC.json`: expand, check, prepare the sweep directory and run what is not done.
struct SweepStartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Expand a sweep file into runs and run those not done (the default: `lifelong sweep SPEC`).",
        discussion: """
            Every run's curriculum is built and validated first; errors name the sweep file's line and JSON path,
            exit with status 2 and create nothing. Running the same sweep again skips finished runs and resumes
            stopped ones; failed runs wait for `lifelong sweep retry`.
            """
    )

    @Argument(help: "The sweep JSON file.")
    var file: String

    @Option(help: "The sweep directory (default: the sweep file's \"output\", else runs/sweeps/NAME).")
    var out: String?

    @Flag(help: "List the runs and exit without writing anything.")
    var dryRun = false

    @OptionGroup var launchOptions: LaunchOptions

    func run() throws {
        let spec = try withInputErrors { try SweepSpec.load(file) }
        let plan = try withInputErrors { try SweepPlan(spec) }
        let directory = out ?? spec.output
        if dryRun {
            print("\(plan.runs.count) run(s) → \(directory)/runs/")
            for run in plan.runs {
                let overrides = run.overrides.map { "\($0[0])=\($0[1])" }.joined(separator: " ")
                print(String(format: "%4d  ", run.index) + run.id + (overrides.isEmpty ? "" : "  " + overrides))
            }
            return
        }
        let sweep = try withInputErrors { try SweepDirectory.prepare(plan, at: directory) }
        let statuses = sweep.statuses()
        let waiting = statuses.filter { $0.state == .pending }.map(\.entry.index)
        let counts = Dictionary(grouping: statuses, by: \.state).mapValues(\.count)
        print(
            "sweep \(spec.name): \(statuses.count) run(s) in \(directory) — \(counts[.done] ?? 0) done, "
                + "\(counts[.running] ?? 0) running, \(counts[.failed] ?? 0) failed, \(waiting.count) to run")
        try launch(sweep, indices: waiting, options: launchOptions, settings: try SweepSettings(file))
    }
}
