import Foundation
import LifelongTestSupport
import Testing

@testable import Sweeps

@Suite("Slurm scripts")
struct SlurmScriptTests {
    @Test func theArrayScriptMatchesTheGoldenFile() throws {
        let sweep = SweepDirectory(
            path: "/scratch/sweeps/seeds", name: "seeds",
            entries: (0..<6).map {
                .init(index: $0, id: "seed-\($0)", curriculum: "curricula/seed-\($0).json", overrides: [])
            })
        var options = SweepSpec.SlurmOptions()
        options.partition = "cpu"
        options.memory = "4G"
        options.maxParallel = 2
        options.setup = ["module load hdf5"]
        options.sbatch = ["--qos=normal"]
        let script = SlurmBackend.arrayScript(
            sweep, options: options, indices: [0, 1, 2, 4, 5], executable: "/opt/lifelong/bin/lifelong")
        let golden = try String(
            contentsOfFile: TestEnvironment.packageRoot + "/Tests/golden/sweep-array.sbatch", encoding: .utf8)
        #expect(script == golden, "the array script changed; review it and update Tests/golden/sweep-array.sbatch")
    }

    @Test func indicesCompressIntoRanges() {
        #expect(SlurmBackend.ranges([0, 1, 2, 3]) == "0-3")
        #expect(SlurmBackend.ranges([5, 0, 2, 3, 7, 8]) == "0,2-3,5,7-8")
        #expect(SlurmBackend.ranges([4]) == "4")
    }
}
