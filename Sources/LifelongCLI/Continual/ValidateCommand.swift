import ArgumentParser
import Continual

/// `lifelong validate FILE...`: checks curricula without running anything.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check curriculum files: every error with its JSON path, line and a hint; exit status 2 if any.",
        discussion: "Example:\n  lifelong validate experiments/quickstart.json"
    )

    @Argument(help: "Curriculum JSON files.")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            do {
                let curriculum = try Curriculum.load(file)
                let budget = curriculum.totalSteps.map { "\($0) steps" } ?? "episode budgets"
                print(
                    "\(file): ok — \(curriculum.tasks.count) tasks, \(curriculum.blocks.count) blocks, \(budget), "
                        + "\(curriculum.agent.policy.rawValue) with \(curriculum.strategy.name)")
            } catch {
                printError("\(error)")
                failed = true
            }
        }
        if failed { throw ExitCode(2) }
    }
}
