import Foundation
import HDF5
import LifelongTestSupport
import Testing

@Suite("External links and virtual datasets")
struct LinkTests {
    /// Two "run" files with a different number of rows each, under `directory/runs`.
    func makeSources(_ directory: TemporaryDirectory) throws {
        try FileManager.default.createDirectory(atPath: directory.file("runs"), withIntermediateDirectories: true)
        for (name, rows) in [("a", 3), ("b", 2)] {
            let file = try File.create(directory.file("runs/\(name).h5"))
            let values = try file.createAppendableDataset("eval/returns", of: Double.self, rowShape: [2])
            try values.append(contentsOf: (0..<rows * 2).map { Double($0) + (name == "a" ? 0 : 100) })
            try file.close()
        }
    }

    @Test func virtualDatasetsStackSourcesAndFillWhatTheyDoNotCover() throws {
        let directory = TemporaryDirectory("hdf5-vds")
        try makeSources(directory)
        let merged = try File.create(directory.file("merged.h5"))
        try merged.createVirtualDataset(
            "stacked/returns", of: Double.self, shape: [2, 3, 2], fill: .nan,
            sources: [
                VirtualSource(file: "runs/a.h5", dataset: "/eval/returns", shape: [3, 2], index: 0),
                VirtualSource(file: "runs/b.h5", dataset: "/eval/returns", shape: [2, 2], index: 1),
            ])
        try merged.close()
        // The working directory is elsewhere: relative sources resolve against the merged file's directory.
        let reopened = try File.open(directory.file("merged.h5"))
        let values = try reopened.openDataset("stacked/returns", as: Double.self).readAll()
        #expect(Array(values[0..<6]) == [0, 1, 2, 3, 4, 5])
        #expect(Array(values[6..<10]) == [100, 101, 102, 103])
        #expect(values[10].isNaN && values[11].isNaN, "the row run b does not have is the fill value")
    }

    @Test func externalLinksOpenObjectsInTheLinkedFile() throws {
        let directory = TemporaryDirectory("hdf5-elink")
        try makeSources(directory)
        let merged = try File.create(directory.file("merged.h5"))
        try merged.createExternalLink("logs/b", file: "runs/b.h5", object: "/")
        try merged.close()
        let reopened = try File.open(directory.file("merged.h5"))
        #expect(try reopened.openDataset("logs/b/eval/returns", as: Double.self).readAll() == [100, 101, 102, 103])
    }

    @Test func aSourceThatDoesNotFitTheStackIsRefusedWithItsShape() throws {
        let directory = TemporaryDirectory("hdf5-vds-bad")
        let merged = try File.create(directory.file("merged.h5"))
        let error = #expect(throws: HDF5Error.self) {
            try merged.createVirtualDataset(
                "stacked", of: Double.self, shape: [1, 3, 2], fill: .nan,
                sources: [VirtualSource(file: "a.h5", dataset: "/x", shape: [3, 4], index: 0)])
        }
        #expect(error?.description.contains("has shape [3, 4], which does not fit a row of [3, 2]") == true)
    }
}
