public import Environments
import Foundation
public import HDF5
import Randomness
public import Replay
public import WorldModel

/// Model-based policy optimisation (Janner et al., 2019), read top to bottom:
///
/// - act: SAC's.
/// - observe: the real step goes into the shared replay store (through SAC) and the world model's error tracker.
/// - learn: the ensemble is fitted on the real store on its schedule; after every fit and every `rolloutEvery`
///   steps, `rolloutBatch` real states are drawn from the store and rolled k(t) steps through the model with the
///   current stochastic policy (rows dealt to random elites each step; rollouts stop where they terminate) into
///   the model buffer; then SAC takes its gradient steps, each batch imagined with probability 1 − `realRatio`.
///
/// The model buffer is a replay store of its own, kept `retainedRollouts` rollout events long. Create it persisted
/// (`ReplayStore.create(at:)`) for exact resume — `save` commits it, as the run's main store is committed.
///
/// ```swift
/// let imagined = ReplayStore(schema: replay.schema, capacity: MBPO.imaginedCapacity(configuration), eviction: .fifo,
///                            seed: 2)
/// let agent = try MBPO(observationSize: 4, actionSpace: env.actionSpace, configuration: MBPOConfiguration(),
///                      sac: SACConfiguration(), known: nil, replay: replay, imagined: imagined, seed: 1)
/// ```
public final class MBPO: WorldModelAgent {
    public let policy: SAC
    public let dynamics: DynamicsLearner
    public let imagined: ReplayStore
    public let configuration: MBPOConfiguration
    public var replay: ReplayStore { policy.replay }
    /// Imagined transitions written so far.
    public private(set) var imaginedSteps = 0
    let step: ModelStep
    let actionSize: Int
    var rollouts: RandomStream
    var starts: ReplayBatch
    var imaginedEpisodes: Int64 = 0

    /// The model buffer's capacity for `configuration`.
    public static func imaginedCapacity(_ configuration: MBPOConfiguration) -> Int {
        configuration.rolloutBatch * max(configuration.rolloutSchedule.last ?? 1, 1) * configuration.retainedRollouts
    }

    public init(
        observationSize: Int, actionSpace: Space, configuration: MBPOConfiguration, sac: SACConfiguration,
        known: KnownModelFunctions?, replay: ReplayStore, imagined: ReplayStore, seed: UInt64
    ) throws {
        guard configuration.problems.isEmpty else {
            throw WorldModelError("MBPOConfiguration: " + configuration.problems.joined(separator: "; "))
        }
        guard case .box(let low, let high, _) = actionSpace else {
            throw WorldModelError("MBPO trains SAC, which needs box actions; got \(actionSpace)")
        }
        guard imagined.schema == replay.schema else {
            throw WorldModelError("the model buffer must have the real store's schema")
        }
        let streams = RandomStream(seed: seed)
        self.configuration = configuration
        self.imagined = imagined
        actionSize = low.count
        policy = SAC(
            observationSize: observationSize, actionSpace: actionSpace, configuration: sac, replay: replay,
            seed: streams.derived("mbpo/sac").state.0)
        policy.imagination = Imagination(
            store: imagined, realRatio: configuration.realRatio, stream: streams.derived("mbpo/batch-source"))
        let known = known ?? KnownModelFunctions()
        let ensemble = configuration.ensemble(
            knownReward: known.reward != nil, knownTermination: known.terminated != nil)
        dynamics = try DynamicsLearner(
            observationSize: observationSize, actions: .continuous(low.count), actionWidth: low.count,
            configuration: ensemble, errorHorizon: configuration.errorHorizon, firstFit: configuration.firstFit,
            fitEvery: configuration.fitEvery, stream: streams.derived("mbpo/dynamics"))
        // The store keeps SAC's (−1, 1) actions; known rewards take the environment's units.
        step = ModelStep(
            model: dynamics.model, actions: .continuous(low.count), known: known,
            environmentAction: { stored, output in
                for index in 0..<low.count {
                    output[index] = low[index] + (stored[index] + 1) * 0.5 * (high[index] - low[index])
                }
            }, stream: streams.derived("mbpo/model-step"))
        rollouts = streams.derived("mbpo/rollouts")
        starts = ReplayBatch(schema: replay.schema, size: configuration.rolloutBatch)
    }

    public func act(_ observation: [Float], mode: ActMode) -> Action { policy.act(observation, mode: mode) }

    public func observe(_ transition: Transition) {
        policy.observe(transition)
        dynamics.observe(transition, position: replay.inserted - 1)
    }

    public func learn() throws {
        let fitted = try dynamics.learn(from: replay)
        let steps = dynamics.steps
        if dynamics.model.fits > 0 && (fitted || (steps - configuration.firstFit) % configuration.rolloutEvery == 0) {
            try rollout(length: configuration.rolloutLength(atStep: steps))
        }
        try policy.learn()
    }

    /// Branched rollouts of `length` steps from real states into the model buffer.
    func rollout(length: Int) throws {
        try replay.sample(into: &starts)
        let size = replay.schema.observationSize
        var count = starts.size
        var states = starts.observations
        var tasks = starts.tasks
        var actions = [Float](repeating: 0, count: count * actionSize)
        var next = [Float](repeating: 0, count: count * size)
        var rewards = [Float](repeating: 0, count: count)
        var done = [Bool](repeating: false, count: count)
        for depth in 0..<length where count > 0 {
            states.withUnsafeBufferPointer { states in
                actions.withUnsafeMutableBufferPointer {
                    policy.sampleActions(
                        UnsafeBufferPointer(rebasing: states[0..<(count * size)]), count: count, stream: &rollouts,
                        into: $0.baseAddress!)
                }
            }
            states.withUnsafeBufferPointer { states in
                actions.withUnsafeBufferPointer { actions in
                    step.sample(
                        observations: UnsafeBufferPointer(rebasing: states[0..<(count * size)]),
                        actions: UnsafeBufferPointer(rebasing: actions[0..<(count * actionSize)]), count: count,
                        next: &next, rewards: &rewards, terminated: &done)
                }
            }
            var kept = 0
            for row in 0..<count {
                let observation = Array(states[row * size..<(row + 1) * size])
                let successor = Array(next[row * size..<(row + 1) * size])
                imagined.insert(
                    Transition(
                        observation: observation, action: Array(actions[row * actionSize..<(row + 1) * actionSize]),
                        reward: rewards[row], nextObservation: successor, terminated: done[row],
                        truncated: !done[row] && depth == length - 1, task: tasks[row],
                        episode: imaginedEpisodes + Int64(row), step: Int32(depth)))
                imaginedSteps += 1
                guard !done[row] else { continue }
                // Continue from the sampled state, compacting the rows still alive.
                for column in 0..<size { states[kept * size + column] = successor[column] }
                tasks[kept] = tasks[row]
                kept += 1
            }
            count = kept
        }
        imaginedEpisodes += Int64(starts.size)
    }

    public func modelErrors() -> [ModelError] { dynamics.errors() }

    public func taskBoundary(from previous: Int32?, to next: Int32) {
        policy.taskBoundary(from: previous, to: next)
        dynamics.taskBoundary()
    }

    public func save(to group: Group) throws {
        try policy.save(to: group.createGroup("policy"))
        try dynamics.save(to: group.createGroup("dynamics"))
        if imagined.isPersisted { try imagined.commit() }
        let source = policy.imagination!.stream.state
        try group.setAttribute("batch_source_random", [source.0, source.1, source.2, source.3])
        try group.setAttribute(
            "model_step_random", [step.stream.state.0, step.stream.state.1, step.stream.state.2, step.stream.state.3])
        try group.setAttribute(
            "rollout_random", [rollouts.state.0, rollouts.state.1, rollouts.state.2, rollouts.state.3])
        try group.setAttribute("imagined_steps", Int64(imaginedSteps))
        try group.setAttribute("imagined_episodes", imaginedEpisodes)
    }

    public func load(from group: Group) throws {
        try policy.load(from: group.openGroup("policy"))
        try dynamics.load(from: group.openGroup("dynamics"))
        func stream(_ name: String) throws -> RandomStream {
            let words = try group.attribute(name, as: [UInt64].self)
            return RandomStream(state: (words[0], words[1], words[2], words[3]))
        }
        policy.imagination!.stream = try stream("batch_source_random")
        step.stream = try stream("model_step_random")
        rollouts = try stream("rollout_random")
        imaginedSteps = Int(try group.attribute("imagined_steps", as: Int64.self))
        imaginedEpisodes = try group.attribute("imagined_episodes", as: Int64.self)
    }
}
