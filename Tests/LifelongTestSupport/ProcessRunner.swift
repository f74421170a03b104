public import Foundation

/// What a finished child process left behind.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
    /// Both streams, for assertion messages.
    public var transcript: String { "exit \(status)\n--- stdout\n\(standardOutput)\n--- stderr\n\(standardError)" }
}

/// Runs programs for tests: the package's own executables, the test venv's Python, or anything on PATH.
public enum ProcessRunner {
    /// Runs `executable` with `arguments` to completion (killed after `timeout` seconds).
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        currentDirectory: String? = nil, timeout: TimeInterval = 300
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outputData = DataReader(output.fileHandleForReading)
        let errorData = DataReader(error.fileHandleForReading)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus, standardOutput: outputData.text(), standardError: errorData.text())
    }
}

/// Drains a pipe on a background thread so a chatty child never blocks on a full pipe.
public final class DataReader: @unchecked Sendable {
    private var data = Data()
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)

    public init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.lock()
                data.append(chunk)
                lock.unlock()
            }
            done.signal()
        }
    }

    /// Everything read so far.
    public func snapshot() -> String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }

    /// Waits for the end of the stream and returns all of it.
    public func text() -> String {
        done.wait()
        return snapshot()
    }
}

extension ProcessRunner {
    /// Starts `executable`, kills it with SIGKILL after `microseconds`, and returns everything it printed
    /// (standard output and error together) — the crash tests' way to interrupt a writer at a random moment.
    ///
    /// With `afterLine`, the delay counts from the moment the process prints a line starting with it (waiting at
    /// most 30 s), so that the kill lands in the work that follows it however slowly the process started.
    /// `signal` sends another signal instead (SIGTERM for a pre-emption); the process is then waited for.
    public static func runAndKill(
        _ executable: String, _ arguments: [String], afterMicroseconds microseconds: UInt32, afterLine: String? = nil,
        signal: Int32 = SIGKILL
    ) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let reader = DataReader(output.fileHandleForReading)
        if let afterLine {
            let deadline = Date().addingTimeInterval(30)
            while process.isRunning && Date() < deadline
                && !reader.snapshot().split(separator: "\n").contains(where: { $0.hasPrefix(afterLine) })
            {
                usleep(1_000)
            }
        }
        usleep(microseconds)
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return reader.text()
    }

    /// The last `committed N` a crash-test writer reported, if any.
    public static func lastCommit(in transcript: String) -> Int64? {
        transcript.split(separator: "\n").compactMap { line in
            line.hasPrefix("committed ") ? Int64(line.dropFirst("committed ".count)) : nil
        }.last
    }
}
