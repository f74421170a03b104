public import ArgumentParser
import BenchmarkSupport
import Neural

/// AgentBenchmark's command line; `--help` prints it.
struct Options: ParsableCommand, Sendable {
    static let configuration = CommandConfiguration(
        commandName: "AgentBenchmark",
        abstract: "Lifelong's DQN and SAC against Stable-Baselines3 on the same seeds in the same run.",
        discussion: """
            Cases: (a) DQN on CartPole-v1 with rl-zoo's hyper-parameters, with the job's FLOP bound from an sgemm \
            peak measured here; (b) DQN with CleanRL's dqn.py defaults; (c) SAC on Pendulum-v1 with rl-zoo's \
            settings. Each side runs at its fastest on a 2-core machine by default. Example:
              AgentBenchmark --peer .venv/bin/python --cases c --sac-steps 4000
            """)

    @OptionGroup var peerOption: PeerOption

    @Option(help: ArgumentHelp("The cases to run, comma-separated: a, b, c.", valueName: "list"))
    var cases = "a,b,c"

    @Option(help: "Case (a): seeds 1…N.")
    var seeds = 5

    @Option(help: "Case (a): environment steps per seed.")
    var steps = 50_000

    @Option(help: "Case (b): seeds 1…N.")
    var cleanrlSeeds = 3

    @Option(help: "Case (b): environment steps per seed.")
    var cleanrlSteps = 500_000

    @Option(help: "Case (c): environment steps (seed 1).")
    var sacSteps = 20_000

    @Option(help: "BLAS threads here and torch threads in the peer for DQN (both sides are slower with two).")
    var threads = 1

    @Option(
        help: """
            Lifelong's DQN and SAC learningThreads: an update's independent products on that many threads, each \
            with single-threaded BLAS (the same numbers as with 1).
            """)
    var learningThreads = 2

    @Option(help: "SB3's torch threads for SAC (its 256-row batches run faster on two).")
    var sb3SacThreads = 2

    @Option(
        help: ArgumentHelp(
            "DQN's products in cases (a) and (b): float32, or the opt-in bfloat16 (other numbers than SB3's).",
            valueName: "float32|bfloat16"))
    var dqnPrecision = MatmulPrecision.float32

    @Option(
        help: ArgumentHelp(
            "Case (c) also runs SAC with the opt-in bf16 products where the CPU has them.", valueName: "yes|no"))
    var sacBf16 = "yes"

    func validate() throws {
        let unknown = caseList.filter { !["a", "b", "c"].contains($0) }
        if caseList.isEmpty || !unknown.isEmpty {
            throw ValidationError(
                "--cases \(cases): \(unknown.map { "'\($0)'" }.joined(separator: ", ")) is not a case — use a, b "
                    + "and/or c, comma-separated")
        }
        for (value, name) in [
            (seeds, "--seeds"), (steps, "--steps"), (cleanrlSeeds, "--cleanrl-seeds"),
            (cleanrlSteps, "--cleanrl-steps"), (sacSteps, "--sac-steps"), (threads, "--threads"),
            (learningThreads, "--learning-threads"), (sb3SacThreads, "--sb3-sac-threads"),
        ] {
            try requireAtLeast(1, value, for: name)
        }
        if let problem = dqnPrecision.unavailability {
            throw ValidationError("--dqn-precision \(dqnPrecision.rawValue): \(problem)")
        }
        if !["yes", "no"].contains(sacBf16) { throw ValidationError("--sac-bf16 \(sacBf16): use yes or no") }
    }

    /// `cases`, split at the commas.
    var caseList: [String] { cases.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
}

extension MatmulPrecision: ExpressibleByArgument {}
