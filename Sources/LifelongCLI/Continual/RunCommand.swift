import ArgumentParser
import Continual
import Foundation
import Neural

/// `lifelong run FILE`: validates a curriculum, then runs it into a run directory.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a continual-learning curriculum; prints evaluations, then a forgetting table.",
        discussion: """
            The curriculum is validated first: invalid input exits with status 2 and creates nothing.
            SIGINT or SIGTERM checkpoints and stops (status 130 / 143); `lifelong resume RUN_DIR` continues exactly.
            Example:
              lifelong run experiments/quickstart.json --out runs/quickstart
            """
    )

    @Argument(help: "The curriculum JSON file.")
    var file: String

    @Option(help: "The run directory (default: the curriculum's \"output\", else runs/NAME).")
    var out: String?

    @Option(help: "The agent seed, replacing the curriculum's seeds.agent (the curriculum seed stays).")
    var seed: UInt64?

    func run() throws {
        let curriculum = try loadCurriculum(file, agentSeed: seed)
        let directory = out ?? curriculum.output ?? "runs/\(curriculum.name)"
        if FileManager.default.fileExists(atPath: directory + "/curriculum.json") {
            printError(
                "error: \(directory) already holds a run. Resume it with `lifelong resume \(directory)`, "
                    + "or choose another --out.")
            throw ExitCode(2)
        }
        var provenance = Provenance.current()
        provenance["curriculum_file"] = file
        print("Run \(curriculum.name) → \(directory) (\(BLAS.summary))")
        let scheduler = try Scheduler.start(curriculum, directory: directory, provenance: provenance)
        try RunDriver(scheduler: scheduler).drive()
    }
}

/// `lifelong resume RUN_DIR`: continues a stopped or killed run from its newest complete checkpoint.
struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a run from its newest complete checkpoint; the result equals an uninterrupted run.",
        discussion: "Example:\n  lifelong resume runs/quickstart"
    )

    @Argument(help: "The run directory.")
    var directory: String

    func run() throws {
        guard FileManager.default.fileExists(atPath: directory + "/curriculum.json") else {
            printError("error: \(directory) holds no run (no curriculum.json). Start one with `lifelong run FILE`.")
            throw ExitCode(2)
        }
        let scheduler = try Scheduler.resume(directory: directory)
        if scheduler.isFinished {
            print("\(directory) has finished already.")
            printForgettingTable(scheduler)
            return
        }
        print("Resuming \(scheduler.curriculum.name) at step \(scheduler.step) (\(BLAS.summary))")
        try RunDriver(scheduler: scheduler).drive()
    }
}

/// Loads and validates a curriculum for a command: every problem goes to standard error and the exit status is 2.
/// `agentSeed` replaces the curriculum's agent seed.
func loadCurriculum(_ file: String, agentSeed: UInt64?) throws -> Curriculum {
    var curriculum: Curriculum
    do {
        curriculum = try Curriculum.load(file)
    } catch {
        printError("\(error)")
        throw ExitCode(2)
    }
    if let agentSeed { curriculum.agentSeed = agentSeed }
    return curriculum
}
