import Analysis
import ArgumentParser
import Continual
import Foundation
import HDF5

/// `lifelong report RUN_DIR... [--out FILE.html]`: one self-contained HTML page with plots and tables.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML report (inline SVG plots and tables) over one or more runs.",
        discussion: """
            Learning curves with task boundaries shaded, the performance matrix, forgetting and backward transfer,
            IQM across seeds with 95% stratified-bootstrap intervals per strategy, world-model error and memory
            retention when logged, and each run's provenance. Runs are grouped by curriculum name. Reads logs as of
            their last commit, so it works on running runs too. Examples:
              lifelong report runs/quickstart                       (writes runs/quickstart/report.html)
              lifelong report runs/sweep/* --out sweep-report.html
            """
    )

    @Argument(help: "Run directories.")
    var directories: [String]

    @Option(help: "The HTML file to write (default: RUN_DIR/report.html for one run, report.html beside several).")
    var out: String?

    @Option(help: "A directory of `lifelong reference` runs: adds forward transfer per task.")
    var reference: String?

    func run() throws {
        let runs = try withInputErrors { try RunAnalysis.load(directories) }
        var transfers: [String: TransferMetrics] = [:]
        if let reference {
            for run in runs { transfers[run.id] = try withInputErrors { try run.transfer(reference: reference) } }
        }
        let path = out ?? defaultPath()
        guard path.hasSuffix(".html") || path.hasSuffix(".htm") else {
            printError("error: --out \(path): the report is an HTML file; give a name ending in .html.")
            throw ExitCode(2)
        }
        let html = HTMLReport.render(runs, transfers: transfers, version: Lifelong.version)
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try DurableFile.replace(path, with: Data(html.utf8))
        print("wrote \(path) (\(runs.count) run\(runs.count == 1 ? "" : "s"))")
    }

    func defaultPath() -> String {
        if directories.count == 1 { return directories[0] + "/report.html" }
        let parents = Set(
            directories.map { URL(fileURLWithPath: $0).standardizedFileURL.deletingLastPathComponent().path })
        return (parents.count == 1 ? parents.first! : FileManager.default.currentDirectoryPath) + "/report.html"
    }
}
