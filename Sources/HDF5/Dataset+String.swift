import CHDF5
import Foundation

/// Strings are UTF-8 in the file, stored either fixed-length (NUL-padded) or variable-length, as the dataset
/// was created (`StringStorage`); reads accept both, whoever wrote the file.
extension Dataset where Element == String {
    /// Appends one string as one row.
    public func append(_ value: String) throws {
        try append(contentsOf: [value])
    }

    /// Appends whole rows of strings, row-major.
    public func append(contentsOf values: [String]) throws {
        let rows = try requireWholeRows(values.count, "append to dataset")
        try withEncoded(values, "append to dataset") { try appendRaw(rows: rows, values: $0) }
    }

    /// Every string, row-major.
    public func readAll() throws -> [String] {
        try HDF5Library.withLibrary { try read(rows: 0..<(try shape[0])) }
    }

    /// The strings of the rows in `rows`, row-major.
    public func read(rows: Range<Int>) throws -> [String] {
        try decoding(count: max(0, rows.count) * valuesPerRow) {
            try transferRows(rows, values: $0, write: false)
        }
    }

    /// The strings of the given rows, in the order asked (repeats allowed), row-major.
    public func read(rowIndices: [Int]) throws -> [String] {
        let (unique, positions) = Self.plan(rowIndices)
        let values = try decoding(count: unique.count * valuesPerRow) {
            try readRawRows(sortedUnique: unique, into: $0)
        }
        return positions.flatMap { values[($0 * valuesPerRow)..<(($0 + 1) * valuesPerRow)] }
    }

    /// Writes the whole dataset; `values` must fill its current shape exactly.
    public func write(_ values: [String]) throws {
        let rows = try requireWholeRows(values.count, "write to dataset")
        let current = try shape[0]
        guard rows == current else {
            throw error(.shapeMismatch, "write to dataset", "\(rows) rows given; the dataset has \(current).")
        }
        try withEncoded(values, "write to dataset") { try transferRows(0..<rows, values: $0, write: true) }
    }

    /// Overwrites existing rows from `start` on.
    public func overwrite(rowsStartingAt start: Int, with values: [String]) throws {
        let rows = try requireWholeRows(values.count, "overwrite rows")
        try withEncoded(values, "overwrite rows") { try transferRows(start..<(start + rows), values: $0, write: true) }
    }

    /// Lays `values` out in the dataset's memory string type and passes the buffer to `body`.
    private func withEncoded(
        _ values: [String], _ operation: String, _ body: (UnsafeMutableRawPointer?) throws -> Void
    ) throws {
        switch memoryElement {
        case .fixedString(let bytes):
            var buffer = [UInt8](repeating: 0, count: values.count * bytes)
            for (index, value) in values.enumerated() {
                let utf8 = Array(value.utf8)
                guard utf8.count <= bytes else {
                    throw error(
                        .invalidArgument, operation,
                        "value \(index) (\"\(value.prefix(40))\") takes \(utf8.count) bytes of UTF-8; the dataset stores "
                            + "at most \(bytes). Create it with a larger fixedLength or with .variableLength.")
                }
                buffer.replaceSubrange((index * bytes)..<(index * bytes + utf8.count), with: utf8)
            }
            try buffer.withUnsafeMutableBytes { try body($0.baseAddress) }
        default:
            try withCStringPointers(values) { try body($0.baseAddress) }
        }
    }

    /// Runs `read`, which fills a buffer of `count` strings in the memory string type, and decodes it.
    private func decoding(count: Int, _ read: (UnsafeMutableRawPointer?) throws -> Void) throws -> [String] {
        guard count > 0 else { return [] }
        switch memoryElement {
        case .fixedString(let bytes):
            var buffer = [UInt8](repeating: 0, count: count * bytes)
            try buffer.withUnsafeMutableBytes { try read($0.baseAddress) }
            return (0..<count).map { index in
                let slice = buffer[(index * bytes)..<((index + 1) * bytes)]
                return String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self)
            }
        default:
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            try pointers.withUnsafeMutableBytes { try read($0.baseAddress) }
            let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
            try HDF5Library.withLibrary {
                let space = try memorySpace(values: count, "free strings read from dataset")
                _ = pointers.withUnsafeMutableBytes {
                    H5Dvlen_reclaim(memoryType.id, space.id, shim_H5P_DEFAULT(), $0.baseAddress)
                }
            }
            return strings
        }
    }
}
