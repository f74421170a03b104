import Analysis
import ArgumentParser
import Continual
import Foundation
import Neural
import RunLog

/// `lifelong reference FILE --out REF_DIR`: the single-task reference runs forward transfer is measured against.
struct ReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reference",
        abstract: "Run the single-task reference learner of every evaluated task (for forward transfer).",
        discussion: """
            For each evaluated task: the same agent, hyper-parameters and seed, the task alone for the budget of
            the first block that trains it, evaluated on the same schedule. Each goes to REF_DIR/TASK (a normal run
            directory; finished ones are kept, interrupted ones resumed). Then:
              lifelong inspect RUN_DIR --reference REF_DIR
            Example:
              lifelong reference experiments/gridworld-goals.json --out runs/goals-reference
            """
    )

    @Argument(help: "The curriculum JSON file.")
    var file: String

    @Option(help: "Where the reference runs go, one directory per task.")
    var out: String

    @Option(help: "The agent seed, replacing the curriculum's seeds.agent (use the continual run's).")
    var seed: UInt64?

    func run() throws {
        let curriculum = try loadCurriculum(file, agentSeed: seed)
        for task in curriculum.evaluation.tasks {
            let name = curriculum.tasks[task].name
            let directory = out + "/" + name
            if FileManager.default.fileExists(atPath: directory + "/metrics.json") {
                print("\(name): done already (\(directory))")
                continue
            }
            let scheduler =
                FileManager.default.fileExists(atPath: directory + "/curriculum.json")
                ? try Scheduler.resume(directory: directory)
                : try Scheduler.start(
                    try curriculum.referenceCurriculum(task: task), directory: directory,
                    provenance: Provenance.current())
            print("\(name): reference run → \(directory)")
            try RunDriver(scheduler: scheduler, quiet: true).drive()
            let curve = try withInputErrors { try RunAnalysis.referenceCurve(directory) }
            print(String(format: "  AUC %.3f, final return %.3f", curve.areaUnderCurve, curve.finalReturn))
        }
    }
}
