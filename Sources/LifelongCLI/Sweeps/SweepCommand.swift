import ArgumentParser
import Continual
import Foundation
import Sweeps

/// `lifelong sweep`: many runs from one sweep file, on this machine, a Slurm cluster or a Ray cluster.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract:
            "Run a sweep (seeds × strategies × … over curricula) locally, on Slurm or on Ray; status, retry, merge.",
        discussion: """
            Examples:
              lifelong sweep experiments/sweeps/quickstart-strategies.json --dry-run
              lifelong sweep experiments/sweeps/quickstart-strategies.json            (local pool, then merge)
              lifelong sweep experiments/sweeps/quickstart-strategies.json --backend slurm
              lifelong sweep status runs/sweeps/quickstart-strategies
              lifelong sweep retry runs/sweeps/quickstart-strategies
            See docs/sweeps.md.
            """,
        subcommands: [
            SweepStartCommand.self, SweepStatusCommand.self, SweepRetryCommand.self, SweepMergeCommand.self,
            SweepTaskCommand.self,
        ],
        defaultSubcommand: SweepStartCommand.self
    )
}

enum Backend: String, ExpressibleByArgument, CaseIterable {
    case local, slurm, ray
}

/// Options shared by starting a sweep and retrying its failed runs.
struct LaunchOptions: ParsableArguments {
    @Option(help: "Where runs execute: local (a process pool), slurm (a job array) or ray.")
    var backend: Backend = .local

    @Option(help: "Local backend: concurrent runs (default: the sweep file's local.workers, else one per core).")
    var workers: Int?

    @Option(
        help: "Ray backend: the Python with `ray` that runs the driver (default: $LIFELONG_PYTHON, .venv, python3).")
    var python: String?

    @Option(help: "Ray backend: the cluster address (default: the sweep file's ray.address, else a local instance).")
    var rayAddress: String?

    func validate() throws {
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1; got \(workers).") }
    }
}

/// This executable's absolute path (array tasks, Ray tasks and pool workers run it).
var executablePath: String {
    let resolved = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
    return FileManager.default.isExecutableFile(atPath: resolved)
        ? resolved : URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
}

/// Launches `indices` of `sweep` with the chosen backend; merges when every run is done. Exits non-zero when a
/// run failed (1) or a signal stopped the sweep (128 + signal).
func launch(
    _ sweep: SweepDirectory, indices: [Int], options: LaunchOptions, settings: SweepSettings
) throws {
    func say(_ line: String) {
        print(line)
        fflush(nil)
    }
    guard !indices.isEmpty else {
        say("nothing to run")
        try finish(sweep)
        return
    }
    switch options.backend {
    case .local:
        let workers = min(
            options.workers ?? settings.local.workers ?? ProcessInfo.processInfo.activeProcessorCount, indices.count)
        let pool = LocalPool(executable: executablePath, workers: workers)
        say(
            "running \(indices.count) run(s) on \(pool.workers) local worker(s), \(pool.blasThreads) BLAS thread(s) each"
        )
        let result = pool.run(sweep, indices: indices, report: say)
        if result.stoppedBy != 0 {
            say("stopped; run the same command again to continue (finished runs are skipped, stopped ones resume)")
            throw ExitCode(128 + result.stoppedBy)
        }
    case .slurm:
        let submitted = try withInputErrors {
            try SlurmBackend.submit(sweep, options: settings.slurm, indices: indices, executable: executablePath)
        }
        if let job = submitted.jobID {
            say("submitted job array \(job) (\(indices.count) task(s)) and a merge job after it")
            say("follow it with `lifelong sweep status \(sweep.path)`")
        } else {
            say("sbatch is not on PATH here. On the cluster's login node, submit:")
            say("  jobid=$(sbatch --parsable \(submitted.arrayScript))")
            say("  sbatch --dependency=afterany:$jobid \(submitted.mergeScript)")
        }
        return
    case .ray:
        let python = options.python ?? defaultPython()
        say("running \(indices.count) run(s) as Ray tasks (driver: \(python))")
        _ = try withInputErrors {
            try RayBackend.run(
                sweep, indices: indices, executable: executablePath, python: python,
                address: options.rayAddress ?? settings.ray.address, cpusPerRun: settings.ray.cpusPerRun, report: say)
        }
    }
    try finish(sweep)
}

/// Prints the totals; merges and writes the notebook when every run is done; exit 1 when some failed.
func finish(_ sweep: SweepDirectory) throws {
    let statuses = sweep.statuses()
    let failed = statuses.filter { $0.state == .failed }
    let done = statuses.filter { $0.state == .done }.count
    print("\(done)/\(statuses.count) done, \(failed.count) failed")
    if done == statuses.count {
        let module = checkoutDirectory(holding: "notebooks-export/lifelong_analysis.py").map {
            $0 + "/notebooks-export"
        }
        let merged = try sweep.merge(moduleDirectory: module)
        print("merged \(merged) runs into \(sweep.path)/sweep.h5")
        if module != nil {
            print("notebook: \(sweep.path)/sweep.ipynb (jupyter nbconvert --to notebook --execute it)")
        } else {
            print("no notebook: notebooks-export/ not found (run `lifelong sweep merge` from the Lifelong checkout)")
        }
    }
    if !failed.isEmpty {
        print("failed: " + failed.map(\.entry.id).joined(separator: ", "))
        print("see `lifelong sweep status \(sweep.path)`; re-run them with `lifelong sweep retry \(sweep.path)`")
        throw ExitCode(1)
    }
}

func defaultPython() -> String {
    if let configured = ProcessInfo.processInfo.environment["LIFELONG_PYTHON"], !configured.isEmpty {
        return configured
    }
    if let checkout = checkoutDirectory(holding: ".venv/bin/python") { return checkout + "/.venv/bin/python" }
    return "/usr/bin/python3"
}

/// The backend settings of a sweep (from its file, or from a sweep directory's copy of it).
struct SweepSettings {
    var local: SweepSpec.LocalOptions
    var slurm: SweepSpec.SlurmOptions
    var ray: SweepSpec.RayOptions

    init(_ file: String) throws {
        (local, slurm, ray) = try withInputErrors { try SweepSpec.backendOptions(file) }
    }
}
