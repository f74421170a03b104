/// A record struct stored as one HDF5 compound element, so a table is one dataset that pandas loads as a
/// DataFrame with `pd.DataFrame(h5py.File(path)["table"][:])`.
///
/// List the stored properties in `fields`; each must itself be an `HDF5Element` (numbers, `Bool`,
/// `FixedString`). Offsets come from the struct's real memory layout, so fields can be listed in any order
/// and padding is handled; in the file the record is packed, little-endian, in the order of `fields`.
///
/// ```swift
/// struct MetricRow: CompoundRow {
///     var step: Int64
///     var task: Int32
///     var value: Double
///     static let fields: [CompoundField<MetricRow>] = [
///         .init("step", \.step), .init("task", \.task), .init("value", \.value),
///     ]
/// }
/// let table = try file.createAppendableDataset("metrics", of: MetricRow.self)
/// try table.append(MetricRow(step: 100, task: 0, value: 195.5))
/// ```
public protocol CompoundRow: HDF5Element {
    /// The stored fields, in the order they appear in the file.
    static var fields: [CompoundField<Self>] { get }
}

extension CompoundRow {
    public static var elementType: ElementType {
        .compound(
            size: MemoryLayout<Self>.stride,
            fields: fields.map { ElementType.Field(name: $0.name, offset: $0.offset, type: $0.type) }
        )
    }
}

/// One stored property of a `CompoundRow`: its column name and where it sits in the struct.
public struct CompoundField<Row>: Sendable {
    public let name: String
    let offset: Int
    let type: ElementType

    /// - Parameters:
    ///   - name: the column name in the file.
    ///   - keyPath: a stored property of the row (computed properties have no offset and are rejected).
    public init<Value: HDF5Element>(_ name: String, _ keyPath: KeyPath<Row, Value>) {
        guard let offset = MemoryLayout<Row>.offset(of: keyPath) else {
            preconditionFailure("CompoundField '\(name)': \(keyPath) is not a stored property of \(Row.self)")
        }
        self.name = name
        self.offset = offset
        self.type = Value.elementType
    }
}
