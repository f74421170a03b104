import HDF5
import LifelongTestSupport
import Testing

@Suite("Handles are released")
struct HandleHygieneTests {
    let directory = TemporaryDirectory("hdf5-handles")

    @Test func manyOpenCloseCyclesLeaveOnlyTheSentinelOpen() throws {
        let path = directory.file("cycles.h5")
        do {
            let file = try File.create(path)
            let group = try file.createGroup("g")
            try group.createAppendableDataset("x", of: Double.self).append(contentsOf: [1, 2, 3])
            try group.createAppendableDataset("s", of: String.self).append(contentsOf: ["a", "b"])
            try group.setAttribute("tasks", ["a", "b"])
        }
        // Other tests run in parallel, so count the objects of this one file, through a handle kept open.
        let sentinel = try File.open(path)
        #expect(sentinel.openObjectCount == 1)
        for _ in 0..<1_000 {
            let file = try File.open(path)
            let group = try file.openGroup("g")
            _ = try group.openDataset("x", as: Double.self).read(rowIndices: [2, 0])
            _ = try group.openDataset("s", as: String.self).readAll()
            _ = try group.attribute("tasks", as: [String].self)
            _ = try? group.openDataset("missing", as: Double.self)
            _ = try? group.openDataset("x", as: String.self)
        }
        #expect(sentinel.openObjectCount == 1)
    }

    @Test func closeIsIdempotentAndObjectsOutliveAnExplicitlyClosedFile() throws {
        let path = directory.file("close.h5")
        let file = try File.create(path)
        let dataset = try file.createAppendableDataset("x", of: Int32.self)
        try file.close()
        try file.close()
        try dataset.append(5)
        #expect(try dataset.readAll() == [5])
    }

    @Test func theLibraryIsTheThreadSafeBuild() {
        #expect(HDF5Library.isThreadSafe)
        #expect(HDF5Library.version.hasPrefix("1."))
    }

    @Test func concurrentWritersOnSeparateFilesDoNotInterfere() async throws {
        let directory = self.directory
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    let file = try File.create(directory.file("thread-\(worker).h5"))
                    let dataset = try file.createAppendableDataset("x", of: Int64.self, options: .init(chunkRows: 16))
                    for batch in 0..<200 {
                        try dataset.append(contentsOf: (0..<10).map { Int64(worker * 1_000_000 + batch * 10 + $0) })
                        _ = try? file.openDataset("missing", as: Int64.self)  // errors stay on their thread
                    }
                    let values = try dataset.readAll()
                    #expect(values == (0..<2000).map { Int64(worker * 1_000_000 + $0) })
                }
            }
            try await group.waitForAll()
        }
    }
}

@Suite("Objects are freed with their last reference")
struct ReleaseTests {
    @Test func aFileUsingTheCommitProtocolIsReleasedWithItsLastReference() throws {
        let directory = TemporaryDirectory("hdf5-release")
        weak var released: File?
        do {
            let file = try File.createAtomically(directory.file("log.h5")) { file in
                _ = try file.createAppendableDataset("x", of: Float.self)
                try file.trackCommits(of: ["x"])
            }
            try file.openDataset("x", as: Float.self).append(1)
            try file.commit()
            released = file
        }
        #expect(released == nil, "a reference cycle keeps the file (and its HDF5 handles) alive")
    }
}
