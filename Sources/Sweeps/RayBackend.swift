import Foundation

/// The Ray backend: each run is a Ray task that executes the `lifelong` binary (`lifelong sweep task DIR --index
/// N`), for researchers with a Ray cluster. The driver is a short Python script written into `DIR/ray/driver.py`
/// and run with a Python that has `ray` (PyPI). With no address it starts a local Ray instance.
///
/// On a cluster, the `lifelong` binary and the sweep directory must be at the same paths on every node (a shared
/// file system), as for Slurm.
public enum RayBackend {
    public static func driver(
        _ sweep: SweepDirectory, indices: [Int], executable: String, address: String?, cpusPerRun: Int
    ) -> String {
        func literal(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return """
            # Written by `lifelong sweep --backend ray` for the sweep \(sweep.name) (docs/sweeps.md).
            import os, subprocess, sys
            import ray

            LIFELONG = \(literal(executable))
            SWEEP = \(literal(sweep.path))
            IDS = {\(indices.map { "\($0): \(literal(sweep.entries[$0].id))" }.joined(separator: ", "))}
            ADDRESS = \(address.map(literal) ?? "None")  # None: start a local Ray instance
            CPUS = \(cpusPerRun)


            @ray.remote(num_cpus=CPUS, max_retries=0)
            def run(index):
                env = dict(os.environ, OPENBLAS_NUM_THREADS=str(CPUS))
                with open(os.path.join(SWEEP, "logs", IDS[index] + ".log"), "ab") as log:
                    log.write(b"=== ray task\\n")
                    log.flush()
                    done = subprocess.run([LIFELONG, "sweep", "task", SWEEP, "--index", str(index), "--backend", "ray"],
                                          stdout=log, stderr=subprocess.STDOUT, env=env)
                return index, done.returncode


            if ADDRESS is None:
                ray.init(include_dashboard=False, num_cpus=os.cpu_count(), _node_ip_address="127.0.0.1",
                         log_to_driver=False)
            else:
                ray.init(address=ADDRESS, log_to_driver=False)
            pending = [run.remote(index) for index in IDS]
            for index in IDS:
                print(f"started {index}", flush=True)
            while pending:
                finished, pending = ray.wait(pending, num_returns=1)
                index, code = ray.get(finished[0])
                print(f"finished {index} {code}", flush=True)
            ray.shutdown()

            """
    }

    /// Writes the driver and runs it with `python`, reporting each task's end.
    /// - Returns: each run's exit status (as `lifelong sweep task` returned it).
    public static func run(
        _ sweep: SweepDirectory, indices: [Int], executable: String, python: String, address: String?,
        cpusPerRun: Int, report: (String) -> Void
    ) throws -> [Int: Int32] {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: python)
        check.arguments = ["-c", "import ray"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        do { try check.run() } catch { throw SweepFailure("cannot run \(python) for the Ray driver: \(error)") }
        check.waitUntilExit()
        guard check.terminationStatus == 0 else {
            throw SweepFailure(
                "\(python) cannot import ray; install it (`pip install ray`, or `make test-ray` for .venv) or pass "
                    + "--python with a Python that has it")
        }
        let folder = sweep.path + "/ray"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let script = folder + "/driver.py"
        try driver(sweep, indices: indices, executable: executable, address: address, cpusPerRun: cpusPerRun)
            .write(toFile: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script]
        let output = Pipe()
        let driverLog = try FileHandle(forWritingTo: URL(fileURLWithPath: createEmpty(folder + "/driver.log")))
        process.standardOutput = output
        process.standardError = driverLog
        try process.run()
        var outcomes: [Int: Int32] = [:]
        var buffer = Data()
        while true {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                let parts = line.split(separator: " ")
                guard parts.count >= 2, let index = Int(parts[1]), sweep.entries.indices.contains(index) else {
                    continue
                }
                let id = sweep.entries[index].id
                if parts[0] == "started" {
                    report("submitted \(id) to Ray")
                } else if parts[0] == "finished", parts.count == 3, let code = Int32(parts[2]) {
                    outcomes[index] = code
                    report(
                        code == 0
                            ? "done \(id)" : "failed \(id) (exit \(code)); see \(sweep.logFile(sweep.entries[index]))")
                }
            }
        }
        process.waitUntilExit()
        try driverLog.close()
        guard process.terminationStatus == 0 else {
            throw SweepFailure(
                "the Ray driver failed (exit \(process.terminationStatus)); see \(folder)/driver.log")
        }
        return outcomes
    }

    static func createEmpty(_ path: String) -> String {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return path
    }
}
