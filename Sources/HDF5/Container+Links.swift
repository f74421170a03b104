import CHDF5

/// One source of a virtual dataset: a whole dataset in another file, placed at `index` along the virtual
/// dataset's first dimension.
public struct VirtualSource: Sendable {
    /// The source file, best given relative to the virtual file's directory (libhdf5 looks there first).
    public var file: String
    /// The dataset's path inside `file`.
    public var dataset: String
    /// The part of the source that is mapped: its first `shape[0]` rows (the whole row each).
    public var shape: [Int]
    /// Where along the virtual dataset's first dimension the source lands.
    public var index: Int

    public init(file: String, dataset: String, shape: [Int], index: Int) {
        self.file = file
        self.dataset = dataset
        self.shape = shape
        self.index = index
    }
}

extension Container {
    /// Creates a link to an object in another file, without copying anything. libhdf5 resolves a relative `file`
    /// against the directory of the file holding the link (after `HDF5_EXT_PREFIX`), so a link file kept beside
    /// the files it points at can be moved together with them; h5py follows such links transparently.
    ///
    /// ```swift
    /// try sweep.createExternalLink("runs/seed-1", file: "seed-1/log.h5", object: "/")
    /// ```
    public func createExternalLink(_ name: String, file target: String, object: String) throws {
        let full = absolutePath(name)
        try HDF5Library.withLibrary {
            try requireStructureWritable("create external link", object: full)
            let links = try Self.intermediateGroupLinks(file: file.path, object: full)
            try check(
                H5Lcreate_external(target, object, handle.id, name, links.id, shim_H5P_DEFAULT()),
                "create external link to \(target):\(object)", file: file.path, object: full)
        }
    }

    /// Creates a virtual dataset of `shape` that stacks whole datasets from other files along its first
    /// dimension, without copying: source `k` fills `[index_k, 0..<shape_k[0], …]`. Places no source maps keep
    /// `fill` (e.g. NaN where a run has fewer rows than the longest).
    ///
    /// Every source must have the virtual dataset's trailing dimensions after its first: `shape == [runs] +
    /// [rows] + rest` and `source.shape == [rows_k] + rest` with `rows_k ≤ rows`.
    ///
    /// ```swift
    /// let sources = runs.enumerated().map { VirtualSource(file: "\($1)/log.h5", dataset: "eval/steps",
    ///                                                       shape: [10], index: $0) }
    /// try sweep.createVirtualDataset("stacked/eval/steps", of: Int64.self, shape: [runs.count, 10],
    ///                                fill: -1, sources: sources)
    /// ```
    public func createVirtualDataset<Element: HDF5Element>(
        _ path: String, of _: Element.Type, shape: [Int], fill: Element, sources: [VirtualSource]
    ) throws {
        let full = absolutePath(path)
        let fail = { (reason: String) in
            HDF5Error(
                .invalidArgument, operation: "create virtual dataset", file: self.file.path, object: full,
                reason: reason)
        }
        guard shape.count >= 2, shape.allSatisfy({ $0 >= 0 }) else {
            throw fail("a virtual stack needs a shape of [sources, rows, …]; got \(shape).")
        }
        for source in sources {
            guard source.index >= 0, source.index < shape[0] else {
                throw fail("source \(source.file):\(source.dataset) lands at \(source.index), outside 0..<\(shape[0]).")
            }
            guard source.shape.count == shape.count - 1, source.shape[0] <= shape[1],
                Array(source.shape.dropFirst()) == Array(shape.dropFirst(2))
            else {
                throw fail(
                    "source \(source.file):\(source.dataset) has shape \(source.shape), which does not fit a "
                        + "row of \(Array(shape.dropFirst())); stack only datasets with equal trailing dimensions.")
            }
        }
        try HDF5Library.withLibrary {
            try requireStructureWritable("create virtual dataset", object: full)
            let dims = shape.map { hsize_t($0) }
            let space = try makeHandle(
                H5Screate_simple(Int32(dims.count), dims, nil), .dataspace, "create virtual dataset", file: file.path,
                object: full)
            let creation = try makeHandle(
                H5Pcreate(shim_H5P_DATASET_CREATE()), .propertyList, "create virtual dataset", file: file.path,
                object: full)
            let memoryType = try Datatype(Element.elementType, form: .memory)
            var fillValue = fill
            try check(H5Pset_fill_value(creation.id, memoryType.id, &fillValue), "set fill value", object: full)
            for source in sources where source.shape[0] > 0 {
                let sourceDims = source.shape.map { hsize_t($0) }
                let sourceSpace = try makeHandle(
                    H5Screate_simple(Int32(sourceDims.count), sourceDims, nil), .dataspace, "map a virtual source",
                    file: file.path, object: full)
                let start = [hsize_t(source.index)] + [hsize_t](repeating: 0, count: sourceDims.count)
                let count = [1] + sourceDims
                try check(
                    H5Sselect_hyperslab(space.id, H5S_SELECT_SET, start, nil, count, nil), "select a virtual block",
                    object: full)
                try check(
                    H5Pset_virtual(creation.id, space.id, source.file, source.dataset, sourceSpace.id),
                    "map \(source.file):\(source.dataset)", file: file.path, object: full)
            }
            try check(H5Sselect_all(space.id), "select all", object: full)
            let fileType = try Datatype(Element.elementType, form: .file)
            let links = try Self.intermediateGroupLinks(file: file.path, object: full)
            let id = H5Dcreate2(handle.id, path, fileType.id, space.id, links.id, creation.id, shim_H5P_DEFAULT())
            _ = try makeHandle(id, .dataset, "create virtual dataset", file: file.path, object: full)
        }
    }
}
