import Dispatch
import Foundation
public import Randomness

/// How particles pick ensemble members as they are propagated (Chua et al., 2018).
public enum Propagation: String, Codable, Sendable, CaseIterable {
    /// TS1: every particle draws a new elite member at every step.
    case ts1
    /// TS∞: every particle keeps one elite member for the whole horizon.
    case tsInfinity

    public init(from decoder: any Decoder) throws { self = try decodeNamedCase(Self.self, from: decoder) }
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
    /// The arithmetic of the ensemble's hidden products (`.bfloat16` needs `PredictionPrecision.bfloat16IsAvailable`).
    public var precision = PredictionPrecision.float32
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
                            logVariance: logVariances.baseAddress!, scratch: scratch, threads: threads,
                            precision: precision)
                    }
                }
            }
            sample(rows: rows, step: step, horizon: horizon, actionWidth: actionWidth, sequences: sequences)
            swap(&states, &next)
        }
        for candidate in 0..<count {
            var sum: Float = 0
            for particle in 0..<particles { sum += totals[candidate * particles + particle] }
            scores[candidate] = sum / Float(particles)
        }
    }

    /// Rows per sampling work item: each item draws from its own stream, seeded in order from the rollout's, so
    /// the samples do not depend on how many threads share the items.
    static let sampleRows = 256

    /// Samples every particle's next observation, adds its reward while it is alive, and marks terminations.
    func sample(
        rows: Int, step: Int, horizon: Int, actionWidth: Int, sequences: UnsafeBufferPointer<Float>
    ) {
        let size = model.observationSize
        let targets = model.targetSize
        let chunks = (rows + Self.sampleRows - 1) / Self.sampleRows
        let seeds = (0..<chunks).map { _ in stream.next() }
        let rewardColumn = model.rewardColumn
        let terminationColumn = model.terminationColumn
        let (particles, known) = (self.particles, self.known)
        states.withUnsafeBufferPointer { states in
            next.withUnsafeMutableBufferPointer { next in
                alive.withUnsafeMutableBufferPointer { alive in
                    totals.withUnsafeMutableBufferPointer { totals in
                        means.withUnsafeBufferPointer { means in
                            logVariances.withUnsafeBufferPointer { logVariances in
                                order.withUnsafeBufferPointer { order in
                                    // Addresses cross into the workers as integers; items touch disjoint rows.
                                    let addresses = (
                                        UInt(bitPattern: states.baseAddress), UInt(bitPattern: next.baseAddress),
                                        UInt(bitPattern: alive.baseAddress), UInt(bitPattern: totals.baseAddress),
                                        UInt(bitPattern: means.baseAddress), UInt(bitPattern: logVariances.baseAddress),
                                        UInt(bitPattern: order.baseAddress), UInt(bitPattern: sequences.baseAddress)
                                    )
                                    @Sendable func item(_ chunk: Int) {
                                        let states = UnsafePointer<Float>(bitPattern: addresses.0)!
                                        let next = UnsafeMutablePointer<Float>(bitPattern: addresses.1)!
                                        let alive = UnsafeMutablePointer<Bool>(bitPattern: addresses.2)!
                                        let totals = UnsafeMutablePointer<Float>(bitPattern: addresses.3)!
                                        let means = UnsafePointer<Float>(bitPattern: addresses.4)!
                                        let logVariances = UnsafePointer<Float>(bitPattern: addresses.5)!
                                        let order = UnsafePointer<Int>(bitPattern: addresses.6)!
                                        let sequences = UnsafePointer<Float>(bitPattern: addresses.7)!
                                        var random = RandomStream(seed: seeds[chunk])
                                        let end = min(rows, (chunk + 1) * Self.sampleRows)
                                        for place in (chunk * Self.sampleRows)..<end {
                                            let row = order[place]
                                            let candidate = row / particles
                                            let (reward, done) = sampleTransition(
                                                observation: states + row * size,
                                                action: sequences + (candidate * horizon + step) * actionWidth,
                                                mean: means + place * targets,
                                                logVariance: logVariances + place * targets, size: size,
                                                rewardColumn: rewardColumn, terminationColumn: terminationColumn,
                                                known: known, next: next + row * size, random: &random)
                                            if alive[row] { totals[row] += reward }
                                            if done { alive[row] = false }
                                        }
                                    }
                                    let workers = max(1, min(threads, chunks))
                                    if workers == 1 {
                                        for chunk in 0..<chunks { item(chunk) }
                                    } else {
                                        DispatchQueue.concurrentPerform(iterations: workers) { worker in
                                            for chunk in stride(from: worker, to: chunks, by: workers) { item(chunk) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
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
