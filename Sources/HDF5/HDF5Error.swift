import CHDF5

/// An error from the HDF5 layer: what was being done, to which file and object, why it failed, what to do
/// about it, and the HDF5 error stack (innermost call last) as libhdf5 reported it.
///
/// ```swift
/// do {
///     _ = try File.open("missing.h5")
/// } catch let error as HDF5Error where error.kind == .fileNotFound {
///     print(error)  // cannot open file 'missing.h5': no such file. Check the path.
/// }
/// ```
public struct HDF5Error: Error, CustomStringConvertible, Sendable {
    /// The broad reason, for callers that react differently to different failures.
    public enum Kind: String, Sendable {
        case fileNotFound
        case notHDF5
        /// The file is shorter than its superblock says, or a checksum failed: damaged, or still being written.
        case corrupt
        /// Another process has the file open for writing, or a writer died and left its flags set.
        case fileInUse
        case objectNotFound
        case alreadyExists
        /// The stored element type or field names differ from what the caller asked for.
        case typeMismatch
        case shapeMismatch
        case outOfRange
        /// The file was opened read-only, or writes are forbidden in its current mode (e.g. new objects under SWMR).
        case notWritable
        case invalidArgument
        case io
        case library
    }

    /// One frame of the HDF5 error stack.
    public struct Frame: Sendable, CustomStringConvertible {
        public var function: String
        public var major: String
        public var minor: String
        public var detail: String
        public var description: String { "\(function)(): \(detail) [\(major) / \(minor)]" }
    }

    public var kind: Kind
    /// What was being done, e.g. `"open file"` or `"append to dataset"`.
    public var operation: String
    /// The file on disk, when known.
    public var file: String?
    /// The object path inside the file, when known.
    public var object: String?
    /// Why it failed, in words, with the fix where there is one.
    public var reason: String
    /// The HDF5 error stack, outermost call first; empty when the wrapper itself detected the problem.
    public var stack: [Frame]

    public init(
        _ kind: Kind, operation: String, file: String? = nil, object: String? = nil, reason: String,
        stack: [Frame] = []
    ) {
        self.kind = kind
        self.operation = operation
        self.file = file
        self.object = object
        self.reason = reason
        self.stack = stack
    }

    public var description: String {
        var place = ""
        if let file { place += " '\(file)'" }
        if let object { place += (file == nil ? " '" : ", object '") + object + "'" }
        var text = "cannot \(operation)\(place): \(reason)"
        if !stack.isEmpty {
            text += "\nHDF5 error stack:\n" + stack.map { "  \($0)" }.joined(separator: "\n")
        }
        return text
    }
}

extension HDF5Error {
    /// Builds an error from the calling thread's HDF5 error stack, then clears that stack.
    /// Call it right after a C call returned a failure value, under `HDF5Library.withLibrary`.
    static func fromStack(operation: String, file: String? = nil, object: String? = nil) -> HDF5Error {
        let frames = currentStack()
        H5Eclear2(shim_H5E_DEFAULT())
        let (kind, reason) = classify(frames)
        return HDF5Error(kind, operation: operation, file: file, object: object, reason: reason, stack: frames)
    }

    private static func currentStack() -> [Frame] {
        let collector = StackCollector()
        H5Ewalk2(shim_H5E_DEFAULT(), H5E_WALK_DOWNWARD, collectFrame, Unmanaged.passUnretained(collector).toOpaque())
        return collector.frames
    }

    fileprivate static func message(_ id: hid_t) -> String {
        var kind = H5E_MAJOR
        var buffer = [CChar](repeating: 0, count: 256)
        let length = H5Eget_msg(id, &kind, &buffer, buffer.count)
        guard length > 0 else { return "?" }
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Maps the stack's minor messages and details to a kind and a sentence with the fix.
    private static func classify(_ frames: [Frame]) -> (Kind, String) {
        let texts = frames.flatMap { [$0.minor.lowercased(), $0.detail.lowercased()] }
        func mentions(_ needle: String) -> Bool { texts.contains { $0.contains(needle) } }
        if mentions("file signature not found") {
            return (.notHDF5, "not an HDF5 file (no HDF5 signature). Check that the path names an HDF5 file.")
        }
        if mentions("truncated file") {
            return (
                .corrupt,
                "the file is truncated (shorter than its superblock says): it was cut short while being written "
                    + "or copied. Restore it from the writer's last committed copy."
            )
        }
        if mentions("already open for write") || mentions("unable to lock file") || mentions("file is already open") {
            return (
                .fileInUse,
                "the file is open for writing in another process, or a writer was killed and left it marked open. "
                    + "If no writer is running, open it with recovery (`File.recover(path)`); "
                    + "to read while a writer runs, open it with mode .readSWMR."
            )
        }
        if mentions("not already open for swmr writing") {
            return (
                .fileInUse,
                "the file is marked open by a writer that is not in SWMR mode (or was killed before it switched), "
                    + "so a SWMR reader cannot follow it. If no writer is running, open it with recovery "
                    + "(`File.recover(path)`); otherwise wait until the writer has called startSWMRWrite()."
            )
        }
        if mentions("checksum") {
            return (.corrupt, "a metadata checksum failed: the file is damaged.")
        }
        if mentions("object not found") || mentions("doesn't exist") || mentions("does not exist") {
            return (.objectNotFound, "no such object.")
        }
        if mentions("already exists") {
            return (.alreadyExists, "an object of that name already exists.")
        }
        if mentions("no space") || mentions("write failed") || mentions("file write failed") || mentions("read failed")
        {
            return (.io, "an I/O call failed: " + (frames.last?.detail ?? "see the HDF5 stack") + ".")
        }
        let innermost = frames.last.map { "\($0.detail) (\($0.minor))" } ?? "HDF5 reported no details"
        return (.library, innermost + ".")
    }
}

/// Checks an HDF5 return value: a negative value means failure and the thread's error stack explains it.
@discardableResult
func check<T: BinaryInteger>(
    _ value: T, _ operation: @autoclosure () -> String, file: String? = nil, object: String? = nil
) throws -> T {
    if value < 0 {
        throw HDF5Error.fromStack(operation: operation(), file: file, object: object)
    }
    return value
}

/// Receives the frames of an HDF5 error-stack walk.
private final class StackCollector {
    var frames: [HDF5Error.Frame] = []
}

/// The `H5Ewalk2` callback: appends one frame to the `StackCollector` passed as client data.
private func collectFrame(
    _: UInt32, _ entry: UnsafePointer<H5E_error2_t>?, _ context: UnsafeMutableRawPointer?
) -> herr_t {
    guard let entry, let context else { return 0 }
    let collector = Unmanaged<StackCollector>.fromOpaque(context).takeUnretainedValue()
    let error = entry.pointee
    collector.frames.append(
        HDF5Error.Frame(
            function: error.func_name.map { String(cString: $0) } ?? "?",
            major: HDF5Error.message(error.maj_num),
            minor: HDF5Error.message(error.min_num),
            detail: error.desc.map { String(cString: $0) } ?? ""
        ))
    return 0
}
