/// UTF-8 text stored inline in at most `capacity` bytes, padded with NUL bytes: a fixed-length string field for
/// compound rows and datasets (h5py reads it as numpy `S<capacity>` bytes, pandas as a bytes column).
///
/// Text longer than `capacity` bytes is cut at the last whole character that fits.
///
/// ```swift
/// struct EventRow: CompoundRow {
///     var step: Int64
///     var kind: FixedString<16>
///     static let fields: [CompoundField<EventRow>] = [.init("step", \.step), .init("kind", \.kind)]
/// }
/// let row = EventRow(step: 10, kind: "task_switch")
/// print(row.kind.string)  // "task_switch"
/// ```
public struct FixedString<let capacity: Int>: HDF5Element, Equatable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The stored bytes; unused bytes are zero.
    public var bytes: InlineArray<capacity, UInt8>

    public static var elementType: ElementType { .fixedString(bytes: capacity) }

    public init(_ text: String) {
        bytes = InlineArray(repeating: 0)
        // Byte by byte, without allocating (log rows are made in loops); a scalar cut at the end is removed.
        let utf8 = text.utf8
        var index = utf8.startIndex
        var used = 0
        while used < capacity, index != utf8.endIndex {
            bytes[used] = utf8[index]
            used += 1
            index = utf8.index(after: index)
        }
        if index != utf8.endIndex, utf8[index] & 0xC0 == 0x80 {
            while used > 0 {
                used -= 1
                let byte = bytes[used]
                bytes[used] = 0
                if byte & 0xC0 != 0x80 { break }  // the cut scalar's first byte
            }
        }
    }

    public init(stringLiteral value: String) { self.init(value) }

    /// The text up to the first NUL byte.
    public var string: String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(capacity)
        for index in 0..<capacity {
            let byte = bytes[index]
            if byte == 0 { break }
            utf8.append(byte)
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    public var description: String { string }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        for index in 0..<capacity where lhs.bytes[index] != rhs.bytes[index] { return false }
        return true
    }
}
