import Foundation
import HDF5
import LifelongTestSupport
import Testing

@Suite("lifelong smoke, end to end")
struct SmokeCommandTests {
    let directory = TemporaryDirectory("cli-smoke")
    let lifelong = TestEnvironment.product("lifelong")

    @Test func smokeWritesAFileThatReadsBackWithNoHandlesLeft() throws {
        let path = directory.file("nested/dir/smoke.h5")
        let result = try ProcessRunner.run(lifelong, ["smoke", "--out", path, "--steps", "321"])
        #expect(result.status == 0, "\(result.transcript)")
        #expect(result.standardOutput.contains("every value matches"))
        #expect(result.standardOutput.contains("Open HDF5 objects after closing: 0."))
        let file = try File.open(path)
        #expect(try file.openDataset("steps/observation", as: Float.self).shape == [321, 4])
        #expect(try file.lastCommit()?.rows["/steps/reward"] == 321)
        #expect(try file.attribute("schema", as: String.self) == "lifelong.smoke")
    }

    @Test func runningTwiceReplacesTheFile() throws {
        let path = directory.file("again.h5")
        for steps in ["100", "50"] {
            let result = try ProcessRunner.run(lifelong, ["smoke", "--out", path, "--steps", steps])
            #expect(result.status == 0, "\(result.transcript)")
        }
        #expect(try File.open(path).openDataset("steps/reward", as: Float.self).rowCount == 50)
    }

    @Test(.enabled(if: TestEnvironment.interopEnabled))
    func h5pyReadsTheSmokeFile() throws {
        let path = directory.file("for-h5py.h5")
        #expect(try ProcessRunner.run(lifelong, ["smoke", "--out", path]).status == 0)
        let script = """
            import sys, h5py, pandas as pd
            f = h5py.File(sys.argv[1], "r")
            table = pd.DataFrame(f["metrics"][:])
            assert list(table.columns) == ["step", "key", "value"], table.columns
            assert f["steps/observation"].shape == (1000, 4)
            assert f.attrs["schema"] == "lifelong.smoke"
            print(len(table))
            """
        let result = try TestEnvironment.runPython(code: script, [path])
        #expect(result.status == 0, "\(result.transcript)")
        #expect(result.standardOutput == "10\n")
    }

    @Test(arguments: [
        (["smoke", "--steps", "0"], "--steps must be between 1 and 10000000"),
        (["smoke", "--steps", "many"], "--steps"),
        (["smoke", "--out", "runs/"], "--out must name a file"),
        (["smok"], "smok"),
    ])
    func badArgumentsExitWithStatus2AndNameTheArgument(arguments: [String], expected: String) throws {
        let result = try ProcessRunner.run(lifelong, arguments)
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.standardError.contains(expected), "\(result.transcript)")
    }

    @Test func anUnwritableOutputIsAFailureWithTheDirectoryNamed() throws {
        let result = try ProcessRunner.run(lifelong, ["smoke", "--out", "/proc/lifelong-cannot-exist/x.h5"])
        #expect(result.status == 1, "\(result.transcript)")
        #expect(result.standardError.contains("/proc/lifelong-cannot-exist"))
    }
}
