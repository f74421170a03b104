/// The shape of one stored element, independent of any open file: what `HDF5Element` types declare, and what
/// `Dataset.storedType` reports for data written by anyone (h5py included).
///
/// In files, numbers are little-endian IEEE floats and two's-complement integers; `Bool` is an HDF5 enum over
/// int8 with `FALSE = 0` and `TRUE = 1`, exactly the type h5py writes for numpy `bool`, so h5py reads it back
/// as `bool` (tools without enum support see `int8`).
public indirect enum ElementType: Equatable, Sendable, CustomStringConvertible {
    case signedInteger(bytes: Int)
    case unsignedInteger(bytes: Int)
    case float(bytes: Int)
    case bool
    /// UTF-8 text padded with NUL bytes to a fixed size (numpy `S<n>`).
    case fixedString(bytes: Int)
    /// UTF-8 text of any length (h5py `string_dtype()`).
    case variableString
    /// A record of named fields at byte offsets, `size` bytes in all (numpy structured dtype, pandas columns).
    case compound(size: Int, fields: [Field])

    /// One named field of a compound element.
    public struct Field: Equatable, Sendable {
        public var name: String
        public var offset: Int
        public var type: ElementType
        public init(name: String, offset: Int, type: ElementType) {
            self.name = name
            self.offset = offset
            self.type = type
        }
    }

    /// Bytes taken by one element in memory.
    public var size: Int {
        switch self {
        case .signedInteger(let bytes), .unsignedInteger(let bytes), .float(let bytes), .fixedString(let bytes):
            return bytes
        case .bool: return 1
        case .variableString: return MemoryLayout<UnsafeMutablePointer<CChar>?>.size
        case .compound(let size, _): return size
        }
    }

    public var description: String {
        switch self {
        case .signedInteger(let bytes): return "int\(bytes * 8)"
        case .unsignedInteger(let bytes): return "uint\(bytes * 8)"
        case .float(let bytes): return "float\(bytes * 8)"
        case .bool: return "bool"
        case .fixedString(let bytes): return "string[\(bytes) bytes]"
        case .variableString: return "string"
        case .compound(_, let fields):
            return "{" + fields.map { "\($0.name): \($0.type)" }.joined(separator: ", ") + "}"
        }
    }

    /// Whether data stored as `self` can be read into memory laid out as `wanted`: the same class of type (HDF5
    /// converts between integer widths and between float widths, as numpy's `astype` would), and for compounds,
    /// every wanted field present in the stored record under the same name.
    func canBeRead(as wanted: ElementType) -> Bool {
        switch (self, wanted) {
        case (.signedInteger, .signedInteger), (.signedInteger, .unsignedInteger),
            (.unsignedInteger, .unsignedInteger), (.unsignedInteger, .signedInteger),
            (.float, .float), (.bool, .bool), (.fixedString, .fixedString), (.variableString, .variableString),
            (.fixedString, .variableString), (.variableString, .fixedString):
            return true
        case (.compound(_, let stored), .compound(_, let wantedFields)):
            return wantedFields.allSatisfy { field in
                stored.contains { $0.name == field.name && $0.type.canBeRead(as: field.type) }
            }
        default:
            return false
        }
    }
}
