import CHDF5
import Foundation
import Glibc
import LifelongTestSupport
import Testing

@testable import HDF5

/// libhdf5 opens files without close-on-exec and locks them with `flock`, which belongs to the open file
/// description. A child process spawned while a file is open can inherit that description and keep the lock after
/// this process closed the file (it made `File.recover` fail with "unable to lock the file" in the crash tests).
@Suite("An open file's descriptor stays out of child processes")
struct FileDescriptorTests {
    let directory = TemporaryDirectory("hdf5-descriptor")

    func isCloseOnExec(_ file: File) throws -> Bool {
        let descriptor = try #require(FileDescriptor.of(file.handle.id))
        return fcntl(descriptor, F_GETFD) & FD_CLOEXEC != 0
    }

    @Test func everyWayOfOpeningAFileMarksItCloseOnExec() throws {
        let path = directory.file("flags.h5")
        let created = try File.create(path)
        _ = try created.createAppendableDataset("x", of: Int32.self)
        try created.trackCommits(of: ["x"])
        #expect(try isCloseOnExec(created))
        try created.close()
        for mode in [File.Mode.readOnly, .readWrite, .readSWMR] {
            let file = try File.open(path, mode: mode)
            #expect(try isCloseOnExec(file), "mode \(mode)")
            try file.close()
        }
        #expect(try isCloseOnExec(try File.recover(path)))
        let atomic = try File.createAtomically(directory.file("atomic.h5")) { _ = try $0.createGroup("g") }
        #expect(try isCloseOnExec(atomic))
    }

    @Test func aCopyOfTheDescriptionLeftElsewhereDoesNotKeepAClosedFileLocked() throws {
        let path = directory.file("lock.h5")
        try File.writeAtomically(path) { _ = try $0.createGroup("g") }
        let reader = try File.open(path)
        // What a child spawned at the wrong moment holds: another descriptor for the same open file description,
        // which shares the reader's shared lock.
        let inherited = dup(try #require(FileDescriptor.of(reader.handle.id)))
        defer { close(inherited) }
        try reader.close()
        let writer = try File.open(path, mode: .readWrite)
        _ = try writer.createGroup("h")
        try writer.close()
    }

    @Test func aFileStillUsedByItsDatasetsKeepsItsLockAfterFileClose() throws {
        let path = directory.file("open-objects.h5")
        try File.writeAtomically(path) { try $0.createDataset("x", of: Int8.self, shape: [2]).write([1, 2]) }
        let file = try File.open(path)
        let dataset = try file.openDataset("x", as: Int8.self)
        try file.close()
        // The dataset keeps the file open, so its shared lock must hold: another writer's lock is still refused.
        let other = open(path, O_RDONLY | O_CLOEXEC)
        defer { close(other) }
        #expect(flock(other, LOCK_EX | LOCK_NB) != 0)
        #expect(try dataset.readAll() == [1, 2])
    }
}
