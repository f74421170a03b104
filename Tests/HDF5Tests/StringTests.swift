import HDF5
import LifelongTestSupport
import Testing

@Suite("Strings are stored as UTF-8, fixed- or variable-length")
struct StringTests {
    let directory = TemporaryDirectory("hdf5-strings")
    let words = ["", "CartPole-v1", "heavy-pole", "σ=0.5 ✓", "a longer sentence with spaces"]

    @Test func fixedStringsCutLongTextAtTheLastWholeCharacter() {
        #expect(FixedString<6>("abcdé").string == "abcdé")
        #expect(FixedString<5>("abcdé").string == "abcd")  // é is two bytes; one is left
        #expect(FixedString<4>("日本").string == "日")
        #expect(FixedString<3>("abcdef").string == "abc")
        #expect(FixedString<8>("").string == "")
    }

    @Test(arguments: [StringStorage.variableLength, .fixedLength(bytes: 32)])
    func stringsRoundTripWhole(storage: StringStorage) throws {
        let path = directory.file("whole.h5")
        do {
            let file = try File.create(path, overwrite: true)
            try file.createDataset("names", of: String.self, shape: [words.count], storage: storage).write(words)
            try file.createAppendableDataset("log", of: String.self, storage: storage).append(contentsOf: words)
        }
        let file = try File.open(path)
        #expect(try file.openDataset("names", as: String.self).readAll() == words)
        let log = try file.openDataset("log", as: String.self)
        #expect(try log.readAll() == words)
        #expect(try log.read(rows: 1..<3) == Array(words[1..<3]))
        #expect(try log.read(rowIndices: [3, 1, 3]) == [words[3], words[1], words[3]])
    }

    @Test func fixedLengthRejectsTextThatDoesNotFit() throws {
        let file = try File.create(directory.file("fixed.h5"))
        let dataset = try file.createAppendableDataset("x", of: String.self, storage: .fixedLength(bytes: 4))
        let error = try #require(throws: HDF5Error.self) { try dataset.append("too long") }
        #expect(error.kind == .invalidArgument)
        #expect(error.description.contains("at most 4"))
    }

    @Test func fixedStringCutsAtWholeCharacters() {
        #expect(FixedString<4>("abcdef").string == "abcd")
        #expect(FixedString<4>("aé✓").string == "aé")  // ✓ takes 3 bytes and does not fit
        #expect(FixedString<8>("task").string == "task")
    }

    @Test func openingANumericDatasetAsStringIsATypeMismatch() throws {
        let file = try File.create(directory.file("mismatch.h5"))
        _ = try file.createDataset("x", of: Double.self, shape: [1])
        let error = try #require(throws: HDF5Error.self) { try file.openDataset("x", as: String.self) }
        #expect(error.kind == .typeMismatch)
        #expect(error.description.contains("float64"))
    }
}
