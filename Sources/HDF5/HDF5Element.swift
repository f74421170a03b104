/// A fixed-size, trivially copyable value that datasets and attributes store directly from memory.
///
/// Conforming types: the integer types of 8 to 64 bits, `Float`, `Double`, `Bool`, `FixedString`, and your own
/// record structs through `CompoundRow`. `String` is supported separately (see `Dataset<String>`).
public protocol HDF5Element: BitwiseCopyable {
    /// How one value is laid out in memory.
    static var elementType: ElementType { get }
}

extension Int8: HDF5Element { public static var elementType: ElementType { .signedInteger(bytes: 1) } }
extension Int16: HDF5Element { public static var elementType: ElementType { .signedInteger(bytes: 2) } }
extension Int32: HDF5Element { public static var elementType: ElementType { .signedInteger(bytes: 4) } }
extension Int64: HDF5Element { public static var elementType: ElementType { .signedInteger(bytes: 8) } }
extension Int: HDF5Element { public static var elementType: ElementType { .signedInteger(bytes: 8) } }
extension UInt8: HDF5Element { public static var elementType: ElementType { .unsignedInteger(bytes: 1) } }
extension UInt16: HDF5Element { public static var elementType: ElementType { .unsignedInteger(bytes: 2) } }
extension UInt32: HDF5Element { public static var elementType: ElementType { .unsignedInteger(bytes: 4) } }
extension UInt64: HDF5Element { public static var elementType: ElementType { .unsignedInteger(bytes: 8) } }
extension UInt: HDF5Element { public static var elementType: ElementType { .unsignedInteger(bytes: 8) } }
extension Float: HDF5Element { public static var elementType: ElementType { .float(bytes: 4) } }
extension Double: HDF5Element { public static var elementType: ElementType { .float(bytes: 8) } }
extension Bool: HDF5Element { public static var elementType: ElementType { .bool } }
