// make bench-env: steps per second of each built-in environment against Gymnasium's Python environment on the
// same random actions, in the same run; vector stepping against Gymnasium's vectorised CartPole.
// The options are in Options.swift (`--help`).
import BenchmarkSupport
import Environments
import Foundation
import Randomness

let options = Options.parseOrExit()
let quick = options.quick
let peer = options.peerOption.peer

/// Median steps per second over `samples` runs of `steps` steps.
func stepsPerSecond(samples: Int = 5, steps: Int, _ run: (Int) throws -> Void) rethrows -> Double {
    try run(min(steps, 1000))
    return try median(samples) {
        let start = now()
        try run(steps)
        return Double(steps) / (now() - start)
    }
}

/// Random actions shared with the peer: the same generator, seed and count (cycled).
func actions(for env: any Environment, count: Int = 4096) -> (discrete: [Int], continuous: [Float]) {
    var random = RandomStream(seed: 1)
    switch env.actionSpace {
    case .discrete(let n): return ((0..<count).map { _ in Int(random.next() % UInt64(n)) }, [])
    case .box(let low, let high, _): return ([], (0..<count).map { _ in random.uniform(low[0], high[0]) })
    case .multiDiscrete: return ([], [])
    }
}

var ours: [String: Double] = [:]
let steps = quick ? 100_000 : 1_000_000
for specification in EnvironmentRegistry.specifications {
    let env = try EnvironmentRegistry.make(specification.id)
    let (discrete, continuous) = actions(for: env)
    var observation = [Float](repeating: 0, count: env.observationSpace.flatCount)
    try observation.withUnsafeMutableBufferPointer { buffer in
        try env.reset(seed: 0, observation: buffer)
        ours[specification.id] = try stepsPerSecond(steps: steps) { count in
            try continuous.withUnsafeBufferPointer { values in
                for step in 0..<count {
                    let index = step & 4095
                    let outcome =
                        try discrete.isEmpty
                        ? env.step(
                            .continuous(UnsafeBufferPointer(rebasing: values[index..<(index + 1)])), observation: buffer
                        )
                        : env.step(.discrete(discrete[index]), observation: buffer)
                    if outcome.terminated || outcome.truncated { try env.reset(seed: nil, observation: buffer) }
                }
            }
        }
    }
}

let copies = 64
let vector = try VectorEnvironment(count: copies, seed: 0) { try EnvironmentRegistry.make("CartPole-v1") }
try vector.reset()
var random = RandomStream(seed: 2)
let vectorActions = (0..<64).map { _ in (0..<copies).map { _ in Int(random.next() % 2) } }
let vectorRate =
    try stepsPerSecond(steps: quick ? 2_000 : 20_000) { count in
        for step in 0..<count { try vector.step(discrete: vectorActions[step & 63]) }
    } * Double(copies)

// The bridge: Gymnasium's CartPole in a subprocess, driven through the pipe protocol.
var bridgeRate: Double?
if let peer {
    let bridged = try GymnasiumEnvironment("CartPole-v1", python: peer)
    let (discrete, _) = actions(for: bridged)
    var observation = [Float](repeating: 0, count: 4)
    try observation.withUnsafeMutableBufferPointer { buffer in
        try bridged.reset(seed: 0, observation: buffer)
        bridgeRate = try stepsPerSecond(steps: quick ? 5_000 : 50_000) { count in
            for step in 0..<count {
                let outcome = try bridged.step(.discrete(discrete[step & 4095]), observation: buffer)
                if outcome.terminated || outcome.truncated { try bridged.reset(seed: nil, observation: buffer) }
            }
        }
    }
}

var theirs: [String: Double] = [:]
var peerVersion = "not run"
if let peer {
    let report = try runPeer(python: peer, script: "environments_gymnasium.py", arguments: quick ? ["--quick"] : [])
    theirs = report["steps_per_second"] as? [String: Double] ?? [:]
    peerVersion =
        "Gymnasium \(report["version"] as? String ?? "?") (gym.make, env checker off), NumPy \(report["numpy"] as? String ?? "?")"
}

print("Environment benchmark — one core, random actions, reset on episode end; peer: \(peerVersion)")
print("environment | Lifelong steps/s | Gymnasium steps/s | ratio | Lifelong ns/step")
var summary: [String] = []
for specification in EnvironmentRegistry.specifications {
    let mine = ours[specification.id]!
    var row = [specification.id, String(format: "%.3g", mine), "-", "-", String(format: "%.0f", 1e9 / mine)]
    if let other = theirs[specification.id] {
        row[2] = String(format: "%.3g", other)
        row[3] = String(format: "%.0f×", mine / other)
        summary.append(String(format: "%@ %.0f×", specification.id, mine / other))
    }
    print(row.joined(separator: " | "))
}
var vectorRow = [
    "CartPole-v1 × \(copies) (vector)", String(format: "%.3g", vectorRate), "-", "-",
    String(format: "%.0f", 1e9 / vectorRate),
]
if let other = theirs["vector"] {
    vectorRow[2] = String(format: "%.3g", other)
    vectorRow[3] = String(format: "%.1f×", vectorRate / other)
    summary.append(String(format: "vector CartPole×%d %.1f×", copies, vectorRate / other))
}
print(vectorRow.joined(separator: " | "))
if let bridgeRate, let gymnasium = theirs["CartPole-v1"] {
    let added = (1 / bridgeRate - 1 / gymnasium) * 1e6
    print(
        String(
            format: "bridge: CartPole-v1 through GymnasiumEnvironment %.3g steps/s; the pipe adds %.1f µs per step "
                + "to Gymnasium's own %.1f µs", bridgeRate, added, 1e6 / gymnasium))
    summary.append(String(format: "bridge +%.1f µs/step", added))
}
print("summary (steps/s, Lifelong vs Gymnasium): " + summary.joined(separator: ", "))
