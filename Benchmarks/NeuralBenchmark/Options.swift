import ArgumentParser
import BenchmarkSupport
import Foundation

/// NeuralBenchmark's command line; `--help` prints it.
struct Options: ParsableCommand, Sendable {
    static let configuration = CommandConfiguration(
        commandName: "NeuralBenchmark",
        abstract: "Lifelong's Neural module against PyTorch on CPU: same shapes, same thread count, same run.",
        discussion: """
            make bench-neural runs it twice, under the build machines' OPENBLAS_CORETYPE and under the kernel \
            OpenBLAS picks for this CPU, writing the first run's results and checking the second's against them. \
            Example:
              NeuralBenchmark --peer .venv/bin/python --quick
            """)

    @OptionGroup var peerOption: PeerOption

    @Flag(help: "Fewer samples per workload (a quick look, noisier).")
    var quick = false

    @Flag(help: "Time the phases of the MLP workloads (record + forward, backward, optimizer step) and stop.")
    var breakdown = false

    @Option(
        help: ArgumentHelp("Write the ensemble's output to FILE, for a run under another kernel.", valueName: "file"))
    var writeReference: String?

    @Option(
        help: ArgumentHelp(
            "Compare the ensemble's output with FILE written by --write-reference under another kernel.",
            valueName: "file"))
    var checkReference: String?

    func validate() throws {
        if writeReference != nil && checkReference != nil {
            throw ValidationError("--write-reference and --check-reference: give one (the second run checks the first)")
        }
        if let checkReference, !FileManager.default.fileExists(atPath: checkReference) {
            throw ValidationError(
                "--check-reference \(checkReference): no such file — write it first with --write-reference")
        }
    }
}
