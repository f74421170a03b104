public import ArgumentParser
import BenchmarkSupport
import Foundation
import WorldModel

/// WorldModelBenchmark's command line; `--help` prints it.
struct Options: ParsableCommand, Sendable {
    static let configuration = CommandConfiguration(
        commandName: "WorldModelBenchmark",
        abstract: "PETS on continuous CartPole with mbrl-lib's pets_cartpole settings, against mbrl-lib 0.2.0.",
        discussion: """
            1. Seconds per planning step at identical settings, with the ensemble-forward FLOP bound from an sgemm \
            peak measured here, under the BLAS setting it starts with and again under OpenBLAS's own kernel for \
            this CPU (or --native-core); 2. the return of each 200-step trial after one random trial, both sides; \
            3. MBPO against SAC alone on continuous CartPole. Hours at full size. Example:
              WorldModelBenchmark --peer .venv/bin/python --trials 3 --seeds 1
            """)

    @OptionGroup var peerOption: PeerOption

    @Option(help: "Planning steps timed for the speed comparison.")
    var speedSteps = 10

    @Option(help: "200-step trials per seed (0 skips the returns).")
    var trials = 10

    @Option(help: "Seeds of the trials (0 skips the returns).")
    var seeds = 5

    @Option(help: "The first seed of the trials, to spread a long reproduction over several runs.")
    var firstSeed = 1

    @Option(
        help: ArgumentHelp(
            "The second speed run's OPENBLAS_CORETYPE (default: unset, the kernel OpenBLAS picks for this CPU).",
            valueName: "name"))
    var nativeCore: String?

    @Option(
        help: ArgumentHelp(
            "End a seed's trials (ours) at the first trial returning at least this.", valueName: "return"))
    var stopAt: Double?

    @Option(help: "BLAS threads here and torch threads in mbrl-lib (default: every core).")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(
        help: ArgumentHelp(
            "Our planning precision in the trials (bfloat16 needs AVX512_BF16).", valueName: "float32|bfloat16"))
    var trialPrecision = PredictionPrecision.float32

    @Option(help: "MBPO against SAC alone: seeds (0 skips it).")
    var mbpoSeeds = 3

    @Option(help: "MBPO against SAC alone: the real-step budget per seed.")
    var mbpoBudget = 5000

    @Option(
        help: ArgumentHelp(
            "Internal: time N planning steps under this process's BLAS kernel and print JSON (the speed "
                + "measurement under another kernel runs as a child process).", visibility: .hidden))
    var childSpeed: Int?

    func validate() throws {
        try requireAtLeast(1, speedSteps, for: "--speed-steps")
        try requireAtLeast(0, trials, for: "--trials")
        try requireAtLeast(0, seeds, for: "--seeds")
        try requireAtLeast(0, firstSeed, for: "--first-seed")
        try requireAtLeast(1, threads, for: "--threads")
        try requireAtLeast(0, mbpoSeeds, for: "--mbpo-seeds")
        try requireAtLeast(1, mbpoBudget, for: "--mbpo-budget")
        if let childSpeed { try requireAtLeast(1, childSpeed, for: "--child-speed") }
        if let problem = trialPrecision.unavailability {
            throw ValidationError("--trial-precision \(trialPrecision.rawValue): \(problem)")
        }
    }
}

extension PredictionPrecision: ExpressibleByArgument {}
