import CHDF5

/// An owned HDF5 datatype built from an `ElementType`, in its memory form (native, at the struct's offsets) or
/// its file form (little-endian, packed).
struct Datatype {
    let handle: Handle
    var id: hid_t { handle.id }

    enum Form { case memory, file }

    /// - Parameter stored: for a memory type used to read or write existing data, the stored type: string
    ///   parts then take its character set (libhdf5 does not convert between ASCII and UTF-8 strings, and h5py
    ///   writes fixed-length strings as ASCII).
    init(_ type: ElementType, form: Form, matching stored: hid_t? = nil) throws {
        handle = try HDF5Library.withLibrary { try Handle(Self.build(type, form: form, matching: stored), .datatype) }
    }

    private init(owning id: hid_t) { handle = Handle(id, .datatype) }

    /// The memory form of a type that libhdf5 reports (e.g. for reading strings without a Swift element type).
    static func native(of stored: hid_t) throws -> Datatype {
        try HDF5Library.withLibrary {
            Datatype(owning: try check(H5Tget_native_type(stored, H5T_DIR_ASCEND), "describe a stored type"))
        }
    }

    private static func copy(_ predefined: hid_t) throws -> hid_t {
        try check(H5Tcopy(predefined), "copy a predefined datatype")
    }

    private static func build(_ type: ElementType, form: Form, matching stored: hid_t?) throws -> hid_t {
        let memory = form == .memory
        switch type {
        case .signedInteger(let bytes):
            let table: [Int: (hid_t, hid_t)] = [
                1: (shim_H5T_NATIVE_INT8(), shim_H5T_STD_I8LE()), 2: (shim_H5T_NATIVE_INT16(), shim_H5T_STD_I16LE()),
                4: (shim_H5T_NATIVE_INT32(), shim_H5T_STD_I32LE()), 8: (shim_H5T_NATIVE_INT64(), shim_H5T_STD_I64LE()),
            ]
            guard let pair = table[bytes] else { throw unsupported(type) }
            return try copy(memory ? pair.0 : pair.1)
        case .unsignedInteger(let bytes):
            let table: [Int: (hid_t, hid_t)] = [
                1: (shim_H5T_NATIVE_UINT8(), shim_H5T_STD_U8LE()), 2: (shim_H5T_NATIVE_UINT16(), shim_H5T_STD_U16LE()),
                4: (shim_H5T_NATIVE_UINT32(), shim_H5T_STD_U32LE()),
                8: (shim_H5T_NATIVE_UINT64(), shim_H5T_STD_U64LE()),
            ]
            guard let pair = table[bytes] else { throw unsupported(type) }
            return try copy(memory ? pair.0 : pair.1)
        case .float(let bytes):
            switch bytes {
            case 4: return try copy(memory ? shim_H5T_NATIVE_FLOAT() : shim_H5T_IEEE_F32LE())
            case 8: return try copy(memory ? shim_H5T_NATIVE_DOUBLE() : shim_H5T_IEEE_F64LE())
            default: throw unsupported(type)
            }
        case .bool:
            // The enum h5py writes for numpy bool: base int8, FALSE = 0, TRUE = 1.
            let id = try check(H5Tenum_create(shim_H5T_NATIVE_INT8()), "create the bool enum type")
            var no: Int8 = 0
            var yes: Int8 = 1
            try check(H5Tenum_insert(id, "FALSE", &no), "create the bool enum type")
            try check(H5Tenum_insert(id, "TRUE", &yes), "create the bool enum type")
            return id
        case .fixedString(let bytes):
            let id = try copy(shim_H5T_C_S1())
            try check(H5Tset_size(id, bytes), "create a fixed-length string type")
            try check(H5Tset_strpad(id, H5T_STR_NULLPAD), "create a fixed-length string type")
            try check(H5Tset_cset(id, characterSet(of: stored)), "create a fixed-length string type")
            return id
        case .variableString:
            let id = try copy(shim_H5T_C_S1())
            try check(H5Tset_size(id, shim_H5T_VARIABLE()), "create a variable-length string type")
            try check(H5Tset_cset(id, characterSet(of: stored)), "create a variable-length string type")
            return id
        case .compound(let size, let fields):
            let memberIDs = try fields.map { field in
                guard let stored, H5Tget_class(stored) == H5T_COMPOUND else {
                    return try Datatype(field.type, form: form)
                }
                let index = H5Tget_member_index(stored, field.name)
                guard index >= 0 else {
                    H5Eclear2(shim_H5E_DEFAULT())
                    return try Datatype(field.type, form: form)
                }
                let member = Handle(try check(H5Tget_member_type(stored, UInt32(index)), "describe a field"), .datatype)
                return try Datatype(field.type, form: form, matching: member.id)
            }
            let packedSize = try memberIDs.reduce(0) { $0 + (try check(H5Tget_size($1.id), "size a field type")) }
            let id = try check(H5Tcreate(H5T_COMPOUND, memory ? size : packedSize), "create a compound type")
            var packedOffset = 0
            for (field, member) in zip(fields, memberIDs) {
                let offset = memory ? field.offset : packedOffset
                try check(H5Tinsert(id, field.name, offset, member.id), "add field '\(field.name)' to a compound type")
                packedOffset += H5Tget_size(member.id)
            }
            return id
        }
    }

    /// UTF-8 for new data; the stored string's own character set when matching stored data.
    private static func characterSet(of stored: hid_t?) -> H5T_cset_t {
        guard let stored, H5Tget_class(stored) == H5T_STRING else { return H5T_CSET_UTF8 }
        let set = H5Tget_cset(stored)
        return set == H5T_CSET_ERROR ? H5T_CSET_UTF8 : set
    }

    private static func unsupported(_ type: ElementType) -> HDF5Error {
        HDF5Error(.invalidArgument, operation: "build a datatype", reason: "\(type) is not supported.")
    }

    /// Describes a datatype stored in a file (whoever wrote it) as an `ElementType`.
    static func describe(_ id: hid_t) throws -> ElementType {
        try HDF5Library.withLibrary {
            let size = try check(H5Tget_size(id) == 0 ? -1 : Int(H5Tget_size(id)), "describe a stored type")
            switch H5Tget_class(id) {
            case H5T_INTEGER:
                return H5Tget_sign(id) == H5T_SGN_NONE ? .unsignedInteger(bytes: size) : .signedInteger(bytes: size)
            case H5T_FLOAT:
                return .float(bytes: size)
            case H5T_ENUM:
                if try isBoolEnum(id) { return .bool }
                let base = try check(H5Tget_super(id), "describe an enum type")
                defer { H5Tclose(base) }
                return try describe(base)
            case H5T_STRING:
                return H5Tis_variable_str(id) > 0 ? .variableString : .fixedString(bytes: size)
            case H5T_COMPOUND:
                let count = try check(H5Tget_nmembers(id), "describe a compound type")
                var fields: [ElementType.Field] = []
                for index in 0..<UInt32(count) {
                    guard let rawName = H5Tget_member_name(id, index) else {
                        throw HDF5Error.fromStack(operation: "describe a compound type")
                    }
                    let name = String(cString: rawName)
                    H5free_memory(rawName)
                    let memberType = try check(H5Tget_member_type(id, index), "describe compound field '\(name)'")
                    defer { H5Tclose(memberType) }
                    fields.append(
                        .init(name: name, offset: H5Tget_member_offset(id, index), type: try describe(memberType)))
                }
                return .compound(size: size, fields: fields)
            default:
                throw HDF5Error(
                    .typeMismatch, operation: "describe a stored type",
                    reason: "the stored type class (\(H5Tget_class(id).rawValue)) is not one the wrapper reads "
                        + "(integers, floats, bool, strings, compounds).")
            }
        }
    }

    private static func isBoolEnum(_ id: hid_t) throws -> Bool {
        guard H5Tget_nmembers(id) == 2, H5Tget_size(id) == 1 else { return false }
        var names: [String] = []
        for index in 0..<UInt32(2) {
            guard let rawName = H5Tget_member_name(id, index) else { return false }
            names.append(String(cString: rawName))
            H5free_memory(rawName)
        }
        return Set(names) == ["FALSE", "TRUE"]
    }
}
