import ArgumentParser
import BenchmarkSupport
import Foundation

/// MemoryBenchmark's command line; `--help` prints it.
struct Options: ParsableCommand, Sendable {
    static let configuration = CommandConfiguration(
        commandName: "MemoryBenchmark",
        abstract: "The episodic store's k-nearest-neighbour search against FAISS and hnswlib; MFEC against DQN.",
        discussion: """
            Exact search against FAISS's IndexFlatL2 (one thread each, same keys and queries), the approximate \
            search against hnswlib, then MFEC against DQN on a grid world over five seeds. Example:
              OPENBLAS_NUM_THREADS=1 MemoryBenchmark --peer .venv/bin/python --quick
            """)

    @OptionGroup var peerOption: PeerOption

    @Flag(help: "Stores of 10k and 100k entries only, and a shorter MFEC budget.")
    var quick = false

    @Option(
        help: ArgumentHelp(
            "Where the keys and queries are written for the peers (the files are removed afterwards).",
            valueName: "directory"))
    var scratch = NSTemporaryDirectory() + "lifelong-memory-bench-\(getpid())"
}
