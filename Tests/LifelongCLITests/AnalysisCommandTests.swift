import Foundation
import LifelongTestSupport
import Testing

/// `lifelong report`, `export notebook|csv|minari` and `merge`, checked with the tools researchers read them with:
/// headless Chromium, nbconvert, pandas, h5py and Minari.
@Suite("lifelong report, export and merge", .enabled(if: TestEnvironment.interopEnabled))
struct AnalysisCommandTests {
    let lifelong = TestEnvironment.product("lifelong")

    /// Three small finished runs of one curriculum: two fine-tuning seeds and one replay run, made once.
    static let fixture: Result<AnalysisFixture, any Error> = Result { try AnalysisFixture() }

    func runs() throws -> AnalysisFixture { try Self.fixture.get() }

    func check(_ arguments: [String]) throws -> String {
        let result = try TestEnvironment.runPython("analysis_check.py", arguments)
        #expect(result.status == 0, "\(result.transcript)")
        return result.standardOutput
    }

    @Test func csvExportHoldsTheSameNumbersAsTheLogForPandas() throws {
        let fixture = try runs()
        let out = TemporaryDirectory("analysis-csv")
        let result = try ProcessRunner.run(lifelong, ["export", "csv", fixture.runs[0], "--out", out.path])
        #expect(result.status == 0, "\(result.transcript)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(files == ["blocks.csv", "evaluations.csv", "metrics.csv", "performance_matrix.csv", "tasks.csv"])
        #expect(try check(["csv", fixture.runs[0], out.path]).hasPrefix("ok csv"))
    }

    @Test func theNotebookReaderComputesTheMetricsThatInspectPrints() throws {
        let fixture = try runs()
        let scratch = TemporaryDirectory("analysis-metrics")
        for run in fixture.runs {
            let inspect = try ProcessRunner.run(lifelong, ["inspect", run, "--json"])
            #expect(inspect.status == 0, "\(inspect.transcript)")
            try inspect.standardOutput.write(toFile: scratch.file("inspect.json"), atomically: true, encoding: .utf8)
            #expect(try check(["metrics", run, scratch.file("inspect.json")]).hasPrefix("ok metrics"))
        }
    }

    @Test func aMergedFileReadsAsTheRunsThemselvesAfterMovingThemTogether() throws {
        let fixture = try runs()
        let moved = TemporaryDirectory("analysis-merge")
        let copies = try fixture.copyRuns(to: moved.file("sweep"))
        let merged = moved.file("sweep/sweep.h5")
        let result = try ProcessRunner.run(lifelong, ["merge"] + copies + ["--out", merged])
        #expect(result.status == 0, "\(result.transcript)")
        #expect(result.standardOutput.contains("3 runs linked, evaluations stacked"), "\(result.transcript)")
        // Move the whole sweep: relative links and virtual sources must still resolve, from another directory.
        try FileManager.default.moveItem(atPath: moved.file("sweep"), toPath: moved.file("elsewhere"))
        let names = copies.map { moved.file("elsewhere/" + URL(fileURLWithPath: $0).lastPathComponent) }
        #expect(try check(["merge", moved.file("elsewhere/sweep.h5")] + names).hasPrefix("ok merge"))

        let again = try ProcessRunner.run(lifelong, ["merge"] + names + ["--out", moved.file("elsewhere/sweep.h5")])
        #expect(
            again.status == 2 && again.standardError.contains("already exists; pass --force"), "\(again.transcript)")
        let forced = try ProcessRunner.run(
            lifelong, ["merge"] + names + ["--out", moved.file("elsewhere/sweep.h5"), "--force"])
        #expect(forced.status == 0, "\(forced.transcript)")
    }

    @Test func anExportedNotebookExecutesHeadlessAndDrawsEveryFigure() throws {
        let fixture = try runs()
        let scratch = TemporaryDirectory("analysis-notebook")
        let copies = try fixture.copyRuns(to: scratch.file("runs"))
        #expect(try check(["inject", copies[0]]).hasPrefix("ok inject"))
        let merged = scratch.file("runs/sweep.h5")
        #expect(try ProcessRunner.run(lifelong, ["merge"] + copies + ["--out", merged]).status == 0)
        let notebook = scratch.file("notebooks/sweep.ipynb")
        let export = try ProcessRunner.run(
            lifelong,
            [
                "export", "notebook", merged, "--out", notebook, "--module",
                TestEnvironment.packageRoot + "/notebooks-export",
            ])
        #expect(export.status == 0, "\(export.transcript)")
        let jupyter = URL(fileURLWithPath: TestEnvironment.python!).deletingLastPathComponent().path + "/jupyter"
        let executed = try ProcessRunner.run(
            jupyter,
            [
                "nbconvert", "--to", "notebook", "--execute", notebook, "--output", "executed.ipynb",
                "--ExecutePreprocessor.timeout=300",
            ])
        #expect(executed.status == 0, "\(executed.transcript)")
        // Per strategy (fine-tuning, replay) learning curves, matrix and forgetting; the aggregate over strategies;
        // world-model error and memory retention.
        let figures = try check(["notebook", scratch.file("notebooks/executed.ipynb")])
        #expect(figures == "ok notebook: 9 figures\n", "\(figures)")
    }

    @Test func theReportRendersInHeadlessChromiumWithItsPlots() throws {
        let fixture = try runs()
        let browser = try #require(Chromium.path, "no Chromium: `make test` installs the Debian package chromium")
        let scratch = TemporaryDirectory("analysis-report")
        let copies = try fixture.copyRuns(to: scratch.file("runs"))
        #expect(try check(["inject", copies[0]]).hasPrefix("ok inject"))
        let report = scratch.file("report.html")
        let result = try ProcessRunner.run(lifelong, ["report"] + copies + ["--out", report])
        #expect(result.status == 0, "\(result.transcript)")
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(!html.contains("<script") && !html.contains("src=\"http"), "self-contained: no scripts, no fetches")
        // The aggregate; per strategy curves, matrix and forgetting; world-model error and memory retention for
        // fine-tuning only (its first run carries those metrics).
        #expect(html.components(separatedBy: "<svg").count - 1 == 1 + 3 + 2 + 3)

        let screenshot = scratch.file("report.png")
        let shot = try ProcessRunner.run(
            browser,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,3200",
                "--screenshot=" + screenshot, "file://" + report,
            ],
            timeout: 120)
        #expect(shot.status == 0 && FileManager.default.fileExists(atPath: screenshot), "\(shot.transcript)")
        let output = try check(["screenshot", screenshot])
        let counts =
            try JSONSerialization.jsonObject(
                with: Data(output.dropFirst("ok screenshot ".count).utf8)) as? [String: Int] ?? [:]
        // Task 0's lines (blue), task 1's (orange), the matrix's dark cells and the shaded task windows are drawn.
        #expect((counts["blue"] ?? 0) > 2000, "\(output)")
        #expect((counts["orange"] ?? 0) > 500, "\(output)")
        #expect((counts["viridis_low"] ?? 0) > 2000, "\(output)")
        #expect((counts["shading"] ?? 0) > 20000, "\(output)")
    }

    @Test func withReferenceRunsTheReportShowsTheForwardTransferThatInspectComputes() throws {
        let fixture = try runs()
        let scratch = TemporaryDirectory("analysis-reference")
        let reference = scratch.file("reference")
        let made = try ProcessRunner.run(
            lifelong, ["reference", AnalysisFixture.directory + "/finetune.json", "--out", reference])
        #expect(made.status == 0, "\(made.transcript)")
        let inspect = try ProcessRunner.run(lifelong, ["inspect", fixture.runs[0], "--json", "--reference", reference])
        let object = try JSONSerialization.jsonObject(with: Data(inspect.standardOutput.utf8)) as? [String: Any]
        let forward = try #require(object?["forward_transfer"] as? [String: Any], "\(inspect.transcript)")
        let defined = forward.values.compactMap { $0 as? Double }
        #expect(!defined.isEmpty, "at least one task has a forward transfer: \(inspect.transcript)")
        let normalized = object?["normalized_average_performance"] as? Double
        let report = scratch.file("report.html")
        let result = try ProcessRunner.run(
            lifelong, ["report", fixture.runs[0], "--reference", reference, "--out", report])
        #expect(result.status == 0, "\(result.transcript)")
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.contains("forward transfer per task"), "the forward-transfer chart is drawn")
        for value in defined {
            #expect(html.contains(">\(String(format: "%.3g", value))</text>"), "the bar of forward transfer \(value)")
        }
        let expected = normalized.map { String(format: "%.3f", $0 + 0) } ?? "—"
        #expect(html.contains("normalised average performance \(expected)"), "as inspect computes it")
    }

    @Test func minariLoadsATaskExportedFromARun() throws {
        let fixture = try runs()
        let scratch = TemporaryDirectory("analysis-minari")
        let result = try ProcessRunner.run(
            lifelong, ["export", "minari", fixture.runs[1], "--task", "goal-right", "--out", scratch.path])
        #expect(result.status == 0, "\(result.transcript)")
        let written = try #require(result.standardOutput.split(separator: " ").dropFirst().first.flatMap { Int($0) })
        let output = try check(["minari", scratch.path, "lifelong/finetune-2-goal-right-v0"])
        #expect(output.hasPrefix("ok minari: \(written) episodes"), "\(output)")

        let unknown = try ProcessRunner.run(lifelong, ["export", "minari", fixture.runs[1], "--task", "goal-up"])
        #expect(unknown.status == 2, "\(unknown.transcript)")
        #expect(unknown.standardError.contains("--task goal-up: no such task"), "\(unknown.transcript)")
        #expect(unknown.standardError.contains("goal-left, goal-right"), "\(unknown.transcript)")
    }

    @Test func badInputNamesThePathAndExitsWithStatus2WithoutWriting() throws {
        let scratch = TemporaryDirectory("analysis-bad")
        let report = try ProcessRunner.run(lifelong, ["report", scratch.path, "--out", scratch.file("r.html")])
        #expect(report.status == 2, "\(report.transcript)")
        #expect(report.standardError.contains("\(scratch.path) holds no run log (no log.h5)"), "\(report.transcript)")
        #expect(!FileManager.default.fileExists(atPath: scratch.file("r.html")))
        let merge = try ProcessRunner.run(lifelong, ["merge", scratch.file("missing"), "--out", scratch.file("s.h5")])
        #expect(merge.status == 2 && merge.standardError.contains("missing: no such run directory"))
        #expect(!FileManager.default.fileExists(atPath: scratch.file("s.h5")))
        let notebook = try ProcessRunner.run(
            lifelong, ["export", "notebook", scratch.path, "--out", scratch.file("n.ipynb")])
        #expect(notebook.status == 2 && notebook.standardError.contains("holds no run log"), "\(notebook.transcript)")
    }
}

/// Three small finished runs made with the `lifelong` executable.
struct AnalysisFixture: Sendable {
    /// Under `.build`, replaced on every test run (a static fixture is never deinitialised to clean up after).
    static let directory = TestEnvironment.packageRoot + "/.build/test-fixtures/analysis"
    let runs: [String]

    init() throws {
        let lifelong = TestEnvironment.product("lifelong")
        try? FileManager.default.removeItem(atPath: Self.directory)
        try FileManager.default.createDirectory(atPath: Self.directory + "/runs", withIntermediateDirectories: true)
        var runs: [String] = []
        for (strategy, seed) in [("finetune", 1), ("finetune", 2), ("replay", 1)] {
            let file = Self.directory + "/\(strategy).json"
            let curriculum = TestCurricula.tinyMaze(
                blocks: [("goal-left", 600), ("goal-right", 600), ("goal-left", 400)], evaluationEvery: 200,
                strategy: strategy)
            try curriculum.write(toFile: file, atomically: true, encoding: .utf8)
            let out = Self.directory + "/runs/\(strategy)-\(seed)"
            let result = try ProcessRunner.run(lifelong, ["run", file, "--seed", "\(seed)", "--out", out])
            guard result.status == 0 else { throw FixtureFailed(description: result.transcript) }
            runs.append(out)
        }
        self.runs = runs
    }

    /// Copies of the runs under `parent`, for tests that change or move them.
    func copyRuns(to parent: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        return try runs.map { run in
            let copy = parent + "/" + URL(fileURLWithPath: run).lastPathComponent
            try FileManager.default.copyItem(atPath: run, toPath: copy)
            return copy
        }
    }

    struct FixtureFailed: Error, CustomStringConvertible { let description: String }
}

/// The headless browser for the report test: Debian's `chromium`, which `make test` installs when missing.
enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
}
