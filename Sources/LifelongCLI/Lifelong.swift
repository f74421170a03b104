import ArgumentParser
import Foundation

/// The `lifelong` executable.
///
/// Exit status: 0 on success, 1 when the work failed (the message says why), 2 for invalid arguments or input.
@main
struct Lifelong: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "lifelong",
        abstract: "Model-based and memory-based continual reinforcement learning.",
        version: version,
        subcommands: [
            RunCommand.self, ResumeCommand.self, ValidateCommand.self, InspectCommand.self, ReferenceCommand.self,
            TrainCommand.self, ReportCommand.self, ExportCommand.self, MergeCommand.self, SweepCommand.self,
            EnvironmentCommand.self, Smoke.self,
        ]
    )

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if let code = error as? ExitCode { Foundation.exit(code.rawValue) }  // the command printed why
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)  // --help and --version print and exit 0
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            // Argument and input errors are status 2 (as curricula validation will be); failed work is 1.
            Foundation.exit(code == .validationFailure ? 2 : 1)
        }
    }
}
