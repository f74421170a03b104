import ArgumentParser
import Continual
import Foundation
import Neural
import Sweeps

/// `lifelong sweep task DIR --index N`: the unit of work every backend runs — one run of the sweep, started,
/// resumed from its last checkpoint, or skipped when finished.
struct SweepTaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Run one run of a sweep (what pool workers, Slurm array tasks and Ray tasks execute).",
        discussion: """
            Starts the run, resumes it from its newest checkpoint, or does nothing when it has finished. SIGTERM
            checkpoints and exits 143. A second copy of the same task refuses to start while the first runs.
            """
    )

    @Argument(help: "The sweep directory.")
    var directory: String

    @Option(help: "The run's index in the sweep (0-based; Slurm passes $SLURM_ARRAY_TASK_ID).")
    var index: Int

    @Option(help: "Recorded in the run's state: local, slurm, ray or manual.")
    var backend = "manual"

    func run() throws {
        let sweep = try withInputErrors { try SweepDirectory.open(directory) }
        let entry = try withInputErrors { try sweep.entry(index) }
        let runDirectory = sweep.runDirectory(entry)
        do {
            let ran = try sweep.runTask(entry, backend: backend) {
                let scheduler: Scheduler
                if FileManager.default.fileExists(atPath: runDirectory + "/curriculum.json") {
                    scheduler = try Scheduler.resume(directory: runDirectory)
                    print("Resuming \(entry.id) at step \(scheduler.step) (\(BLAS.summary))")
                    if scheduler.isFinished { return }
                } else {
                    let curriculum = try Curriculum.load(sweep.curriculumFile(entry))
                    var provenance = Provenance.current()
                    provenance["curriculum_file"] = sweep.curriculumFile(entry)
                    print("Run \(entry.id) → \(runDirectory) (\(BLAS.summary))")
                    scheduler = try Scheduler.start(curriculum, directory: runDirectory, provenance: provenance)
                }
                do {
                    try RunDriver(scheduler: scheduler).drive()
                } catch let code as ExitCode where code.rawValue > 128 {
                    throw StopRequested(exitStatus: code.rawValue)
                }
            }
            if !ran { print("\(entry.id) has finished already") }
        } catch let stop as StopRequested {
            throw ExitCode(stop.exitStatus)
        } catch let failure as SweepFailure {
            printError("error: \(failure)")
            throw ExitCode(2)
        }
    }
}
