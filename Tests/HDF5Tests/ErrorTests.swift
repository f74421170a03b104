import Foundation
import HDF5
import LifelongTestSupport
import Testing

@Suite("Bad files and bad calls give clear errors, never crashes")
struct ErrorTests {
    let directory = TemporaryDirectory("hdf5-errors")

    /// A small valid file with one dataset of 10,000 doubles.
    func validFile(_ name: String) throws -> String {
        let path = directory.file(name)
        let file = try File.create(path)
        try file.createDataset("data", of: Double.self, shape: [10_000]).write((0..<10_000).map(Double.init))
        try file.setAttribute("schema", "test")
        return path
    }

    @Test func aMissingFileSaysSoAndNamesThePath() throws {
        let path = directory.file("nope.h5")
        let error = try #require(throws: HDF5Error.self) { try File.open(path) }
        #expect(error.kind == .fileNotFound)
        #expect(error.description == "cannot open file '\(path)': no such file. Check the path.")
    }

    @Test func aTextFileIsNotHDF5() throws {
        let path = directory.file("notes.h5")
        try "just text, not HDF5\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: HDF5Error.self) { try File.open(path) }
        #expect(error.kind == .notHDF5)
        #expect(error.description.contains("not an HDF5 file"))
        #expect(error.description.contains(path))
        #expect(!error.stack.isEmpty, "the HDF5 error stack is carried along")
    }

    @Test func anEmptyFileIsNotHDF5() throws {
        let path = directory.file("empty.h5")
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let error = try #require(throws: HDF5Error.self) { try File.open(path) }
        #expect(error.kind == .notHDF5)
    }

    @Test func aDirectoryIsNotHDF5() throws {
        let error = try #require(throws: HDF5Error.self) { try File.open(directory.path) }
        #expect(error.kind == .notHDF5)
        #expect(error.description.contains("directory"))
    }

    @Test func aTruncatedFileIsCorrupt() throws {
        let path = try validFile("truncated.h5")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(size / 2))
        try handle.close()
        let error = try #require(throws: HDF5Error.self) { try File.open(path) }
        #expect(error.kind == .corrupt)
        #expect(error.description.contains("truncated"))
    }

    @Test func aFileWithItsSuperblockOverwrittenIsNotHDF5() throws {
        let path = try validFile("scribbled.h5")
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.write(contentsOf: Data(repeating: 0xAB, count: 64))
        try handle.close()
        let error = try #require(throws: HDF5Error.self) { try File.open(path) }
        #expect(error.kind == .notHDF5)
    }

    @Test func aFileLeftOpenForPlainWritingIsInUseForEveryReaderAndNamesRecovery() throws {
        let path = directory.file("left-open.h5")
        let killed = directory.file("left-open-killed.h5")
        let writer = try File.create(path)
        _ = try writer.createGroup("g")
        try writer.flush()
        try FileManager.default.copyItem(atPath: path, toPath: killed)  // what a kill before startSWMRWrite leaves
        for mode in [File.Mode.readOnly, .readSWMR] {
            let error = try #require(throws: HDF5Error.self) { try File.open(killed, mode: mode) }
            #expect(error.kind == .fileInUse, "mode \(mode)")
            #expect(error.description.contains("File.recover(path)"), "mode \(mode)")
        }
        #expect(try File.recover(killed).openObjectCount == 1)
    }

    @Test func aMissingDatasetIsObjectNotFoundListingTheGroup() throws {
        let file = try File.open(try validFile("schema.h5"))
        let error = try #require(throws: HDF5Error.self) { try file.openDataset("steps/reward", as: Float.self) }
        #expect(error.kind == .objectNotFound)
        #expect(error.description.contains("'/steps/reward'"))
        #expect(error.description.contains("holds: data"))
    }

    @Test func theWrongElementTypeIsATypeMismatchWithAHint() throws {
        let file = try File.open(try validFile("wrongtype.h5"))
        let error = try #require(throws: HDF5Error.self) { try file.openDataset("data", as: Int32.self) }
        #expect(error.kind == .typeMismatch)
        #expect(error.description.contains("stores float64"))
        #expect(error.description.contains("Open it as Float or Double"))
    }

    @Test func writingToAReadOnlyFileIsRefused() throws {
        let file = try File.open(try validFile("readonly.h5"))
        let data = try file.openDataset("data", as: Double.self)
        #expect(throws: HDF5Error.self) { try data.overwrite(rowsStartingAt: 0, with: [1]) }
        let error = try #require(throws: HDF5Error.self) { try file.createGroup("new") }
        #expect(error.kind == .notWritable)
        #expect(error.description.contains("read-only"))
    }

    @Test func creatingOverAnExistingFileNeedsOverwrite() throws {
        let path = try validFile("exists.h5")
        let error = try #require(throws: HDF5Error.self) { try File.create(path) }
        #expect(error.kind == .alreadyExists)
        #expect(error.description.contains("overwrite: true"))
        _ = try File.create(path, overwrite: true)
    }

    @Test func outOfRangeReadsAndRaggedWritesAreRejected() throws {
        let file = try File.create(directory.file("ranges.h5"))
        let dataset = try file.createAppendableDataset("x", of: Float.self, rowShape: [3])
        try dataset.append(contentsOf: [1, 2, 3])
        #expect(throws: HDF5Error.self) { try dataset.read(rows: 0..<2) }
        #expect(throws: HDF5Error.self) { try dataset.read(rowIndices: [1]) }
        let ragged = try #require(throws: HDF5Error.self) { try dataset.append(contentsOf: [1, 2]) }
        #expect(ragged.kind == .shapeMismatch)
        let fixed = try file.createDataset("fixed", of: Float.self, shape: [2])
        let append = try #require(throws: HDF5Error.self) { try fixed.append(1) }
        #expect(append.description.contains("createAppendableDataset"))
    }

    @Test func invalidCreationOptionsAreRejectedBeforeTouchingTheFile() throws {
        let file = try File.create(directory.file("options.h5"))
        #expect(throws: HDF5Error.self) {
            try file.createAppendableDataset(
                "x", of: Float.self, options: DatasetOptions(compression: .deflate(level: 12)))
        }
        #expect(throws: HDF5Error.self) {
            try file.createAppendableDataset("y", of: Float.self, options: DatasetOptions(chunkRows: 0))
        }
        #expect(!file.contains("x") && !file.contains("y"))
    }
}
