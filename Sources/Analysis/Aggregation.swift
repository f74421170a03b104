import Randomness

/// Across-seed estimates as rliable computes them (Agarwal et al., NeurIPS 2021): the interquartile mean and a
/// percentile interval from a stratified bootstrap, which resamples runs with replacement within each task.
///
/// ```swift
/// let scores: [[Double]] = [[1, 0.5], [0.8, 0.2], [0.9, 0.4]]   // runs × tasks
/// let (estimate, low, high) = Aggregation.interval(scores, seed: 0)
/// ```
public enum Aggregation {
    /// The mean of the middle 50% of the values: ⌊n/4⌋ dropped from each end (scipy's `trim_mean(x, 0.25)`).
    public static func interquartileMean(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let cut = sorted.count / 4
        let middle = sorted[cut..<(sorted.count - cut)]
        return middle.reduce(0, +) / Double(middle.count)
    }

    /// The IQM over a runs × tasks matrix with its percentile interval from `repetitions` stratified resamples.
    public static func interval(
        _ scores: [[Double]], repetitions: Int = 2000, confidence: Double = 0.95, seed: UInt64 = 0
    ) -> (estimate: Double, low: Double, high: Double) {
        let runs = scores.count
        guard runs > 0, let tasks = scores.first?.count, tasks > 0 else { return (.nan, .nan, .nan) }
        var stream = RandomStream(seed: seed).derived("stratified-bootstrap")
        var sample = [Double](repeating: 0, count: runs * tasks)
        var estimates = [Double]()
        estimates.reserveCapacity(repetitions)
        for _ in 0..<repetitions {
            for task in 0..<tasks {
                for run in 0..<runs { sample[task * runs + run] = scores[stream.index(below: runs)][task] }
            }
            estimates.append(interquartileMean(sample))
        }
        estimates.sort()
        let alpha = (1 - confidence) / 2
        return (interquartileMean(scores.flatMap { $0 }), quantile(estimates, alpha), quantile(estimates, 1 - alpha))
    }

    /// Linear interpolation between order statistics (numpy's default).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let lower = Int(position)
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}
