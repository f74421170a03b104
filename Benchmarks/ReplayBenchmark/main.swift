// make bench-replay: the replay store against cpprb, TorchRL and Stable-Baselines3's buffer (same sizes, same
// run): insert rate, uniform and prioritized sampling of 256 from 1M CartPole-sized transitions, persistence
// throughput against h5py writing the same layout, and the memory each transition takes.
// The options are in Options.swift (`--help`).
import BenchmarkSupport
import Foundation
import Randomness
import Replay

let options = Options.parseOrExit()
let quick = options.quick
let peer = options.peerOption.peer
/// The scratch directory holds only what this run writes there (replay/, h5py/); they alone are removed, then the
/// directory if it is left empty — never anything else a user's `--scratch` already held.
let scratch = options.scratch
let storeDirectory = scratch + "/replay"
let capacity = quick ? 100_000 : 1_000_000
let schema = ReplaySchema(observationSize: 4, action: .discrete)

/// Deterministic CartPole-sized transitions.
var random = RandomStream(seed: 1)
let observations = (0..<(4096 * 4)).map { _ in random.uniform(-1, 1) }
func fill(_ store: ReplayStore, count: Int) {
    observations.withUnsafeBufferPointer { values in
        var action: Float = 0
        for index in 0..<count {
            let base = (index & 4095) * 4
            action = Float(index & 1)
            store.insert(
                observation: values.baseAddress! + base, action: &action, reward: 1,
                nextObservation: values.baseAddress! + ((base + 4) & (4096 * 4 - 1)), terminated: index % 200 == 199,
                truncated: false, episode: Int64(index / 200), step: Int32(index % 200))
        }
    }
}

// Insert: µs per transition, one at a time as an environment loop adds them.
let insertStore = ReplayStore(schema: schema, capacity: capacity, eviction: .fifo, seed: 1)
fill(insertStore, count: capacity)
let insertSeconds = median(5) {
    let start = now()
    fill(insertStore, count: 100_000)
    return (now() - start) / 100_000
}

// Uniform sampling of 256 from a full store.
var batch = ReplayBatch(schema: schema, size: 256)
let uniformSeconds = try median(9) {
    let start = now()
    for _ in 0..<2000 { try insertStore.sample(into: &batch) }
    return (now() - start) / 2000
}

// Prioritized: sample 256 and update their priorities.
let prioritized = ReplayStore(schema: schema, capacity: capacity, eviction: .fifo, seed: 2, priorityExponent: 0.6)
fill(prioritized, count: capacity)
var updates = [Float](repeating: 0, count: 256)
let prioritizedSeconds = try median(9) {
    let start = now()
    for round in 0..<1000 {
        try prioritized.sample(into: &batch, using: .prioritized(beta: 0.4))
        for index in 0..<256 { updates[index] = Float((round + index) % 97) * 0.01 + 0.01 }
        prioritized.updatePriorities(slots: batch.slots, priorities: updates)
    }
    return (now() - start) / 1000
}

// Images: 84×84×1 uint8 frames, a smaller capacity (each transition holds two frames).
let imageCapacity = quick ? 20_000 : 100_000
let imageSchema = ReplaySchema(observationSize: 84 * 84, observationType: .uint8, action: .discrete)
let images = ReplayStore(schema: imageSchema, capacity: imageCapacity, eviction: .fifo, seed: 4)
let frames = (0..<(64 * 7056)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
func fillImages(_ images: ReplayStore, _ frames: [UInt8], _ count: Int) {
    frames.withUnsafeBufferPointer { values in
        var action: Float = 1
        for index in 0..<count {
            let frame = (index & 63) * 7056
            images.insert(
                observation: values.baseAddress! + frame, action: &action, reward: 1,
                nextObservation: values.baseAddress! + ((frame + 7056) % (64 * 7056)), terminated: false,
                truncated: false,
                episode: Int64(index / 1000), step: Int32(index % 1000))
        }
    }
}
fillImages(images, frames, imageCapacity)
let imageInsertSeconds = median(5) {
    let start = now()
    fillImages(images, frames, 10_000)
    return (now() - start) / 10_000
}
var imageBatch = ReplayBatch(schema: imageSchema, size: 256)
let imageSampleSeconds = try median(9) {
    let start = now()
    for _ in 0..<200 { try images.sample(into: &imageBatch) }
    return (now() - start) / 200
}

// Memory: the columns' bytes per transition (sum tree included for the prioritized store).
let bytesPerTransition = Double(insertStore.bytesPerTransition)
let bytesPerPrioritized = Double(prioritized.bytesPerTransition)

// Persistence: the same transitions through a persisted store, committing every 100k (a few seconds of data).
try? FileManager.default.removeItem(atPath: storeDirectory)
let persisted = try ReplayStore.create(
    at: storeDirectory, schema: schema, capacity: capacity, eviction: .fifo, seed: 3)
let rows = quick ? 200_000 : 1_000_000
let transitions = (0..<4096).map { (index: Int) -> Transition in
    let start = index * 4
    let following = ((index + 1) & 4095) * 4
    let observation = Array(observations[start..<(start + 4)])
    let nextObservation = Array(observations[following..<(following + 4)])
    return Transition(
        observation: observation, action: [Float(index & 1)], reward: 1, nextObservation: nextObservation,
        terminated: index % 200 == 199, episode: Int64(index / 200), step: Int32(index % 200))
}
var commitTimes: [Double] = []
let persistStart = now()
for index in 0..<rows {
    var transition = transitions[index & 4095]
    transition.episode = Int64(index / 200)
    persisted.insert(transition)
    if index % 100_000 == 99_999 {
        let start = now()
        try persisted.commit()
        commitTimes.append(now() - start)
    }
}
let persistSeconds = (now() - persistStart - commitTimes.reduce(0, +)) / Double(rows)
let commitSeconds = commitTimes.sorted()[commitTimes.count / 2]
let memoryOnly = ReplayStore(schema: schema, capacity: capacity, eviction: .fifo, seed: 3)
let memoryStart = now()
for index in 0..<rows {
    var transition = transitions[index & 4095]
    transition.episode = Int64(index / 200)
    memoryOnly.insert(transition)
}
let memorySeconds = (now() - memoryStart) / Double(rows)
try? FileManager.default.removeItem(atPath: storeDirectory)

// The peers.
var theirs: [String: [String: Double]] = [:]
var versions = "not run"
if let peer {
    let report = try runPeer(
        python: peer, script: "replay_peers.py",
        arguments: [
            "--capacity", String(capacity), "--rows", String(rows), "--scratch", scratch + "/h5py",
            "--image-capacity", String(imageCapacity),
        ])
    theirs = report["seconds"] as? [String: [String: Double]] ?? [:]
    versions = report["versions"] as? String ?? "?"
}
rmdir(scratch)  // only if empty: the peer removed h5py/ itself

func microseconds(_ seconds: Double?) -> String { seconds.map { String(format: "%.2f", $0 * 1e6) } ?? "-" }
print("Replay benchmark — capacity \(capacity), CartPole-sized transitions, batch 256; peers: \(versions)")
print("operation | Lifelong µs | cpprb µs | TorchRL µs | SB3 µs | fastest peer ratio")
var summary: [String] = []
for (name, mine, key) in [
    ("insert one transition", insertSeconds, "insert"), ("uniform sample 256", uniformSeconds, "uniform"),
    ("prioritized sample 256 + update", prioritizedSeconds, "prioritized"),
    ("84×84 uint8: insert one transition", imageInsertSeconds, "image_insert"),
    ("84×84 uint8: uniform sample 256", imageSampleSeconds, "image_uniform"),
] {
    let peers = ["cpprb", "torchrl", "sb3"].map { theirs[$0]?[key] }
    let fastest = peers.compactMap { $0 }.min()
    let ratio = fastest.map { String(format: "%.1f×", $0 / mine) } ?? "-"
    print(([name, microseconds(mine)] + peers.map(microseconds) + [ratio]).joined(separator: " | "))
    if let fastest { summary.append("\(key) \(String(format: "%.1f", fastest / mine))× fastest peer") }
}
if let cpprb = theirs["cpprb"]?["prioritized"] {
    summary.append(String(format: "prioritized %.1f× cpprb", cpprb / prioritizedSeconds))
}
let h5py = theirs["h5py"]?["persist"]
print(
    String(
        format: "persistence: %.2f µs per transition through the persisted store (logging, commits excluded) vs %.2f "
            + "in RAM only: +%.2f µs; h5py appending the same columns: %@ µs per transition",
        persistSeconds * 1e6, memorySeconds * 1e6, (persistSeconds - memorySeconds) * 1e6, microseconds(h5py)))
// Overhead with a commit every 10 s, at a training run's pace of one transition per 30 µs of learning.
let transitionsPer10Seconds = 10 / 30e-6
let overhead = (commitSeconds + transitionsPer10Seconds * (persistSeconds - memorySeconds)) / 10
print(
    String(
        format: "commit (log flush + fsync + the %d-slot sampler state, replaced atomically): %.1f ms median; with a "
            + "commit every 10 s at one transition per 30 µs of learning, persistence takes %.1f%% of the run",
        capacity, commitSeconds * 1e3, overhead * 100))
summary.append(String(format: "persistence %.1f%% of run time", overhead * 100))
if let h5py {
    summary.append(String(format: "persistence %.1f× h5py", h5py / max(persistSeconds - memorySeconds, 1e-12)))
}
print(
    String(
        format: "memory: %.0f bytes per transition (%.1f M per GiB); prioritized %.0f bytes (%.1f M per GiB)",
        bytesPerTransition, 1_073_741_824 / bytesPerTransition / 1e6, bytesPerPrioritized,
        1_073_741_824 / bytesPerPrioritized / 1e6))
print("summary (Lifelong vs peers): " + summary.joined(separator: ", "))
