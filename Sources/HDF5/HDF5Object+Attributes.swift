import CHDF5
import Foundation

/// Attributes: small named values on a file, group or dataset (units, seeds, configs, schema versions).
///
/// Setting an attribute that exists replaces it. Strings are stored as variable-length UTF-8, which h5py
/// returns as `str`.
///
/// ```swift
/// try file.setAttribute("schema_version", Int64(1))
/// try file.setAttribute("config", jsonText)
/// try dataset.setAttribute("shape_hint", [Int64(4)])
/// let version = try file.attribute("schema_version", as: Int64.self)
/// ```
extension HDF5Object {
    /// The names of this object's attributes, in name order.
    public var attributeNames: [String] {
        get throws {
            try HDF5Library.withLibrary {
                var info = H5O_info_t()
                try check(
                    H5Oget_info2(handle.id, &info, UInt32(H5O_INFO_NUM_ATTRS)), "list attributes", file: file.path,
                    object: objectPath)
                return try (0..<info.num_attrs).map { index in
                    func name(into buffer: UnsafeMutablePointer<CChar>?, size: Int) throws -> Int {
                        try check(
                            H5Aget_name_by_idx(
                                handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, buffer, size, shim_H5P_DEFAULT()),
                            "list attributes", file: file.path, object: objectPath)
                    }
                    var buffer = [CChar](repeating: 0, count: try name(into: nil, size: 0) + 1)
                    _ = try name(into: &buffer, size: buffer.count)
                    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                }
            }
        }
    }

    /// Whether the object has an attribute called `name`.
    public func hasAttribute(_ name: String) -> Bool {
        HDF5Library.withLibrary { H5Aexists(handle.id, name) > 0 }
    }

    /// Removes an attribute.
    public func removeAttribute(_ name: String) throws {
        try HDF5Library.withLibrary {
            try requireStructureWritable("remove attribute '\(name)'", object: objectPath)
            try requireAttribute(name, "remove attribute")
            try check(H5Adelete(handle.id, name), "remove attribute '\(name)'", file: file.path, object: objectPath)
        }
    }

    // MARK: Writing

    /// Sets a scalar attribute.
    public func setAttribute<Value: HDF5Element>(_ name: String, _ value: Value) throws {
        try withUnsafeBytes(of: value) { try writeAttribute(name, type: Value.elementType, count: nil, $0.baseAddress) }
    }

    /// Sets a one-dimensional array attribute.
    public func setAttribute<Value: HDF5Element>(_ name: String, _ values: [Value]) throws {
        try values.withUnsafeBytes {
            try writeAttribute(name, type: Value.elementType, count: values.count, $0.baseAddress)
        }
    }

    /// Sets a string attribute (variable-length UTF-8).
    public func setAttribute(_ name: String, _ value: String) throws {
        try withCStringPointers([value]) { try writeAttribute(name, type: .variableString, count: nil, $0.baseAddress) }
    }

    /// Sets an array-of-strings attribute (variable-length UTF-8).
    public func setAttribute(_ name: String, _ values: [String]) throws {
        try withCStringPointers(values) {
            try writeAttribute(name, type: .variableString, count: values.count, $0.baseAddress)
        }
    }

    // MARK: Reading

    /// Reads a scalar attribute (an array attribute of one value also reads).
    public func attribute<Value: HDF5Element>(_ name: String, as _: Value.Type) throws -> Value {
        let values = try attributeValues(name, as: Value.self)
        guard values.count == 1, let value = values.first else {
            throw HDF5Error(
                .shapeMismatch, operation: "read attribute '\(name)'", file: file.path, object: objectPath,
                reason: "it holds \(values.count) values; read it with attribute(_:as: [\(Value.self)].self).")
        }
        return value
    }

    /// Reads an attribute as an array of values (a scalar reads as one value).
    public func attribute<Value: HDF5Element>(_ name: String, as _: [Value].Type) throws -> [Value] {
        try attributeValues(name, as: Value.self)
    }

    /// Reads a string attribute, stored fixed- or variable-length.
    public func attribute(_ name: String, as _: String.Type) throws -> String {
        let values = try stringAttributeValues(name)
        guard values.count == 1, let value = values.first else {
            throw HDF5Error(
                .shapeMismatch, operation: "read attribute '\(name)'", file: file.path, object: objectPath,
                reason: "it holds \(values.count) strings; read it with attribute(_:as: [String].self).")
        }
        return value
    }

    /// Reads an array-of-strings attribute.
    public func attribute(_ name: String, as _: [String].Type) throws -> [String] {
        try stringAttributeValues(name)
    }

    // MARK: Implementation

    private func writeAttribute(_ name: String, type: ElementType, count: Int?, _ data: UnsafeRawPointer?) throws {
        let operation = "write attribute '\(name)'"
        try HDF5Library.withLibrary {
            try requireStructureWritable(operation, object: objectPath)
            if H5Aexists(handle.id, name) > 0 {
                try check(H5Adelete(handle.id, name), operation, file: file.path, object: objectPath)
            }
            let space: Handle
            if let count {
                var dims = [hsize_t(count)]
                space = try makeHandle(H5Screate_simple(1, &dims, nil), .dataspace, operation, file: file.path)
            } else {
                space = try makeHandle(H5Screate(H5S_SCALAR), .dataspace, operation, file: file.path)
            }
            let fileType = try Datatype(type, form: .file)
            let memoryType = try Datatype(type, form: .memory)
            let attribute = try makeHandle(
                H5Acreate2(handle.id, name, fileType.id, space.id, shim_H5P_DEFAULT(), shim_H5P_DEFAULT()), .attribute,
                operation, file: file.path, object: objectPath)
            try check(H5Awrite(attribute.id, memoryType.id, data), operation, file: file.path, object: objectPath)
        }
    }

    /// Opens attribute `name`, reporting its stored type (described and as a handle) and value count.
    private func openAttribute(_ name: String, _ operation: String) throws -> (Handle, ElementType, Handle, Int) {
        try requireAttribute(name, operation)
        let attribute = try makeHandle(
            H5Aopen(handle.id, name, shim_H5P_DEFAULT()), .attribute, operation, file: file.path, object: objectPath)
        let typeHandle = try makeHandle(
            H5Aget_type(attribute.id), .datatype, operation, file: file.path, object: objectPath)
        let space = try makeHandle(
            H5Aget_space(attribute.id), .dataspace, operation, file: file.path, object: objectPath)
        let count = Int(try check(H5Sget_simple_extent_npoints(space.id), operation, file: file.path))
        return (attribute, try Datatype.describe(typeHandle.id), typeHandle, count)
    }

    private func attributeValues<Value: HDF5Element>(_ name: String, as _: Value.Type) throws -> [Value] {
        let operation = "read attribute '\(name)'"
        return try HDF5Library.withLibrary {
            let (attribute, stored, storedID, count) = try openAttribute(name, operation)
            guard stored.canBeRead(as: Value.elementType) else {
                throw HDF5Error(
                    .typeMismatch, operation: operation, file: file.path, object: objectPath,
                    reason: "it stores \(stored), which cannot be read as \(Value.self). \(stored.readingHint)")
            }
            let memoryType = try Datatype(Value.elementType, form: .memory, matching: storedID.id)
            return try [Value](unsafeUninitializedCapacity: count) { buffer, initialized in
                try check(
                    H5Aread(attribute.id, memoryType.id, buffer.baseAddress), operation, file: file.path,
                    object: objectPath)
                initialized = count
            }
        }
    }

    private func stringAttributeValues(_ name: String) throws -> [String] {
        let operation = "read attribute '\(name)'"
        return try HDF5Library.withLibrary {
            let (attribute, stored, storedID, count) = try openAttribute(name, operation)
            switch stored {
            case .fixedString(let bytes):
                let memoryType = try Datatype(.fixedString(bytes: bytes), form: .memory, matching: storedID.id)
                var buffer = [UInt8](repeating: 0, count: count * bytes)
                try check(H5Aread(attribute.id, memoryType.id, &buffer), operation, file: file.path, object: objectPath)
                return (0..<count).map { index in
                    String(decoding: buffer[(index * bytes)..<((index + 1) * bytes)].prefix { $0 != 0 }, as: UTF8.self)
                }
            case .variableString:
                let memoryType = try Datatype(.variableString, form: .memory, matching: storedID.id)
                var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
                try check(
                    H5Aread(attribute.id, memoryType.id, &pointers), operation, file: file.path, object: objectPath)
                let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
                var dims = [hsize_t(count)]
                let space = try makeHandle(H5Screate_simple(1, &dims, nil), .dataspace, operation)
                H5Dvlen_reclaim(memoryType.id, space.id, shim_H5P_DEFAULT(), &pointers)
                return strings
            default:
                throw HDF5Error(
                    .typeMismatch, operation: operation, file: file.path, object: objectPath,
                    reason: "it stores \(stored), not text. \(stored.readingHint)")
            }
        }
    }

    private func requireAttribute(_ name: String, _ operation: String) throws {
        guard H5Aexists(handle.id, name) > 0 else {
            let known = ((try? attributeNames) ?? []).joined(separator: ", ")
            throw HDF5Error(
                .objectNotFound, operation: "\(operation) '\(name)'", file: file.path, object: objectPath,
                reason: "no such attribute; this object has: \(known.isEmpty ? "none" : known).")
        }
    }
}
