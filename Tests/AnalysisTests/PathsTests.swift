import Testing

@testable import Analysis

@Suite("Run ids, relative paths and CSV fields")
struct PathsTests {
    @Test func runIdsUseMoreOfThePathOnlyWhenNamesRepeat() {
        #expect(RunAnalysis.uniqueIDs(["/s/a/seed-1", "/s/a/seed-2"]) == ["seed-1", "seed-2"])
        #expect(RunAnalysis.uniqueIDs(["/s/ewc/seed-1", "/s/l2/seed-1"]) == ["ewc-seed-1", "l2-seed-1"])
    }

    @Test func relativePathsClimbOutOfTheBaseWhenNeeded() {
        #expect(relativePath("/w/runs/a", from: "/w/runs") == "a")
        #expect(relativePath("/w/runs/a", from: "/w/notebooks-export") == "../runs/a")
        #expect(relativePath("/w/runs", from: "/w/runs") == ".")
    }

    @Test func csvFieldsAreQuotedOnlyWhenTheyMustBe() {
        #expect(CSVExport.csvField("eval/mean_return") == "eval/mean_return")
        #expect(CSVExport.csvField("0,1") == "\"0,1\"")
        #expect(CSVExport.csvField(#"{"length":1.0}"#) == #""{""length"":1.0}""#)
    }
}
