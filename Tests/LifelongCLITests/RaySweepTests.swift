import Foundation
import LifelongTestSupport
import Testing

/// A Ray head on loopback for the Ray backend's test, started once (by `make test-ray`, which sets
/// `LIFELONG_RAY_TESTS=1` and installs `ray` into `.venv`).
enum RayHead {
    static let port = 6390 + Int(getpid() % 500)

    /// The head's address, or why Ray could not start here.
    static let started: Result<String, RayUnavailable> = {
        guard ProcessInfo.processInfo.environment["LIFELONG_RAY_TESTS"] == "1" else {
            return .failure(RayUnavailable(reason: "not requested (`make test-ray` runs it)"))
        }
        guard let python = TestEnvironment.python else {
            return .failure(RayUnavailable(reason: "no test Python"))
        }
        let ray = URL(fileURLWithPath: python).deletingLastPathComponent().path + "/ray"
        guard FileManager.default.isExecutableFile(atPath: ray) else {
            return .failure(RayUnavailable(reason: "\(ray) is missing: install requirements-ray.txt (`make test-ray`)"))
        }
        let result = try? ProcessRunner.run(
            ray,
            [
                "start", "--head", "--node-ip-address=127.0.0.1", "--port=\(port)", "--num-cpus=2",
                "--include-dashboard=false", "--disable-usage-stats",
            ],
            timeout: 120)
        guard let result, result.status == 0 else {
            return .failure(RayUnavailable(reason: "`ray start` failed: \(result?.transcript ?? "did not run")"))
        }
        atexit { _ = try? ProcessRunner.run(RayHead.rayExecutable, ["stop"], timeout: 60) }
        return .success("127.0.0.1:\(port)")
    }()

    static var rayExecutable: String {
        URL(fileURLWithPath: TestEnvironment.python ?? "/usr/bin/python3").deletingLastPathComponent().path + "/ray"
    }

    static var available: Bool { (try? started.get()) != nil }

    struct RayUnavailable: Error, CustomStringConvertible {
        let reason: String
        var description: String { "Ray could not start on loopback: \(reason)" }
    }
}

@Suite(
    "lifelong sweep on Ray",
    .enabled(if: ProcessInfo.processInfo.environment["LIFELONG_RAY_TESTS"] == "1", "Ray tests run in `make test-ray`"),
    .enabled(if: RayHead.available, "Ray could not start on loopback here; see RayHead.started for why"))
struct RaySweepTests {
    let lifelong = TestEnvironment.product("lifelong")

    @Test func eachRunIsARayTaskAndTheSweepMergesAtTheEnd() throws {
        let address = try RayHead.started.get()
        let directory = TemporaryDirectory("sweep-ray")
        let file = try SweepCommandTests().writeSweep(directory, steps: 400)
        let result = try ProcessRunner.run(
            lifelong,
            ["sweep", file, "--backend", "ray", "--ray-address", address, "--python", TestEnvironment.python!],
            timeout: 600)
        let sweep = directory.file("sweep")
        let driverLog = (try? String(contentsOfFile: sweep + "/ray/driver.log", encoding: .utf8)) ?? ""
        #expect(result.status == 0, "\(result.transcript)\n--- driver\n\(driverLog)")
        #expect(result.standardOutput.contains("4/4 done, 0 failed"), "\(result.transcript)")
        #expect(driverLog.contains("Connected to Ray cluster"), "\(driverLog)")
        #expect(try SweepCommandTests().status(sweep).allSatisfy { $0["state"] as? String == "done" })
        let state = try String(contentsOfFile: sweep + "/state/strategy-finetune_seed-1.json", encoding: .utf8)
        #expect(state.contains("\"backend\" : \"ray\""), "\(state)")
        #expect(FileManager.default.fileExists(atPath: sweep + "/sweep.h5"))
    }
}
