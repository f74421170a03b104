// make bench-worldmodel: PETS on continuous CartPole with mbrl-lib's `pets_cartpole` settings (7 members × 4 × 200
// SiLU, 5 elites, TS1; CEM horizon 15, population 350, 10% elites, 5 iterations, α 0.1; 20 particles), against
// mbrl-lib 0.2.0 (PyPI `mbrl`) in the same run:
//   1. seconds per planning step at identical settings (one random trial, one fit, then a fixed number of planning
//      steps; medians), with the ensemble-forward FLOP bound per step from an sgemm peak measured here — under the
//      BLAS setting it is started with (make bench-worldmodel: the build machines' OPENBLAS_CORETYPE, Haswell when
//      unset) and again with the kernel OpenBLAS picks for this CPU (AVX-512 here) or `--native-core`;
//   2. the return of each 200-step trial over `--trials` trials after one random trial, on `--seeds` seeds, both
//      sides (hours at full size: about a second per planning step each);
//   3. MBPO against SAC alone: real steps to a greedy return ≥ 190 on continuous CartPole.
// Where the CPU has AVX512_BF16, the speed is also measured with bf16 planning (`planningPrecision`), and
// `--trial-precision bfloat16` runs the trials with it. The last line summarises.
// The options are in Options.swift (`--help`).
import Agents
import BenchmarkSupport
import CBLAS
import Environments
import Foundation
import Neural
import Replay
import WorldModel

/// Writes a line straight to standard output (unbuffered, so `tee` shows a long run's progress as it goes).
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let options = Options.parseOrExit()
let peer = options.peerOption.peer
let speedSteps = options.speedSteps
let trials = options.trials
let seeds = options.seeds
/// The first seed of the trials (seeds firstSeed…firstSeed + seeds − 1), to spread a long reproduction over runs.
let firstSeed = options.firstSeed
/// The second speed run's OpenBLAS kernel: by default the one OpenBLAS picks for this CPU (OPENBLAS_CORETYPE unset).
let nativeCore = options.nativeCore
/// Ends a seed's trials (ours) at the first trial returning at least this (the target asks "≥ 190 within 10 trials").
let stopAt = options.stopAt
/// BLAS threads on our side and torch threads on mbrl-lib's: the same on both (default: every core).
let threads = options.threads
BLAS.setThreads(threads)
let bfloat16 = PredictionPrecision.bfloat16IsAvailable
let trialPrecision = options.trialPrecision

/// mbrl-lib's pets_cartpole, in PETSConfiguration's names, planning at `precision`.
func petsCartpole(_ precision: PredictionPrecision = .float32) -> PETSConfiguration {
    var configuration = PETSConfiguration()
    configuration.planningPrecision = precision
    configuration.propagation = .ts1  // gaussian_mlp_ensemble's random_model
    configuration.validationRatio = 0  // pets_cartpole: validation_ratio 0 (elites by training error)
    configuration.patience = 25
    configuration.maximumEpochs = 25
    configuration.randomSteps = 200
    configuration.trainEvery = 50
    configuration.planningThreads = threads
    return configuration
}

func makeAgent(seed: UInt64, precision: PredictionPrecision = .float32) throws -> PETS {
    let replay = ReplayStore(
        schema: ReplaySchema(observationSize: 4, action: .continuous(size: 1)), capacity: 100_000, eviction: .fifo,
        seed: seed)
    let environment = try EnvironmentRegistry.make("CartPoleContinuous-v0")
    return try PETS(
        observationSize: 4, actionSpace: environment.actionSpace, configuration: petsCartpole(precision),
        known: KnownModelFunctions.classicControl("CartPoleContinuous-v0"), replay: replay, seed: seed)
}

/// One random trial, one fit, then the median seconds of `steps` planning steps (after one warm-up step).
func planningSeconds(steps: Int, seed: UInt64 = 1, precision: PredictionPrecision = .float32) throws -> Double {
    let agent = try makeAgent(seed: seed, precision: precision)
    let environment = try EnvironmentRegistry.make("CartPoleContinuous-v0")
    let loop = try EnvironmentLoop(environment: environment, agent: agent, seed: seed)
    try loop.run(steps: 200)  // random actions; the fit happens at step 200
    var observation = try environment.reset(seed: seed + 1)
    var times: [Double] = []
    for step in 0...steps {
        let start = now()
        let action = agent.act(observation, mode: .explore)
        let elapsed = now() - start
        if step > 0 { times.append(elapsed) }
        let (next, outcome) = try environment.step(action)
        observation = outcome.terminated || outcome.truncated ? try environment.reset(seed: seed + 2) : next
    }
    return times.sorted()[times.count / 2]
}

if let child = options.childSpeed {
    let float32 = try planningSeconds(steps: child)
    let half = bfloat16 ? try planningSeconds(steps: child, precision: .bfloat16) : -1
    say(
        String(
            format: "{\"seconds_per_step\": %.6f, \"bfloat16_seconds_per_step\": %.6f, \"blas\": \"%@\"}", float32,
            half, BLAS.summary))
    exit(0)
}

// The FLOP bound of one planning step: every particle of every candidate through one elite, each CEM iteration,
// each step of the horizon.
let configuration = petsCartpole()
let sizes = [4 + 1] + configuration.hiddenLayers + [2 * 4]
let rowFlops = zip(sizes, sizes.dropFirst()).reduce(0.0) { $0 + 2.0 * Double($1.0 * $1.1) }
let rows = Double(configuration.population * configuration.particles)
let stepFlops = rowFlops * rows * Double(configuration.horizon * configuration.iterations)

/// The sgemm peak now: a 1400 × 200 by 200 × 200 product (one elite's share of a planning layer) and a large
/// square one; the larger rate is the peak.
func sgemmPeak() -> Double {
    func rate(_ m: Int, _ n: Int, _ k: Int) -> Double {
        let a = [Float](repeating: 0.5, count: m * k)
        let b = [Float](repeating: 0.25, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        let seconds = medianSeconds(samples: 9) {
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0,
                &c, Int32(n))
        }
        return 2 * Double(m * n * k) / seconds
    }
    return max(rate(1400, 200, 200), rate(1024, 1024, 1024))
}

say("PETS planning on continuous CartPole, mbrl-lib pets_cartpole settings; \(BLAS.summary)")
var summary: [String] = []

// 1. Speed.
let peak = sgemmPeak()
let bound = stepFlops / peak
let ours = try planningSeconds(steps: speedSteps)
say(
    String(
        format: "planning step: %.3f TFLOP of ensemble forward; sgemm peak %.0f GFLOP/s → bound %.3f s",
        stepFlops / 1e12, peak / 1e9, bound))
say(
    String(
        format: "Lifelong (%@): %.3f s per step (%.0f%% of the sgemm peak)", BLAS.coreName, ours, 100 * bound / ours))
let oursHalf = bfloat16 ? try planningSeconds(steps: speedSteps, precision: .bfloat16) : nil
if let oursHalf {
    say(
        String(
            format: "Lifelong, bf16 planning (%@ for the first and last layers): %.3f s per step (%.0f%% of the "
                + "float32 sgemm peak's bound)", BLAS.coreName, oursHalf, 100 * bound / oursHalf))
} else {
    say("bf16 planning: not measured (this CPU has no AVX512_BF16)")
}
var native: Double?
var nativeHalf: Double?
var nativeKernel = "?"
do {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    process.arguments = ["--child-speed", String(speedSteps), "--threads", String(threads)]
    var environment = ProcessInfo.processInfo.environment
    if let nativeCore {
        environment["OPENBLAS_CORETYPE"] = nativeCore
    } else {
        environment.removeValue(forKey: "OPENBLAS_CORETYPE")
    }
    environment["LIFELONG_BLAS_THREADS"] = String(threads)
    process.environment = environment
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    if let report = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] {
        native = report["seconds_per_step"] as? Double
        nativeHalf = (report["bfloat16_seconds_per_step"] as? Double).flatMap { $0 > 0 ? $0 : nil }
        nativeKernel = report["blas"] as? String ?? "?"
        say(String(format: "Lifelong (native kernel — %@): %.3f s per step", nativeKernel, native!))
        if let nativeHalf {
            say(String(format: "Lifelong, bf16 planning (native kernel): %.3f s per step", nativeHalf))
        }
    }
}
var theirs: Double?
if let peer {
    let report = try runPeer(
        python: peer, script: "worldmodel_mbrl.py",
        arguments: ["speed", "--steps", String(speedSteps), "--seed", "1", "--threads", String(threads)])
    theirs = report["seconds_per_step"] as? Double
    say(
        String(
            format: "mbrl-lib 0.2.0 (torch %@, %d threads): %.3f s per step", report["torch"] as? String ?? "?",
            report["threads"] as? Int ?? 0, theirs ?? .nan))
}
if let theirs {
    summary.append(String(format: "planning %.2f× mbrl-lib (OpenBLAS %@)", theirs / ours, BLAS.coreName))
    let kernel = (nativeKernel.split(separator: " ").dropFirst().first.map(String.init) ?? "native")
        .trimmingCharacters(in: .punctuationCharacters)
    if let native {
        summary.append(String(format: "%.2f× with OpenBLAS's %@ kernel", theirs / native, kernel))
    }
    if let oursHalf {
        summary.append(String(format: "bf16 planning %.2f× (OpenBLAS %@)", theirs / oursHalf, BLAS.coreName))
    }
    if let nativeHalf {
        summary.append(String(format: "bf16 %.2f× (%@)", theirs / nativeHalf, kernel))
    }
}
summary.append(String(format: "%.0f%% of the sgemm peak", 100 * bound / ours))

// 2. Returns per trial.
if trials > 0 && seeds > 0 {
    say(
        "returns per 200-step trial after one random trial (\(trials) trials, \(seeds) seeds; our planning in "
            + "\(trialPrecision.rawValue))")
    var solvedOurs = 0
    var solvedTheirs = 0
    for seed in firstSeed..<(firstSeed + seeds) {
        let agent = try makeAgent(seed: UInt64(seed), precision: trialPrecision)
        let environment = try EnvironmentRegistry.make("CartPoleContinuous-v0")
        let loop = try EnvironmentLoop(environment: environment, agent: agent, seed: UInt64(seed))
        try loop.run(steps: 200)
        var returns: [Double] = []
        for _ in 0..<trials {
            let before = loop.returns.count
            // One trial: until the episode ends (at most 200 steps).
            while loop.returns.count == before { try loop.run(steps: 1) }
            returns.append(loop.returns.last!)
            if let stopAt, returns.last! >= stopAt { break }
        }
        if returns.contains(where: { $0 >= 190 }) { solvedOurs += 1 }
        say("  Lifelong seed \(seed): " + returns.map { String(format: "%.0f", $0) }.joined(separator: " "))
        if let peer {
            let report = try runPeer(
                python: peer, script: "worldmodel_mbrl.py",
                arguments: ["trials", "--trials", String(trials), "--seed", String(seed), "--threads", String(threads)])
            let peerReturns = report["returns"] as? [Double] ?? []
            if peerReturns.contains(where: { $0 >= 190 }) { solvedTheirs += 1 }
            say("  mbrl-lib seed \(seed): " + peerReturns.map { String(format: "%.0f", $0) }.joined(separator: " "))
        }
    }
    summary.append(
        "≥ 190 within \(trials) trials on \(solvedOurs)/\(seeds) seeds (mbrl-lib \(peer == nil ? "not run" : "\(solvedTheirs)/\(seeds)"))"
    )
}
// 3. MBPO against SAC alone on continuous CartPole: real steps until one greedy episode (seed 10000) returns ≥ 190,
// checked every 250 steps. MBPO: a fit every 250 steps, 20,000 one-step branched rollouts after each, 10 SAC updates
// per real step with batches imagined 95% of the time; SAC alone: 1 update per step. Same SAC network and rates.
let mbpoSeeds = options.mbpoSeeds
let mbpoBudget = options.mbpoBudget
if mbpoSeeds > 0 {
    var sac = SACConfiguration()
    sac.learningStarts = 250
    var mbpoSAC = sac
    mbpoSAC.gradientSteps = 10
    var mbpo = MBPOConfiguration()
    mbpo.firstFit = 250
    mbpo.fitEvery = 250
    mbpo.rolloutEvery = 250
    mbpo.rolloutBatch = 20_000
    mbpo.rolloutSchedule = [0, 1, 1, 1]
    mbpo.retainedRollouts = 5
    say("MBPO vs SAC: steps to a greedy return ≥ 190 on continuous CartPole (budget \(mbpoBudget))")
    var faster = 0
    let environment = { try EnvironmentRegistry.make("CartPoleContinuous-v0") }
    let schema = ReplaySchema(observationSize: 4, action: .continuous(size: 1))
    for seed in 1...mbpoSeeds {
        let model = try MBPO(
            observationSize: 4, actionSpace: environment().actionSpace, configuration: mbpo, sac: mbpoSAC,
            known: KnownModelFunctions.classicControl("CartPoleContinuous-v0"),
            replay: ReplayStore(schema: schema, capacity: 100_000, eviction: .fifo, seed: UInt64(seed)),
            imagined: ReplayStore(
                schema: schema, capacity: MBPO.imaginedCapacity(mbpo), eviction: .fifo, seed: UInt64(seed) + 100),
            seed: UInt64(seed))
        let start = now()
        let a = try stepsToReach(
            190, agent: model, environment: environment, seed: UInt64(seed), budget: mbpoBudget, episodes: 1)
        let modelSeconds = now() - start
        let alone = SAC(
            observationSize: 4, actionSpace: try environment().actionSpace, configuration: sac,
            replay: ReplayStore(schema: schema, capacity: 100_000, eviction: .fifo, seed: UInt64(seed)),
            seed: UInt64(seed))
        let b = try stepsToReach(
            190, agent: alone, environment: environment, seed: UInt64(seed), budget: mbpoBudget, episodes: 1)
        if let a, a < (b ?? mbpoBudget + 1) { faster += 1 }
        say(
            String(
                format: "  seed %d: MBPO %@ (%.0f s), SAC %@", seed, a.map(String.init) ?? "never", modelSeconds,
                b.map(String.init) ?? "never"))
    }
    summary.append("MBPO before SAC on \(faster)/\(mbpoSeeds) seeds")
}
say("summary: " + summary.joined(separator: "; "))
