import Continual
import Foundation
import Glibc
import HDF5

/// Where a run of a sweep stands.
public struct RunStatus: Sendable {
    public enum State: String, Sendable {
        case done, running, failed, pending
    }

    public var entry: SweepDirectory.Entry
    public var state: State
    /// The run's step as of its last commit, and its total when the curriculum counts steps.
    public var step: Int
    public var totalSteps: Int?
    public var attempts: Int
    /// Why it failed, where it stopped, or what a scheduler says of it.
    public var detail: String
}

/// The last attempt at a run, written by the task that runs it (`state/ID.json`).
struct AttemptState: Codable {
    var status: String  // running | finished | interrupted | failed
    var exit: Int32?
    var pid: Int32
    var host: String
    var backend: String
    var attempts: Int
    var started: Date
    var ended: Date?
    var message: String?
}

extension SweepDirectory {
    /// Runs one entry as the unit of work every backend executes: takes the run's lock (so a second copy refuses
    /// to start), records the attempt, calls `body` (which runs or resumes the run) and records how it ended.
    /// A finished run is not run again.
    ///
    /// - Returns: whether `body` ran (false: the run had finished already).
    public func runTask(_ entry: Entry, backend: String, body: () throws -> Void) throws -> Bool {
        let lock = Glibc.open(lockFile(entry), O_CREAT | O_RDWR, 0o644)
        guard lock >= 0 else {
            throw SweepFailure("cannot open \(lockFile(entry)): \(String(cString: strerror(errno)))")
        }
        defer { close(lock) }  // closing releases the lock; so does the kernel when the process dies
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            throw SweepFailure("run \(entry.id) is already running (its lock \(lockFile(entry)) is held)")
        }
        if runStatus(entry)["status"] as? String == "finished" { return false }
        var state = AttemptState(
            status: "running", exit: nil, pid: getpid(), host: ProcessInfo.processInfo.hostName, backend: backend,
            attempts: (attempt(entry)?.attempts ?? 0) + 1, started: Date(), ended: nil, message: nil)
        try write(state, for: entry)
        do {
            try body()
            state.status = "finished"
            state.exit = 0
        } catch let error as StopRequested {
            state.status = "interrupted"
            state.exit = error.exitStatus
            state.ended = Date()
            try write(state, for: entry)
            throw error
        } catch {
            state.status = "failed"
            state.exit = 1
            state.message = "\(error)"
            state.ended = Date()
            try write(state, for: entry)
            throw error
        }
        state.ended = Date()
        try write(state, for: entry)
        return true
    }

    /// Marks failed runs for another attempt (their run directories stay, so they resume from a checkpoint).
    /// - Returns: the entries marked.
    public func resetFailed() throws -> [Entry] {
        let failed = statuses().filter { $0.state == .failed }.map(\.entry)
        for entry in failed {
            guard var state = attempt(entry) else { continue }
            state.status = "retry"
            try write(state, for: entry)
        }
        return failed
    }

    /// Every run's status, in manifest order.
    public func statuses() -> [RunStatus] { entries.map(status) }

    public func status(_ entry: Entry) -> RunStatus {
        let run = runStatus(entry)
        let attempt = attempt(entry)
        let step = run["step"] as? Int ?? 0
        let total = (try? Curriculum.load(curriculumFile(entry)))?.totalSteps
        var status = RunStatus(
            entry: entry, state: .pending, step: step, totalSteps: total, attempts: attempt?.attempts ?? 0, detail: "")
        let runState = run["status"] as? String
        if runState == "finished" {
            status.state = .done
        } else if isLocked(entry) {
            status.state = .running
            status.detail = attempt.map { "pid \($0.pid) on \($0.host) (\($0.backend))" } ?? ""
        } else if let attempt, attempt.status == "failed" {
            status.state = .failed
            status.detail = "exit \(attempt.exit ?? 1): " + (attempt.message ?? "see \(logFile(entry))")
        } else if let attempt, attempt.status == "running" {
            status.state = .failed
            status.detail = "its process (pid \(attempt.pid) on \(attempt.host)) died without finishing — killed?"
        } else if runState == "failed" {
            status.state = .failed
            status.detail = "the run failed; see \(logFile(entry))"
        } else if runState != nil {
            status.detail = "stopped at step \(step); resumes from its last checkpoint"
        }
        return status
    }

    func runStatus(_ entry: Entry) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: runDirectory(entry) + "/run.json"),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return object
    }

    func attempt(_ entry: Entry) -> AttemptState? {
        guard let data = FileManager.default.contents(atPath: stateFile(entry)) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(AttemptState.self, from: data)
    }

    func write(_ state: AttemptState, for entry: Entry) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try DurableFile.replace(stateFile(entry), with: try encoder.encode(state))
    }

    /// Whether a live process holds the run's lock.
    func isLocked(_ entry: Entry) -> Bool {
        let lock = Glibc.open(lockFile(entry), O_RDWR)
        guard lock >= 0 else { return false }
        defer { close(lock) }
        if flock(lock, LOCK_EX | LOCK_NB) == 0 {
            flock(lock, LOCK_UN)
            return false
        }
        return true
    }
}

/// Thrown by a task's body when a signal stopped the run after a checkpoint (it resumes on the next attempt).
public struct StopRequested: Error, CustomStringConvertible {
    public var exitStatus: Int32
    public init(exitStatus: Int32) { self.exitStatus = exitStatus }
    public var description: String { "stopped by a signal after a checkpoint (exit \(exitStatus))" }
}
