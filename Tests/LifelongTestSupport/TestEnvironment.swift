import Foundation

/// Where the package, its built executables and the interop Python live when tests run.
public enum TestEnvironment {
    /// The package root (the folder holding Package.swift).
    public static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The folder holding the executables built with the tests (`lifelong`, `HDF5CrashWriter`).
    public static let productsDirectory: String = {
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // On Linux the test runner is `<products>/LifelongPackageTests.xctest`; on Darwin it is a bundle inside.
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("lifelong").path)
            && url.path != "/"
        {
            url.deleteLastPathComponent()
        }
        return url.path
    }()

    /// The path of a built executable of this package.
    public static func product(_ name: String) -> String { productsDirectory + "/" + name }

    /// How many kill trials a crash test runs: `$LIFELONG_CRASH_TRIALS` (which `make crash-test` raises), else
    /// the test's own default for `make test`.
    public static func crashTrials(default trials: Int) -> Int {
        ProcessInfo.processInfo.environment["LIFELONG_CRASH_TRIALS"].flatMap { Int($0) } ?? trials
    }

    /// The Python interpreter with h5py and pandas: `$LIFELONG_PYTHON`, else the package's `.venv`.
    public static let python: String? = {
        if let configured = ProcessInfo.processInfo.environment["LIFELONG_PYTHON"], !configured.isEmpty {
            return configured
        }
        let venv = packageRoot + "/.venv/bin/python"
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }()

    /// `make test` sets `LIFELONG_REQUIRE_INTEROP=1`, which turns a missing Python into a failure instead of
    /// skipped interop tests.
    public static var interopRequired: Bool {
        ProcessInfo.processInfo.environment["LIFELONG_REQUIRE_INTEROP"] == "1"
    }

    /// Whether interop tests run: Python is there, or `make test` demands it (and the test then fails loudly).
    public static var interopEnabled: Bool { python != nil || interopRequired }

    /// Runs a script from `Tests/interop/` with the interop Python.
    public static func runPython(_ script: String, _ arguments: [String]) throws -> ProcessResult {
        guard let python else { throw InteropUnavailable() }
        return try ProcessRunner.run(python, [packageRoot + "/Tests/interop/" + script] + arguments)
    }

    /// Runs Python source code with the interop Python.
    public static func runPython(code: String, _ arguments: [String]) throws -> ProcessResult {
        guard let python else { throw InteropUnavailable() }
        return try ProcessRunner.run(python, ["-c", code] + arguments)
    }

    public struct InteropUnavailable: Error, CustomStringConvertible {
        public var description: String {
            "no Python with h5py and pandas: run `make test` (it creates .venv) or set LIFELONG_PYTHON"
        }
    }
}
