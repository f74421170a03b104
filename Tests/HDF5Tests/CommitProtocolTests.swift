import CHDF5
import Foundation
import LifelongTestSupport
import Testing

@testable import HDF5

@Suite("The commit protocol: a commit record written last, recovery back to it")
struct CommitProtocolTests {
    let directory = TemporaryDirectory("hdf5-commit")

    func makeLog(_ name: String) throws -> File {
        try File.createAtomically(directory.file(name)) { file in
            _ = try file.createAppendableDataset("steps/reward", of: Float.self)
            _ = try file.createAppendableDataset("steps/observation", of: Double.self, rowShape: [4])
            try file.trackCommits(of: ["steps/reward", "steps/observation"])
        }
    }

    @Test func commitsCountRowsAndAdvanceTheGeneration() throws {
        let file = try makeLog("counts.h5")
        #expect(
            try file.lastCommit() == CommitRecord(generation: 0, rows: ["/steps/reward": 0, "/steps/observation": 0]))
        let reward = try file.openDataset("steps/reward", as: Float.self)
        let observation = try file.openDataset("steps/observation", as: Double.self)
        try reward.append(contentsOf: [1, 2, 3])
        try observation.append(contentsOf: [Double](repeating: 0.5, count: 12))
        let first = try file.commit()
        #expect(first == CommitRecord(generation: 1, rows: ["/steps/reward": 3, "/steps/observation": 3]))
        try reward.append(4)
        #expect(try file.commit().generation == 2)
        #expect(try file.lastCommit()?.rows["/steps/reward"] == 4)
    }

    @Test func recoveryDropsRowsAppendedAfterTheLastCommit() throws {
        let path = directory.file("recover.h5")
        do {
            let file = try makeLog("recover.h5")
            let reward = try file.openDataset("steps/reward", as: Float.self)
            try reward.append(contentsOf: [1, 2, 3])
            try file.commit()
            try reward.append(contentsOf: [4, 5])  // never committed
            try file.flush()
        }
        #expect(try File.open(path).openDataset("steps/reward", as: Float.self).rowCount == 5)
        let recovered = try File.recover(path)
        #expect(try recovered.openDataset("steps/reward", as: Float.self).readAll() == [1, 2, 3])
        #expect(try recovered.lastCommit()?.generation == 1)
        // The writer carries on where the commit left off.
        let reward = try recovered.openDataset("steps/reward", as: Float.self)
        try reward.append(9)
        #expect(
            try recovered.commit() == CommitRecord(generation: 2, rows: ["/steps/reward": 4, "/steps/observation": 0]))
    }

    /// A kill during a flush can leave the chunk index of rows past the commit on disk while the superblock still
    /// records the end of allocation from before (seen in CI as "addr overflow" when recovery cut the datasets
    /// back). Flushing one dataset's metadata without the superblock and copying the file makes that state exactly.
    @Test func recoveryCutsBackPastIndexBlocksWrittenBeyondTheRecordedEndOfAllocation() throws {
        let path = directory.file("beyond-eoa.h5")
        let snapshot = directory.file("beyond-eoa-killed.h5")
        let file = try File.createAtomically(path) { file in
            _ = try file.createAppendableDataset("rows", of: Int64.self, options: DatasetOptions(chunkRows: 7))
            try file.trackCommits(of: ["rows"])
        }
        try file.startSWMRWrite()
        let rows = try file.openDataset("rows", as: Int64.self)
        try rows.append(contentsOf: (0..<100).map { Int64($0) })
        try file.commit()
        try rows.append(contentsOf: (100..<2_100).map { Int64($0) })  // new index blocks, never committed
        #expect(H5Dflush(rows.handle.id) >= 0)
        try FileManager.default.copyItem(atPath: path, toPath: snapshot)  // what a kill now would leave
        let recovered = try File.recover(snapshot)
        #expect(try recovered.lastCommit()?.rows["/rows"] == 100)
        let kept = try recovered.openDataset("rows", as: Int64.self)
        #expect(try kept.readAll() == (0..<100).map { Int64($0) })
        try kept.append(100)
        #expect(try recovered.commit().rows["/rows"] == 101)
    }

    @Test func recoveringAFileWithoutACommitRecordOnlyClearsItsFlags() throws {
        let path = directory.file("plain.h5")
        try File.create(path).createDataset("x", of: Int8.self, shape: [2]).write([1, 2])
        let file = try File.recover(path)
        #expect(try file.lastCommit() == nil)
        #expect(try file.openDataset("x", as: Int8.self).readAll() == [1, 2])
    }

    @Test func commitWithoutTrackingExplainsWhatToDo() throws {
        let file = try File.create(directory.file("untracked.h5"))
        let error = try #require(throws: HDF5Error.self) { try file.commit() }
        #expect(error.description.contains("trackCommits"))
        let missing = try #require(throws: HDF5Error.self) { try file.trackCommits(of: ["nope"]) }
        #expect(missing.kind == .objectNotFound)
    }

    @Test func atomicCreationLeavesNothingBehindWhenSetUpFails() throws {
        struct SetUpFailed: Error {}
        let path = directory.file("atomic.h5")
        #expect(throws: SetUpFailed.self) {
            _ = try File.createAtomically(path) { file in
                _ = try file.createGroup("half")
                throw SetUpFailed()
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func swmrWritingRefusesNewObjectsAndAttributes() throws {
        let file = try makeLog("swmr.h5")
        try file.startSWMRWrite()
        #expect(file.isSWMRWriting)
        let group = try #require(throws: HDF5Error.self) { try file.createGroup("late") }
        #expect(group.kind == .notWritable)
        #expect(group.description.contains("before startSWMRWrite()"))
        #expect(throws: HDF5Error.self) { try file.setAttribute("late", Int64(1)) }
        // Appends and commits are what SWMR is for.
        try file.openDataset("steps/reward", as: Float.self).append(contentsOf: [1, 2])
        #expect(try file.commit().rows["/steps/reward"] == 2)
    }

    @Test func durableReplaceSwapsWholeFiles() throws {
        let path = directory.file("run.json")
        try DurableFile.replace(path, with: Data("first".utf8))
        try DurableFile.replace(path, with: Data("second".utf8))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["run.json"])
    }
}
