import CHDF5
import Foundation

/// An open HDF5 file; also its root group, so groups, datasets and attributes are created on it directly.
///
/// The file closes when the last reference to it (and to every group and dataset opened from it) goes away,
/// or explicitly with `close()`.
///
/// ```swift
/// let file = try File.create("run/log.h5")
/// let rewards = try file.createAppendableDataset("steps/reward", of: Float.self)
/// try rewards.append(contentsOf: [1, 1, 0])
/// try file.sync()                          // on disk, even after a power loss
///
/// let reader = try File.open("run/log.h5")  // read-only
/// print(try reader.openDataset("steps/reward", as: Float.self).readAll())
/// ```
///
/// Durability: `flush()` hands HDF5's caches to the operating system; `sync()` also fsyncs the file, which is
/// what survives a power loss. For data that must survive a kill at any moment, append rows, then `commit()`
/// (see `File+Commit.swift` and docs/hdf5.md).
public final class File: HDF5Object, @unchecked Sendable {
    /// How a file is opened.
    public enum Mode: Sendable {
        case readOnly
        case readWrite
        /// Read while one writer appends in SWMR mode; call `Dataset.refresh()` to see new rows.
        case readSWMR
    }

    /// Which HDF5 file-format features a new file may use.
    public enum FormatVersion: Sendable {
        /// The newest format libhdf5 1.10 writes: needed for SWMR and for the faster chunk indexes of appendable
        /// datasets; readable by HDF5 ≥ 1.10 (h5py wheels ship 2.x).
        case latest
        /// The oldest compatible format, for readers stuck on HDF5 1.8. No SWMR.
        case earliest
    }

    /// The path the file was opened at.
    public let path: String
    public let mode: Mode
    /// True once `startSWMRWrite()` succeeded: from then on no new objects or attributes may be created.
    public private(set) var isSWMRWriting = false
    /// Handles the commit protocol reuses (File+Commit.swift).
    var commitState: CommitTracker?

    init(path: String, mode: Mode, handle: Handle) {
        self.path = path
        self.mode = mode
        super.init(path: "/", handle: handle, file: nil)
    }

    /// Creates a new file.
    ///
    /// - Parameters:
    ///   - overwrite: replace an existing file; without it an existing file is an `.alreadyExists` error.
    ///   - format: `.latest` (default) or `.earliest`.
    public static func create(_ path: String, overwrite: Bool = false, format: FormatVersion = .latest) throws -> File {
        try HDF5Library.withLibrary {
            if !overwrite && FileManager.default.fileExists(atPath: path) {
                throw HDF5Error(
                    .alreadyExists, operation: "create file", file: path,
                    reason: "the file already exists. Pass overwrite: true to replace it, or choose another path.")
            }
            let access = try fileAccessList(format: format, path: path, operation: "create file")
            let flags = overwrite ? shim_H5F_ACC_TRUNC() : shim_H5F_ACC_EXCL()
            let id = H5Fcreate(path, flags, shim_H5P_DEFAULT(), access.id)
            let handle = try makeHandle(id, .file, "create file", file: path)
            FileDescriptor.closeOnExec(id)
            return File(path: path, mode: .readWrite, handle: handle)
        }
    }

    /// Opens an existing file.
    ///
    /// A missing file, a file that is not HDF5, a truncated file, or a file still marked open by a writer that
    /// was killed each give an `HDF5Error` with its `kind` and the fix; the last case is repaired by
    /// `File.recover(_:)`.
    public static func open(_ path: String, mode: Mode = .readOnly) throws -> File {
        try HDF5Library.withLibrary {
            try requireExists(path, operation: "open file")
            let access = try fileAccessList(format: .latest, path: path, operation: "open file")
            let flags: UInt32
            switch mode {
            case .readOnly: flags = shim_H5F_ACC_RDONLY()
            case .readWrite: flags = shim_H5F_ACC_RDWR()
            case .readSWMR: flags = shim_H5F_ACC_RDONLY() | shim_H5F_ACC_SWMR_READ()
            }
            let id = H5Fopen(path, flags, access.id)
            let handle = try makeHandle(id, .file, "open file", file: path)
            FileDescriptor.closeOnExec(id)
            return File(path: path, mode: mode, handle: handle)
        }
    }

    /// Creates a file under a temporary name, lets `setUp` create its groups, datasets and attributes, makes it
    /// durable, and only then renames it into place: a kill at any moment leaves either no file at `path` or a
    /// complete one. Returns the file reopened read-write at `path`.
    public static func createAtomically(
        _ path: String, overwrite: Bool = false, format: FormatVersion = .latest, setUp: (File) throws -> Void
    ) throws -> File {
        try writeAtomically(path, overwrite: overwrite, format: format, setUp: setUp)
        return try File.open(path, mode: .readWrite)
    }

    /// `createAtomically` without reopening the file: once it returns, the complete file is in place and closed.
    /// For files written whole and read later — a file reopened read-write is marked open until it is closed, so a
    /// kill in between would leave it needing recovery.
    public static func writeAtomically(
        _ path: String, overwrite: Bool = false, format: FormatVersion = .latest, setUp: (File) throws -> Void
    ) throws {
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            throw HDF5Error(
                .alreadyExists, operation: "create file", file: path,
                reason: "the file already exists. Pass overwrite: true to replace it, or choose another path.")
        }
        let temporary = DurableFile.temporaryPath(for: path)
        do {
            let file = try File.create(temporary, overwrite: true, format: format)
            try setUp(file)
            try file.sync()
            try file.close()
            try DurableFile.rename(temporary, to: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Hands every cached change to the operating system (HDF5's `H5Fflush`). A killed process loses nothing
    /// flushed; a power loss can, until `sync()`.
    public func flush() throws {
        try HDF5Library.withLibrary {
            _ = try check(H5Fflush(handle.id, H5F_SCOPE_GLOBAL), "flush file", file: path)
        }
    }

    /// Flushes, then fsyncs the file descriptor so the data is on the disk (`H5Fflush` alone never fsyncs).
    public func sync() throws {
        try HDF5Library.withLibrary {
            try flush()
            guard let descriptor = FileDescriptor.of(handle.id) else {
                throw HDF5Error.fromStack(operation: "sync file", file: path)
            }
            if fsync(descriptor) != 0 {
                throw HDF5Error(
                    .io, operation: "sync file", file: path,
                    reason: "fsync failed: \(String(cString: strerror(errno))).")
            }
        }
    }

    /// Switches a file opened for writing into single-writer/multiple-reader mode, so h5py and other processes
    /// can read it (`h5py.File(path, "r", libver="latest", swmr=True)`) while this process appends.
    ///
    /// Create every group, dataset and attribute first: afterwards only appends, overwrites and extents may
    /// change (libhdf5 1.10 silently corrupts files otherwise, so the wrapper refuses).
    public func startSWMRWrite() throws {
        try HDF5Library.withLibrary {
            guard mode == .readWrite else {
                throw HDF5Error(
                    .notWritable, operation: "start SWMR writing", file: path,
                    reason: "the file is open read-only. Open it with mode .readWrite.")
            }
            try check(H5Fstart_swmr_write(handle.id), "start SWMR writing", file: path)
            isSWMRWriting = true
        }
    }

    /// Closes the file now. Groups and datasets still open from it keep the underlying file open until they
    /// are released too.
    public func close() throws {
        commitState = nil
        try handle.close()
    }

    /// The file-access property list: latest format bounds (for `.latest`) and the sec2 driver, whose file
    /// descriptor `sync()` needs.
    static func fileAccessList(format: FormatVersion, path: String, operation: String) throws -> Handle {
        let list = try makeHandle(H5Pcreate(shim_H5P_FILE_ACCESS()), .propertyList, operation, file: path)
        try check(H5Pset_fapl_sec2(list.id), operation, file: path)
        if format == .latest {
            try check(
                H5Pset_libver_bounds(list.id, shim_H5F_LIBVER_LATEST(), shim_H5F_LIBVER_LATEST()), operation,
                file: path)
        }
        return list
    }

    static func requireExists(_ path: String, operation: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw HDF5Error(.fileNotFound, operation: operation, file: path, reason: "no such file. Check the path.")
        }
        if isDirectory.boolValue {
            throw HDF5Error(
                .notHDF5, operation: operation, file: path, reason: "this is a directory, not an HDF5 file.")
        }
    }
}

extension File {
    /// How many HDF5 objects of this file are open in this process, this `File` included.
    public var openObjectCount: Int {
        HDF5Library.withLibrary { Int(H5Fget_obj_count(handle.id, shim_H5F_OBJ_ALL())) }
    }
}
