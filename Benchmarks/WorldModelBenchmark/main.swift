// make bench-worldmodel: PETS on continuous CartPole with mbrl-lib's `pets_cartpole` settings (7 members × 4 × 200
// SiLU, 5 elites, TS1; CEM horizon 15, population 350, 10% elites, 5 iterations, α 0.1; 20 particles), against
// mbrl-lib 0.2.0 (PyPI `mbrl`) in the same run:
//   1. seconds per planning step at identical settings (one random trial, one fit, then a fixed number of planning
//      steps; medians), with the ensemble-forward FLOP bound per step from an sgemm peak measured here — under the
//      BLAS setting it is started with (make bench-worldmodel: the build machines' OPENBLAS_CORETYPE, Haswell when
//      unset) and again with the kernel OpenBLAS picks for this CPU (AVX-512 here) or `--native-core`;
//   2. the return of each 200-step trial over `--trials` trials after one random trial, on `--seeds` seeds, both
//      sides (hours at full size: about a second per planning step each).
// The last line summarises.
//
// usage: WorldModelBenchmark [--peer PYTHON] [--speed-steps N] [--trials N] [--seeds N] [--native-core NAME]
//                            [--threads N]
//        WorldModelBenchmark --child-speed N   (one speed measurement; used for the AVX-512 kernel run)
import Agents
import BenchmarkSupport
import CBLAS
import Environments
import Foundation
import Neural
import Replay
import WorldModel

setvbuf(stdout, nil, _IOLBF, 0)  // line-buffered through `tee`
let peer = option("--peer")
let speedSteps = Int(option("--speed-steps") ?? "10") ?? 10
let trials = Int(option("--trials") ?? "10") ?? 10
let seeds = Int(option("--seeds") ?? "5") ?? 5
/// The second speed run's OpenBLAS kernel: by default the one OpenBLAS picks for this CPU (OPENBLAS_CORETYPE unset).
let nativeCore = option("--native-core")
/// BLAS threads on our side and torch threads on mbrl-lib's: the same on both (default: every core).
let threads = Int(option("--threads") ?? "") ?? ProcessInfo.processInfo.activeProcessorCount
BLAS.setThreads(threads)

/// mbrl-lib's pets_cartpole, in PETSConfiguration's names.
nonisolated var petsCartpole: PETSConfiguration {
    var configuration = PETSConfiguration()
    configuration.propagation = .ts1  // gaussian_mlp_ensemble's random_model
    configuration.validationRatio = 0  // pets_cartpole: validation_ratio 0 (elites by training error)
    configuration.patience = 25
    configuration.maximumEpochs = 25
    configuration.randomSteps = 200
    configuration.trainEvery = 50
    configuration.planningThreads = threads
    return configuration
}

func makeAgent(seed: UInt64) throws -> PETS {
    let replay = ReplayStore(
        schema: ReplaySchema(observationSize: 4, action: .continuous(size: 1)), capacity: 100_000, eviction: .fifo,
        seed: seed)
    let environment = try EnvironmentRegistry.make("CartPoleContinuous-v0")
    return try PETS(
        observationSize: 4, actionSpace: environment.actionSpace, configuration: petsCartpole,
        known: KnownModelFunctions.classicControl("CartPoleContinuous-v0"), replay: replay, seed: seed)
}

/// One random trial, one fit, then the median seconds of `steps` planning steps (after one warm-up step).
func planningSeconds(steps: Int, seed: UInt64 = 1) throws -> Double {
    let agent = try makeAgent(seed: seed)
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

if let child = option("--child-speed").flatMap(Int.init) {
    print(
        String(
            format: "{\"seconds_per_step\": %.6f, \"blas\": \"%@\"}", try planningSeconds(steps: child), BLAS.summary))
    exit(0)
}

// The FLOP bound of one planning step: every particle of every candidate through one elite, each CEM iteration,
// each step of the horizon.
let configuration = petsCartpole
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

print("PETS planning on continuous CartPole, mbrl-lib pets_cartpole settings; \(BLAS.summary)")
var summary: [String] = []

// 1. Speed.
let peak = sgemmPeak()
let bound = stepFlops / peak
let ours = try planningSeconds(steps: speedSteps)
print(
    String(
        format: "planning step: %.3f TFLOP of ensemble forward; sgemm peak %.0f GFLOP/s → bound %.3f s",
        stepFlops / 1e12, peak / 1e9, bound))
print(
    String(
        format: "Lifelong (%@): %.3f s per step (%.0f%% of the sgemm peak)", BLAS.coreName, ours, 100 * bound / ours))
var native: Double?
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
        nativeKernel = report["blas"] as? String ?? "?"
        print(String(format: "Lifelong (native kernel — %@): %.3f s per step", nativeKernel, native!))
    }
}
var theirs: Double?
if let peer {
    let report = try runPeer(
        python: peer, script: "worldmodel_mbrl.py",
        arguments: ["speed", "--steps", String(speedSteps), "--seed", "1", "--threads", String(threads)])
    theirs = report["seconds_per_step"] as? Double
    print(
        String(
            format: "mbrl-lib 0.2.0 (torch %@, %d threads): %.3f s per step", report["torch"] as? String ?? "?",
            report["threads"] as? Int ?? 0, theirs ?? .nan))
}
if let theirs {
    summary.append(String(format: "planning %.2f× mbrl-lib (OpenBLAS %@)", theirs / ours, BLAS.coreName))
    if let native {
        let kernel = nativeKernel.split(separator: " ").dropFirst().first.map(String.init) ?? "native"
        summary.append(
            String(
                format: "%.2f× with OpenBLAS's %@ kernel", theirs / native,
                kernel.trimmingCharacters(in: .punctuationCharacters)))
    }
}
summary.append(String(format: "%.0f%% of the sgemm peak", 100 * bound / ours))

// 2. Returns per trial.
if trials > 0 && seeds > 0 {
    print("returns per 200-step trial after one random trial (\(trials) trials, \(seeds) seeds)")
    var solvedOurs = 0
    var solvedTheirs = 0
    for seed in 1...seeds {
        let agent = try makeAgent(seed: UInt64(seed))
        let environment = try EnvironmentRegistry.make("CartPoleContinuous-v0")
        let loop = try EnvironmentLoop(environment: environment, agent: agent, seed: UInt64(seed))
        try loop.run(steps: 200)
        var returns: [Double] = []
        for _ in 0..<trials {
            let before = loop.returns.count
            // One trial: until the episode ends (at most 200 steps).
            while loop.returns.count == before { try loop.run(steps: 1) }
            returns.append(loop.returns.last!)
        }
        if returns.contains(where: { $0 >= 190 }) { solvedOurs += 1 }
        print("  Lifelong seed \(seed): " + returns.map { String(format: "%.0f", $0) }.joined(separator: " "))
        if let peer {
            let report = try runPeer(
                python: peer, script: "worldmodel_mbrl.py",
                arguments: ["trials", "--trials", String(trials), "--seed", String(seed), "--threads", String(threads)])
            let peerReturns = report["returns"] as? [Double] ?? []
            if peerReturns.contains(where: { $0 >= 190 }) { solvedTheirs += 1 }
            print("  mbrl-lib seed \(seed): " + peerReturns.map { String(format: "%.0f", $0) }.joined(separator: " "))
        }
    }
    summary.append(
        "≥ 190 within \(trials) trials on \(solvedOurs)/\(seeds) seeds (mbrl-lib \(peer == nil ? "not run" : "\(solvedTheirs)/\(seeds)"))"
    )
}
print("summary: " + summary.joined(separator: "; "))
