import CHDF5

/// The last durable state of an append-only file: the generation of the commit and how many rows each tracked
/// dataset held when it was made.
public struct CommitRecord: Equatable, Sendable {
    /// 0 for the commit that `trackCommits(of:)` writes, then 1, 2, 3, …
    public var generation: Int64
    /// Committed row count per tracked dataset path.
    public var rows: [String: Int]

    public init(generation: Int64, rows: [String: Int]) {
        self.generation = generation
        self.rows = rows
    }
}

/// The durability protocol for files that must survive `kill -9` at any moment (docs/hdf5.md):
///
/// 1. Create every dataset, then `trackCommits(of:)` the appendable ones (and, optionally, `startSWMRWrite()`).
/// 2. Only append to tracked datasets; never overwrite rows that were committed.
/// 3. `commit()` now and then: it flushes the appended rows, then writes the commit record `/commit` (the
///    generation and the row count of each tracked dataset), flushes again and fsyncs. The record is written
///    only after the rows it counts, so whatever survives a kill, the record never counts a row that is not
///    on disk.
/// 4. After a crash, `File.recover(path)` clears the "open for writing" flags the dead writer left, cuts every
///    tracked dataset back to its committed row count, and opens the file for writing again.
///
/// ```swift
/// let file = try File.createAtomically("replay/task_0000.h5") { file in
///     _ = try file.createAppendableDataset("reward", of: Float.self)
///     try file.trackCommits(of: ["reward"])
/// }
/// let reward = try file.openDataset("reward", as: Float.self)
/// try reward.append(contentsOf: rewards)
/// try file.commit()
/// // … after a crash:
/// let recovered = try File.recover("replay/task_0000.h5")
/// print(try recovered.lastCommit()?.rows["/reward"] ?? 0)
/// ```
extension File {
    /// Where the commit record lives.
    public static let commitRecordPath = "/commit"

    /// Starts the commit protocol for the datasets at `paths` and writes commit generation 0.
    public func trackCommits(of paths: [String]) throws {
        try HDF5Library.withLibrary {
            let absolute = paths.map { absolutePath($0) }
            for path in absolute where !isDataset(path) {
                throw HDF5Error(
                    .objectNotFound, operation: "track commits", file: self.path, object: path,
                    reason: "no dataset at this path. Create the datasets before tracking them.")
            }
            let record = try createDataset(Self.commitRecordPath, of: Int64.self, shape: [1 + absolute.count])
            try record.setAttribute("datasets", absolute)
            try record.setAttribute(
                "layout", "int64 [1 + n]: commit generation, then the committed row count of each path in 'datasets'")
            try record.write([Int64](repeating: 0, count: 1 + absolute.count))
            try sync()
        }
    }

    /// Durably commits every row appended so far to the tracked datasets; returns the new record.
    @discardableResult
    public func commit() throws -> CommitRecord {
        try HDF5Library.withLibrary {
            let tracker = try commitTracker()
            try flush()
            var values = [tracker.generation + 1]
            for (dataset, datasetPath) in zip(tracker.datasets, tracker.paths) {
                values.append(Int64(try Self.rowCount(of: dataset, file: path, object: datasetPath)))
            }
            try check(
                H5Dwrite(
                    tracker.record.id, shim_H5T_NATIVE_INT64(), shim_H5S_ALL(), shim_H5S_ALL(), shim_H5P_DEFAULT(),
                    values), "write the commit record", file: path, object: Self.commitRecordPath)
            try sync()
            tracker.generation += 1
            return CommitRecord(
                generation: tracker.generation,
                rows: Dictionary(uniqueKeysWithValues: zip(tracker.paths, values.dropFirst().map { Int($0) })))
        }
    }

    /// The commit record as stored, or `nil` when the file does not use the commit protocol. In a file opened
    /// with `.readSWMR` it re-reads the record each time, so a live reader follows the writer's commits.
    public func lastCommit() throws -> CommitRecord? {
        try HDF5Library.withLibrary {
            guard isDataset(Self.commitRecordPath) else { return nil }
            let record = try openDataset(Self.commitRecordPath, as: Int64.self)
            if mode == .readSWMR { try record.refresh() }
            let paths = try record.attribute("datasets", as: [String].self)
            let values = try record.readAll()
            guard values.count == paths.count + 1, let generation = values.first else {
                throw HDF5Error(
                    .corrupt, operation: "read the commit record", file: path, object: Self.commitRecordPath,
                    reason: "it holds \(values.count) values for \(paths.count) datasets; expected \(paths.count + 1).")
            }
            return CommitRecord(
                generation: generation,
                rows: Dictionary(uniqueKeysWithValues: zip(paths, values.dropFirst().map { Int($0) })))
        }
    }

    /// Reopens a file whose writer died: clears the superblock flags the writer left (as `h5clear -s` does),
    /// truncates every tracked dataset to its last committed row count, syncs, and returns the file open for
    /// writing with the commit protocol ready to continue.
    ///
    /// Call it only when no process is writing the file: a live SWMR writer does not hold the file lock.
    public static func recover(_ path: String) throws -> File {
        try HDF5Library.withLibrary {
            try requireExists(path, operation: "recover file")
            let access = try fileAccessList(format: .latest, path: path, operation: "recover file")
            if shim_set_clear_status_flags(access.id) < 0 {
                throw HDF5Error.fromStack(operation: "recover file", file: path)
            }
            let id = H5Fopen(path, shim_H5F_ACC_RDWR(), access.id)
            let cleared = File(
                path: path, mode: .readWrite, handle: try makeHandle(id, .file, "recover file", file: path))
            FileDescriptor.closeOnExec(id)
            // A writer killed mid-flush can leave metadata on disk past the end of allocation its superblock
            // records; cutting the datasets back would then fail reading it ("addr overflow"). Moving the end of
            // allocation to the end of the file is h5clear's repair for this (`h5clear --increment=0`).
            try check(H5Fincrement_filesize(id, 0), "recover file", file: path)
            if let record = try cleared.lastCommit() {
                for (datasetPath, committed) in record.rows {
                    let dataset = try cleared.openUntypedDataset(datasetPath)
                    let present = try dataset.shape[0]
                    if present < committed {
                        throw HDF5Error(
                            .corrupt, operation: "recover file", file: path, object: datasetPath,
                            reason: "the dataset has \(present) rows but its last commit counted \(committed): "
                                + "committed data was lost (the storage did not keep what was fsynced).")
                    }
                    if present > committed { try dataset.resize(rows: committed) }
                }
            }
            try cleared.sync()
            try cleared.close()
            return try File.open(path, mode: .readWrite)
        }
    }

    private func commitTracker() throws -> CommitTracker {
        if let tracker = commitState { return tracker }
        guard let record = try lastCommit() else {
            throw HDF5Error(
                .invalidArgument, operation: "commit", file: path,
                reason: "the file has no commit record. Call trackCommits(of:) after creating its datasets.")
        }
        let stored = try openDataset(Self.commitRecordPath, as: Int64.self)
        let order = try stored.attribute("datasets", as: [String].self)
        let tracker = CommitTracker(
            record: stored.handle, paths: order, datasets: try order.map { try openUntypedDataset($0).handle },
            generation: record.generation)
        commitState = tracker
        return tracker
    }

    private static func rowCount(of dataset: Handle, file: String, object: String) throws -> Int {
        let space = try makeHandle(H5Dget_space(dataset.id), .dataspace, "commit", file: file, object: object)
        var dims = [hsize_t](repeating: 0, count: Int(H5Sget_simple_extent_ndims(space.id)))
        try check(H5Sget_simple_extent_dims(space.id, &dims, nil), "commit", file: file, object: object)
        return Int(dims[0])
    }
}

/// The open dataset handles the commit protocol reuses between commits. It holds bare handles, not `Dataset`
/// objects, because those keep their `File` alive and the file keeps this tracker.
final class CommitTracker {
    let record: Handle
    let paths: [String]
    let datasets: [Handle]
    var generation: Int64

    init(record: Handle, paths: [String], datasets: [Handle], generation: Int64) {
        self.record = record
        self.paths = paths
        self.datasets = datasets
        self.generation = generation
    }
}
