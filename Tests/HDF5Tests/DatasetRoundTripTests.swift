import HDF5
import LifelongTestSupport
import Testing

@Suite("Datasets round-trip every element type and shape")
struct DatasetRoundTripTests {
    let directory = TemporaryDirectory("hdf5-roundtrip")

    func roundTrip<Element: HDF5Element & Equatable>(_ values: [Element], rowShape: [Int] = []) throws {
        let path = directory.file("\(Element.self).h5")
        do {
            let file = try File.create(path, overwrite: true)
            let fixed = try file.createDataset(
                "fixed", of: Element.self, shape: [values.count / max(1, rowShape.reduce(1, *))] + rowShape)
            try fixed.write(values)
            let growing = try file.createAppendableDataset("growing", of: Element.self, rowShape: rowShape)
            try growing.append(contentsOf: values)
        }
        let file = try File.open(path)
        #expect(try file.openDataset("fixed", as: Element.self).readAll() == values)
        #expect(try file.openDataset("growing", as: Element.self).readAll() == values)
        #expect(
            try file.openDataset("growing", as: Element.self).shape == [values.count / max(1, rowShape.reduce(1, *))]
                + rowShape)
    }

    @Test func signedIntegersKeepTheirExtremes() throws {
        try roundTrip([Int8.min, -1, 0, 1, Int8.max])
        try roundTrip([Int16.min, -1, 0, 1, Int16.max])
        try roundTrip([Int32.min, -1, 0, 1, Int32.max])
        try roundTrip([Int64.min, -1, 0, 1, Int64.max])
        try roundTrip([Int.min, 0, Int.max])
    }

    @Test func unsignedIntegersKeepTheirExtremes() throws {
        try roundTrip([UInt8.min, 1, UInt8.max])
        try roundTrip([UInt16.min, 1, UInt16.max])
        try roundTrip([UInt32.min, 1, UInt32.max])
        try roundTrip([UInt64.min, 1, UInt64.max])
    }

    @Test func floatsKeepInfinitiesSubnormalsAndSignedZero() throws {
        try roundTrip([
            Float(0), -0.0, 1.5, -Float.infinity, .infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
        ])
        try roundTrip([
            Double(0), -0.0, .pi, -Double.infinity, .infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
        ])
    }

    @Test func nanSurvivesAsNaN() throws {
        let path = directory.file("nan.h5")
        let file = try File.create(path)
        let dataset = try file.createDataset("x", of: Double.self, shape: [2])
        try dataset.write([.nan, 1])
        let back = try File.open(path).openDataset("x", as: Double.self).readAll()
        #expect(back[0].isNaN && back[1] == 1)
    }

    @Test func boolsRoundTrip() throws {
        try roundTrip([true, false, false, true])
    }

    @Test func multiDimensionalRowsAreRowMajor() throws {
        try roundTrip((0..<24).map { Float($0) }, rowShape: [3, 2])
        try roundTrip((0..<12).map { Int32($0) }, rowShape: [4])
    }

    @Test func appendsAcrossChunkBoundariesReadBackInOrder() throws {
        let path = directory.file("chunks.h5")
        let file = try File.create(path)
        let dataset = try file.createAppendableDataset(
            "obs", of: Double.self, rowShape: [2], options: DatasetOptions(chunkRows: 7))
        var random = SplitMix64(seed: 7)
        var expected: [Double] = []
        while expected.count / 2 < 500 {
            let rows = Int.random(in: 1...23, using: &random)
            let values = (0..<(rows * 2)).map { Double(expected.count + $0) }
            try dataset.append(contentsOf: values)
            expected += values
        }
        #expect(dataset.rowCount == expected.count / 2)
        #expect(try dataset.readAll() == expected)
        #expect(try dataset.read(rows: 5..<19) == Array(expected[10..<38]))
        let indices = (0..<200).map { _ in Int.random(in: 0..<dataset.rowCount, using: &random) }
        #expect(try dataset.read(rowIndices: indices) == indices.flatMap { [expected[2 * $0], expected[2 * $0 + 1]] })
        var buffer = [Double](repeating: 0, count: 6)
        try buffer.withUnsafeMutableBufferPointer { try dataset.read(rows: 6..<9, into: $0) }
        #expect(buffer == Array(expected[12..<18]))
    }

    @Test func scalarRowsReadByIndexInAnyOrderWithRepeats() throws {
        let file = try File.create(directory.file("indices.h5"))
        let dataset = try file.createAppendableDataset("x", of: Int64.self, options: DatasetOptions(chunkRows: 4))
        try dataset.append(contentsOf: (0..<50).map { Int64($0 * 10) })
        #expect(try dataset.read(rowIndices: [49, 0, 7, 7, 3]) == [490, 0, 70, 70, 30])
        #expect(try dataset.read(rowIndices: []) == [])
    }

    @Test func overwriteReplacesARowRangeOnly() throws {
        let file = try File.create(directory.file("overwrite.h5"))
        let dataset = try file.createDataset("x", of: Int32.self, shape: [6])
        try dataset.write([0, 1, 2, 3, 4, 5])
        try dataset.overwrite(rowsStartingAt: 2, with: [20, 30])
        #expect(try dataset.readAll() == [0, 1, 20, 30, 4, 5])
    }

    @Test func compressedAndChecksummedDataRoundTrips() throws {
        let path = directory.file("deflate.h5")
        let values = (0..<10_000).map { Float($0 % 17) }
        do {
            let file = try File.create(path)
            let options = DatasetOptions(chunkRows: 1000, compression: .deflate(level: 4), checksum: true)
            try file.createAppendableDataset("x", of: Float.self, options: options).append(contentsOf: values)
            try file.createDataset("y", of: Float.self, shape: [values.count], options: options).write(values)
        }
        let file = try File.open(path)
        #expect(try file.openDataset("x", as: Float.self).readAll() == values)
        #expect(try file.openDataset("y", as: Float.self).readAll() == values)
    }

    @Test func resizeShrinksAnAppendableDataset() throws {
        let file = try File.create(directory.file("resize.h5"))
        let dataset = try file.createAppendableDataset("x", of: UInt8.self)
        try dataset.append(contentsOf: [1, 2, 3, 4, 5])
        try dataset.resize(rows: 2)
        #expect(try dataset.readAll() == [1, 2])
        try dataset.append(9)
        #expect(try dataset.readAll() == [1, 2, 9])
    }

    @Test func integerWidthsConvertOnRead() throws {
        let file = try File.create(directory.file("convert.h5"))
        try file.createDataset("x", of: Int16.self, shape: [3]).write([-3, 0, 300])
        try file.createDataset("f", of: Float.self, shape: [2]).write([0.5, -2])
        #expect(try file.openDataset("x", as: Int64.self).readAll() == [-3, 0, 300])
        #expect(try file.openDataset("f", as: Double.self).readAll() == [0.5, -2])
    }
}
