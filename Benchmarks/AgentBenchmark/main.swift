// make bench-agents: Lifelong against Stable-Baselines3 on the same seeds in the same run — wall-clock time and the
// final greedy return over 20 episodes per seed: (a) DQN on CartPole-v1 with rl-zoo's hyper-parameters, with the
// job's matrix-product FLOP bound from an sgemm peak measured here; (b) DQN with CleanRL's dqn.py defaults;
// (c) SAC on Pendulum-v1 with rl-zoo's settings. The last line summarises.
//
// Each side at its fastest on a 2-core machine by default: one BLAS / torch thread for DQN on both sides (both are
// slower with two on these small products), two torch threads for SB3's SAC (its 256-row batches run faster on
// two), and Lifelong's `learningThreads` 2 (an update's independent products on two threads, each with
// single-threaded BLAS — the same numbers as with 1). The options are in Options.swift (`--help`).
import Agents
import BenchmarkSupport
import CBLAS
import Environments
import Foundation
import Neural
import Replay

let options = Options.parseOrExit()
let peer = options.peerOption.peer
let cases = Set(options.caseList)
let seeds = options.seeds
let steps = options.steps
let threads = options.threads
BLAS.setThreads(threads)
let learningThreads = options.learningThreads
let dqnPrecision = options.dqnPrecision
let configuration = {
    var configuration = DQNConfiguration.rlZooCartPole(totalSteps: steps)
    configuration.learningThreads = learningThreads
    configuration.matmulPrecision = dqnPrecision
    return configuration
}()
/// Runs the Stable-Baselines3 peer script with `arguments` and `torchThreads` torch threads.
func runSB3(_ arguments: [String], torchThreads: Int = threads) throws -> [String: Any] {
    try runPeer(python: peer!, script: "agents_sb3.py", arguments: arguments + ["--threads", String(torchThreads)])
}

/// Trains DQN on CartPole-v1 for `steps` steps on seeds 1…`seeds`: each run's seconds and greedy return over 20
/// episodes (seeds 10000…).
func trainDQN(
    _ configuration: DQNConfiguration, steps: Int, seeds: Int, bufferSize: Int, label: String
) throws -> [(seconds: Double, score: Double)] {
    try (1...seeds).map { seed in
        let replay = ReplayStore(
            schema: ReplaySchema(observationSize: 4, action: .discrete), capacity: bufferSize, eviction: .fifo,
            seed: UInt64(seed))
        let agent = DQN(
            observationSize: 4, actions: 2, configuration: configuration, replay: replay, seed: UInt64(seed))
        let start = now()
        try EnvironmentLoop(environment: EnvironmentRegistry.make("CartPole-v1"), agent: agent, seed: UInt64(seed))
            .run(steps: steps)
        let seconds = now() - start
        let score = try evaluate(agent, in: EnvironmentRegistry.make("CartPole-v1"), episodes: 20, seed: 10_000)
        print(String(format: "%@Lifelong seed %d: %.1f s, greedy return %.1f", label, seed, seconds, score))
        return (seconds, score)
    }
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/// FLOPs of one forward pass of an MLP with layer `sizes` over `batch` rows (2 per multiply-add, products only).
func forwardFLOPs(_ sizes: [Int], batch: Int) -> Double {
    zip(sizes, sizes.dropFirst()).reduce(0.0) { $0 + 2.0 * Double(batch * $1.0 * $1.1) }
}

/// The sgemm peak (FLOP/s) of the threads the learning's products run on — single-threaded BLAS on each of the
/// learning threads, so that many one-thread peaks — measured on a 512³ product; and that thread count.
func sgemmPeak() -> (flops: Double, threads: Double) {
    let size = 512
    let a = [Float](repeating: 0.5, count: size * size)
    var c = [Float](repeating: 0, count: size * size)
    let sgemm = medianSeconds(samples: 7) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(size), Int32(size), Int32(size), 1, a, Int32(size), a,
            Int32(size), 0, &c, Int32(size))
    }
    let lanes = threads == 1 ? Double(min(learningThreads, 2)) : 1
    return (2 * pow(Double(size), 3) / sgemm * lanes, lanes)
}

/// (a) rl-zoo's settings; returns the summary's part.
func caseA() throws -> String {
    let ours = try trainDQN(configuration, steps: steps, seeds: seeds, bufferSize: 100_000, label: "")

    // The learning's matrix-product FLOPs: per gradient step, forward on s' (target net), forward + backward on s.
    let sizes = [4] + configuration.hiddenLayers + [2]
    let forward = forwardFLOPs(sizes, batch: configuration.batchSize)
    let updates = Double((steps - 1024) / configuration.trainFrequency + 1) * Double(configuration.gradientSteps)
    let flops = updates * forward * 4  // target forward + online forward + ~2× for backward
    let (peak, lanes) = sgemmPeak()
    let bound = flops / peak

    var theirs: [(seconds: Double, score: Double)] = []
    var version = "not run"
    if peer != nil {
        let report = try runSB3(["--seeds", String(seeds), "--steps", String(steps)])
        version = "Stable-Baselines3 \(report["version"] as? String ?? "?"), torch threads \(threads)"
        for run in report["runs"] as? [[String: Double]] ?? [] {
            theirs.append((run["seconds"] ?? 0, run["score"] ?? 0))
        }
    }

    print(
        "DQN CartPole-v1, rl-zoo settings, \(steps) steps, \(seeds) seeds; \(BLAS.summary), learningThreads "
            + "\(learningThreads), matmulPrecision \(dqnPrecision.rawValue); peer: \(version)")
    print("seed | Lifelong s | Lifelong return | SB3 s | SB3 return")
    for index in 0..<seeds {
        let other = index < theirs.count ? theirs[index] : nil
        print(
            [
                String(index + 1), String(format: "%.1f", ours[index].seconds),
                String(format: "%.1f", ours[index].score),
                other.map { String(format: "%.1f", $0.seconds) } ?? "-",
                other.map { String(format: "%.1f", $0.score) } ?? "-",
            ].joined(separator: " | "))
    }
    let solvedOurs = ours.filter { $0.score >= 475 }.count
    let solvedTheirs = theirs.filter { $0.score >= 475 }.count
    let oursMedian = median(ours.map(\.seconds))
    let ratio = theirs.isEmpty ? Double.nan : median(theirs.map(\.seconds)) / oursMedian
    print(
        String(
            format:
                "learning FLOP bound: %.1f s at the measured sgemm peak of %.0f thread(s) (%.0f GFLOP/s); Lifelong's "
                + "median run %.1f s (%.0f%% of the bound's rate, environment and Python-free overheads included)",
            bound, lanes, peak / 1e9, oursMedian, 100 * bound / oursMedian)
            + (dqnPrecision == .float32 ? "" : " — a float32 bound; the hidden layer's products ran in bf16"))
    let boundShare = String(format: "%.0f%%", 100 * bound / oursMedian)
    return "DQN CartPole rl-zoo \(ratioText(ratio)) SB3 wall clock (medians) at \(boundShare) of the sgemm-peak bound, "
        + "seeds reaching ≥ 475: Lifelong \(solvedOurs)/\(seeds), SB3 "
        + (theirs.isEmpty ? "not run" : "\(solvedTheirs)/\(theirs.count)")
}

/// "4.2×", or "-" when the peer did not run.
func ratioText(_ ratio: Double) -> String { ratio.isNaN ? "-" : String(format: "%.1f×", ratio) }

/// The mean of `values` as a whole number, or "-" when there are none (the peer did not run).
func meanText(_ values: [Double]) -> String {
    values.isEmpty ? "-" : String(format: "%.0f", values.reduce(0, +) / Double(values.count))
}

/// (b) CleanRL's dqn.py defaults: small networks, where per-step overheads dominate.
func caseB() throws -> String {
    let cleanRLSteps = options.cleanrlSteps
    let cleanRLSeeds = options.cleanrlSeeds
    var cleanRL = DQNConfiguration.cleanRLCartPole(totalSteps: cleanRLSteps)
    cleanRL.learningThreads = learningThreads
    cleanRL.matmulPrecision = dqnPrecision
    let oursCleanRL = try trainDQN(
        cleanRL, steps: cleanRLSteps, seeds: cleanRLSeeds, bufferSize: 10_000,
        label: "CleanRL settings, ")
    var theirsCleanRL: [(seconds: Double, score: Double)] = []
    if peer != nil {
        let report = try runSB3(["--seeds", String(cleanRLSeeds), "--cleanrl-steps", String(cleanRLSteps)])
        for run in report["cleanrl"] as? [[String: Double]] ?? [] {
            theirsCleanRL.append((run["seconds"] ?? 0, run["score"] ?? 0))
            print(
                String(
                    format: "CleanRL settings, SB3: %.1f s, greedy return %.1f", run["seconds"] ?? 0, run["score"] ?? 0)
            )
        }
    }
    let cleanRLRatio =
        theirsCleanRL.isEmpty
        ? Double.nan : median(theirsCleanRL.map(\.seconds)) / median(oursCleanRL.map(\.seconds))
    print(
        String(
            format: "DQN CartPole-v1, CleanRL settings, %d steps, %d seeds: Lifelong median %.1f s, SB3 median %@",
            cleanRLSteps, cleanRLSeeds, median(oursCleanRL.map(\.seconds)),
            theirsCleanRL.isEmpty ? "not run" : String(format: "%.1f s", median(theirsCleanRL.map(\.seconds)))))
    return "CleanRL settings \(ratioText(cleanRLRatio)) SB3, mean returns \(meanText(oursCleanRL.map(\.score))) vs "
        + meanText(theirsCleanRL.map(\.score))
}

/// (c) SAC on Pendulum-v1, rl-zoo's settings (learning rate 1e-3, SB3's defaults otherwise), seed 1.
func caseC() throws -> String {
    let sacSteps = options.sacSteps
    // SB3's SAC runs faster on two torch threads here (3,000 steps: 31.2 and 36.4 s against 39.8 and 40.8 s on one).
    let sb3SACThreads = options.sb3SacThreads
    var sacConfiguration = SACConfiguration()
    sacConfiguration.learningRate = 1e-3
    sacConfiguration.learningThreads = learningThreads
    /// Trains SAC on Pendulum-v1 for `sacSteps` with seed 1: seconds and greedy return over 20 episodes.
    func trainSAC(_ configuration: SACConfiguration) throws -> (seconds: Double, score: Double) {
        let pendulum = try EnvironmentRegistry.make("Pendulum-v1")
        let replay = ReplayStore(
            schema: ReplaySchema(observationSize: 3, action: .continuous(size: 1)), capacity: 1_000_000,
            eviction: .fifo, seed: 1)
        let sac = SAC(
            observationSize: 3, actionSpace: pendulum.actionSpace, configuration: configuration, replay: replay,
            seed: 1)
        let start = now()
        try EnvironmentLoop(environment: pendulum, agent: sac, seed: 1).run(steps: sacSteps)
        let seconds = now() - start
        return (seconds, try evaluate(sac, in: EnvironmentRegistry.make("Pendulum-v1"), episodes: 20, seed: 10_000))
    }
    let (sacSeconds, sacScore) = try trainSAC(sacConfiguration)
    // The opt-in bf16 products, where the CPU has them: not SB3's arithmetic, reported beside the float32 run.
    var reduced: (seconds: Double, score: Double)?
    if MatmulPrecision.bfloat16IsAvailable, options.sacBf16 == "yes" {
        var bf16 = sacConfiguration
        bf16.matmulPrecision = .bfloat16
        reduced = try trainSAC(bf16)
    }
    var sb3SAC: (seconds: Double, score: Double)?
    if peer != nil {
        let report = try runSB3(["--sac-steps", String(sacSteps)], torchThreads: sb3SACThreads)
        if let run = report["sac"] as? [String: Double] { sb3SAC = (run["seconds"] ?? 0, run["score"] ?? 0) }
    }
    let sb3Text =
        sb3SAC.map {
            String(format: "%.1f s, return %.1f (torch threads %d)", $0.seconds, $0.score, sb3SACThreads)
        } ?? "not run"
    print(
        String(
            format: "SAC Pendulum-v1, rl-zoo settings, %d steps, seed 1: Lifelong %.1f s, return %.1f; SB3 ", sacSteps,
            sacSeconds, sacScore) + sb3Text)
    // The update's products, in forward passes' worth: the policy on s′ (1) and both target critics (2); both
    // critics forward (2) and back, weight and input gradients (4); the policy on s (1), both critics forward (2) and
    // back to the action only, each row through the lower critic (1, they are constant there); the policy back (2).
    // Policy 4, critics 11.
    let hidden = sacConfiguration.hiddenLayers
    let batch = sacConfiguration.batchSize
    let actorForward = forwardFLOPs([3] + hidden + [2], batch: batch)
    let criticForward = forwardFLOPs([4] + hidden + [1], batch: batch)
    let perUpdate = actorForward * 4 + criticForward * 11
    let sacUpdates = Double(sacSteps - sacConfiguration.learningStarts + 1)
    let (peak, lanes) = sgemmPeak()
    let boundSeconds = sacUpdates * perUpdate / peak
    print(
        String(
            format:
                "SAC learning FLOP bound: %.1f s at the measured sgemm peak of %.0f thread(s) (%.0f GFLOP/s) — %.0f%% "
                + "of that rate in Lifelong's run",
            boundSeconds, lanes, peak / 1e9, 100 * boundSeconds / sacSeconds)
            + (sb3SAC.map { String(format: "; 5× SB3 would need %.0f%%", 500 * boundSeconds / $0.seconds) } ?? ""))
    let sacRatio = sb3SAC.map { String(format: "%.1f×", $0.seconds / sacSeconds) } ?? "-"
    var summary =
        "SAC Pendulum \(sacRatio) SB3 at "
        + String(format: "%.0f%% of the sgemm-peak bound", 100 * boundSeconds / sacSeconds)
        + ", return \(Int(sacScore)) vs \(sb3SAC.map { String(Int($0.score)) } ?? "-")"
    if let reduced {
        let ratio = sb3SAC.map { String(format: "%.1f×", $0.seconds / reduced.seconds) } ?? "-"
        print(
            String(
                format: "SAC with bf16 products (opt-in matmulPrecision \"bfloat16\"): Lifelong %.1f s, return %.1f",
                reduced.seconds, reduced.score) + " (\(ratio) SB3)")
        summary += "; with opt-in bf16 products \(ratio) SB3, return \(Int(reduced.score))"
    }
    return summary
}

var summary: [String] = []
if cases.contains("a") { summary.append(try caseA()) }
if cases.contains("b") { summary.append(try caseB()) }
if cases.contains("c") { summary.append(try caseC()) }
print("summary: " + summary.joined(separator: "; "))
