public import Continual
public import Foundation
import RunLog

/// `lifelong report`: one self-contained HTML page over one or more runs — learning curves with task boundaries
/// shaded, the performance matrix, forgetting and backward transfer, aggregates across seeds with stratified-
/// bootstrap intervals, world-model error and memory retention when the runs log them, and each run's provenance.
/// Plots are inline SVG: no scripts, no network, any browser.
///
/// Runs are grouped by curriculum name; within a group, curves and matrices are averaged over runs (band and
/// whiskers: min–max), and aggregates are per strategy.
///
/// ```swift
/// let html = HTMLReport.render(try RunAnalysis.load(["runs/a", "runs/b"]), generated: Date())
/// ```
public enum HTMLReport {
    /// Metric-key prefixes of the world model's and the episodic memory's own time series, per task.
    public static let worldModelPrefix = "worldmodel/"
    public static let memoryPrefix = "memory/"

    /// - Parameter transfers: each run's forward transfer against reference runs, by run id (`RunAnalysis.transfer`).
    public static func render(
        _ runs: [RunAnalysis], transfers: [String: TransferMetrics] = [:], generated: Date = Date(),
        version: String = ""
    ) -> String {
        var groups: [(name: String, runs: [RunAnalysis])] = []
        for run in runs {
            if let index = groups.firstIndex(where: { $0.name == run.name }) {
                groups[index].runs.append(run)
            } else {
                groups.append((run.name, [run]))
            }
        }
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Lifelong report — \(escape(groups.map(\.name).joined(separator: ", ")))</title>
            <style>
            body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px auto;
                   max-width: 1100px; color: #222; padding: 0 16px; }
            h1 { font-size: 24px; margin-bottom: 4px; } h4 { font-size: 14px; margin: 16px 0 4px; }
            h2 { font-size: 20px; margin-top: 36px;
            border-bottom: 1px solid #ccc; padding-bottom: 4px; } h3 { font-size: 16px; margin-top: 24px; }
            table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
            th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: right; }
            th { background: #f3f3f3; } td.text, th.text { text-align: left; }
            .note { color: #666; font-size: 13px; } svg.chart { display: block; margin: 8px 0; max-width: 100%;
            height: auto; } figure { margin: 0; }
            </style></head><body>
            <h1>Lifelong report</h1>
            <p class="note">\(runs.count) run\(runs.count == 1 ? "" : "s") · generated \(
                ISO8601DateFormatter().string(from: generated)) by lifelong \(escape(version)) · metric definitions in
            docs/curriculum.md (“Metrics”)</p>

            """
        html += runsTable(runs)
        for group in groups { html += section(group.name, group.runs, transfers: transfers) }
        html += "</body></html>\n"
        return html
    }

    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        return String(format: "%.3f", value + 0)  // + 0 turns −0 into 0
    }

    static func runsTable(_ runs: [RunAnalysis]) -> String {
        var out = "<h2>Runs</h2><table><tr><th class=\"text\">run</th><th class=\"text\">curriculum</th>"
        out +=
            "<th class=\"text\">agent</th><th class=\"text\">strategy</th><th>seed</th><th class=\"text\">status</th>"
        out += "<th>step</th><th>blocks</th><th>average performance</th><th>mean forgetting</th>"
        out += "<th>backward transfer</th><th class=\"text\">BLAS</th></tr>\n"
        for run in runs {
            out += "<tr><td class=\"text\">\(escape(run.id))</td><td class=\"text\">\(escape(run.name))</td>"
            out += "<td class=\"text\">\(escape(run.agent))</td><td class=\"text\">\(escape(run.strategy))</td>"
            out += "<td>\(run.seed)</td><td class=\"text\">\(escape(run.status))</td><td>\(run.step)</td>"
            out += "<td>\(run.contents.afterBlock.count)/\(run.contents.blocks.count)</td>"
            out += "<td>\(number(run.metrics.averagePerformance))</td><td>\(number(run.metrics.meanForgetting))</td>"
            out += "<td>\(number(run.metrics.backwardTransfer))</td>"
            let blas = run.contents.attributes["blas"] ?? ""
            let short = blas.split(separator: "(").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? blas
            out += "<td class=\"text\" title=\"\(escape(blas))\">\(escape(short))</td></tr>\n"
        }
        return out + "</table>\n"
    }

    static func section(_ name: String, _ runs: [RunAnalysis], transfers: [String: TransferMetrics]) -> String {
        let tasks = runs[0].evaluatedNames
        let same = runs.filter { $0.evaluatedNames == tasks }
        var out = "<h2>\(escape(name))</h2>\n"
        if same.count < runs.count {
            out += "<p class=\"note\">\(runs.count - same.count) run(s) evaluate other tasks and are left out of the "
            out += "averages below.</p>\n"
        }
        out += "<p class=\"note\">\(same.count) run(s). Per strategy, curves and matrices are means over its runs; "
        out += "bands and whiskers span min–max.</p>\n"
        out += aggregateSection(same)
        for (strategy, group) in byStrategy(same) { out += strategySection(strategy, group, transfers: transfers) }
        return out
    }

    /// Runs grouped by strategy, in order of first appearance.
    static func byStrategy(_ runs: [RunAnalysis]) -> [(String, [RunAnalysis])] {
        var groups: [(String, [RunAnalysis])] = []
        for run in runs {
            if let index = groups.firstIndex(where: { $0.0 == run.strategy }) {
                groups[index].1.append(run)
            } else {
                groups.append((run.strategy, [run]))
            }
        }
        return groups
    }

    /// Learning curves, the performance matrix, forgetting, world-model error and memory retention of one
    /// strategy's runs (all evaluating the same tasks).
    static func strategySection(
        _ strategy: String, _ same: [RunAnalysis], transfers: [String: TransferMetrics]
    ) -> String {
        let first = same[0]
        let tasks = first.evaluatedNames
        let name = "\(first.name) · \(strategy)"
        var out = "<h3>\(escape(strategy)) — \(same.count) run\(same.count == 1 ? "" : "s")</h3>\n"

        // Learning curves: the mean evaluation return of each task at each evaluation step.
        let names = first.contents.tasks.map { $0.name.string }
        let windows = first.contents.progress.map { row in
            SVGChart.Window(
                start: Double(row.startStep), end: Double(row.endStep),
                label: first.contents.trainedTasks[Int(row.block)].map { names[$0] }.joined(separator: ", "))
        }
        var series: [SVGChart.Series] = []
        for (column, task) in tasks.enumerated() {
            var byStep: [Int64: [Double]] = [:]
            for run in same {
                for (index, means) in run.contents.evaluationMeans.enumerated() {
                    byStep[run.contents.evaluationSteps[index], default: []].append(means[column])
                }
            }
            let steps = byStep.keys.sorted()
            series.append(
                SVGChart.Series(
                    name: task, x: steps.map(Double.init), y: steps.map { mean(byStep[$0]!) },
                    low: same.count > 1 ? steps.map { byStep[$0]!.min()! } : nil,
                    high: same.count > 1 ? steps.map { byStep[$0]!.max()! } : nil))
        }
        out += "<h4>Learning curves</h4><figure>"
        out += SVGChart.lines(
            series, windows: windows, xLabel: "environment step", yLabel: "mean evaluation return",
            title: "\(name): learning curves")
        out += "</figure>\n"

        // The performance matrix over the blocks every run finished.
        let blocks = same.map { $0.contents.afterBlock.count }.min() ?? 0
        if blocks > 0 {
            let matrix = (0..<blocks).map { block in
                tasks.indices.map { column in mean(same.map { $0.contents.afterBlock[block][column] }) }
            }
            let rows = (0..<blocks).map { block in
                "\(block): " + first.contents.trainedTasks[block].map { names[$0] }.joined(separator: ", ")
            }
            out += "<h4>Performance matrix R[block, task]</h4><figure>"
            out += SVGChart.heatmap(matrix, rows: rows, columns: tasks, title: "\(name): performance matrix")
            out += "</figure>\n"
        } else {
            out += "<p class=\"note\">No block finished yet: no performance matrix.</p>\n"
        }

        // Forgetting per task and backward transfer.
        let forgetting = tasks.indices.map { column in same.compactMap { $0.metrics.forgetting[column] } }
        out += "<h4>Forgetting and transfer</h4><figure>"
        out += SVGChart.bars(
            forgetting.map { $0.isEmpty ? nil : mean($0) }, low: forgetting.map { $0.min() },
            high: forgetting.map { $0.max() }, categories: tasks, yLabel: "forgetting (return lost)",
            title: "\(name): forgetting per task")
        out += "</figure>\n"
        let transfer = same.compactMap(\.metrics.backwardTransfer)
        out += "<p>Backward transfer: \(number(transfer.isEmpty ? nil : mean(transfer)))"
        out += transfer.count > 1 ? " (min \(number(transfer.min())), max \(number(transfer.max())))" : ""
        let measured = same.compactMap { transfers[$0.id] }
        if measured.isEmpty {
            out += ". Forward transfer needs reference runs: <code>lifelong report … --reference REF</code> (from "
            out += "<code>lifelong reference</code>).</p>\n"
        } else {
            out += ".</p>\n<figure>"
            let forward = tasks.indices.map { column in measured.compactMap { $0.forwardTransfer[column] } }
            out += SVGChart.bars(
                forward.map { $0.isEmpty ? nil : mean($0) }, low: forward.map { $0.min() },
                high: forward.map { $0.max() },
                categories: tasks, yLabel: "forward transfer (normalised)", title: "\(name): forward transfer per task")
            let normalized = measured.compactMap(\.normalizedAveragePerformance)
            out += "</figure>\n<p>Forward transfer per task (Continual World's, on returns normalised so the untrained "
            out += "agent is 0 and the reference run's final return is 1); normalised average performance "
            out += "\(number(normalized.isEmpty ? nil : mean(normalized))).</p>\n"
        }

        out += prefixedSection(
            same, prefix: worldModelPrefix, heading: "World-model error", yLabel: "prediction error", windows: windows,
            missing: "These runs log no world-model error (metrics worldmodel/*).")
        out += prefixedSection(
            same, prefix: memoryPrefix, heading: "Memory retention", yLabel: "retention", windows: windows,
            missing: "These runs log no episodic-memory retention (metrics memory/*).")
        return out
    }

    /// Per strategy: IQM of the final returns over runs × tasks with a 95% stratified-bootstrap interval.
    static func aggregateSection(_ runs: [RunAnalysis]) -> String {
        let strategies = byStrategy(runs)
        var out = "<h3>Across seeds, per strategy</h3><table><tr><th class=\"text\">strategy</th><th>runs</th>"
        out +=
            "<th>IQM final return</th><th>95% CI</th><th>mean average performance</th><th>mean forgetting</th></tr>\n"
        var rows: [(label: String, estimate: Double, low: Double, high: Double)] = []
        for (strategy, group) in strategies {
            let scores = group.map(\.metrics.finalReturn).filter { !$0.isEmpty }
            let (estimate, low, high) = Aggregation.interval(scores, seed: 0)
            rows.append(("\(strategy) (\(group.count))", estimate, low, high))
            let performance = group.compactMap(\.metrics.averagePerformance)
            let forgetting = group.compactMap(\.metrics.meanForgetting)
            out += "<tr><td class=\"text\">\(escape(strategy))</td><td>\(group.count)</td><td>\(number(estimate))</td>"
            out += "<td>[\(number(low)), \(number(high))]</td>"
            out += "<td>\(number(performance.isEmpty ? nil : mean(performance)))</td>"
            out += "<td>\(number(forgetting.isEmpty ? nil : mean(forgetting)))</td></tr>\n"
        }
        out += "</table><figure>"
        out += SVGChart.intervals(
            rows, xLabel: "IQM of final return per task (95% stratified bootstrap CI)", title: "aggregate by strategy")
        return out + "</figure>\n"
    }

    /// Time series whose keys start with `prefix`, one line per key and task, averaged over runs by step.
    static func prefixedSection(
        _ runs: [RunAnalysis], prefix: String, heading: String, yLabel: String, windows: [SVGChart.Window],
        missing: String
    ) -> String {
        var values: [String: [Int64: [Double]]] = [:]
        var order: [String] = []
        for run in runs {
            let names = run.contents.tasks.map { $0.name.string }
            for row in run.contents.metrics {
                let key = row.key.string
                guard key.hasPrefix(prefix) else { continue }
                let task = names.indices.contains(Int(row.task)) ? names[Int(row.task)] : "all"
                let label = String(key.dropFirst(prefix.count)) + " · " + task
                if values[label] == nil { order.append(label) }
                values[label, default: [:]][row.step, default: []].append(row.value)
            }
        }
        var out = "<h4>\(heading)</h4>"
        guard !order.isEmpty else { return out + "<p class=\"note\">\(missing)</p>\n" }
        let series = order.map { label in
            let points = values[label]!
            let steps = points.keys.sorted()
            return SVGChart.Series(name: label, x: steps.map(Double.init), y: steps.map { mean(points[$0]!) })
        }
        out +=
            "<figure>"
            + SVGChart.lines(
                series, windows: windows, xLabel: "environment step", yLabel: yLabel, title: heading)
        return out + "</figure>\n"
    }

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }
}
