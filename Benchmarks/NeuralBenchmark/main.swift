// make bench-neural: Lifelong's Neural module against PyTorch on CPU, same shapes, same thread count, same run.
// The options are in Options.swift (`--help`).
import BenchmarkSupport
import CBLAS
import Foundation
import Neural

let options = Options.parseOrExit()
let quick = options.quick
if options.breakdown {
    printBreakdown()
    exit(0)
}
let peer = options.peerOption.peer
let threads = BLAS.threadCount

/// The best sgemm rate over square sizes, on this run's kernel and thread count.
func sgemmPeak() -> (gflops: Double, size: Int) {
    var best = (0.0, 0)
    for size in [256, 512, 1024] {
        let a = [Float](repeating: 0.5, count: size * size)
        let b = [Float](repeating: 0.25, count: size * size)
        var c = [Float](repeating: 0, count: size * size)
        let seconds = medianSeconds(samples: 7) {
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(size), Int32(size), Int32(size), 1, a, Int32(size),
                b, Int32(size), 0, &c, Int32(size))
        }
        let rate = 2 * pow(Double(size), 3) / seconds / 1e9
        if rate > best.0 { best = (rate, size) }
    }
    return best
}

let ensemble = Ensemble()
let workloads = [
    mlpStep([4, 64, 64, 2], batch: 64),
    mlpStep([4, 256, 256, 2], batch: 256),
    ensemble.trainingStep(batch: 256),
    ensemble.forward(inputs: 10_000),
]

// Kernel agreement: the first run writes the ensemble's output, a run under another kernel compares.
let reference = ensemble.referenceOutput()
var kernelCheck = ""
if let path = options.writeReference {
    try Data(reference.withUnsafeBufferPointer { Data(buffer: $0) }).write(to: URL(fileURLWithPath: path))
}
if let path = options.checkReference {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let saved = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    let largest = zip(saved, reference).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? .infinity
    kernelCheck =
        saved.count == reference.count && largest < 1e-4
        ? "results agree with the default kernel (max relative difference \(String(format: "%.1e", largest)))"
        : "RESULTS DIFFER from the default kernel (max relative difference \(largest)): do not use this kernel"
}

let peak = sgemmPeak()
print("Neural benchmark — OpenBLAS kernel \(BLAS.coreName), \(threads) thread\(threads == 1 ? "" : "s")")
print(String(format: "sgemm peak: %.1f GFLOP/s (best of 256³, 512³, 1024³; %d³ fastest)", peak.gflops, peak.size))
if !kernelCheck.isEmpty { print("kernel check: \(kernelCheck)") }

var ours: [String: Double] = [:]
for workload in workloads {
    ours[workload.name] = medianSeconds(samples: quick ? 5 : 15, workload.run)
}

// The peer: the same workloads in PyTorch, same thread count, in this run.
var theirs: [String: Double] = [:]
var peerVersion = "not run"
if let peer {
    let report = try runPeer(
        python: peer, script: "neural_torch.py", arguments: ["--threads", String(threads)] + (quick ? ["--quick"] : []))
    theirs = report["seconds"] as? [String: Double] ?? [:]
    peerVersion = "PyTorch \(report["version"] as? String ?? "?"), \(report["threads"] as? Int ?? 0) thread(s)"
}

print("peer: \(peerVersion)")
let header = [
    "workload", "Lifelong µs", "PyTorch µs", "ratio", "Lifelong GFLOP/s", "% of sgemm peak", "PyTorch GFLOP/s",
]
print(header.joined(separator: " | "))
var summary: [String] = []
for workload in workloads {
    let mine = ours[workload.name]!
    let rate = workload.flops / mine / 1e9
    var row = [
        workload.description, String(format: "%.1f", mine * 1e6), "-", "-", String(format: "%.1f", rate),
        String(format: "%.0f%%", 100 * rate / peak.gflops), "-",
    ]
    if let other = theirs[workload.name] {
        row[2] = String(format: "%.1f", other * 1e6)
        row[3] = String(format: "%.2f×", other / mine)
        row[6] = String(format: "%.1f", workload.flops / other / 1e9)
        summary.append(String(format: "%@ %.2f×", workload.name, other / mine))
    } else {
        summary.append(String(format: "%@ %.0f%% of peak", workload.name, 100 * rate / peak.gflops))
    }
    print(row.joined(separator: " | "))
}
print("summary (Lifelong vs PyTorch, \(BLAS.coreName), \(threads) thread): " + summary.joined(separator: ", "))
