import Foundation

/// The Slurm backend: one job array with one array task per run, and a merge job after it.
///
/// Each array task runs `lifelong sweep task DIR --index $SLURM_ARRAY_TASK_ID`: a finished run is skipped, a
/// started one resumes from its last checkpoint. `--signal=B:USR1@S` warns the batch shell S seconds before the
/// time limit; it passes SIGTERM on to the run, which checkpoints and exits 143, and the task requeues itself.
/// Pre-emption sends SIGTERM to the run directly and Slurm requeues (`--requeue`).
public enum SlurmBackend {
    /// The sbatch script for the runs at `indices` (compressed into ranges), with absolute paths.
    public static func arrayScript(
        _ sweep: SweepDirectory, options: SweepSpec.SlurmOptions, indices: [Int], executable: String
    ) -> String {
        var array = ranges(indices)
        if let limit = options.maxParallel { array += "%\(limit)" }
        var lines = [
            "#!/bin/bash",
            "# Written by `lifelong sweep` for the sweep \(sweep.name): one array task per run (docs/sweeps.md).",
            "#SBATCH --job-name=lifelong-\(sweep.name)",
            "#SBATCH --array=\(array)",
            "#SBATCH --output=\(sweep.path)/logs/slurm-%A_%a.out",
            "#SBATCH --cpus-per-task=\(options.cpusPerTask)",
            "#SBATCH --time=\(options.time)",
            "#SBATCH --requeue",
            "#SBATCH --signal=B:USR1@\(options.signalSeconds)",
        ]
        if let memory = options.memory { lines.append("#SBATCH --mem=\(memory)") }
        lines += placement(options) + options.sbatch.map { "#SBATCH \($0)" }
        lines += ["", "set -u"]
        lines += options.setup
        lines += [
            "export OPENBLAS_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"",
            "lifelong=\(shellQuoted(executable))",
            "sweep=\(shellQuoted(sweep.path))",
            "",
            "# The run checkpoints and exits 143 on SIGTERM; the warning before the time limit is passed on as one.",
            "\"$lifelong\" sweep task \"$sweep\" --index \"$SLURM_ARRAY_TASK_ID\" --backend slurm &",
            "run=$!",
            "trap 'kill -TERM \"$run\" 2>/dev/null' USR1 TERM",
            "wait \"$run\"",
            "status=$?",
            "while kill -0 \"$run\" 2>/dev/null; do wait \"$run\"; status=$?; done  # a trapped signal ends the first wait",
            "if [ \"$status\" -eq 143 ] || [ \"$status\" -eq 130 ]; then",
            "  # Stopped at a checkpoint before the time limit: queue this task again; it resumes where it stopped.",
            "  scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"",
            "fi",
            "exit \"$status\"",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The job that merges the runs and writes the notebook once the array has ended (whatever its outcome).
    public static func mergeScript(_ sweep: SweepDirectory, options: SweepSpec.SlurmOptions, executable: String)
        -> String
    {
        var lines = [
            "#!/bin/bash",
            "# Written by `lifelong sweep`: merges the sweep \(sweep.name) after its array (docs/sweeps.md).",
            "#SBATCH --job-name=lifelong-\(sweep.name)-merge",
            "#SBATCH --output=\(sweep.path)/logs/slurm-merge-%j.out",
            "#SBATCH --cpus-per-task=1",
            "#SBATCH --time=00:30:00",
        ]
        lines += placement(options) + ["", "set -eu"] + options.setup
        lines.append("\(shellQuoted(executable)) sweep merge \(shellQuoted(sweep.path))")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Where jobs go: the partition and account lines, when set.
    static func placement(_ options: SweepSpec.SlurmOptions) -> [String] {
        (options.partition.map { ["#SBATCH --partition=\($0)"] } ?? [])
            + (options.account.map { ["#SBATCH --account=\($0)"] } ?? [])
    }

    /// `0-3,5,7-9` from sorted indices.
    static func ranges(_ indices: [Int]) -> String {
        var parts: [String] = []
        var start: Int?
        var previous = -2
        for index in indices.sorted() + [Int.max] {
            if index == previous + 1 {
                previous = index
                continue
            }
            if let first = start { parts.append(first == previous ? "\(first)" : "\(first)-\(previous)") }
            start = index
            previous = index
        }
        return parts.joined(separator: ",")
    }

    /// Writes both scripts into `DIR/slurm/` and submits them with `sbatch` when it is on PATH (the merge job
    /// after the array: `--dependency=afterany`).
    /// - Returns: the array's job id, or nil when `sbatch` is not available (the caller says how to submit).
    public static func submit(
        _ sweep: SweepDirectory, options: SweepSpec.SlurmOptions, indices: [Int], executable: String
    ) throws -> (arrayScript: String, mergeScript: String, jobID: String?) {
        let folder = sweep.path + "/slurm"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let array = folder + "/array.sbatch"
        let merge = folder + "/merge.sbatch"
        try arrayScript(sweep, options: options, indices: indices, executable: executable)
            .write(toFile: array, atomically: true, encoding: .utf8)
        try mergeScript(sweep, options: options, executable: executable)
            .write(toFile: merge, atomically: true, encoding: .utf8)
        guard let sbatch = findExecutable("sbatch") else { return (array, merge, nil) }
        let jobID = try runTool(sbatch, ["--parsable", array])
        let id = String(jobID.split(separator: ";").first ?? "")  // --parsable prints "id" or "id;cluster"
        guard !id.isEmpty else { throw SweepFailure("sbatch printed no job id for \(array)") }
        _ = try runTool(sbatch, ["--parsable", "--dependency=afterany:\(id)", merge])
        let jobs = folder + "/jobs.txt"
        let previous = FileManager.default.contents(atPath: jobs).map { String(decoding: $0, as: UTF8.self) } ?? ""
        try (previous + id + "\n").write(toFile: jobs, atomically: true, encoding: .utf8)
        return (array, merge, id)
    }

    /// What Slurm says of the sweep's array tasks: index → state. `sacct` gives every task's last state (COMPLETED,
    /// TIMEOUT, OUT_OF_MEMORY, PREEMPTED, …); `squeue`'s view of tasks still queued or running overrides it. Empty
    /// when neither tool is on PATH (the run files are authoritative either way).
    public static func queueStates(_ sweep: SweepDirectory) -> [Int: String] {
        guard let jobs = FileManager.default.contents(atPath: sweep.path + "/slurm/jobs.txt") else { return [:] }
        let ids = String(decoding: jobs, as: UTF8.self).split(separator: "\n").joined(separator: ",")
        guard !ids.isEmpty else { return [:] }
        var states: [Int: String] = [:]
        // sacct -P: "JOB_TASK|STATE" per line; later jobs (retries) come later and win.
        if let sacct = findExecutable("sacct"),
            let output = try? runTool(sacct, ["-n", "-X", "-P", "-j", ids, "--format=JobID,State"])
        {
            for line in output.split(separator: "\n") {
                let parts = line.split(separator: "|")
                guard parts.count == 2, let task = parts[0].split(separator: "_").last.flatMap({ Int($0) }) else {
                    continue
                }
                states[task] = String(parts[1].split(separator: " ").first ?? parts[1])
            }
        }
        if let squeue = findExecutable("squeue"),
            let output = try? runTool(squeue, ["-h", "-r", "-j", ids, "-o", "%K %T"])
        {
            for line in output.split(separator: "\n") {
                let parts = line.split(separator: " ")
                if parts.count == 2, let index = Int(parts[0]) { states[index] = String(parts[1]) }
            }
        }
        return states
    }
}

/// A POSIX-shell single-quoted word.
func shellQuoted(_ text: String) -> String {
    text.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+=:,@".contains($0) })
        ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// The first `name` on PATH.
func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Runs a tool to completion and returns its standard output; a non-zero exit is an error with its stderr.
@discardableResult
func runTool(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw SweepFailure(
            "\(executable) \(arguments.joined(separator: " ")) failed (exit \(process.terminationStatus)): "
                + String(decoding: errorData, as: UTF8.self))
    }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
