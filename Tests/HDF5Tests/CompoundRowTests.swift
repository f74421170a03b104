import HDF5
import LifelongTestSupport
import Testing

/// A row with padding between fields (Int8 then Double), a fixed string and a bool.
struct MetricRow: CompoundRow, Equatable {
    var task: Int8
    var step: Int64
    var value: Double
    var key: FixedString<12>
    var done: Bool

    static let fields: [CompoundField<MetricRow>] = [
        .init("step", \.step), .init("task", \.task), .init("key", \.key), .init("value", \.value),
        .init("done", \.done),
    ]
}

/// A reader that wants only two of MetricRow's columns.
struct StepValue: CompoundRow, Equatable {
    var value: Double
    var step: Int64
    static let fields: [CompoundField<StepValue>] = [.init("step", \.step), .init("value", \.value)]
}

/// A reader that wants a column MetricRow does not have.
struct WithReward: CompoundRow {
    var step: Int64
    var reward: Float
    static let fields: [CompoundField<WithReward>] = [.init("step", \.step), .init("reward", \.reward)]
}

@Suite("Compound rows store record structs as table rows")
struct CompoundRowTests {
    let directory = TemporaryDirectory("hdf5-compound")

    static func rows(_ count: Int) -> [MetricRow] {
        (0..<count).map { (index: Int) -> MetricRow in
            let key = FixedString<12>("loss/\(index)")
            let value = Double(index) / 4
            return MetricRow(
                task: Int8(index % 3), step: Int64(index * 100), value: value, key: key, done: index % 2 == 0)
        }
    }

    @Test func rowsRoundTripThroughAnAppendableTable() throws {
        let path = directory.file("table.h5")
        let rows = Self.rows(1000)
        do {
            let file = try File.create(path)
            let table = try file.createAppendableDataset(
                "metrics", of: MetricRow.self, options: DatasetOptions(chunkRows: 64, compression: .deflate(level: 4)))
            for batch in stride(from: 0, to: rows.count, by: 90) {
                try table.append(contentsOf: rows[batch..<min(batch + 90, rows.count)])
            }
        }
        let table = try File.open(path).openDataset("metrics", as: MetricRow.self)
        #expect(try table.readAll() == rows)
        #expect(try table.read(rowIndices: [999, 3]) == [rows[999], rows[3]])
    }

    @Test func theFileTypeIsPackedInFieldOrder() throws {
        let file = try File.create(directory.file("packed.h5"))
        let table = try file.createAppendableDataset("metrics", of: MetricRow.self)
        guard case .compound(let size, let fields) = table.storedType else {
            Issue.record("stored type is \(table.storedType)")
            return
        }
        #expect(fields.map(\.name) == ["step", "task", "key", "value", "done"])
        #expect(size == 8 + 1 + 12 + 8 + 1)
    }

    @Test func aSubsetOfColumnsReadsByName() throws {
        let path = directory.file("subset.h5")
        let rows = Self.rows(10)
        try File.create(path).createAppendableDataset("metrics", of: MetricRow.self).append(contentsOf: rows)
        let subset = try File.open(path).openDataset("metrics", as: StepValue.self).readAll()
        #expect(subset == rows.map { StepValue(value: $0.value, step: $0.step) })
    }

    @Test func aMissingColumnIsATypeMismatchNamingTheStoredColumns() throws {
        let path = directory.file("missing.h5")
        try File.create(path).createAppendableDataset("metrics", of: MetricRow.self).append(contentsOf: Self.rows(1))
        let error = try #require(throws: HDF5Error.self) {
            try File.open(path).openDataset("metrics", as: WithReward.self)
        }
        #expect(error.kind == .typeMismatch)
        #expect(error.description.contains("step, task, key, value, done"))
    }
}
