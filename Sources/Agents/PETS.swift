public import Environments
import Foundation
public import HDF5
import Randomness
public import Replay
public import WorldModel

/// Probabilistic ensembles with trajectory sampling (Chua et al., 2018), read top to bottom:
///
/// - act: uniformly random actions for `randomSteps`; then, every step, plan through the ensemble — candidate
///   action sequences scored by the mean return of `particles` imagined rollouts (TS1 or TS∞, reward and
///   termination known in closed form or learned) — and take the plan's first action (model-predictive control).
///   Continuous actions plan with CEM (or MPPI), discrete ones with the categorical CEM; the plan is kept shifted
///   one step as the next warm start. Evaluation plans with its own planner and streams, so it never moves
///   training's.
/// - observe: the step goes into the shared replay store, and into the model-error tracker's held-out sequences.
/// - learn: at `randomSteps` and every `trainEvery` steps after, refit the ensemble on everything the store holds.
///
/// ```swift
/// let known = try KnownModelFunctions.classicControl("CartPoleContinuous-v0")
/// let agent = try PETS(observationSize: 4, actionSpace: env.actionSpace, configuration: PETSConfiguration(),
///                      known: known, replay: replay, seed: 1)
/// ```
public final class PETS: WorldModelAgent {
    public let replay: ReplayStore
    public let configuration: PETSConfiguration
    public let actionSpace: Space
    /// The ensemble with its fit schedule and error tracker.
    public let dynamics: DynamicsLearner
    public var model: ProbabilisticEnsemble { dynamics.model }
    /// Environment steps observed.
    public var steps: Int { dynamics.steps }
    /// The latest fit's report.
    public var lastFit: FitReport? { dynamics.lastFit }
    let encoding: ActionEncoding
    let actionWidth: Int
    let trainingPlanner: any ActionSequencePlanner
    let evaluationPlanner: any ActionSequencePlanner
    let trainingRollout: ModelRollout
    let evaluationRollout: ModelRollout
    var exploration: RandomStream
    /// The continuous action handed out (valid until the next `act`, as the protocol says).
    let actionBuffer: UnsafeMutableBufferPointer<Float>

    public init(
        observationSize: Int, actionSpace: Space, configuration: PETSConfiguration, known: KnownModelFunctions?,
        replay: ReplayStore, seed: UInt64
    ) throws {
        guard configuration.problems.isEmpty else {
            throw WorldModelError("PETSConfiguration: " + configuration.problems.joined(separator: "; "))
        }
        self.replay = replay
        self.configuration = configuration
        self.actionSpace = actionSpace
        let streams = RandomStream(seed: seed)
        let known = known ?? KnownModelFunctions()
        let ensemble = configuration.ensemble(
            knownReward: known.reward != nil, knownTermination: known.terminated != nil)
        func planner(_ name: String) -> any ActionSequencePlanner {
            let stream = streams.derived("pets/\(name)/plan")
            switch actionSpace {
            case .discrete(let count):
                return CategoricalCEMPlanner(configuration: configuration.cem, actions: count, stream: stream)
            case .box(let low, let high, _):
                if configuration.planner == "mppi" {
                    return MPPIPlanner(
                        configuration: configuration.mppi, actionSize: low.count, lower: low, upper: high,
                        stream: stream)
                }
                return CEMPlanner(
                    configuration: configuration.cem, actionSize: low.count, lower: low, upper: high, stream: stream)
            case .multiDiscrete:
                preconditionFailure("PETS plans over box or discrete actions")
            }
        }
        guard let (encoding, actionWidth) = ActionEncoding.forSpace(actionSpace) else {
            throw WorldModelError("PETS plans over box or discrete actions; got \(actionSpace)")
        }
        self.encoding = encoding
        self.actionWidth = actionWidth
        dynamics = try DynamicsLearner(
            observationSize: observationSize, actions: encoding, actionWidth: actionWidth, configuration: ensemble,
            errorHorizon: configuration.errorHorizon, firstFit: configuration.randomSteps,
            fitEvery: configuration.trainEvery, stream: streams.derived("pets/dynamics"))
        let model = dynamics.model
        trainingPlanner = planner("train")
        evaluationPlanner = planner("evaluate")
        trainingRollout = ModelRollout(
            model: model, actions: encoding, particles: configuration.particles,
            propagation: configuration.propagation, known: known, stream: streams.derived("pets/train/rollout"))
        evaluationRollout = ModelRollout(
            model: model, actions: encoding, particles: configuration.particles,
            propagation: configuration.propagation, known: known, stream: streams.derived("pets/evaluate/rollout"))
        trainingRollout.threads = configuration.planningThreads
        evaluationRollout.threads = configuration.planningThreads
        trainingRollout.precision = configuration.planningPrecision
        evaluationRollout.precision = configuration.planningPrecision
        exploration = streams.derived("pets/explore")
        actionBuffer = .allocate(capacity: max(actionWidth, 1))
        actionBuffer.initialize(repeating: 0)
    }

    deinit { actionBuffer.deallocate() }

    // MARK: - Acting

    public func act(_ observation: [Float], mode: ActMode) -> Action {
        guard model.fits > 0 else { return mode == .explore ? randomAction() : restingAction() }
        let planner = mode == .explore ? trainingPlanner : evaluationPlanner
        let rollout = mode == .explore ? trainingRollout : evaluationRollout
        let horizon = planner.horizon
        let plan = planner.plan { sequences, count, scores in
            rollout.returns(from: observation, sequences: sequences, count: count, horizon: horizon, into: scores)
        }
        if case .discrete = actionSpace { return .discrete(Int(plan[0])) }
        for index in 0..<actionWidth { actionBuffer[index] = plan[index] }
        return .continuous(UnsafeBufferPointer(actionBuffer))
    }

    func randomAction() -> Action {
        switch actionSpace {
        case .discrete(let count):
            return .discrete(exploration.index(below: count))
        case .box(let low, let high, _):
            for index in 0..<actionWidth { actionBuffer[index] = exploration.uniform(low[index], high[index]) }
            return .continuous(UnsafeBufferPointer(actionBuffer))
        case .multiDiscrete:
            preconditionFailure("PETS plans over box or discrete actions")
        }
    }

    /// Before the first fit, evaluation takes the box's midpoint (or action 0): it must not draw from training's
    /// exploration stream.
    func restingAction() -> Action {
        switch actionSpace {
        case .box(let low, let high, _):
            for index in 0..<actionWidth { actionBuffer[index] = (low[index] + high[index]) / 2 }
            return .continuous(UnsafeBufferPointer(actionBuffer))
        default:
            return .discrete(0)
        }
    }

    // MARK: - Observing and learning

    public func observe(_ transition: Transition) {
        replay.insert(transition)
        dynamics.observe(transition, position: replay.inserted - 1)
        if transition.terminated || transition.truncated { trainingPlanner.reset() }
    }

    /// Refits the ensemble at `randomSteps` and every `trainEvery` steps after.
    public func learn() throws { try dynamics.learn(from: replay) }

    public func modelErrors() -> [ModelError] { dynamics.errors() }

    public func taskBoundary(from previous: Int32?, to next: Int32) {
        dynamics.taskBoundary()
        trainingPlanner.reset()
    }

    // MARK: - Checkpoints

    public func save(to group: Group) throws {
        try dynamics.save(to: group.createGroup("dynamics"))
        for (name, planner) in [("train", trainingPlanner), ("evaluate", evaluationPlanner)] {
            let folder = try group.createGroup("planner_\(name)")
            try folder.createDataset("warm_start", of: Float.self, shape: [planner.warmStart.count])
                .write(planner.warmStart)
            let stream = planner.randomStream.state
            try folder.setAttribute("random", [stream.0, stream.1, stream.2, stream.3])
        }
        for (name, rollout) in [("train", trainingRollout), ("evaluate", evaluationRollout)] {
            let stream = rollout.streamState.state
            try group.setAttribute("rollout_\(name)_random", [stream.0, stream.1, stream.2, stream.3])
        }
        try group.setAttribute(
            "exploration_random", [exploration.state.0, exploration.state.1, exploration.state.2, exploration.state.3])
    }

    public func load(from group: Group) throws {
        try dynamics.load(from: group.openGroup("dynamics"))
        func stream(_ words: [UInt64]) -> RandomStream { RandomStream(state: (words[0], words[1], words[2], words[3])) }
        for (name, planner) in [("train", trainingPlanner), ("evaluate", evaluationPlanner)] {
            let folder = try group.openGroup("planner_\(name)")
            try planner.restore(
                warmStart: try folder.openDataset("warm_start", as: Float.self).readAll(),
                stream: stream(try folder.attribute("random", as: [UInt64].self)))
        }
        for (name, rollout) in [("train", trainingRollout), ("evaluate", evaluationRollout)] {
            rollout.streamState = stream(try group.attribute("rollout_\(name)_random", as: [UInt64].self))
        }
        exploration = stream(try group.attribute("exploration_random", as: [UInt64].self))
    }
}
