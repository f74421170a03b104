public import Randomness

/// CEM for discrete actions: one categorical distribution per step of the horizon (uniform at first); each
/// iteration samples the population of action-index sequences, keeps the top ⌈ρN⌉ and moves each step's
/// probabilities toward the elites' action frequencies with momentum α. Returns the best sequence seen (action
/// indices as Float, [horizon]); between calls the distributions shift one step, mixed half-and-half with uniform
/// (the last step uniform).
public final class CategoricalCEMPlanner {
    public let configuration: CEMConfiguration
    public let actions: Int
    /// Per-step probabilities [horizon × actions].
    public internal(set) var probabilities: [Float]
    var stream: RandomStream
    var population: [Float]
    var scores: [Float]
    var order: [Int]

    public init(configuration: CEMConfiguration, actions: Int, stream: RandomStream) {
        self.configuration = configuration
        self.actions = actions
        self.stream = stream
        probabilities = [Float](repeating: 1 / Float(actions), count: configuration.horizon * actions)
        population = [Float](repeating: 0, count: configuration.population * configuration.horizon)
        scores = [Float](repeating: 0, count: configuration.population)
        order = Array(0..<configuration.population)
    }

    public func reset() {
        for index in probabilities.indices { probabilities[index] = 1 / Float(actions) }
    }

    public func plan(_ objective: SequenceObjective) -> [Float] {
        let horizon = configuration.horizon
        let size = configuration.population
        let elites = min(configuration.elites, size)
        let alpha = configuration.alpha
        var best = [Float](repeating: 0, count: horizon)
        var bestScore = -Float.infinity
        var counts = [Float](repeating: 0, count: actions)
        for _ in 0..<configuration.iterations {
            probabilities.withUnsafeBufferPointer { probabilities in
                for step in 0..<horizon {
                    let row = UnsafeBufferPointer(rebasing: probabilities[step * actions..<(step + 1) * actions])
                    for candidate in 0..<size {
                        population[candidate * horizon + step] = Float(stream.categorical(row))
                    }
                }
            }
            population.withUnsafeBufferPointer { candidates in
                scores.withUnsafeMutableBufferPointer { objective(candidates, size, $0) }
            }
            rank(&scores, into: &order)
            if scores[order[0]] > bestScore {
                bestScore = scores[order[0]]
                for step in 0..<horizon { best[step] = population[order[0] * horizon + step] }
            }
            for step in 0..<horizon {
                for action in 0..<actions { counts[action] = 0 }
                for elite in 0..<elites { counts[Int(population[order[elite] * horizon + step])] += 1 }
                for action in 0..<actions {
                    let index = step * actions + action
                    probabilities[index] = alpha * probabilities[index] + (1 - alpha) * counts[action] / Float(elites)
                }
            }
        }
        // Warm start: shifted one step and mixed half-and-half with uniform, so the next plan still explores (a
        // categorical distribution CEM has converged leaves nothing else to sample).
        let uniform = 1 / Float(actions)
        for index in 0..<((horizon - 1) * actions) {
            probabilities[index] = 0.5 * probabilities[index + actions] + 0.5 * uniform
        }
        for action in 0..<actions { probabilities[(horizon - 1) * actions + action] = uniform }
        return best
    }
}
