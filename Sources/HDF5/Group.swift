import CHDF5

/// A group: a folder of groups and datasets inside a file.
///
/// ```swift
/// let eval = try file.createGroup("eval")
/// try eval.setAttribute("tasks", ["default", "heavy-pole"])
/// print(try file.children())  // ["eval"]
/// ```
public final class Group: HDF5Object, Container, @unchecked Sendable {
    init(file: File, path: String, handle: Handle) {
        super.init(path: path, handle: handle, file: file)
    }
}

extension File: Container {}

/// A `File` or a `Group`: a place that holds groups and datasets. Paths are relative to it (or absolute when
/// they start with `/`); intermediate groups are created as needed.
public protocol Container: HDF5Object {}

extension Container {
    /// Creates a group (and any missing groups above it).
    @discardableResult
    public func createGroup(_ path: String) throws -> Group {
        let full = absolutePath(path)
        return try HDF5Library.withLibrary {
            try requireStructureWritable("create group", object: full)
            let links = try Self.intermediateGroupLinks(file: file.path, object: full)
            let id = H5Gcreate2(handle.id, path, links.id, shim_H5P_DEFAULT(), shim_H5P_DEFAULT())
            return Group(
                file: file, path: full,
                handle: try makeHandle(id, .group, "create group", file: file.path, object: full))
        }
    }

    /// Opens an existing group.
    public func openGroup(_ path: String) throws -> Group {
        let full = absolutePath(path)
        return try HDF5Library.withLibrary {
            try requireLink(path, kind: "group", operation: "open group")
            let id = H5Gopen2(handle.id, path, shim_H5P_DEFAULT())
            return Group(
                file: file, path: full, handle: try makeHandle(id, .group, "open group", file: file.path, object: full))
        }
    }

    /// Whether a group or dataset exists at `path` (every component is checked, so a missing parent is `false`).
    public func contains(_ path: String) -> Bool {
        HDF5Library.withLibrary {
            var prefix = path.hasPrefix("/") ? "/" : ""
            for component in path.split(separator: "/") {
                prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
                guard H5Lexists(handle.id, prefix, shim_H5P_DEFAULT()) > 0 else {
                    H5Eclear2(shim_H5E_DEFAULT())
                    return false
                }
            }
            return true
        }
    }

    /// The names of the groups and datasets directly inside, in name order.
    public func children() throws -> [String] {
        try HDF5Library.withLibrary {
            var info = H5G_info_t()
            try check(H5Gget_info(handle.id, &info), "list group", file: file.path, object: objectPath)
            var names: [String] = []
            names.reserveCapacity(Int(info.nlinks))
            for index in 0..<info.nlinks {
                let length = try check(
                    H5Lget_name_by_idx(
                        handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, shim_H5P_DEFAULT()),
                    "list group", file: file.path, object: objectPath)
                var buffer = [CChar](repeating: 0, count: Int(length) + 1)
                try check(
                    H5Lget_name_by_idx(
                        handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, shim_H5P_DEFAULT()),
                    "list group", file: file.path, object: objectPath)
                names.append(String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            return names
        }
    }

    /// Whether `path` names a dataset (`false` for groups and for missing paths).
    public func isDataset(_ path: String) -> Bool {
        HDF5Library.withLibrary {
            guard contains(path) else { return false }
            var info = H5O_info_t()
            guard H5Oget_info_by_name2(handle.id, path, &info, UInt32(H5O_INFO_BASIC), shim_H5P_DEFAULT()) >= 0 else {
                H5Eclear2(shim_H5E_DEFAULT())
                return false
            }
            return info.type == H5O_TYPE_DATASET
        }
    }

    /// Removes the link to a group or dataset. The space is not reclaimed until the file is repacked.
    public func remove(_ path: String) throws {
        let full = absolutePath(path)
        try HDF5Library.withLibrary {
            try requireStructureWritable("remove object", object: full)
            try requireLink(path, kind: "object", operation: "remove object")
            try check(H5Ldelete(handle.id, path, shim_H5P_DEFAULT()), "remove object", file: file.path, object: full)
        }
    }

    func requireLink(_ path: String, kind: String, operation: String) throws {
        guard contains(path) else {
            let known = (try? children())?.joined(separator: ", ") ?? ""
            throw HDF5Error(
                .objectNotFound, operation: operation, file: file.path, object: absolutePath(path),
                reason: "no \(kind) at this path; '\(objectPath)' holds: \(known.isEmpty ? "nothing" : known).")
        }
    }

    static func intermediateGroupLinks(file: String, object: String) throws -> Handle {
        let list = try makeHandle(
            H5Pcreate(shim_H5P_LINK_CREATE()), .propertyList, "create object", file: file, object: object)
        try check(H5Pset_create_intermediate_group(list.id, 1), "create object", file: file, object: object)
        return list
    }
}
