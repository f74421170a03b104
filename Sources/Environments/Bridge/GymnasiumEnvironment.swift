import Foundation
import Randomness

/// Any Gymnasium environment, `gymnasium.make(id, **kwargs)`, run in a Python subprocess and driven over a pipe.
///
/// Opt-in, because it runs code from a Python environment the user names: by default the interpreter is
/// `$LIFELONG_PYTHON`, else `.venv/bin/python` under the current directory, else `python3` on `PATH`.
/// Spaces map to Lifelong spaces (dictionaries are flattened, text entries dropped). A subprocess that dies or
/// does not answer within `timeout` seconds is an `EnvironmentError` of kind `.bridge` naming the environment
/// and the last lines of its standard error; the subprocess is then killed, so a run never hangs on it.
///
/// ```swift
/// let env = try GymnasiumEnvironment("MiniGrid-Empty-5x5-v0")
/// let first = try env.reset(seed: 1)
/// let (next, outcome) = try env.step(.discrete(2))
/// ```
public final class GymnasiumEnvironment: Environment {
    public let id: String
    public let observationSpace: Space
    public let actionSpace: Space
    public let timeout: Double
    /// The Python subprocess's process id (for diagnostics).
    public var processIdentifier: Int32 { process.processIdentifier }
    private let process: Process
    private let input: Int32
    private let output: Int32
    private let errors: Pipe
    private var failure: EnvironmentError?
    /// Reused for each step's answer (observation, then reward and flags), so stepping does not allocate.
    private var answer: UnsafeMutableRawBufferPointer = .init(start: nil, count: 0)
    private var message: [UInt8] = []

    /// - Parameters:
    ///   - id: a Gymnasium id; MiniGrid ids import `minigrid` first.
    ///   - kwargs: keyword arguments for `gymnasium.make`.
    ///   - python: the interpreter to run.
    ///   - timeout: seconds to wait for any one answer (start-up included).
    public init(
        _ id: String, kwargs: [String: ParameterValue] = [:], python: String? = nil, timeout: Double = 30
    ) throws {
        self.id = id
        self.timeout = timeout
        signal(SIGPIPE, SIG_IGN)  // a dead subprocess must be an error from write(), not a signal that ends us
        let interpreter = python ?? Self.defaultPython()
        let arguments = try JSONSerialization.data(withJSONObject: kwargs.mapValues(\.jsonValue))
        process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = ["-u", "-c", gymnasiumBridgeScript, id, String(decoding: arguments, as: UTF8.self)]
        let stdin = Pipe()
        let stdout = Pipe()
        errors = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw EnvironmentError(.bridge, "\(id): cannot start the Python interpreter \(interpreter): \(error)")
        }
        input = stdin.fileHandleForWriting.fileDescriptor
        output = stdout.fileHandleForReading.fileDescriptor
        let header = try Self.readLine(output, timeout: timeout, id: id, process: process, errors: errors)
        _ = fcntl(output, F_SETFL, fcntl(output, F_GETFL) | O_NONBLOCK)
        guard let object = try? JSONSerialization.jsonObject(with: Data(header.utf8)) as? [String: Any] else {
            throw EnvironmentError(.bridge, "\(id): the bridge sent an unreadable header: \(header.prefix(200))")
        }
        if let message = object["error"] as? String {
            process.terminate()
            throw EnvironmentError(.bridge, "\(id): Gymnasium could not make the environment: \(message)")
        }
        guard let observation = object["observation_space"] as? [String: Any],
            let action = object["action_space"] as? [String: Any]
        else {
            throw EnvironmentError(.bridge, "\(id): the bridge sent no spaces")
        }
        observationSpace = try Self.space(observation, id: id)
        actionSpace = try Self.space(action, id: id)
        answer = .allocate(byteCount: 4 * observationSpace.flatCount + 10, alignment: 8)
        message.reserveCapacity(1 + max(8, 4 * actionSpace.flatCount))
    }

    deinit {
        answer.deallocate()
        if process.isRunning {
            var quit: UInt8 = UInt8(ascii: "q")
            _ = Foundation.write(input, &quit, 1)
            process.terminate()
            process.waitUntilExit()
        }
    }

    public func reset(seed: UInt64?, observation: UnsafeMutableBufferPointer<Float>) throws {
        var message = [UInt8(ascii: "r"), seed == nil ? 0 : 1]
        withUnsafeBytes(of: (seed ?? 0).littleEndian) { message += $0 }
        try send(message)
        try receive(into: UnsafeMutableRawBufferPointer(observation))
    }

    public func step(_ action: Action, observation: UnsafeMutableBufferPointer<Float>) throws -> StepOutcome {
        message.removeAll(keepingCapacity: true)
        message.append(UInt8(ascii: "s"))
        switch action {
        case .discrete(let index): withUnsafeBytes(of: Int64(index).littleEndian) { message.append(contentsOf: $0) }
        case .continuous(let values): message.append(contentsOf: UnsafeRawBufferPointer(values))
        }
        try send(message)
        try receive(into: answer)
        let observationBytes = 4 * observation.count
        UnsafeMutableRawBufferPointer(observation).copyMemory(
            from: UnsafeRawBufferPointer(rebasing: answer[0..<observationBytes]))
        let reward = Double(
            bitPattern: UInt64(littleEndian: answer.loadUnaligned(fromByteOffset: observationBytes, as: UInt64.self)))
        return StepOutcome(
            reward: reward, terminated: answer[observationBytes + 8] != 0, truncated: answer[observationBytes + 9] != 0)
    }

    public var state: [Double] {
        (try? fetchState()) ?? []
    }

    private func fetchState() throws -> [Double] {
        try send([UInt8(ascii: "g")])
        var length: UInt32 = 0
        try withUnsafeMutableBytes(of: &length) { try receive(into: $0) }
        var data = [UInt8](repeating: 0, count: Int(UInt32(littleEndian: length)))
        try data.withUnsafeMutableBytes { try receive(into: $0) }
        return (try? JSONSerialization.jsonObject(with: Data(data)) as? [Double]) ?? []
    }

    public func setState(_ state: [Double]) throws {
        let data = try JSONSerialization.data(withJSONObject: state)
        var message = [UInt8(ascii: "S")]
        withUnsafeBytes(of: UInt32(data.count).littleEndian) { message += $0 }
        try send(message + data)
        var done: UInt8 = 0
        try withUnsafeMutableBytes(of: &done) { try receive(into: $0) }
    }

    public func observe(into observation: UnsafeMutableBufferPointer<Float>) {
        // Gymnasium environments expose no "observation of the current state"; callers keep the last one.
        observation.update(repeating: .nan)
    }

    public func snapshot() -> EnvironmentSnapshot {
        EnvironmentSnapshot(state: state, random: RandomStream(seed: 0))
    }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        throw EnvironmentError(
            .bridge, "\(id): a Gymnasium environment's random state cannot be restored through the bridge")
    }

    // MARK: Pipe I/O

    private func send(_ bytes: [UInt8]) throws {
        if let failure { throw failure }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(input, $0.baseAddress, $0.count) }
            if written <= 0 { throw fail("the Python process is gone (write failed)") }
            offset += written
        }
    }

    private func receive(into buffer: UnsafeMutableRawBufferPointer) throws {
        if let failure { throw failure }
        var offset = 0
        while offset < buffer.count {
            // Spin up to 200 µs on a non-blocking read before blocking in poll: most answers come sooner, and a
            // blocked reader on another core is woken slowly (see docs/environments.md).
            var count = -1
            let spinUntil = DispatchTime.now().uptimeNanoseconds + 200_000
            repeat {
                count = Foundation.read(output, buffer.baseAddress! + offset, buffer.count - offset)
            } while count < 0 && errno == EAGAIN && DispatchTime.now().uptimeNanoseconds < spinUntil
            if count < 0 && errno == EAGAIN {
                guard try Self.wait(output, timeout: timeout) else {
                    process.terminate()
                    throw fail("no answer within \(timeout) s; the Python process was stopped")
                }
                continue
            }
            if count <= 0 { throw fail("the Python process exited") }
            offset += count
        }
    }

    private func fail(_ reason: String) -> EnvironmentError {
        let error = EnvironmentError(.bridge, "\(id): \(reason).\(Self.stderrTail(errors, process: process))")
        failure = error
        return error
    }

    private static func wait(_ descriptor: Int32, timeout: Double) throws -> Bool {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&poller, 1, Int32(timeout * 1000))
            if ready < 0 && errno == EINTR { continue }
            return ready > 0
        }
    }

    private static func readLine(_ descriptor: Int32, timeout: Double, id: String, process: Process, errors: Pipe)
        throws
        -> String
    {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            guard try wait(descriptor, timeout: timeout) else {
                process.terminate()
                throw EnvironmentError(
                    .bridge, "\(id): the Python process did not start within \(timeout) s; it was stopped")
            }
            guard Foundation.read(descriptor, &byte, 1) == 1 else {
                throw EnvironmentError(
                    .bridge, "\(id): the Python process exited while starting.\(stderrTail(errors, process: process))")
            }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }

    private static func stderrTail(_ errors: Pipe, process: Process) -> String {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let text = String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
        let lines = text.split(separator: "\n").suffix(5)
        return lines.isEmpty ? "" : " Its standard error ended with:\n" + lines.joined(separator: "\n")
    }

    private static func space(_ description: [String: Any], id: String) throws -> Space {
        switch description["kind"] as? String {
        case "box":
            let low = (description["low"] as? [Double] ?? []).map(Float.init)
            let high = (description["high"] as? [Double] ?? []).map(Float.init)
            return .box(low: low, high: high, shape: description["shape"] as? [Int] ?? [low.count])
        case "discrete": return .discrete(description["n"] as? Int ?? 0)
        case "multi_discrete": return .multiDiscrete(description["nvec"] as? [Int] ?? [])
        default: throw EnvironmentError(.bridge, "\(id): unsupported space \(description)")
        }
    }

    private static func defaultPython() -> String {
        if let configured = ProcessInfo.processInfo.environment["LIFELONG_PYTHON"], !configured.isEmpty {
            return configured
        }
        let venv = FileManager.default.currentDirectoryPath + "/.venv/bin/python"
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(directory)/python3") {
            return "\(directory)/python3"
        }
        return "/usr/bin/python3"
    }
}

extension ParameterValue {
    var jsonValue: Any {
        switch self {
        case .number(let value): return value
        case .bool(let value): return value
        case .string(let value): return value
        }
    }
}
