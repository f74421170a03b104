import CHDF5

/// An n-dimensional array of `Element` in a file, seen as rows: the first dimension counts rows, the others
/// (`rowShape`) give each row's shape. Values are exchanged as flat, row-major arrays.
///
/// Appendable datasets (from `createAppendableDataset`) grow by `append`; fixed ones are written whole or a row
/// range at a time. Reads take everything, a row range, or arbitrary row indices (in any order, repeats allowed).
///
/// ```swift
/// let obs = try file.createAppendableDataset("obs", of: Float.self, rowShape: [2])
/// try obs.append(contentsOf: [1, 2, 3, 4, 5, 6])   // three rows
/// try obs.read(rows: 1..<3)                         // [3, 4, 5, 6]
/// try obs.read(rowIndices: [2, 0])                  // [5, 6, 1, 2]
/// ```
public final class Dataset<Element>: HDF5Object, @unchecked Sendable {
    /// The element type as stored in the file.
    public let storedType: ElementType
    /// The shape of one row (all dimensions after the first).
    public let rowShape: [Int]
    /// Values per row: the product of `rowShape`.
    public let valuesPerRow: Int
    /// Whether rows can be appended (the first dimension is unlimited).
    public let isAppendable: Bool
    let memoryType: Datatype
    let memoryElement: ElementType

    init(
        file: File, path: String, handle: Handle, storedType: ElementType, memoryType: ElementType,
        storedTypeID: hid_t
    ) throws {
        self.storedType = storedType
        self.memoryElement = memoryType
        self.memoryType = try Datatype(memoryType, form: .memory, matching: storedTypeID)
        let space = try makeHandle(H5Dget_space(handle.id), .dataspace, "open dataset", file: file.path, object: path)
        let rank = Int(H5Sget_simple_extent_ndims(space.id))
        var dims = [hsize_t](repeating: 0, count: rank)
        var maxDims = [hsize_t](repeating: 0, count: rank)
        H5Sget_simple_extent_dims(space.id, &dims, &maxDims)
        guard rank >= 1 else {
            throw HDF5Error(
                .shapeMismatch, operation: "open dataset", file: file.path, object: path,
                reason: "the dataset is a scalar; the wrapper reads datasets with at least one dimension.")
        }
        rowShape = dims.dropFirst().map { Int($0) }
        valuesPerRow = rowShape.reduce(1, *)
        isAppendable = maxDims[0] == shim_H5S_UNLIMITED()
        super.init(path: path, handle: handle, file: file)
    }

    /// The current number of rows.
    public var rowCount: Int { (try? shape.first) ?? 0 }

    /// The current shape, rows first.
    public var shape: [Int] {
        get throws {
            try HDF5Library.withLibrary {
                let space = try fileSpace("read the shape")
                let rank = Int(H5Sget_simple_extent_ndims(space.id))
                var dims = [hsize_t](repeating: 0, count: rank)
                H5Sget_simple_extent_dims(space.id, &dims, nil)
                return dims.map { Int($0) }
            }
        }
    }

    /// For a file opened with `.readSWMR`: picks up rows the writer has flushed since the last refresh.
    public func refresh() throws {
        try HDF5Library.withLibrary {
            _ = try check(H5Drefresh(handle.id), "refresh dataset", file: file.path, object: objectPath)
        }
    }

    /// Sets the number of rows of an appendable dataset: growing adds fill values, shrinking drops the last rows.
    public func resize(rows: Int) throws {
        try HDF5Library.withLibrary {
            try requireWritable("resize dataset")
            guard isAppendable else {
                throw error(
                    .shapeMismatch, "resize dataset", "the dataset has a fixed shape; only appendable ones resize.")
            }
            guard rows >= 0 else { throw error(.invalidArgument, "resize dataset", "rows must be ≥ 0; got \(rows).") }
            let dims = [hsize_t(rows)] + rowShape.map { hsize_t($0) }
            try check(H5Dset_extent(handle.id, dims), "resize dataset", file: file.path, object: objectPath)
        }
    }

    // MARK: - Raw row I/O shared by the typed front ends

    /// Appends `rows` rows taken from `values` (in memory layout), growing the dataset first.
    func appendRaw(rows: Int, values: UnsafeRawPointer?) throws {
        try HDF5Library.withLibrary {
            try requireWritable("append to dataset")
            guard isAppendable else {
                throw error(
                    .shapeMismatch, "append to dataset",
                    "the dataset has a fixed shape. Create it with createAppendableDataset to append rows.")
            }
            guard rows > 0 else { return }
            let start = try shape[0]
            let dims = [hsize_t(start + rows)] + rowShape.map { hsize_t($0) }
            try check(H5Dset_extent(handle.id, dims), "append to dataset", file: file.path, object: objectPath)
            try transferRows(start..<(start + rows), values: UnsafeMutableRawPointer(mutating: values), write: true)
        }
    }

    /// Writes or reads the contiguous row range `rows` from or into `values`.
    func transferRows(_ rows: Range<Int>, values: UnsafeMutableRawPointer?, write: Bool) throws {
        let operation = write ? "write to dataset" : "read from dataset"
        try HDF5Library.withLibrary {
            if write { try requireWritable(operation) }
            let space = try fileSpace(operation)
            let total = try shape[0]
            guard rows.lowerBound >= 0, rows.upperBound <= total else {
                throw error(.outOfRange, operation, "rows \(rows) requested; the dataset has \(total) rows.")
            }
            guard !rows.isEmpty else { return }
            let start = [hsize_t(rows.lowerBound)] + rowShape.map { _ in hsize_t(0) }
            let count = [hsize_t(rows.count)] + rowShape.map { hsize_t($0) }
            try check(
                H5Sselect_hyperslab(space.id, H5S_SELECT_SET, start, nil, count, nil), operation,
                file: file.path, object: objectPath)
            let memory = try memorySpace(values: rows.count * valuesPerRow, operation)
            if write {
                try check(
                    H5Dwrite(handle.id, memoryType.id, memory.id, space.id, shim_H5P_DEFAULT(), values), operation,
                    file: file.path, object: objectPath)
            } else {
                try check(
                    H5Dread(handle.id, memoryType.id, memory.id, space.id, shim_H5P_DEFAULT(), values), operation,
                    file: file.path, object: objectPath)
            }
        }
    }

    /// Reads the rows `sortedUnique` (ascending, no repeats) into `values`, in that order.
    func readRawRows(sortedUnique: [Int], into values: UnsafeMutableRawPointer?) throws {
        let operation = "read rows from dataset"
        try HDF5Library.withLibrary {
            guard let first = sortedUnique.first, let last = sortedUnique.last else { return }
            let total = try shape[0]
            guard first >= 0, last < total else {
                let bad = first < 0 ? first : last
                throw error(.outOfRange, operation, "row \(bad) requested; the dataset has \(total) rows.")
            }
            let space = try fileSpace(operation)
            if rowShape.isEmpty {
                let points = sortedUnique.map { hsize_t($0) }
                try check(
                    H5Sselect_elements(space.id, H5S_SELECT_SET, points.count, points), operation, file: file.path,
                    object: objectPath)
            } else {
                // One hyperslab per run of consecutive rows, joined: few calls for clustered indices.
                var selection = H5S_SELECT_SET
                var runStart = first
                var previous = first
                for row in sortedUnique.dropFirst() + [Int.max] {
                    if row == previous + 1 {
                        previous = row
                        continue
                    }
                    let start = [hsize_t(runStart)] + rowShape.map { _ in hsize_t(0) }
                    let count = [hsize_t(previous - runStart + 1)] + rowShape.map { hsize_t($0) }
                    try check(
                        H5Sselect_hyperslab(space.id, selection, start, nil, count, nil), operation, file: file.path,
                        object: objectPath)
                    selection = H5S_SELECT_OR
                    runStart = row
                    previous = row
                }
            }
            let memory = try memorySpace(values: sortedUnique.count * valuesPerRow, operation)
            try check(
                H5Dread(handle.id, memoryType.id, memory.id, space.id, shim_H5P_DEFAULT(), values), operation,
                file: file.path, object: objectPath)
        }
    }

    /// Splits requested row indices into the ascending unique rows to read and, for each request, its position
    /// among them.
    static func plan(_ indices: [Int]) -> (unique: [Int], positions: [Int]) {
        let unique = Array(Set(indices)).sorted()
        if unique == indices { return (unique, Array(indices.indices)) }
        var position: [Int: Int] = [:]
        position.reserveCapacity(unique.count)
        for (offset, row) in unique.enumerated() { position[row] = offset }
        return (unique, indices.map { position[$0]! })
    }

    func fileSpace(_ operation: String) throws -> Handle {
        try makeHandle(H5Dget_space(handle.id), .dataspace, operation, file: file.path, object: objectPath)
    }

    func memorySpace(values: Int, _ operation: String) throws -> Handle {
        var dims = [hsize_t(values)]
        return try makeHandle(
            H5Screate_simple(1, &dims, nil), .dataspace, operation, file: file.path, object: objectPath)
    }

    func requireWritable(_ operation: String) throws {
        guard file.mode == .readWrite else {
            throw error(.notWritable, operation, "the file is open read-only. Open it with mode .readWrite.")
        }
    }

    func requireWholeRows(_ count: Int, _ operation: String) throws -> Int {
        guard valuesPerRow > 0, count % valuesPerRow == 0 else {
            throw error(
                .shapeMismatch, operation,
                "\(count) values do not make whole rows of shape \(rowShape) (\(valuesPerRow) values each).")
        }
        return count / valuesPerRow
    }

    func error(_ kind: HDF5Error.Kind, _ operation: String, _ reason: String) -> HDF5Error {
        HDF5Error(kind, operation: operation, file: file.path, object: objectPath, reason: reason)
    }
}
