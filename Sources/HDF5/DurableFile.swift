public import Foundation

/// Whole-file writes that a kill or power loss cannot leave half-done: write a temporary file beside the
/// target, fsync it, rename it over the target, fsync the directory. Readers see the old file or the new one.
///
/// ```swift
/// try DurableFile.replace("runs/a/run.json", with: Data(#"{"status":"running"}"#.utf8))
/// ```
public enum DurableFile {
    /// Atomically replaces (or creates) the file at `path` with `contents`.
    public static func replace(_ path: String, with contents: Data) throws {
        let temporary = temporaryPath(for: path)
        do {
            guard FileManager.default.createFile(atPath: temporary, contents: contents) else {
                throw ioError("write", temporary, "cannot create the file (\(String(cString: strerror(errno)))).")
            }
            try fsyncPath(temporary)
            try rename(temporary, to: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Renames `source` over `destination` and fsyncs the directory so the rename itself is durable.
    public static func rename(_ source: String, to destination: String) throws {
        if Foundation.rename(source, destination) != 0 {
            throw ioError("rename '\(source)' to", destination, String(cString: strerror(errno)) + ".")
        }
        try fsyncPath(directory(of: destination))
    }

    /// A temporary name beside `path`, unique to this process.
    static func temporaryPath(for path: String) -> String {
        path + ".partial-\(getpid())"
    }

    static func directory(of path: String) -> String {
        let parent = (path as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    static func fsyncPath(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw ioError("open", path, String(cString: strerror(errno)) + ".") }
        defer { close(descriptor) }
        if fsync(descriptor) != 0 { throw ioError("fsync", path, String(cString: strerror(errno)) + ".") }
    }

    private static func ioError(_ operation: String, _ path: String, _ reason: String) -> HDF5Error {
        HDF5Error(.io, operation: operation, file: path, reason: reason)
    }
}
