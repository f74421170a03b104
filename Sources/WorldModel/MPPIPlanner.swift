import Foundation
public import Randomness

/// Model-predictive path integral settings, defaulted as mbrl-lib's MPPI optimizer (from PDDM, Nagabandi et al.,
/// 2019).
public struct MPPIConfiguration: Codable, Equatable, Sendable {
    public var horizon = 15
    public var population = 350
    public var iterations = 5
    /// Reward scaling γ of the weights exp(γ(R − max R)).
    public var gamma: Float = 10
    /// Standard deviation of the action noise.
    public var sigma: Float = 0.5
    /// Noise filtering: εₜ ← βεₜ + (1 − β)εₜ₋₁ (smooth action sequences).
    public var beta: Float = 0.7

    public init() {}
}

/// MPPI over action sequences in a box: each iteration perturbs the mean sequence with filtered Gaussian noise,
/// clamps to the bounds, and moves the mean to the average of the candidates weighted by exp(γ(R − max R)). Returns
/// the mean; between calls it is kept shifted one step (warm start), the last step at the midpoint.
public final class MPPIPlanner {
    public let configuration: MPPIConfiguration
    public let actionSize: Int
    public let lower: [Float]
    public let upper: [Float]
    public internal(set) var mean: [Float]
    var stream: RandomStream
    var population: [Float]
    var noise: [Float]
    var scores: [Float]

    public init(configuration: MPPIConfiguration, actionSize: Int, lower: [Float], upper: [Float], stream: RandomStream)
    {
        precondition(lower.count == actionSize && upper.count == actionSize, "bounds must have actionSize values")
        self.configuration = configuration
        self.actionSize = actionSize
        self.lower = lower
        self.upper = upper
        self.stream = stream
        let width = configuration.horizon * actionSize
        mean = midpoints(lower: lower, upper: upper, horizon: configuration.horizon)
        population = [Float](repeating: 0, count: configuration.population * width)
        noise = [Float](repeating: 0, count: width)
        scores = [Float](repeating: 0, count: configuration.population)
    }

    public func reset() { mean = midpoints(lower: lower, upper: upper, horizon: configuration.horizon) }

    /// The planned action sequence [horizon × actionSize] (the weighted mean).
    public func plan(_ objective: SequenceObjective) -> [Float] {
        let width = configuration.horizon * actionSize
        let size = configuration.population
        let beta = configuration.beta
        for _ in 0..<configuration.iterations {
            for candidate in 0..<size {
                for index in 0..<width { noise[index] = configuration.sigma * stream.normal() }
                for index in actionSize..<width {
                    noise[index] = beta * noise[index] + (1 - beta) * noise[index - actionSize]
                }
                for index in 0..<width {
                    let a = index % actionSize
                    population[candidate * width + index] = min(max(mean[index] + noise[index], lower[a]), upper[a])
                }
            }
            population.withUnsafeBufferPointer { candidates in
                scores.withUnsafeMutableBufferPointer { objective(candidates, size, $0) }
            }
            for index in scores.indices where scores[index].isNaN { scores[index] = -1e-10 }
            let best = scores.max() ?? 0
            var total: Float = 0
            for index in scores.indices {
                scores[index] = Foundation.exp(configuration.gamma * (scores[index] - best))
                total += scores[index]
            }
            for index in 0..<width {
                var sum: Float = 0
                for candidate in 0..<size { sum += scores[candidate] * population[candidate * width + index] }
                mean[index] = sum / (total + 1e-10)
            }
        }
        let plan = mean
        for index in 0..<(width - actionSize) { mean[index] = plan[index + actionSize] }
        for a in 0..<actionSize { mean[width - actionSize + a] = (lower[a] + upper[a]) / 2 }
        return plan
    }
}
