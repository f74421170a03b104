import HDF5
import LifelongTestSupport
import Testing

@Suite("Attributes and groups")
struct AttributeAndGroupTests {
    let directory = TemporaryDirectory("hdf5-attributes")

    @Test func attributesOfEveryKindRoundTripOnFilesGroupsAndDatasets() throws {
        let path = directory.file("attributes.h5")
        do {
            let file = try File.create(path)
            let group = try file.createGroup("eval")
            let dataset = try group.createDataset("returns", of: Double.self, shape: [2])
            for object in [file, group, dataset] as [HDF5Object] {
                try object.setAttribute("seed", Int64(42))
                try object.setAttribute("small", UInt8(7))
                try object.setAttribute("rate", 2.5e-4)
                try object.setAttribute("ratio", Float(0.5))
                try object.setAttribute("ok", true)
                try object.setAttribute("shape", [Int32(4), 2])
                try object.setAttribute("name", "CartPole-v1 ✓")
                try object.setAttribute("tasks", ["default", "heavy-pole"])
            }
        }
        let file = try File.open(path)
        let group = try file.openGroup("eval")
        for object in [file, group, try group.openDataset("returns", as: Double.self)] as [HDF5Object] {
            #expect(try object.attribute("seed", as: Int64.self) == 42)
            #expect(try object.attribute("small", as: UInt8.self) == 7)
            #expect(try object.attribute("rate", as: Double.self) == 2.5e-4)
            #expect(try object.attribute("ratio", as: Float.self) == 0.5)
            #expect(try object.attribute("ok", as: Bool.self) == true)
            #expect(try object.attribute("shape", as: [Int32].self) == [4, 2])
            #expect(try object.attribute("name", as: String.self) == "CartPole-v1 ✓")
            #expect(try object.attribute("tasks", as: [String].self) == ["default", "heavy-pole"])
            #expect(try object.attributeNames == ["name", "ok", "rate", "ratio", "seed", "shape", "small", "tasks"])
        }
    }

    @Test func settingAnAttributeAgainReplacesIt() throws {
        let file = try File.create(directory.file("replace.h5"))
        try file.setAttribute("x", Int32(1))
        try file.setAttribute("x", "now text")
        #expect(try file.attribute("x", as: String.self) == "now text")
        try file.removeAttribute("x")
        #expect(!file.hasAttribute("x"))
    }

    @Test func aMissingAttributeNamesTheOnesThatExist() throws {
        let file = try File.create(directory.file("missing-attribute.h5"))
        try file.setAttribute("seed", Int64(1))
        let error = try #require(throws: HDF5Error.self) { try file.attribute("sede", as: Int64.self) }
        #expect(error.kind == .objectNotFound)
        #expect(error.description.contains("seed"))
    }

    @Test func readingAnAttributeAsTheWrongKindIsATypeMismatch() throws {
        let file = try File.create(directory.file("wrong-attribute.h5"))
        try file.setAttribute("name", "text")
        let error = try #require(throws: HDF5Error.self) { try file.attribute("name", as: Double.self) }
        #expect(error.kind == .typeMismatch)
    }

    @Test func groupsNestListAndRemove() throws {
        let file = try File.create(directory.file("groups.h5"))
        try file.createGroup("a/b/c")
        _ = try file.createDataset("a/b/data", of: Int8.self, shape: [1])
        _ = try file.createAppendableDataset("z/deep/log", of: Float.self)
        #expect(file.contains("a/b/c"))
        #expect(file.contains("/a/b"))
        #expect(!file.contains("a/x/c"))
        #expect(file.isDataset("a/b/data"))
        #expect(!file.isDataset("a/b"))
        #expect(try file.children() == ["a", "z"])
        #expect(try file.openGroup("a").children() == ["b"])
        #expect(try file.openGroup("a/b").objectPath == "/a/b")
        try file.remove("a/b/c")
        #expect(try file.openGroup("a/b").children() == ["data"])
    }

    @Test func openingAMissingGroupListsWhatIsThere() throws {
        let file = try File.create(directory.file("missing-group.h5"))
        try file.createGroup("eval")
        let error = try #require(throws: HDF5Error.self) { try file.openGroup("evals") }
        #expect(error.kind == .objectNotFound)
        #expect(error.description.contains("'/evals'"))
        #expect(error.description.contains("eval"))
    }
}
