import Foundation
public import HDF5
public import Randomness
public import Replay

/// A world model's prediction error on one task's held-out data.
public struct ModelError: Sendable, Equatable {
    public var task: Int32
    /// The open-loop horizon of `horizonMSE` and `horizonNLL`.
    public var horizon: Int
    /// Held-out sequences measured.
    public var samples: Int
    /// Mean squared error of the elites' mean prediction of the next observation.
    public var oneStepMSE: Double
    /// Mean Gaussian negative log-likelihood (with its ½ and log 2π) of the observed change under each elite.
    public var oneStepNLL: Double
    /// The same after `horizon` steps of open-loop prediction along the recorded actions.
    public var horizonMSE: Double
    public var horizonNLL: Double
}

/// The world model's own forgetting: per task, a seeded reservoir of held-out sequences of `horizon` consecutive
/// steps — each starting at a transition the model never trains on (the validation side of the split, every
/// (1/validationRatio)-th transition of the stream) — copied as the steps arrive, so they outlive the replay store's
/// eviction. `measure` gives one-step and `horizon`-step MSE and NLL per task seen so far; the scheduler logs them
/// as `worldmodel/one_step_mse`, `worldmodel/one_step_nll`, `worldmodel/<horizon>_step_mse`,
/// `worldmodel/<horizon>_step_nll`.
public final class ModelErrorTracker {
    public let horizon: Int
    public let observationSize: Int
    public let actions: ActionEncoding
    /// Raw action values per step (as the environment takes them).
    public let actionWidth: Int
    public let validationStride: Int
    public static let capacity = 256
    var stream: RandomStream
    // The current episode's last `horizon` steps: observations (one more than steps), actions, stream positions.
    var windowObservations: [Float] = []
    var windowActions: [Float] = []
    var windowPositions: [Int64] = []
    var held: [Int32: HeldOutSequences] = [:]
    let scratch = PredictionScratch()

    struct HeldOutSequences {
        /// [n × (horizon + 1) × observationSize]
        var observations: [Float] = []
        /// [n × horizon × actionWidth]
        var actions: [Float] = []
        var count = 0
        var seen = 0
    }

    public init(
        horizon: Int, observationSize: Int, actions: ActionEncoding, actionWidth: Int,
        configuration: EnsembleConfiguration, stream: RandomStream
    ) {
        precondition(horizon >= 1, "the error horizon must be at least 1")
        self.horizon = horizon
        self.observationSize = observationSize
        self.actions = actions
        self.actionWidth = actionWidth
        validationStride =
            configuration.validationRatio > 0 ? max(2, Int((1 / configuration.validationRatio).rounded())) : 0
        self.stream = stream
    }

    /// Tasks with held-out sequences.
    public var tasks: [Int32] { held.keys.sorted() }

    /// Takes one step, stored at stream position `position` of the replay store.
    public func observe(_ transition: Transition, position: Int64) {
        if windowPositions.isEmpty { windowObservations = transition.observation }
        windowObservations += transition.nextObservation
        windowActions += transition.action
        windowPositions.append(position)
        if windowPositions.count > horizon {
            windowObservations.removeFirst(observationSize)
            windowActions.removeFirst(actionWidth)
            windowPositions.removeFirst()
        }
        if windowPositions.count == horizon, validationStride > 0, windowPositions[0] % Int64(validationStride) == 0 {
            offer(task: transition.task)
        }
        if transition.terminated || transition.truncated { clearWindow() }
    }

    /// Forgets the current episode's steps (an episode end or a task boundary).
    public func clearWindow() {
        windowObservations.removeAll(keepingCapacity: true)
        windowActions.removeAll(keepingCapacity: true)
        windowPositions.removeAll(keepingCapacity: true)
    }

    /// Reservoir sampling of the current window into `task`'s held-out sequences.
    func offer(task: Int32) {
        var set = held[task] ?? HeldOutSequences()
        set.seen += 1
        let place = set.count < Self.capacity ? set.count : stream.index(below: set.seen)
        let observationWidth = (horizon + 1) * observationSize
        let actionSpan = horizon * actionWidth
        if place == set.count {
            set.observations += windowObservations
            set.actions += windowActions
            set.count += 1
        } else if place < Self.capacity {
            for index in 0..<observationWidth {
                set.observations[place * observationWidth + index] = windowObservations[index]
            }
            for index in 0..<actionSpan { set.actions[place * actionSpan + index] = windowActions[index] }
        }
        held[task] = set
    }

    /// Per task with held-out sequences: the model's one-step and `horizon`-step errors (nil before its first fit).
    public func measure(_ model: ProbabilisticEnsemble) -> [ModelError] {
        guard model.fits > 0 else { return [] }
        let elites = Array(model.elites)
        let size = observationSize
        let targets = model.targetSize
        let logTwoPi = Foundation.log(2 * Double.pi)
        return tasks.map { task in
            let set = held[task]!
            let n = set.count
            var inputs = [Float](repeating: 0, count: elites.count * n * model.inputSize)
            var means = [Float](repeating: 0, count: elites.count * n * targets)
            var logVariances = means
            // ŝ: the open-loop state, the elites' mean prediction, starting at the recorded first observation.
            var state = [Float](repeating: 0, count: n * size)
            for sample in 0..<n {
                for column in 0..<size {
                    state[sample * size + column] = set.observations[sample * (horizon + 1) * size + column]
                }
            }
            var result = ModelError(
                task: task, horizon: horizon, samples: n, oneStepMSE: 0, oneStepNLL: 0, horizonMSE: 0, horizonNLL: 0)
            for step in 0..<horizon {
                for (group, _) in elites.enumerated() {
                    for sample in 0..<n {
                        let base = (group * n + sample) * model.inputSize
                        for column in 0..<size { inputs[base + column] = state[sample * size + column] }
                        let offset = (sample * horizon + step) * actionWidth
                        set.actions.withUnsafeBufferPointer { recorded in
                            inputs.withUnsafeMutableBufferPointer {
                                actions.encode(
                                    UnsafeBufferPointer(rebasing: recorded[offset..<offset + actionWidth]),
                                    into: $0.baseAddress! + base + size)
                            }
                        }
                    }
                }
                inputs.withUnsafeBufferPointer { inputs in
                    means.withUnsafeMutableBufferPointer { means in
                        logVariances.withUnsafeMutableBufferPointer { logVariances in
                            model.predict(
                                members: elites, rows: n, inputs: inputs.baseAddress!, mean: means.baseAddress!,
                                logVariance: logVariances.baseAddress!, scratch: scratch)
                        }
                    }
                }
                let measured = step == 0 || step == horizon - 1
                var squares = 0.0
                var likelihood = 0.0
                for sample in 0..<n {
                    let truth = (sample * (horizon + 1) + step + 1) * size
                    for column in 0..<size {
                        var average: Float = 0
                        for group in 0..<elites.count {
                            let base = (group * n + sample) * targets + column
                            average += means[base]
                            if measured {
                                let change = set.observations[truth + column] - state[sample * size + column]
                                let difference = Double(change - means[base])
                                let logVariance = Double(logVariances[base])
                                likelihood +=
                                    0.5 * (logTwoPi + logVariance + difference * difference / exp(logVariance))
                            }
                        }
                        state[sample * size + column] += average / Float(elites.count)
                        let error = Double(state[sample * size + column] - set.observations[truth + column])
                        squares += error * error
                    }
                }
                let cells = Double(n * size)
                if step == 0 {
                    result.oneStepMSE = squares / cells
                    result.oneStepNLL = likelihood / (cells * Double(elites.count))
                }
                if step == horizon - 1 {
                    result.horizonMSE = squares / cells
                    result.horizonNLL = likelihood / (cells * Double(elites.count))
                }
            }
            return result
        }
    }

    public func save(to group: Group) throws {
        try group.setAttribute("random", [stream.state.0, stream.state.1, stream.state.2, stream.state.3])
        try group.createDataset("window/observations", of: Float.self, shape: [windowObservations.count])
            .write(windowObservations)
        try group.createDataset("window/actions", of: Float.self, shape: [windowActions.count]).write(windowActions)
        try group.createDataset("window/positions", of: Int64.self, shape: [windowPositions.count])
            .write(windowPositions)
        for (task, set) in held {
            let folder = try group.createGroup("held_out/task_\(task)")
            try folder.setAttribute("task", Int64(task))
            try folder.setAttribute("seen", Int64(set.seen))
            try folder.createDataset("observations", of: Float.self, shape: [set.count, horizon + 1, observationSize])
                .write(set.observations)
            try folder.createDataset("actions", of: Float.self, shape: [set.count, horizon, actionWidth])
                .write(set.actions)
        }
    }

    public func load(from group: Group) throws {
        let words = try group.attribute("random", as: [UInt64].self)
        stream = RandomStream(state: (words[0], words[1], words[2], words[3]))
        windowObservations = try group.openDataset("window/observations", as: Float.self).readAll()
        windowActions = try group.openDataset("window/actions", as: Float.self).readAll()
        windowPositions = try group.openDataset("window/positions", as: Int64.self).readAll()
        held = [:]
        guard group.contains("held_out") else { return }
        let folder = try group.openGroup("held_out")
        for name in try folder.children() {
            let sequences = try folder.openGroup(name)
            let observations = try sequences.openDataset("observations", as: Float.self).readAll()
            held[Int32(try sequences.attribute("task", as: Int64.self))] = HeldOutSequences(
                observations: observations, actions: try sequences.openDataset("actions", as: Float.self).readAll(),
                count: observations.count / ((horizon + 1) * observationSize),
                seen: Int(try sequences.attribute("seen", as: Int64.self)))
        }
    }
}
