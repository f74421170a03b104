import Testing

@testable import Analysis

@Suite("Merged-file fingerprints")
struct SweepMergeTests {
    @Test func seedsOfOneConfigurationShareAHashAndOtherSettingsDoNot() {
        let base = #"{"name": "c", "seeds": {"agent": 1, "curriculum": 4}, "strategy": {"name": "ewc"}}"#
        let otherSeed = base.replacingOccurrences(of: #""agent": 1"#, with: #""agent": 9"#)
        let otherStream = base.replacingOccurrences(of: #""curriculum": 4"#, with: #""curriculum": 5"#)
        let otherStrategy = base.replacingOccurrences(of: "ewc", with: "l2")
        let withOutput = base.replacingOccurrences(of: #""name": "c","#, with: #""name": "c", "output": "runs/x","#)
        let hash = SweepMerge.configurationHash(base)
        #expect(hash.count == 16)
        #expect(SweepMerge.configurationHash(otherSeed) == hash)
        #expect(SweepMerge.configurationHash(withOutput) == hash)
        #expect(SweepMerge.configurationHash(otherStream) != hash, "the curriculum seed changes the task stream")
        #expect(SweepMerge.configurationHash(otherStrategy) != hash)
    }
}
