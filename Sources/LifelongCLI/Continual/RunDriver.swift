import ArgumentParser
import Continual
import Foundation

/// The signal that asked the run to stop (0: none). Written only by the signal handler, read by the run loop.
nonisolated(unsafe) private var stopSignal: Int32 = 0

/// Drives a scheduler from the command line: stops cleanly on SIGINT/SIGTERM, shows progress (a bar on a
/// terminal, periodic lines otherwise), prints evaluations and, at the end, the forgetting table.
struct RunDriver {
    let scheduler: Scheduler
    /// Print only the outcome (no evaluation lines or forgetting table).
    var quiet = false

    func drive() throws {
        // A parent may have left these blocked (masks are inherited), and then a pre-emption would never arrive.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGINT)
        sigaddset(&stopSignals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
        signal(SIGINT) { stopSignal = $0 }
        signal(SIGTERM) { stopSignal = $0 }
        let names = scheduler.curriculum.evaluation.tasks.map { scheduler.curriculum.tasks[$0].name }
        let terminal = isatty(STDERR_FILENO) != 0
        var progress = ProgressDisplay(terminal: terminal)
        scheduler.onEvaluation = { step, block, means in
            if quiet { return }
            progress.clear()
            let values = zip(names, means).map { String(format: "%@ %.2f", $0, $1) }.joined(separator: "  ")
            let place = block < 0 ? "before training" : "block \(block + 1)/\(scheduler.curriculum.blocks.count)"
            print("step \(step) (\(place)): \(values)")
            fflush(nil)
        }
        scheduler.onProgress = { progress.show($0) }
        let outcome = try scheduler.run(shouldStop: { stopSignal != 0 })
        progress.clear()
        switch outcome {
        case .finished:
            if quiet { return }
            printForgettingTable(scheduler)
            print("Log: \(scheduler.directory)/log.h5 (inspect with `lifelong inspect \(scheduler.directory)`)")
        case .interrupted(let step):
            print("Stopped at step \(step) after a checkpoint; continue with `lifelong resume \(scheduler.directory)`")
            throw ExitCode(128 + stopSignal)
        }
    }
}

/// A one-line progress bar with rate and ETA on a terminal; a plain line every 30 s otherwise.
struct ProgressDisplay {
    let terminal: Bool
    private var lastLine = Date.distantPast
    private var shown = false
    private var start: (step: Int, time: Double)?

    init(terminal: Bool) { self.terminal = terminal }

    mutating func show(_ progress: Scheduler.Progress) {
        let now = Date()
        guard start == nil || now.timeIntervalSince(lastLine) >= (terminal ? 0.2 : 30) else { return }
        lastLine = now
        // The rate counts from the first report of this process (a resumed run's clock includes earlier ones).
        guard let start else {
            start = (progress.step, progress.wallTime)
            return
        }
        let elapsed = progress.wallTime - start.time
        let rate = elapsed > 0 ? Double(progress.step - start.step) / elapsed : 0
        var text = "block \(progress.block + 1)/\(progress.blocks) (\(progress.task)) step \(progress.step)"
        if let total = progress.totalSteps {
            let fraction = Double(progress.step) / Double(max(total, 1))
            let width = 24
            let filled = Int(fraction * Double(width))
            let eta = rate > 0 ? Double(total - progress.step) / rate : 0
            text =
                "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
                + String(format: "%3.0f%% ", fraction * 100) + text + "/\(total)"
                + String(format: " %.0f steps/s ETA %@", rate, formatDuration(eta))
        } else {
            text += String(format: " %.0f steps/s", rate)
        }
        if terminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
            shown = true
        } else {
            print(text)
            fflush(nil)
        }
    }

    /// Removes the bar before other output.
    mutating func clear() {
        guard terminal && shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        shown = false
    }
}

func formatDuration(_ seconds: Double) -> String {
    let total = Int(seconds.rounded())
    return String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
}

/// Prints the forgetting table of a scheduler's finished blocks.
func printForgettingTable(_ scheduler: Scheduler) {
    let names = scheduler.curriculum.evaluation.tasks.map { scheduler.curriculum.tasks[$0].name }
    print(forgettingTable(names: names, metrics: scheduler.metrics))
}

/// The forgetting table: per task, its return after its last training block, at the end, and the difference.
func forgettingTable(names: [String], metrics: ContinualMetrics) -> String {
    let width = max(8, names.map(\.count).max() ?? 0)
    func cell(_ value: Double?) -> String {
        value.map { String(format: "%10.3f", $0) } ?? String(repeating: " ", count: 9) + "—"
    }
    var lines = [
        "Forgetting (R[b_j, j] − R[B−1, j]; positive = forgot):",
        "  " + "task".padding(toLength: width, withPad: " ", startingAt: 0)
            + "  after training      at end  forgetting",
    ]
    for (column, name) in names.enumerated() {
        let final = column < metrics.finalReturn.count ? metrics.finalReturn[column] : nil
        lines.append(
            "  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + "      "
                + cell(metrics.lastTrainedReturn[column]) + "  " + cell(final) + "  " + cell(metrics.forgetting[column])
        )
    }
    func number(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "—" }
    lines.append(
        "average performance \(number(metrics.averagePerformance)), mean forgetting \(number(metrics.meanForgetting)), "
            + "backward transfer \(number(metrics.backwardTransfer))")
    return lines.joined(separator: "\n")
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
