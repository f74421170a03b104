public import Randomness

/// Cross-entropy-method settings, defaulted as mbrl-lib's `pets_cartpole` (horizon 15, population 350, 10% elites,
/// 5 iterations, momentum α 0.1).
public struct CEMConfiguration: Codable, Equatable, Sendable {
    public var horizon = 15
    public var population = 350
    public var eliteRatio = 0.1
    public var iterations = 5
    /// Weight of the previous distribution in each update: μ ← αμ + (1 − α)·mean(elites), likewise σ².
    public var alpha: Float = 0.1

    public init() {}

    public var elites: Int { max(1, Int((eliteRatio * Double(population)).rounded(.up))) }
}

/// The score of each of `count` candidate action sequences, laid out [count × horizon × actionSize]: what a
/// planner maximises (a model rollout's mean return, or any function in a test).
public typealias SequenceObjective = (
    _ sequences: UnsafeBufferPointer<Float>, _ count: Int, _ scores: UnsafeMutableBufferPointer<Float>
) -> Void

/// CEM over action sequences in a box (Chua et al., 2018, as mbrl-lib implements it): each iteration draws the
/// population from a normal truncated at ±2σ around μ, with σ² capped at min((μ − lower)², (upper − μ)²)/4 so
/// samples stay in bounds; keeps the top ⌈ρN⌉; moves μ and σ² toward the elites' mean and variance with momentum
/// α. Returns the best sequence seen in any iteration. Between calls the solution is kept, shifted one step
/// (warm start), and the variance starts again at (upper − lower)²/16.
///
/// ```swift
/// let planner = CEMPlanner(configuration: CEMConfiguration(), actionSize: 1, lower: [-1], upper: [1],
///                          stream: RandomStream(seed: 1))
/// let plan = planner.plan { sequences, count, scores in … }
/// let action = plan[0]
/// ```
public final class CEMPlanner {
    public let configuration: CEMConfiguration
    public let actionSize: Int
    public let lower: [Float]
    public let upper: [Float]
    /// The warm-start mean [horizon × actionSize].
    public internal(set) var mean: [Float]
    var stream: RandomStream
    var variance: [Float]
    var population: [Float]
    var scores: [Float]
    var order: [Int]

    public init(configuration: CEMConfiguration, actionSize: Int, lower: [Float], upper: [Float], stream: RandomStream)
    {
        precondition(lower.count == actionSize && upper.count == actionSize, "bounds must have actionSize values")
        self.configuration = configuration
        self.actionSize = actionSize
        self.lower = lower
        self.upper = upper
        self.stream = stream
        let width = configuration.horizon * actionSize
        mean = midpoints(lower: lower, upper: upper, horizon: configuration.horizon)
        variance = [Float](repeating: 0, count: width)
        population = [Float](repeating: 0, count: configuration.population * width)
        scores = [Float](repeating: 0, count: configuration.population)
        order = Array(0..<configuration.population)
    }

    /// Forgets the warm start (a new episode).
    public func reset() { mean = midpoints(lower: lower, upper: upper, horizon: configuration.horizon) }

    /// The best action sequence found [horizon × actionSize]; the warm start moves to its tail.
    public func plan(_ objective: SequenceObjective) -> [Float] {
        let width = configuration.horizon * actionSize
        let size = configuration.population
        for index in 0..<width {
            let range = upper[index % actionSize] - lower[index % actionSize]
            variance[index] = range * range / 16
        }
        var best = mean
        var bestScore = -Float.infinity
        let elites = min(configuration.elites, size)
        let alpha = configuration.alpha
        for _ in 0..<configuration.iterations {
            for index in 0..<width {
                let a = index % actionSize
                let below = (mean[index] - lower[a]) / 2
                let above = (upper[a] - mean[index]) / 2
                let deviation = min(below * below, above * above, variance[index]).squareRoot()
                for candidate in 0..<size {
                    population[candidate * width + index] =
                        mean[index] + deviation * stream.truncatedNormal(standardDeviation: 1, bound: 2)
                }
            }
            population.withUnsafeBufferPointer { candidates in
                scores.withUnsafeMutableBufferPointer { objective(candidates, size, $0) }
            }
            rank(&scores, into: &order)
            if scores[order[0]] > bestScore {
                bestScore = scores[order[0]]
                for index in 0..<width { best[index] = population[order[0] * width + index] }
            }
            for index in 0..<width {
                var sum: Float = 0
                for elite in 0..<elites { sum += population[order[elite] * width + index] }
                let eliteMean = sum / Float(elites)
                var squares: Float = 0
                for elite in 0..<elites {
                    let difference = population[order[elite] * width + index] - eliteMean
                    squares += difference * difference
                }
                mean[index] = alpha * mean[index] + (1 - alpha) * eliteMean
                variance[index] = alpha * variance[index] + (1 - alpha) * squares / Float(elites)
            }
        }
        // Warm start: the best sequence shifted one step, the last step back at the midpoint.
        for index in 0..<(width - actionSize) { mean[index] = best[index + actionSize] }
        for a in 0..<actionSize { mean[width - actionSize + a] = (lower[a] + upper[a]) / 2 }
        return best
    }

}
