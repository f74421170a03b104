import HDF5

/// The compound row the crash writer appends; every field is a function of the row index, so a reader can
/// check any surviving row without knowing what the writer did.
struct CrashRow: CompoundRow, Equatable {
    var index: Int64
    var value: Double
    var label: FixedString<8>
    var flag: Bool

    init(index: Int) {
        self.index = Int64(index)
        value = Double(index) * 0.25
        label = FixedString("r\(index % 1000)")
        flag = index % 3 == 0
    }

    static let fields: [CompoundField<CrashRow>] = [
        .init("index", \.index), .init("value", \.value), .init("label", \.label), .init("flag", \.flag),
    ]

    /// The observation row for index `index`.
    static func observation(_ index: Int) -> [Float] { [Float(index), Float(index) * 0.5, -Float(index)] }
}
