import Foundation
import HDF5
import LifelongTestSupport
import Testing

/// Both directions against the real h5py (and pandas) from the test venv; the expected values mirror
/// Tests/interop/interop_values.py.
@Suite("Interop with h5py and pandas", .enabled(if: TestEnvironment.interopEnabled))
struct InteropTests {
    let directory = TemporaryDirectory("hdf5-interop")

    static let float32 = (0..<12).map { Float($0) * 0.5 }
    static let float64: [Double] = [0, -0.0, .pi, .infinity, -.infinity, .nan]
    static let bools = [true, false, true]
    static let words = ["", "CartPole-v1", "σ=0.5 ✓", "a longer sentence with spaces"]
    static let fixedWords = ["alpha", "beta", ""]
    static let growing = (0..<1000).map { Int32($0 * 3) }

    static func integers<T: FixedWidthInteger>(_: T.Type) -> [T] { [T.min, T.min == 0 ? 0 : 0 &- 1, 1, T.max] }

    static func metricRows(_ count: Int) -> [MetricRow] { CompoundRowTests.rows(count) }

    @Test func swiftReadsWhatH5pyWrote() throws {
        let path = directory.file("from-h5py.h5")
        let written = try TestEnvironment.runPython("h5py_write.py", [path])
        try #require(written.status == 0, "\(written.transcript)")

        let file = try File.open(path)
        let float32 = try file.openDataset("float32", as: Float.self)
        #expect(float32.rowShape == [3])
        #expect(try float32.readAll() == Self.float32)
        let float64 = try file.openDataset("float64", as: Double.self).readAll()
        #expect(float64.prefix(5).elementsEqual(Self.float64.prefix(5)) && float64[5].isNaN)
        #expect(float64[1].sign == .minus)
        #expect(try file.openDataset("integers/int8", as: Int8.self).readAll() == Self.integers(Int8.self))
        #expect(try file.openDataset("integers/int16", as: Int16.self).readAll() == Self.integers(Int16.self))
        #expect(try file.openDataset("integers/int32", as: Int32.self).readAll() == Self.integers(Int32.self))
        #expect(try file.openDataset("integers/int64", as: Int64.self).readAll() == Self.integers(Int64.self))
        #expect(try file.openDataset("integers/uint8", as: UInt8.self).readAll() == Self.integers(UInt8.self))
        #expect(try file.openDataset("integers/uint16", as: UInt16.self).readAll() == Self.integers(UInt16.self))
        #expect(try file.openDataset("integers/uint32", as: UInt32.self).readAll() == Self.integers(UInt32.self))
        #expect(try file.openDataset("integers/uint64", as: UInt64.self).readAll() == Self.integers(UInt64.self))
        #expect(try file.openDataset("bool", as: Bool.self).readAll() == Self.bools)
        #expect(try file.openDataset("strings/variable", as: String.self).readAll() == Self.words)
        #expect(try file.openDataset("strings/fixed", as: String.self).readAll() == Self.fixedWords)
        #expect(try file.openDataset("metrics", as: MetricRow.self).readAll() == Self.metricRows(50))
        let growing = try file.openDataset("growing", as: Int32.self)
        #expect(growing.isAppendable)
        #expect(try growing.readAll() == Self.growing)
        #expect(try file.attribute("seed", as: Int64.self) == 42)
        #expect(try file.attribute("rate", as: Double.self) == 2.5e-4)
        #expect(try file.attribute("name", as: String.self) == "CartPole-v1 ✓")
        #expect(try file.attribute("tasks", as: [String].self) == ["default", "heavy-pole"])
        #expect(try file.attribute("shape", as: [Int32].self) == [4, 2])
        #expect(try file.attribute("fixed", as: String.self) == "fixed-bytes")
        #expect(try file.attribute("flag", as: Bool.self) == true)
    }

    @Test func h5pyAndPandasReadWhatSwiftWrote() throws {
        let path = directory.file("from-swift.h5")
        do {
            let file = try File.create(path)
            try file.createDataset("float32", of: Float.self, shape: [4, 3]).write(Self.float32)
            try file.createDataset("float64", of: Double.self, shape: [6]).write(Self.float64)
            try file.createDataset("integers/int8", of: Int8.self, shape: [4]).write(Self.integers(Int8.self))
            try file.createDataset("integers/int16", of: Int16.self, shape: [4]).write(Self.integers(Int16.self))
            try file.createDataset("integers/int32", of: Int32.self, shape: [4]).write(Self.integers(Int32.self))
            try file.createDataset("integers/int64", of: Int64.self, shape: [4]).write(Self.integers(Int64.self))
            try file.createDataset("integers/uint8", of: UInt8.self, shape: [4]).write(Self.integers(UInt8.self))
            try file.createDataset("integers/uint16", of: UInt16.self, shape: [4]).write(Self.integers(UInt16.self))
            try file.createDataset("integers/uint32", of: UInt32.self, shape: [4]).write(Self.integers(UInt32.self))
            try file.createDataset("integers/uint64", of: UInt64.self, shape: [4]).write(Self.integers(UInt64.self))
            try file.createDataset("bool", of: Bool.self, shape: [3]).write(Self.bools)
            try file.createAppendableDataset("strings/variable", of: String.self).append(contentsOf: Self.words)
            try file.createDataset("strings/fixed", of: String.self, shape: [3], storage: .fixedLength(bytes: 16))
                .write(Self.fixedWords)
            let metrics = try file.createAppendableDataset(
                "metrics", of: MetricRow.self, options: DatasetOptions(chunkRows: 16))
            try metrics.append(contentsOf: Self.metricRows(50))
            let growing = try file.createAppendableDataset(
                "growing", of: Int32.self, options: DatasetOptions(chunkRows: 64, compression: .deflate(level: 4)))
            try growing.append(contentsOf: Self.growing)
            try file.setAttribute("seed", Int64(42))
            try file.setAttribute("rate", 2.5e-4)
            try file.setAttribute("name", "CartPole-v1 ✓")
            try file.setAttribute("tasks", ["default", "heavy-pole"])
            try file.setAttribute("shape", [Int32(4), 2])
            try file.setAttribute("flag", true)
        }
        let checked = try TestEnvironment.runPython("h5py_check.py", [path])
        #expect(checked.status == 0, "\(checked.transcript)")
    }

    @Test func h5pyFollowsALiveSWMRWriter() throws {
        let path = directory.file("live.h5")
        let file = try File.createAtomically(path) { file in
            _ = try file.createAppendableDataset("steps/reward", of: Float.self, options: DatasetOptions(chunkRows: 32))
            try file.trackCommits(of: ["steps/reward"])
        }
        try file.startSWMRWrite()
        let reward = try file.openDataset("steps/reward", as: Float.self)
        var appended = 0
        for round in 1...3 {
            try reward.append(contentsOf: (appended..<(appended + 100)).map(Float.init))
            appended += 100
            try file.commit()
            try reward.append(contentsOf: (appended..<(appended + 7)).map(Float.init))  // not yet committed
            appended += 7
            let read = try TestEnvironment.runPython("h5py_swmr_read.py", [path])
            try #require(read.status == 0, "\(read.transcript)")
            let report = try JSONDecoder().decode(SWMRReport.self, from: Data(read.standardOutput.utf8))
            #expect(report.generation == Int64(round))
            #expect(report.committed["/steps/reward"] == appended - 7)
            #expect(report.rowsVisible >= appended - 7)
            #expect(report.committedValuesOK)
        }
    }

    struct SWMRReport: Decodable {
        var generation: Int64
        var committed: [String: Int]
        var rowsVisible: Int
        var committedValuesOK: Bool

        enum CodingKeys: String, CodingKey {
            case generation, committed
            case rowsVisible = "rows_visible"
            case committedValuesOK = "committed_values_ok"
        }
    }
}
