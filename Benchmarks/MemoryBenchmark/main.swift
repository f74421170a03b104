// make bench-memory: the episodic store's exact k-nearest-neighbour search against FAISS's IndexFlatL2 on the same
// Gaussian keys and queries, one thread each, same run: queries per second at batch 32 and 1 (k = 50, 64-dim keys,
// 10k / 100k / 1M entries), inserts per second, agreement of the neighbours found, and the search's share of the
// sgemm peak measured here; then MFEC against DQN on a grid world over five seeds (steps to a goal threshold).
// The options are in Options.swift (`--help`).
import BenchmarkSupport
import CBLAS
import EpisodicMemory
import Foundation
import Randomness

let options = Options.parseOrExit()
// One thread each side, as the output says, whether or not OPENBLAS_NUM_THREADS=1 is set (make bench-memory sets it).
openblas_set_num_threads(1)
let quick = options.quick
let peer = options.peerOption.peer
let scratch = options.scratch
let dimension = 64
let k = 50
let sizes = quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000]
try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)

var random = RandomStream(seed: 1)
let keys = (0..<sizes.max()! * dimension).map { _ in random.normal() }
let queries = (0..<3200 * dimension).map { _ in random.normal() }
func writeFloats(_ values: [Float], _ name: String) throws -> String {
    let path = scratch + "/" + name
    try values.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: URL(fileURLWithPath: path))
    return path
}
let keysPath = try writeFloats(keys, "keys.f32")
let queriesPath = try writeFloats(queries, "queries.f32")

/// Single-thread sgemm peak on a large square product (GFLOP/s), as the bound for the search.
func sgemmPeak() -> Double {
    let n = 1024
    let a = [Float](repeating: 0.5, count: n * n)
    var c = [Float](repeating: 0, count: n * n)
    let seconds = median(5) {
        let start = now()
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), a,
            Int32(n), 0, &c, Int32(n))
        return now() - start
    }
    return 2 * Double(n * n * n) / seconds / 1e9
}
let peak = sgemmPeak()

/// OpenBLAS sgemm alone for the distance products of 32 queries over 100k keys, block by block: what the store would
/// get from BLAS before any selection (its panel kernel does better).
func productsAlone(size: Int, block: Int) -> Double {
    var tile = [Float](repeating: 0, count: 32 * block)
    let seconds = median(5) {
        let start = now()
        var first = 0
        while first < size {
            let rows = min(block, size - first)
            keys.withUnsafeBufferPointer { keys in
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans, 32, Int32(rows), Int32(dimension), 1, queries,
                    Int32(dimension), keys.baseAddress! + first * dimension, Int32(dimension), 0, &tile,
                    Int32(rows))
            }
            first += rows
        }
        return now() - start
    }
    return 32 / seconds
}

struct Measured {
    var insertsPerSecond = 0.0
    var batch32 = 0.0
    var batch1 = 0.0
    var top: [[Int]] = []
}
var ours: [Int: Measured] = [:]
for size in sizes {
    var measured = Measured()
    var store: EpisodicStore?
    let insertSeconds = try median(3) {
        let fresh = try EpisodicStore(MemoryConfiguration(capacity: size, keySize: dimension))
        let start = now()
        for row in 0..<size {
            fresh.write(key: Array(keys[row * dimension..<(row + 1) * dimension]), value: [0], task: 0)
        }
        let elapsed = now() - start
        store = fresh
        return elapsed
    }
    measured.insertsPerSecond = Double(size) / insertSeconds
    let rounds = max(1, 3_200_000 / size)
    let batches = min(100, rounds)
    var neighbours = Neighbours()
    queries.withUnsafeBufferPointer { all in
        let batch32 = median(5) {
            let start = now()
            for batch in 0..<batches {
                store!.nearest(
                    UnsafeBufferPointer(rebasing: all[batch * 32 * dimension..<(batch + 1) * 32 * dimension]),
                    queryCount: 32, k: k, into: &neighbours)
            }
            return (now() - start) / Double(32 * batches)
        }
        measured.batch32 = 1 / batch32
        let singles = min(3200, max(20, rounds * 4))
        let batch1 = median(5) {
            let start = now()
            for query in 0..<singles {
                store!.nearest(
                    UnsafeBufferPointer(rebasing: all[query * dimension..<(query + 1) * dimension]), queryCount: 1,
                    k: k, into: &neighbours)
            }
            return (now() - start) / Double(singles)
        }
        measured.batch1 = 1 / batch1
        store!.nearest(UnsafeBufferPointer(rebasing: all[0..<32 * dimension]), queryCount: 32, k: k, into: &neighbours)
        measured.top = (0..<32).map { query in (0..<k).map { Int(neighbours.slots[query * k + $0]) } }
    }
    ours[size] = measured
}

var theirs: [String: Any] = [:]
if let peer {
    theirs = try runPeer(
        python: peer, script: "memory_faiss.py",
        arguments: [keysPath, queriesPath, String(dimension), String(k)] + sizes.map(String.init))
}
let faissSizes = theirs["sizes"] as? [String: [String: Any]] ?? [:]

print("Episodic store exact search vs FAISS IndexFlatL2 — \(dimension)-dim Gaussian keys, k = \(k), one thread each")
print(
    "sgemm peak here (1 thread, 1024³): \(String(format: "%.1f", peak)) GFLOP/s; BLAS: OPENBLAS_NUM_THREADS="
        + (ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "unset")
        + "; FAISS \(theirs["faiss"] ?? "not run"), \(theirs["threads"] ?? "-") thread(s)")
print("entries    batch  Lifelong q/s   FAISS q/s   ratio   % of sgemm peak   neighbours agree")
var summary: [String] = []
for size in sizes {
    let mine = ours[size]!
    let other = faissSizes[String(size)]
    let flopsPerQuery = 2.0 * Double(size * dimension)
    var agreement = "-"
    if let top = other?["top"] as? [[Int]] {
        let shared = zip(mine.top, top).map { Set($0).intersection(Set($1)).count }.reduce(0, +)
        agreement = String(format: "%.4f", Double(shared) / Double(32 * k))
    }
    for (batch, qps, key) in [(32, mine.batch32, "batch32_qps"), (1, mine.batch1, "batch1_qps")] {
        let theirsQPS = other?[key] as? Double
        let ratio = theirsQPS.map { String(format: "%.2f×", qps / $0) } ?? "-"
        print(
            String(
                format: "%-10d %5d  %12.0f  %10@  %6@  %15.0f%%   %@", size, batch, qps,
                theirsQPS.map { String(format: "%.0f", $0) } ?? "-", ratio, 100 * qps * flopsPerQuery / (peak * 1e9),
                batch == 32 ? agreement : ""))
        if batch == 32 && size == 100_000 { summary.append("exact 100k batch 32: \(ratio) FAISS") }
    }
}
print(
    String(
        format: "for comparison, OpenBLAS sgemm alone for the same products (100k, batch 32, blocks of %d): %.0f q/s",
        EpisodicStore.searchBlock, productsAlone(size: 100_000, block: EpisodicStore.searchBlock)))
print("inserts per second (one write at a time, with exact-match index and eviction heap):")
for size in sizes {
    let theirsAdd = (faissSizes[String(size)]?["add_per_second"] as? Double).map { String(format: "%.0f", $0) } ?? "-"
    print(
        String(
            format: "  %-10d Lifelong %.0f   FAISS add (one batch) %@", size, ours[size]!.insertsPerSecond, theirsAdd))
}
// The approximate index: environment-state keys at 1M (the ≥ 0.95 recall at ≥ 10× exact target), then Gaussian
// keys at 100k against hnswlib at equal speed.
let approximateSize = quick ? 100_000 : 1_000_000
let stateKeys = try Approximate.environmentKeys(count: approximateSize + 320, dimension: dimension)
let states = try Approximate.sweep(
    keys: stateKeys, queries: Array(stateKeys[(approximateSize * dimension)...]), size: approximateSize,
    dimension: dimension, k: k, cells: quick ? 256 : 1024, probes: [1, 2, 4, 8, 16, 32])
let statePoint = Approximate.printSweep(
    "IVF on \(approximateSize) keys from CartPole states (random play, 64-dim projections), batch 32",
    exactQPS: states.exactQPS, points: states.points)
summary.append(
    statePoint.map {
        String(
            format: "IVF on %dk state keys: recall@50 %.3f at %.1f× exact", approximateSize / 1000, $0.recall,
            $0.queriesPerSecond / states.exactQPS)
    } ?? "IVF on state keys: no probe count reached recall 0.95")
let gaussianSize = 100_000
let gaussian = try Approximate.sweep(
    keys: keys, queries: Array(queries[0..<320 * dimension]), size: gaussianSize, dimension: dimension, k: k,
    cells: 316, probes: [4, 8, 16, 32, 64, 128])
_ = Approximate.printSweep(
    "IVF on \(gaussianSize) Gaussian keys, batch 32", exactQPS: gaussian.exactQPS, points: gaussian.points)
if let peer {
    let truthPath = scratch + "/gaussian-truth.i32"
    try gaussian.truth.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: URL(fileURLWithPath: truthPath))
    let hnsw = try runPeer(
        python: peer, script: "memory_hnswlib.py",
        arguments: [keysPath, queriesPath, String(dimension), String(k), String(gaussianSize), truthPath])
    let points = (hnsw["points"] as? [[String: Any]] ?? []).compactMap { point -> (Double, Double)? in
        guard let recall = point["recall"] as? Double, let qps = point["qps"] as? Double else { return nil }
        return (recall, qps)
    }
    print(
        String(
            format: "hnswlib %@ (M 16, ef_construction 200, 1 thread; built in %.1f s):", "\(hnsw["hnswlib"] ?? "")",
            hnsw["build_seconds"] as? Double ?? 0))
    for (point, ef) in zip(points, [50, 100, 200, 400, 800, 1600]) {
        print(String(format: "  ef %4d   recall@50 %.4f   %6.0f q/s", ef, point.0, point.1))
    }
    // hnswlib's recall at each of our speeds (linear between its two nearest speeds).
    let sorted = points.sorted { $0.1 < $1.1 }
    var better = 0
    for ours in gaussian.points {
        guard let upper = sorted.firstIndex(where: { $0.1 >= ours.queriesPerSecond }), upper > 0 else { continue }
        let (a, b) = (sorted[upper - 1], sorted[upper])
        let theirs = a.0 + (b.0 - a.0) * (ours.queriesPerSecond - a.1) / (b.1 - a.1)
        print(String(format: "  at %6.0f q/s: IVF %.4f, hnswlib %.4f", ours.queriesPerSecond, ours.recall, theirs))
        if ours.recall > theirs { better += 1 }
    }
    summary.append("Gaussian 100k: IVF ahead of hnswlib at \(better) of the speeds compared")
}

// The scratch files are the peers' inputs only; remove them, and the directory if nothing else is in it.
for path in [keysPath, queriesPath, scratch + "/gaussian-truth.i32"] {
    try? FileManager.default.removeItem(atPath: path)
}
rmdir(scratch)

let quality = try Quality.run(seeds: [1, 2, 3, 4, 5], budget: quick ? 4000 : 10_000)
summary.append("MFEC before DQN on \(quality.wins)/\(quality.seeds) seeds")
print(
    "summary: " + summary.joined(separator: "; ")
        + String(
            format: "; 100k batch 32 at %.0f%% of the sgemm peak",
            100 * ours[100_000]!.batch32 * 2 * Double(100_000 * dimension) / (peak * 1e9)))
