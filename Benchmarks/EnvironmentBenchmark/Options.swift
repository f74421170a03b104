import ArgumentParser
import BenchmarkSupport

/// EnvironmentBenchmark's command line; `--help` prints it.
struct Options: ParsableCommand, Sendable {
    static let configuration = CommandConfiguration(
        commandName: "EnvironmentBenchmark",
        abstract: "Steps per second of each built-in environment against Gymnasium, same random actions, same run.",
        discussion: """
            Also vector stepping against Gymnasium's vectorised CartPole and the Gymnasium bridge's step rate. \
            Example:
              EnvironmentBenchmark --peer .venv/bin/python --quick
            """)

    @OptionGroup var peerOption: PeerOption

    @Flag(help: "A tenth of the steps (a quick look, noisier).")
    var quick = false
}
