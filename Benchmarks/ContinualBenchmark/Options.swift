import ArgumentParser
import BenchmarkSupport

/// ContinualBenchmark's command line; `--help` prints it.
struct Options: ParsableCommand, Sendable {
    static let configuration = CommandConfiguration(
        commandName: "ContinualBenchmark",
        abstract: "What the scheduler and its logging cost on top of the learning they drive (target ≤ 3%).",
        discussion: """
            The same DQN trains for the same CartPole steps in a bare environment loop and as a one-task curriculum \
            run by the scheduler; the median ratio over the rounds is the overhead. Example:
              ContinualBenchmark --steps 300000 --repeats 3
            """)

    @Option(help: "CartPole steps per run (short runs overstate the overhead: a run's fixed costs weigh more).")
    var steps = 100_000

    @Option(help: "Rounds of bare loop, persisted-replay loop and scheduled run, alternating.")
    var repeats = 3

    @Option(
        help: ArgumentHelp(
            "Checkpoint every N steps (default: the curriculum default, every 5 minutes — here the start and the end).",
            valueName: "steps"))
    var checkpoint: Int?

    func validate() throws {
        try requireAtLeast(1, steps, for: "--steps")
        try requireAtLeast(1, repeats, for: "--repeats")
        if let checkpoint { try requireAtLeast(1, checkpoint, for: "--checkpoint") }
    }
}
