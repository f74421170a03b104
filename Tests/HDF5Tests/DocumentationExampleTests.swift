import Foundation
import HDF5
import LifelongTestSupport
import Testing

/// The examples in README.md and docs/hdf5.md, run as written (paths moved into a temporary directory).
@Suite("Documented examples work")
struct DocumentationExampleTests {
    let directory = TemporaryDirectory("hdf5-docs")

    @Test func theReadmeExampleCommitsRewardsThatH5pyCanRead() throws {
        let path = directory.file("demo.h5")
        let file = try File.createAtomically(path) { file in
            _ = try file.createAppendableDataset("steps/reward", of: Float.self)
            try file.trackCommits(of: ["steps/reward"])
        }
        try file.openDataset("steps/reward", as: Float.self).append(contentsOf: [1, 1, 0])
        try file.commit()
        #expect(try File.recover(path).openDataset("steps/reward", as: Float.self).readAll() == [1, 1, 0])
    }

    @Test func theMetricTableExampleAppendsACompressedRow() throws {
        struct MetricRow: CompoundRow {
            var step: Int64
            var key: FixedString<16>
            var value: Double
            static let fields: [CompoundField<MetricRow>] = [
                .init("step", \.step), .init("key", \.key), .init("value", \.value),
            ]
        }
        let file = try File.create(directory.file("log.h5"))
        let table = try file.createAppendableDataset(
            "metrics", of: MetricRow.self, options: DatasetOptions(compression: .deflate(level: 4)))
        try table.append(MetricRow(step: 100, key: "episodic_return", value: 187))
        let row = try #require(try table.readAll().first)
        #expect(row.step == 100 && row.key.string == "episodic_return" && row.value == 187)
    }
}
