import ArgumentParser

@main
struct Lifelong: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifelong",
        abstract: "Model-based and memory-based continual reinforcement learning.",
        subcommands: [Smoke.self]
    )
}
