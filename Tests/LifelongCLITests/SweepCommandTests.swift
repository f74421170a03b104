import Foundation
import HDF5
import LifelongTestSupport
import Testing

/// `lifelong sweep` end to end: the local pool (with a worker killed mid-run and resumed), Slurm through a
/// stand-in `sbatch`, status, retry, merge and the notebook.
@Suite("lifelong sweep")
struct SweepCommandTests {
    let lifelong = TestEnvironment.product("lifelong")

    /// Writes the curriculum and a 2 strategies × 2 seeds sweep over it into `directory`; returns the sweep file.
    func writeSweep(_ directory: TemporaryDirectory, steps: Int, extra: String = "") throws -> String {
        let curriculum = TestCurricula.tinyMaze(
            name: "sweep-maze", blocks: [("goal-left", steps), ("goal-right", steps)], evaluationEvery: 400,
            checkpointEvery: 400)
        try curriculum.write(toFile: directory.file("maze.json"), atomically: true, encoding: .utf8)
        let sweep = """
            {"name": "maze", "curriculum": "maze.json", "output": "\(directory.file("sweep"))",
             "grid": {"strategy": [{"name": "finetune"}, {"name": "replay"}], "seed": [1, 2]},
             "local": {"workers": 2}\(extra)}
            """
        try sweep.write(toFile: directory.file("sweep.json"), atomically: true, encoding: .utf8)
        return directory.file("sweep.json")
    }

    func status(_ sweep: String) throws -> [[String: Any]] {
        let result = try ProcessRunner.run(lifelong, ["sweep", "status", sweep, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        return object?["runs"] as? [[String: Any]] ?? []
    }

    func evaluationReturns(_ run: String) throws -> [Double] {
        try File.open(run + "/log.h5", mode: .readSWMR).openDataset("eval/returns", as: Double.self).readAll()
    }

    @Test func dryRunListsTheRunsAndWritesNothing() throws {
        let directory = TemporaryDirectory("sweep-dry")
        let file = try writeSweep(directory, steps: 400)
        let result = try ProcessRunner.run(lifelong, ["sweep", file, "--dry-run"])
        #expect(result.status == 0, "\(result.transcript)")
        #expect(result.standardOutput.contains("4 run(s)"), "\(result.transcript)")
        #expect(result.standardOutput.contains("   3  strategy-replay_seed-2  strategy={\"name\":\"replay\"} seed=2"))
        #expect(!FileManager.default.fileExists(atPath: directory.file("sweep")))
    }

    @Test func aWorkerKilledMidRunIsRetriedAndResumesToTheSameNumbers() throws {
        let directory = TemporaryDirectory("sweep-local")
        let file = try writeSweep(directory, steps: 4000)
        let sweep = directory.file("sweep")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: lifelong)
        process.arguments = ["sweep", file]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let reader = DataReader(output.fileHandleForReading)
        try process.run()
        // Kill the first worker with SIGKILL once its run has a complete checkpoint.
        let victim = "strategy-finetune_seed-1"
        var killed = false
        let deadline = Date().addingTimeInterval(240)
        while process.isRunning && Date() < deadline && !killed {
            usleep(5_000)
            let text = reader.snapshot()
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("started \(victim) (pid ") }),
                let pid = Int32(line.split(separator: " ").last?.dropLast() ?? "")
            else { continue }
            let checkpoints =
                (try? FileManager.default.contentsOfDirectory(atPath: sweep + "/runs/\(victim)/checkpoints")) ?? []
            if checkpoints.contains(where: {
                FileManager.default.fileExists(atPath: sweep + "/runs/\(victim)/checkpoints/\($0)/DONE")
            }) {
                kill(pid, SIGKILL)
                killed = true
            }
        }
        process.waitUntilExit()
        let first = reader.text()
        #expect(killed, "the victim finished before a checkpoint could be caught: \(first)")
        #expect(process.terminationStatus == 1, "a failed run makes the sweep fail: \(first)")
        #expect(first.contains("failed \(victim): killed by signal 9"), "\(first)")
        #expect(first.contains("3/4 done, 1 failed"), "\(first)")
        let states = try status(sweep)
        #expect(states.map { $0["state"] as? String } == ["failed", "done", "done", "done"], "\(states)")
        #expect((states[0]["detail"] as? String)?.contains("died without finishing") == true, "\(states)")

        // Running the sweep again leaves the failed run alone; retry resumes it from its checkpoint.
        let again = try ProcessRunner.run(lifelong, ["sweep", file])
        #expect(again.standardOutput.contains("1 failed, 0 to run"), "\(again.transcript)")
        let retry = try ProcessRunner.run(lifelong, ["sweep", "retry", sweep])
        #expect(retry.status == 0, "\(retry.transcript)")
        #expect(retry.standardOutput.contains("retrying 1 failed run(s): \(victim)"), "\(retry.transcript)")
        #expect(retry.standardOutput.contains("merged 4 runs into"), "\(retry.transcript)")
        let log = try String(contentsOfFile: sweep + "/logs/\(victim).log", encoding: .utf8)
        #expect(log.contains("Resuming \(victim) at step"), "\(log)")
        #expect(try status(sweep).allSatisfy { $0["state"] as? String == "done" })

        // The resumed run equals the same curriculum run without interruption.
        let reference = directory.file("reference")
        let uninterrupted = try ProcessRunner.run(
            lifelong, ["run", sweep + "/curricula/\(victim).json", "--out", reference])
        #expect(uninterrupted.status == 0, "\(uninterrupted.transcript)")
        #expect(try evaluationReturns(sweep + "/runs/\(victim)") == evaluationReturns(reference))

        // One merged file over the four runs.
        let merged = try File.open(sweep + "/sweep.h5")
        #expect(try merged.openDataset("stacked/eval/after_block", as: Double.self).shape == [4, 2, 2])
        #expect(FileManager.default.fileExists(atPath: sweep + "/sweep.ipynb"))
        guard let python = TestEnvironment.python else { return }
        // The sweep's notebook aggregates across seeds; it executes headless.
        let jupyter = URL(fileURLWithPath: python).deletingLastPathComponent().path + "/jupyter"
        let executed = try ProcessRunner.run(
            jupyter,
            ["nbconvert", "--to", "notebook", "--execute", sweep + "/sweep.ipynb", "--output", "executed.ipynb"])
        #expect(executed.status == 0, "\(executed.transcript)")
        let notebook = try String(contentsOfFile: sweep + "/executed.ipynb", encoding: .utf8)
        #expect(notebook.contains("<th>estimate</th>") && notebook.contains("image/png"), "the aggregate was computed")
    }

    @Test func slurmArrayTasksRunThroughSbatchAndTheMergeJobFollows() throws {
        let directory = TemporaryDirectory("sweep-slurm")
        let file = try writeSweep(directory, steps: 400, extra: #", "slurm": {"time": "00:10:00", "max_parallel": 2}"#)
        let bin = directory.file("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        // Stand-in sbatch: runs each array task here, one after another, with Slurm's variables set; then any
        // job without an array (the merge job) once.
        let sbatch = """
            #!/bin/bash
            while [ $# -gt 1 ]; do shift; done
            script="$1"
            job=4242
            array=$(sed -n 's/^#SBATCH --array=\\([^%]*\\).*/\\1/p' "$script")
            if [ -n "$array" ]; then
              for part in ${array//,/ }; do
                for i in $(seq ${part%-*} ${part#*-}); do
                  SLURM_JOB_ID=$((job + i + 1)) SLURM_ARRAY_JOB_ID=$job SLURM_ARRAY_TASK_ID=$i SLURM_CPUS_PER_TASK=1 \\
                    bash "$script" >> "$(dirname "$script")/standin.out" 2>&1 || exit 1
                done
              done
            else
              SLURM_JOB_ID=$((job + 100)) bash "$script" >> "$(dirname "$script")/standin.out" 2>&1 || exit 1
            fi
            echo $job
            """
        try sbatch.write(toFile: bin + "/sbatch", atomically: true, encoding: .utf8)
        chmod(bin + "/sbatch", 0o755)
        let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let result = try ProcessRunner.run(
            lifelong, ["sweep", file, "--backend", "slurm"], environment: ["PATH": path])
        let sweep = directory.file("sweep")
        let transcript = (try? String(contentsOfFile: sweep + "/slurm/standin.out", encoding: .utf8)) ?? ""
        #expect(result.status == 0, "\(result.transcript)\n\(transcript)")
        #expect(result.standardOutput.contains("submitted job array 4242 (4 task(s))"), "\(result.transcript)")
        let script = try String(contentsOfFile: sweep + "/slurm/array.sbatch", encoding: .utf8)
        #expect(script.contains("#SBATCH --array=0-3%2") && script.contains("#SBATCH --time=00:10:00"))
        #expect(try status(sweep).allSatisfy { $0["state"] as? String == "done" }, "\(transcript)")
        #expect(FileManager.default.fileExists(atPath: sweep + "/sweep.h5"), "the merge job ran: \(transcript)")
        let state = try String(contentsOfFile: sweep + "/state/strategy-replay_seed-2.json", encoding: .utf8)
        #expect(state.contains("\"backend\" : \"slurm\""), "\(state)")

        // Status reads Slurm's view back: sacct's last state per task, squeue's for tasks still in the queue.
        try "#!/bin/bash\nprintf '4242_0|COMPLETED\\n4242_1|TIMEOUT\\n4242_2|CANCELLED by 0\\n'\n"
            .write(toFile: bin + "/sacct", atomically: true, encoding: .utf8)
        try "#!/bin/bash\necho '2 RUNNING'\n".write(toFile: bin + "/squeue", atomically: true, encoding: .utf8)
        chmod(bin + "/sacct", 0o755)
        chmod(bin + "/squeue", 0o755)
        let shown = try ProcessRunner.run(lifelong, ["sweep", "status", sweep, "--json"], environment: ["PATH": path])
        let runs =
            (try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])?["runs"]
            as? [[String: Any]] ?? []
        #expect(runs.map { $0["slurm"] as? String } == ["COMPLETED", "TIMEOUT", "RUNNING", nil], "\(shown.transcript)")
    }

    @Test func aSecondCopyOfARunningTaskRefusesToStart() throws {
        let directory = TemporaryDirectory("sweep-lock")
        let file = try writeSweep(directory, steps: 400)
        let sweep = directory.file("sweep")
        #expect(try ProcessRunner.run(lifelong, ["sweep", file, "--workers", "1"]).status == 0)
        // Hold run 0's lock as a running task would, then start the same task.
        let lock = open(sweep + "/state/strategy-finetune_seed-1.lock", O_RDWR)
        #expect(flock(lock, LOCK_EX | LOCK_NB) == 0)
        defer { close(lock) }
        let second = try ProcessRunner.run(lifelong, ["sweep", "task", sweep, "--index", "0"])
        #expect(second.status == 2 && second.standardError.contains("is already running"), "\(second.transcript)")
        #expect(try status(sweep)[0]["state"] as? String == "done", "a finished run stays done")
    }

    @Test func aPythonWithoutRayIsAClearError() throws {
        let directory = TemporaryDirectory("sweep-ray-missing")
        let file = try writeSweep(directory, steps: 400)
        let result = try ProcessRunner.run(
            lifelong, ["sweep", file, "--backend", "ray", "--python", "/usr/bin/python3"])
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.standardError.contains("cannot import ray"), "\(result.transcript)")
    }
}
