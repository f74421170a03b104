import Foundation

/// Seconds on the monotonic clock.
public func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// The median of `samples` measurements taken by `measure` (the machines are shared and noisy).
public func median(_ samples: Int, _ measure: () throws -> Double) rethrows -> Double {
    var values: [Double] = []
    for _ in 0..<samples { values.append(try measure()) }
    return values.sorted()[samples / 2]
}

/// Median seconds per call of `body`: calls are grouped into samples of at least `sampleSeconds`, after a
/// warm-up, and the median sample is reported.
public func medianSeconds(samples: Int = 15, sampleSeconds: Double = 0.05, _ body: () throws -> Void) rethrows
    -> Double
{
    for _ in 0..<5 { try body() }
    var calls = 1
    while true {
        let start = now()
        for _ in 0..<calls { try body() }
        if now() - start >= sampleSeconds / 4 { break }
        calls *= 2
    }
    calls = max(1, calls * 4)
    return try median(samples) {
        let start = now()
        for _ in 0..<calls { try body() }
        return (now() - start) / Double(calls)
    }
}
