import CHDF5

extension Container {
    /// Creates a dataset of fixed `shape` (first dimension = rows).
    ///
    /// ```swift
    /// let matrix = try file.createDataset("eval/after_block", of: Double.self, shape: [3, 3])
    /// try matrix.write([Double](repeating: .nan, count: 9))
    /// ```
    public func createDataset<Element: HDF5Element>(
        _ path: String, of _: Element.Type, shape: [Int], options: DatasetOptions = .init()
    ) throws -> Dataset<Element> {
        try makeDataset(path, type: Element.elementType, shape: shape, appendable: false, options: options)
    }

    /// Creates an empty dataset that grows by appending rows of `rowShape` (e.g. `[4]` for CartPole
    /// observations, `[]` for a scalar per row). Always chunked.
    ///
    /// ```swift
    /// let observations = try file.createAppendableDataset("steps/observation", of: Float.self, rowShape: [4])
    /// try observations.append(contentsOf: [0.01, 0.0, -0.02, 0.0])  // one row
    /// ```
    public func createAppendableDataset<Element: HDF5Element>(
        _ path: String, of _: Element.Type, rowShape: [Int] = [], options: DatasetOptions = .init()
    ) throws -> Dataset<Element> {
        try makeDataset(path, type: Element.elementType, shape: [0] + rowShape, appendable: true, options: options)
    }

    /// Creates a string dataset of fixed `shape`.
    public func createDataset(
        _ path: String, of _: String.Type, shape: [Int], storage: StringStorage = .variableLength,
        options: DatasetOptions = .init()
    ) throws -> Dataset<String> {
        try makeDataset(path, type: storage.elementType, shape: shape, appendable: false, options: options)
    }

    /// Creates an empty, appendable string dataset.
    public func createAppendableDataset(
        _ path: String, of _: String.Type, rowShape: [Int] = [], storage: StringStorage = .variableLength,
        options: DatasetOptions = .init()
    ) throws -> Dataset<String> {
        try makeDataset(path, type: storage.elementType, shape: [0] + rowShape, appendable: true, options: options)
    }

    /// Opens a dataset for reading (and, in a writable file, writing) as `Element`.
    ///
    /// The stored type must be of the same kind (integer widths convert to each other, float widths too; a
    /// compound must hold every field of the row type under the same name), else `.typeMismatch` names both.
    public func openDataset<Element: HDF5Element>(_ path: String, as _: Element.Type) throws -> Dataset<Element> {
        try openDataset(path, memoryType: Element.elementType, swiftName: "\(Element.self)")
    }

    /// Opens a string dataset (fixed- or variable-length storage).
    public func openDataset(_ path: String, as _: String.Type) throws -> Dataset<String> {
        try openDataset(path, memoryType: nil, swiftName: "String")
    }

    /// Opens a dataset whatever it stores, for shape and extent work (commit tracking, recovery).
    func openUntypedDataset(_ path: String) throws -> Dataset<UntypedElement> {
        try openDataset(path, memoryType: nil, swiftName: "")
    }

    private func openDataset<Element>(
        _ path: String, memoryType wanted: ElementType?, swiftName: String
    ) throws -> Dataset<Element> {
        let full = absolutePath(path)
        return try HDF5Library.withLibrary {
            try requireLink(path, kind: "dataset", operation: "open dataset")
            let id = H5Dopen2(handle.id, path, shim_H5P_DEFAULT())
            let datasetHandle = try makeHandle(id, .dataset, "open dataset", file: file.path, object: full)
            let storedID = try check(H5Dget_type(datasetHandle.id), "open dataset", file: file.path, object: full)
            let storedTypeHandle = Handle(storedID, .datatype)
            let stored = try Datatype.describe(storedTypeHandle.id)
            let memory: ElementType
            if let wanted {
                memory = wanted
            } else if Element.self == UntypedElement.self {
                memory = stored
            } else {
                guard stored == .variableString || { if case .fixedString = stored { true } else { false } }() else {
                    throw HDF5Error(
                        .typeMismatch, operation: "open dataset", file: file.path, object: full,
                        reason: "the dataset stores \(stored), not strings. \(stored.readingHint)")
                }
                memory = stored
            }
            guard stored.canBeRead(as: memory) else {
                throw HDF5Error(
                    .typeMismatch, operation: "open dataset", file: file.path, object: full,
                    reason: "the dataset stores \(stored), which cannot be read as \(swiftName) (\(memory)). "
                        + stored.readingHint)
            }
            return try Dataset(
                file: file, path: full, handle: datasetHandle, storedType: stored, memoryType: memory,
                storedTypeID: storedTypeHandle.id)
        }
    }

    private func makeDataset<Element>(
        _ path: String, type: ElementType, shape: [Int], appendable: Bool, options: DatasetOptions
    ) throws -> Dataset<Element> {
        let full = absolutePath(path)
        let fail = { (reason: String) in
            HDF5Error(.invalidArgument, operation: "create dataset", file: self.file.path, object: full, reason: reason)
        }
        guard !shape.isEmpty else { throw fail("a dataset needs at least one dimension (rows); got shape [].") }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("negative dimension in shape \(shape).") }
        if case .deflate(let level) = options.compression, !(1...9).contains(level) {
            throw fail("deflate level \(level) is outside 1...9.")
        }
        if let rows = options.chunkRows, rows < 1 { throw fail("chunkRows must be at least 1; got \(rows).") }
        return try HDF5Library.withLibrary {
            try requireStructureWritable("create dataset", object: full)
            let rowShape = Array(shape.dropFirst())
            let rowBytes = rowShape.reduce(type.size, *)
            let dims = shape.map { hsize_t($0) }
            let maxDims = appendable ? [shim_H5S_UNLIMITED()] + dims.dropFirst() : dims
            let space = try makeHandle(
                H5Screate_simple(Int32(dims.count), dims, maxDims), .dataspace, "create dataset", file: file.path,
                object: full)
            let creation = try makeHandle(
                H5Pcreate(shim_H5P_DATASET_CREATE()), .propertyList, "create dataset", file: file.path, object: full)
            let chunked = appendable || options.chunkRows != nil || options.compression != .none || options.checksum
            if chunked {
                let chunkRows = options.chunkRows(rowBytes: rowBytes)
                let chunk =
                    [hsize_t(appendable ? chunkRows : max(1, min(chunkRows, shape[0])))]
                    + rowShape.map { hsize_t(max(1, $0)) }
                try check(H5Pset_chunk(creation.id, Int32(chunk.count), chunk), "set chunking", object: full)
                if options.checksum {
                    try check(H5Pset_fletcher32(creation.id), "set checksum", object: full)
                }
                if case .deflate(let level) = options.compression {
                    try check(H5Pset_shuffle(creation.id), "set shuffle", object: full)
                    try check(H5Pset_deflate(creation.id, UInt32(level)), "set deflate", object: full)
                }
            }
            let fileType = try Datatype(type, form: .file)
            let links = try Self.intermediateGroupLinks(file: file.path, object: full)
            let id = H5Dcreate2(handle.id, path, fileType.id, space.id, links.id, creation.id, shim_H5P_DEFAULT())
            let datasetHandle = try makeHandle(id, .dataset, "create dataset", file: file.path, object: full)
            return try Dataset(
                file: file, path: full, handle: datasetHandle, storedType: try Datatype.describe(fileType.id),
                memoryType: type, storedTypeID: fileType.id)
        }
    }
}

/// The element of a dataset opened only for its shape and extent.
enum UntypedElement {}

extension StringStorage {
    var elementType: ElementType {
        switch self {
        case .variableLength: return .variableString
        case .fixedLength(let bytes): return .fixedString(bytes: bytes)
        }
    }
}

extension ElementType {
    /// Which Swift types read this stored type.
    var readingHint: String {
        switch self {
        case .signedInteger, .unsignedInteger: return "Open it as an integer type (Int8 … Int64, UInt8 … UInt64)."
        case .float: return "Open it as Float or Double."
        case .bool: return "Open it as Bool."
        case .fixedString, .variableString: return "Open it as String (or FixedString<n> for fixed-length)."
        case .compound(_, let fields):
            return "Open it as a CompoundRow whose fields are a subset of: "
                + fields.map(\.name).joined(separator: ", ") + "."
        }
    }
}
