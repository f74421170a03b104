import Foundation

/// Small inline-SVG charts for the HTML report: no scripts, no external files, readable in any browser.
enum SVGChart {
    /// Matplotlib's tab10, so the report and the notebooks colour tasks alike.
    static let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ]

    struct Series {
        var name: String
        var x: [Double]
        var y: [Double]
        /// Optional band around the line (min–max across runs).
        var low: [Double]? = nil
        var high: [Double]? = nil
    }

    /// A shaded step range with a label (a block and the task it trains).
    struct Window {
        var start: Double
        var end: Double
        var label: String
    }

    struct Frame {
        var width = 860.0
        var height = 300.0
        var left = 64.0
        var right = 170.0
        var top = 26.0
        var bottom = 44.0
        var plotWidth: Double { width - left - right }
        var plotHeight: Double { height - top - bottom }
    }

    /// Lines over a shared x axis, bands behind them, windows shaded behind everything, legend on the right.
    static func lines(
        _ series: [Series], windows: [Window] = [], xLabel: String, yLabel: String, title: String
    ) -> String {
        var frame = Frame()
        // Room for the longest legend entry (about 7 px a character at 12 px).
        frame.right = min(360, max(120, 44 + 7 * Double(series.map(\.name.count).max() ?? 0)))
        frame.width = 690 + frame.right
        let xs = series.flatMap(\.x) + windows.flatMap { [$0.start, $0.end] }
        let ys = series.flatMap { $0.y + ($0.low ?? []) + ($0.high ?? []) }.filter(\.isFinite)
        let (x0, x1) = range(xs)
        let (y0, y1) = range(ys)
        func px(_ x: Double) -> Double { frame.left + (x - x0) / (x1 - x0) * frame.plotWidth }
        func py(_ y: Double) -> Double { frame.top + (1 - (y - y0) / (y1 - y0)) * frame.plotHeight }
        var body = ""
        for (index, window) in windows.enumerated() {
            let fill = index % 2 == 0 ? "#ececec" : "#f7f7f7"
            body += rect(px(window.start), frame.top, px(window.end) - px(window.start), frame.plotHeight, fill: fill)
            body += text(
                (px(window.start) + px(window.end)) / 2, frame.top - 6, window.label, size: 10, anchor: "middle",
                color: "#555")
        }
        body += axes(frame, x: (x0, x1), y: (y0, y1), xLabel: xLabel, yLabel: yLabel, px: px, py: py)
        for (index, line) in series.enumerated() {
            let color = palette[index % palette.count]
            if let low = line.low, let high = line.high, line.x.count > 1 {
                let upper = zip(line.x, high).map { "\(fmt(px($0))),\(fmt(py($1)))" }
                let lower = zip(line.x, low).reversed().map { "\(fmt(px($0))),\(fmt(py($1)))" }
                body += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(color)\" "
                body += "fill-opacity=\"0.18\" stroke=\"none\"/>"
            }
            let points = zip(line.x, line.y).filter { $1.isFinite }.map { "\(fmt(px($0))),\(fmt(py($1)))" }
            body += "<polyline class=\"series\" points=\"\(points.joined(separator: " "))\" fill=\"none\" "
            body += "stroke=\"\(color)\" stroke-width=\"2.5\"/>"
            let legendY = frame.top + 14 + Double(index) * 18
            body += rect(frame.width - frame.right + 16, legendY - 9, 14, 10, fill: color)
            body += text(frame.width - frame.right + 36, legendY, line.name, size: 12)
        }
        return svg(frame, title: title, body: body)
    }

    /// A heatmap of a matrix with its values printed in the cells (viridis-like ramp).
    static func heatmap(_ matrix: [[Double]], rows: [String], columns: [String], title: String) -> String {
        let cell = (width: max(70.0, min(140.0, 700.0 / Double(max(columns.count, 1)))), height: 30.0)
        var frame = Frame()
        frame.left = 230
        frame.right = 30
        frame.top = 30
        frame.bottom = 70
        frame.width = frame.left + cell.width * Double(columns.count) + frame.right
        frame.height = frame.top + cell.height * Double(rows.count) + frame.bottom
        let (low, high) = range(matrix.flatMap { $0 }.filter(\.isFinite))
        var body = ""
        for (r, row) in matrix.enumerated() {
            for (c, value) in row.enumerated() {
                let t = value.isFinite ? (value - low) / (high - low) : 0
                let x = frame.left + Double(c) * cell.width
                let y = frame.top + Double(r) * cell.height
                body += rect(x, y, cell.width - 1, cell.height - 1, fill: value.isFinite ? viridis(t) : "#ddd")
                body += text(
                    x + cell.width / 2, y + cell.height / 2 + 4, value.isFinite ? String(format: "%.3g", value) : "—",
                    size: 11, anchor: "middle", color: t > 0.6 ? "#000" : "#fff")
            }
            body += text(
                frame.left - 8, frame.top + (Double(r) + 0.5) * cell.height + 4, rows[r], size: 11, anchor: "end")
        }
        for (c, name) in columns.enumerated() {
            body += text(
                frame.left + (Double(c) + 0.5) * cell.width, frame.top + Double(rows.count) * cell.height + 18, name,
                size: 11, anchor: "middle")
        }
        body += text(
            frame.left + cell.width * Double(columns.count) / 2, frame.height - 16, "evaluated task", size: 12,
            anchor: "middle")
        return svg(frame, title: title, body: body)
    }

    /// Bars per category with whiskers (e.g. forgetting per task: mean and min–max over runs).
    static func bars(
        _ values: [Double?], low: [Double?], high: [Double?], categories: [String], yLabel: String, title: String
    ) -> String {
        var frame = Frame()
        frame.right = 30
        frame.bottom = 70
        let finite = (values + low + high).compactMap { $0 }.filter(\.isFinite) + [0]
        let (y0, y1) = range(finite)
        let slot = frame.plotWidth / Double(max(categories.count, 1))
        func py(_ y: Double) -> Double { frame.top + (1 - (y - y0) / (y1 - y0)) * frame.plotHeight }
        var body = axes(
            frame, x: nil, y: (y0, y1), xLabel: "", yLabel: yLabel, px: { $0 }, py: py)
        body += line(frame.left, py(0), frame.left + frame.plotWidth, py(0), color: "#444")
        for (index, name) in categories.enumerated() {
            let center = frame.left + slot * (Double(index) + 0.5)
            body += text(center, frame.top + frame.plotHeight + 18, name, size: 11, anchor: "middle")
            guard let value = values[index], value.isFinite else {
                body += text(center, py(0) - 6, "undefined", size: 10, anchor: "middle", color: "#777")
                continue
            }
            let color = palette[index % palette.count]
            body +=
                "<rect class=\"bar\" x=\"\(fmt(center - slot * 0.3))\" y=\"\(fmt(min(py(value), py(0))))\" "
                + "width=\"\(fmt(slot * 0.6))\" height=\"\(fmt(max(abs(py(value) - py(0)), 1)))\" fill=\"\(color)\"/>"
            if let lo = low[index], let hi = high[index], lo != hi {
                body += line(center, py(lo), center, py(hi), color: "#222")
                body += line(center - 6, py(lo), center + 6, py(lo), color: "#222")
                body += line(center - 6, py(hi), center + 6, py(hi), color: "#222")
            }
            body += text(center, min(py(value), py(0)) - 5, String(format: "%.3g", value), size: 10, anchor: "middle")
        }
        return svg(frame, title: title, body: body)
    }

    /// Point estimates with intervals, one row per group (rliable's interval plot).
    static func intervals(
        _ estimates: [(label: String, estimate: Double, low: Double, high: Double)], xLabel: String, title: String
    ) -> String {
        var frame = Frame()
        frame.left = 200
        frame.right = 40
        frame.height = 70 + 34 * Double(estimates.count)
        let (x0, x1) = range(estimates.flatMap { [$0.low, $0.high, $0.estimate] }.filter(\.isFinite))
        func px(_ x: Double) -> Double { frame.left + (x - x0) / (x1 - x0) * frame.plotWidth }
        var body = axes(frame, x: (x0, x1), y: nil, xLabel: xLabel, yLabel: "", px: px, py: { $0 })
        for (index, row) in estimates.enumerated() {
            let y = frame.top + 20 + Double(index) * 34
            let color = palette[index % palette.count]
            body += text(frame.left - 10, y + 4, row.label, size: 12, anchor: "end")
            guard row.estimate.isFinite else { continue }
            body += "<rect class=\"interval\" x=\"\(fmt(px(row.low)))\" y=\"\(fmt(y - 7))\" "
            body += "width=\"\(fmt(max(px(row.high) - px(row.low), 2)))\" height=\"14\" fill=\"\(color)\" "
            body += "fill-opacity=\"0.45\"/>"
            body += line(px(row.estimate), y - 9, px(row.estimate), y + 9, color: "#000", width: 2.5)
        }
        return svg(frame, title: title, body: body)
    }

    // MARK: - Pieces

    static func svg(_ frame: Frame, title: String, body: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"\(fmt(frame.width))\" "
            + "height=\"\(fmt(frame.height))\" viewBox=\"0 0 \(fmt(frame.width)) \(fmt(frame.height))\" role=\"img\">"
            + "<title>\(escape(title))</title>" + body + "</svg>"
    }

    static func axes(
        _ frame: Frame, x: (Double, Double)?, y: (Double, Double)?, xLabel: String, yLabel: String,
        px: (Double) -> Double, py: (Double) -> Double
    ) -> String {
        var out = ""
        let bottom = frame.top + frame.plotHeight
        out += line(frame.left, bottom, frame.left + frame.plotWidth, bottom, color: "#444")
        out += line(frame.left, frame.top, frame.left, bottom, color: "#444")
        if let x {
            for tick in ticks(x.0, x.1) {
                out += line(px(tick), bottom, px(tick), bottom + 5, color: "#444")
                out += text(px(tick), bottom + 18, label(tick), size: 11, anchor: "middle")
            }
        }
        if let y {
            for tick in ticks(y.0, y.1) {
                out += line(frame.left - 5, py(tick), frame.left, py(tick), color: "#444")
                out += line(frame.left, py(tick), frame.left + frame.plotWidth, py(tick), color: "#e4e4e4")
                out += text(frame.left - 8, py(tick) + 4, label(tick), size: 11, anchor: "end")
            }
        }
        out += text(frame.left + frame.plotWidth / 2, frame.height - 8, xLabel, size: 12, anchor: "middle")
        if !yLabel.isEmpty {
            let cy = frame.top + frame.plotHeight / 2
            out += "<text x=\"16\" y=\"\(fmt(cy))\" font-size=\"12\" text-anchor=\"middle\" "
            out += "transform=\"rotate(-90 16 \(fmt(cy)))\" fill=\"#222\">\(escape(yLabel))</text>"
        }
        return out
    }

    /// A padded data range that is never empty.
    static func range(_ values: [Double]) -> (Double, Double) {
        guard let low = values.min(), let high = values.max() else { return (0, 1) }
        if low == high { return (low - 1, high + 1) }
        let pad = (high - low) * 0.04
        return (low - pad, high + pad)
    }

    /// About five round ticks inside the range.
    static func ticks(_ low: Double, _ high: Double) -> [Double] {
        let raw = (high - low) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var tick = ceil(low / step) * step
        var out: [Double] = []
        while tick <= high + step * 1e-9 {
            out.append(abs(tick) < step * 1e-9 ? 0 : tick)
            tick += step
        }
        return out
    }

    static func label(_ value: Double) -> String {
        if abs(value) >= 10_000 { return String(format: "%.0fk", value / 1000) }
        return value == value.rounded() ? String(format: "%.0f", value) : String(format: "%.3g", value)
    }

    /// An approximation of matplotlib's viridis by five anchors.
    static func viridis(_ t: Double) -> String {
        let anchors: [(Double, Double, Double)] = [
            (68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37),
        ]
        let position = max(0, min(1, t)) * Double(anchors.count - 1)
        let index = min(Int(position), anchors.count - 2)
        let f = position - Double(index)
        let (a, b) = (anchors[index], anchors[index + 1])
        func mix(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * f).rounded()) }
        return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    static func rect(_ x: Double, _ y: Double, _ width: Double, _ height: Double, fill: String) -> String {
        "<rect x=\"\(fmt(x))\" y=\"\(fmt(y))\" width=\"\(fmt(max(width, 0)))\" height=\"\(fmt(max(height, 0)))\" "
            + "fill=\"\(fill)\"/>"
    }

    static func line(
        _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, color: String, width: Double = 1
    ) -> String {
        "<line x1=\"\(fmt(x1))\" y1=\"\(fmt(y1))\" x2=\"\(fmt(x2))\" y2=\"\(fmt(y2))\" stroke=\"\(color)\" "
            + "stroke-width=\"\(fmt(width))\"/>"
    }

    static func text(
        _ x: Double, _ y: Double, _ content: String, size: Int, anchor: String = "start", color: String = "#222"
    ) -> String {
        "<text x=\"\(fmt(x))\" y=\"\(fmt(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\" fill=\"\(color)\">"
            + escape(content) + "</text>"
    }

    static func fmt(_ value: Double) -> String { String(format: "%.1f", value.isFinite ? value : 0) }
}

/// Escapes text for HTML and SVG.
func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
