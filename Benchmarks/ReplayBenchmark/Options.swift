import ArgumentParser
import BenchmarkSupport
import Foundation

/// ReplayBenchmark's command line; `--help` prints it.
struct Options: ParsableCommand, Sendable {
    static let configuration = CommandConfiguration(
        commandName: "ReplayBenchmark",
        abstract: "The replay store against cpprb, TorchRL and Stable-Baselines3's buffer, and h5py for persistence.",
        discussion: """
            Insert rate, uniform and prioritized sampling of 256 from 1M CartPole-sized transitions, persistence \
            throughput and bytes per transition, each peer in the same run. Example:
              ReplayBenchmark --peer .venv/bin/python --scratch runs/bench/replay-scratch
            """)

    @OptionGroup var peerOption: PeerOption

    @Flag(help: "A tenth of the capacity (a quick look, noisier).")
    var quick = false

    @Option(
        help: ArgumentHelp(
            "Where the persisted stores are written (subdirectories replay/ and h5py/, removed afterwards).",
            valueName: "directory"))
    var scratch = NSTemporaryDirectory() + "lifelong-replay-bench-\(getpid())"
}
