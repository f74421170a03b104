import Foundation

/// Median seconds per call of `body`: calls are grouped into samples of at least `sampleSeconds`, after a
/// warm-up, and the median sample is reported (the machines are shared and noisy).
func medianSeconds(samples: Int = 15, sampleSeconds: Double = 0.05, _ body: () -> Void) -> Double {
    for _ in 0..<5 { body() }
    var calls = 1
    while true {
        let start = now()
        for _ in 0..<calls { body() }
        if now() - start >= sampleSeconds / 4 { break }
        calls *= 2
    }
    calls = max(1, calls * 4)
    var perCall: [Double] = []
    for _ in 0..<samples {
        let start = now()
        for _ in 0..<calls { body() }
        perCall.append((now() - start) / Double(calls))
    }
    return perCall.sorted()[samples / 2]
}

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}
