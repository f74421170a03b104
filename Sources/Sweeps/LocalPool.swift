public import Foundation

/// Set by SIGINT/SIGTERM while a pool runs; read by its loop.
nonisolated(unsafe) private var poolStopSignal: Int32 = 0

/// The local backend: a pool of worker processes on this machine, each running one sweep task
/// (`lifelong sweep task DIR --index N`) at a time, with BLAS threads set so workers do not oversubscribe cores.
///
/// SIGINT or SIGTERM stops the pool: running tasks get SIGTERM (they checkpoint and stop), no new ones start.
///
/// ```swift
/// let pool = LocalPool(executable: "/usr/local/bin/lifelong", workers: 2)
/// let exits = pool.run(sweep, indices: [0, 1, 2]) { print($0) }
/// ```
public struct LocalPool {
    public var executable: String
    public var workers: Int
    /// OpenBLAS threads per worker: the cores shared out, at least one.
    public var blasThreads: Int

    public init(executable: String, workers: Int, cores: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.executable = executable
        self.workers = max(1, workers)
        blasThreads = max(1, cores / max(1, workers))
    }

    /// How each task ended: its exit status, or −signal when a signal killed it.
    public enum Outcome: Equatable, Sendable {
        case exited(Int32)
        case killed(Int32)
    }

    /// Runs the tasks of `indices`, at most `workers` at once, reporting each start and end through `report`.
    /// - Returns: each task's outcome, and the signal that stopped the pool (0: none).
    public func run(
        _ sweep: SweepDirectory, indices: [Int], report: (String) -> Void
    ) -> (outcomes: [Int: Outcome], stoppedBy: Int32) {
        poolStopSignal = 0
        let previousInt = signal(SIGINT) { poolStopSignal = $0 }
        let previousTerm = signal(SIGTERM) { poolStopSignal = $0 }
        defer {
            signal(SIGINT, previousInt)
            signal(SIGTERM, previousTerm)
        }
        var queue = indices[...]
        var running: [(index: Int, process: Process)] = []
        var outcomes: [Int: Outcome] = [:]
        var forwarded = false
        while !queue.isEmpty || !running.isEmpty {
            if poolStopSignal != 0 && !forwarded {
                forwarded = true
                report("stopping: asking \(running.count) running task(s) to checkpoint and stop")
                for task in running { kill(task.process.processIdentifier, SIGTERM) }
            }
            while poolStopSignal == 0 && running.count < workers, let index = queue.popFirst() {
                let entry = sweep.entries[index]
                do {
                    let process = try launch(sweep, entry)
                    running.append((index, process))
                    report("started \(entry.id) (pid \(process.processIdentifier))")
                } catch {
                    outcomes[index] = .exited(127)
                    report("failed \(entry.id): could not start \(executable): \(error)")
                }
            }
            if poolStopSignal != 0 { queue.removeAll() }
            usleep(20_000)
            for (position, task) in running.enumerated().reversed() where !task.process.isRunning {
                running.remove(at: position)
                let id = sweep.entries[task.index].id
                let outcome: Outcome =
                    task.process.terminationReason == .uncaughtSignal
                    ? .killed(task.process.terminationStatus) : .exited(task.process.terminationStatus)
                outcomes[task.index] = outcome
                switch outcome {
                case .exited(0): report("done \(id)")
                case .exited(130), .exited(143): report("stopped \(id) after a checkpoint; it resumes next time")
                case .exited(let status):
                    report("failed \(id) (exit \(status)); see \(sweep.logFile(sweep.entries[task.index]))")
                case .killed(let signal): report("failed \(id): killed by signal \(signal)")
                }
            }
        }
        return (outcomes, poolStopSignal)
    }

    func launch(_ sweep: SweepDirectory, _ entry: SweepDirectory.Entry) throws -> Process {
        let log = sweep.logFile(entry)
        if !FileManager.default.fileExists(atPath: log) {
            _ = FileManager.default.createFile(atPath: log, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        handle.write(Data("=== \(ISO8601DateFormatter().string(from: Date())) local worker\n".utf8))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["sweep", "task", sweep.path, "--index", String(entry.index), "--backend", "local"]
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = String(blasThreads)
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try handle.close()
        return process
    }
}
