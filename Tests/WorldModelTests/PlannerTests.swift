import Foundation
import Randomness
import Replay
import Testing
import WorldModel

/// The planners on problems with known answers, and imagined returns against the true system's.
@Suite("Planners")
struct PlannerTests {
    /// −Σ (aᵢ − targetᵢ)² over a 5-step, 2-dimensional sequence in [−1, 1]²: the optimum is the target itself.
    static let target: [Float] = [0.5, -0.3, 0.9, 0.1, -0.7, 0.0, 0.2, -0.95, 0.6, 0.4]

    static func quadratic(
        _ sequences: UnsafeBufferPointer<Float>, _ count: Int, _ scores: UnsafeMutableBufferPointer<Float>
    ) {
        let width = target.count
        for candidate in 0..<count {
            var total: Float = 0
            for index in 0..<width {
                let difference = sequences[candidate * width + index] - target[index]
                total -= difference * difference
            }
            scores[candidate] = total
        }
    }

    @Test func cemFindsTheOptimumOfAKnownQuadraticInsideTheBounds() {
        var configuration = CEMConfiguration()
        configuration.horizon = 5
        configuration.population = 200
        configuration.iterations = 8
        let planner = CEMPlanner(
            configuration: configuration, actionSize: 2, lower: [-1, -1], upper: [1, 1], stream: RandomStream(seed: 1))
        let plan = planner.plan(Self.quadratic)
        let error = zip(plan, Self.target).map { abs($0 - $1) }.max()!
        #expect(error < 0.05, "largest distance to the optimum \(error)")
        #expect(plan.allSatisfy { $0 >= -1 && $0 <= 1 })
        // Warm start: the next plan starts from this one shifted by a step, the last step at the midpoint.
        #expect(Array(planner.mean.prefix(8)) == Array(plan.suffix(8)) && Array(planner.mean.suffix(2)) == [0, 0])
    }

    @Test func mppiApproachesTheSameOptimum() {
        var configuration = MPPIConfiguration()
        configuration.horizon = 5
        configuration.population = 400
        configuration.iterations = 10
        configuration.gamma = 10
        configuration.sigma = 0.3
        configuration.beta = 1
        let planner = MPPIPlanner(
            configuration: configuration, actionSize: 2, lower: [-1, -1], upper: [1, 1], stream: RandomStream(seed: 2))
        let plan = planner.plan(Self.quadratic)
        let error = zip(plan, Self.target).map { abs($0 - $1) }.max()!
        #expect(error < 0.1, "largest distance to the optimum \(error): \(plan)")
    }

    @Test func categoricalCEMFindsAHiddenActionSequence() {
        let hidden: [Float] = [2, 0, 1, 1, 3, 0, 2, 3]
        var configuration = CEMConfiguration()
        configuration.horizon = hidden.count
        configuration.population = 300
        let planner = CategoricalCEMPlanner(configuration: configuration, actions: 4, stream: RandomStream(seed: 3))
        let plan = planner.plan { sequences, count, scores in
            for candidate in 0..<count {
                var matches: Float = 0
                for step in 0..<hidden.count where sequences[candidate * hidden.count + step] == hidden[step] {
                    matches += 1
                }
                scores[candidate] = matches
            }
        }
        #expect(plan == hidden)
    }

    @Test func imaginedReturnsMatchTheTrueSystemsReturns() throws {
        let replay = LinearSystem.replay()
        let system = LinearSystem()
        system.fill(replay, episodes: 40, length: 50, seed: 4)
        let model = try ProbabilisticEnsemble(
            observationSize: 2, actionSize: 1, configuration: LinearSystem.smallEnsemble, seed: 4)
        try model.fit(TransitionDataset(replay: replay, actions: .continuous(1), configuration: model.configuration))
        let horizon = 6
        var random = RandomStream(seed: 5)
        let count = 12
        let sequences = (0..<(count * horizon)).map { _ in random.uniform(-1, 1) }
        let start: [Float] = [0.4, -0.3]
        var truth = [Float](repeating: 0, count: count)
        for candidate in 0..<count {
            var s = start
            for step in 0..<horizon {
                s = system.mean(s, sequences[candidate * horizon + step])
                truth[candidate] += LinearSystem.reward(s)
            }
        }
        for propagation in Propagation.allCases {
            for known in [true, false] {
                let rollout = ModelRollout(
                    model: model, actions: .continuous(1), particles: 30, propagation: propagation,
                    known: known
                        ? KnownModelFunctions(reward: { _, _, next in -(next[0] * next[0] + next[1] * next[1]) })
                        : KnownModelFunctions(),
                    stream: RandomStream(seed: 6))
                var scores = [Float](repeating: 0, count: count)
                sequences.withUnsafeBufferPointer { sequences in
                    scores.withUnsafeMutableBufferPointer {
                        rollout.returns(from: start, sequences: sequences, count: count, horizon: horizon, into: $0)
                    }
                }
                // Returns span about −0.4 … −2; the particles sample the model’s noise (σ ≈ 0.01 a step, about ±0.1 on
                // one particle’s return), one-step errors compound over the horizon, and the learned reward
                // adds its own. What a planner needs is the order: the best sequences must rank first.
                let error = zip(scores, truth).map { abs($0 - $1) }.reduce(0, +) / Float(count)
                #expect(
                    error < (known ? 0.04 : 0.08), "\(propagation), known reward \(known): mean return error \(error)")
                let byModel = (0..<count).sorted { scores[$0] > scores[$1] }
                let byTruth = (0..<count).sorted { truth[$0] > truth[$1] }
                #expect(
                    byModel.prefix(3).contains(byTruth[0]) && byTruth.prefix(3).contains(byModel[0]),
                    "\(propagation), known reward \(known): best by model \(byModel.prefix(3)), truly \(byTruth.prefix(3))"
                )
            }
        }
    }

    @Test func aParticleThatTerminatesCollectsNothingMore() throws {
        let replay = LinearSystem.replay()
        LinearSystem().fill(replay, episodes: 20, length: 50, seed: 7)
        let model = try ProbabilisticEnsemble(
            observationSize: 2, actionSize: 1, configuration: LinearSystem.smallEnsemble, seed: 7)
        try model.fit(TransitionDataset(replay: replay, actions: .continuous(1), configuration: model.configuration))
        // +1 per step; terminated once the first coordinate falls below 0.3 (from 0.5 with the state decaying).
        let rollout = ModelRollout(
            model: model, actions: .continuous(1), particles: 4, propagation: .tsInfinity,
            known: KnownModelFunctions(reward: { _, _, _ in 1 }, terminated: { next in next[0] < 0.3 }),
            stream: RandomStream(seed: 8))
        var scores: [Float] = [0]
        let actions = [Float](repeating: 0, count: 10)
        actions.withUnsafeBufferPointer { actions in
            scores.withUnsafeMutableBufferPointer {
                rollout.returns(from: [0.5, 0], sequences: actions, count: 1, horizon: 10, into: $0)
            }
        }
        // True path: x 0.5, 0.45, 0.4 …: 0.9ˣ·0.5 (plus the small coupling) first drops below 0.3 at step 5.
        var s: [Float] = [0.5, 0]
        var steps: Float = 0
        for _ in 0..<10 {
            s = LinearSystem().mean(s, 0)
            steps += 1
            if s[0] < 0.3 { break }
        }
        #expect(abs(scores[0] - steps) <= 1, "imagined \(scores[0]) steps alive, true \(steps)")
        #expect(scores[0] < 10)
    }
}
