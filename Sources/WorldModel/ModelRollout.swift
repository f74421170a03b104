import Foundation
public import Randomness

/// How particles pick ensemble members as they are propagated (Chua et al., 2018).
public enum Propagation: String, Codable, Sendable, CaseIterable {
    /// TS1: every particle draws a new elite member at every step.
    case ts1
    /// TS∞: every particle keeps one elite member for the whole horizon.
    case tsInfinity
}

/// Reward and termination known in closed form (classic control), used instead of learned heads. Each reads one
/// row: the observation, the action (as the environment takes it; a discrete action is its index) and the next
/// observation.
public struct KnownModelFunctions: Sendable {
    public var reward:
        (
            @Sendable (
                _ observation: UnsafePointer<Float>, _ action: UnsafePointer<Float>, _ next: UnsafePointer<Float>
            ) -> Float
        )?
    public var terminated: (@Sendable (_ next: UnsafePointer<Float>) -> Bool)?

    public init(
        reward: (@Sendable (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>) -> Float)? = nil,
        terminated: (@Sendable (UnsafePointer<Float>) -> Bool)? = nil
    ) {
        self.reward = reward
        self.terminated = terminated
    }
}

/// Imagined rollouts through the ensemble's elites: P particles per candidate action sequence start at the real
/// observation; each step every particle's next observation is sampled from its member's Gaussian
/// (s′ = s + μ + σ·ε), its reward taken from the known function or sampled from the learned head, and a particle
/// that terminates collects nothing afterwards. A sequence's score is its particles' mean return — the objective
/// PETS' planners maximise.
public final class ModelRollout {
    public let model: ProbabilisticEnsemble
    public let actions: ActionEncoding
    public let particles: Int
    public let propagation: Propagation
    public let known: KnownModelFunctions
    /// Threads the ensemble's forward passes are spread over (`ProbabilisticEnsemble.predict`).
    public var threads = 1
    var stream: RandomStream
    let scratch = PredictionScratch()
    // Per-row buffers, grown on demand.
    var states: [Float] = []
    var next: [Float] = []
    var alive: [Bool] = []
    var totals: [Float] = []
    var inputs: [Float] = []
    var means: [Float] = []
    var logVariances: [Float] = []
    var order: [Int] = []

    public init(
        model: ProbabilisticEnsemble, actions: ActionEncoding, particles: Int, propagation: Propagation,
        known: KnownModelFunctions, stream: RandomStream
    ) {
        precondition(particles >= 1, "particles must be at least 1")
        precondition(
            known.reward != nil || model.configuration.learnedReward,
            "the model learns no reward and no known reward function was given")
        self.model = model
        self.actions = actions
        self.particles = particles
        self.propagation = propagation
        self.known = known
        self.stream = stream
    }

    public var streamState: RandomStream {
        get { stream }
        set { stream = newValue }
    }

    /// The mean return of each of `count` action sequences ([count × horizon × actionWidth], actions as the
    /// environment takes them) over `particles` imagined rollouts from `observation`.
    public func returns(
        from observation: [Float], sequences: UnsafeBufferPointer<Float>, count: Int, horizon: Int,
        into scores: UnsafeMutableBufferPointer<Float>
    ) {
        let size = model.observationSize
        let actionWidth = sequences.count / max(count * horizon, 1)
        let rows = count * particles
        let elites = Array(model.elites)
        let groups = elites.count
        let perMember = (rows + groups - 1) / groups
        let padded = perMember * groups
        reserve(rows: rows, padded: padded)
        for row in 0..<rows {
            for column in 0..<size { states[row * size + column] = observation[column] }
            alive[row] = true
            totals[row] = 0
        }
        // TS∞: particle p of every candidate keeps member p mod E. TS1: a fresh random assignment every step.
        for place in 0..<padded { order[place] = place < rows ? place : 0 }
        if propagation == .tsInfinity {
            order[0..<rows].sort { ($0 % particles % groups, $0) < ($1 % particles % groups, $1) }
        }
        let width = model.inputSize
        let targets = model.targetSize
        for step in 0..<horizon {
            if propagation == .ts1 {
                for index in stride(from: rows - 1, to: 0, by: -1) {
                    order.swapAt(index, stream.index(below: index + 1))
                }
            }
            inputs.withUnsafeMutableBufferPointer { inputs in
                for place in 0..<padded {
                    let row = order[place]
                    let candidate = row / particles
                    let base = inputs.baseAddress! + place * width
                    for column in 0..<size { base[column] = states[row * size + column] }
                    let action = UnsafeBufferPointer(
                        rebasing: sequences[
                            (candidate * horizon + step) * actionWidth..<(candidate * horizon + step + 1) * actionWidth]
                    )
                    actions.encode(action, into: base + size)
                }
            }
            inputs.withUnsafeBufferPointer { inputs in
                means.withUnsafeMutableBufferPointer { means in
                    logVariances.withUnsafeMutableBufferPointer { logVariances in
                        model.predict(
                            members: elites, rows: perMember, inputs: inputs.baseAddress!, mean: means.baseAddress!,
                            logVariance: logVariances.baseAddress!, scratch: scratch, threads: threads)
                    }
                }
            }
            for place in 0..<rows {
                let row = order[place]
                let base = place * targets
                for column in 0..<size {
                    let deviation = Foundation.exp(0.5 * logVariances[base + column])
                    next[row * size + column] =
                        states[row * size + column] + means[base + column] + deviation * stream.normal()
                }
                let candidate = row / particles
                let actionOffset = (candidate * horizon + step) * actionWidth
                var reward: Float
                if let function = known.reward {
                    reward = states.withUnsafeBufferPointer { states in
                        next.withUnsafeBufferPointer { next in
                            function(
                                states.baseAddress! + row * size, sequences.baseAddress! + actionOffset,
                                next.baseAddress! + row * size)
                        }
                    }
                } else {
                    let column = model.rewardColumn!
                    reward = means[base + column] + Foundation.exp(0.5 * logVariances[base + column]) * stream.normal()
                }
                var done = false
                if let function = known.terminated {
                    done = next.withUnsafeBufferPointer { function($0.baseAddress! + row * size) }
                } else if let column = model.terminationColumn {
                    done = means[base + column] > 0.5
                }
                if alive[row] { totals[row] += reward }
                if done { alive[row] = false }
            }
            swap(&states, &next)
        }
        for candidate in 0..<count {
            var sum: Float = 0
            for particle in 0..<particles { sum += totals[candidate * particles + particle] }
            scores[candidate] = sum / Float(particles)
        }
    }

    func reserve(rows: Int, padded: Int) {
        let size = model.observationSize
        if states.count < rows * size {
            states = [Float](repeating: 0, count: rows * size)
            next = [Float](repeating: 0, count: rows * size)
            alive = [Bool](repeating: true, count: rows)
            totals = [Float](repeating: 0, count: rows)
        }
        if order.count != padded { order = [Int](repeating: 0, count: padded) }
        if inputs.count < padded * model.inputSize {
            inputs = [Float](repeating: 0, count: padded * model.inputSize)
            means = [Float](repeating: 0, count: padded * model.targetSize)
            logVariances = [Float](repeating: 0, count: padded * model.targetSize)
        }
    }
}
