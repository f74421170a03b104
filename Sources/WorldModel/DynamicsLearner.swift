public import HDF5
public import Randomness
public import Replay

/// A world model as one learner among the run's: the ensemble, fitted on the shared replay store on a schedule
/// (first after `firstFit` steps, then every `fitEvery`), and its error tracker fed with every step. PETS plans
/// with it; a composite agent keeps one beside its policy to measure the model's forgetting (and MBPO-style agents
/// to imagine with).
///
/// ```swift
/// let dynamics = try DynamicsLearner(observationSize: 4, actions: .continuous(1), actionWidth: 1,
///                                    configuration: EnsembleConfiguration(), errorHorizon: 5,
///                                    firstFit: 200, fitEvery: 50, stream: RandomStream(seed: 1))
/// dynamics.observe(transition, position: replay.inserted - 1)
/// try dynamics.learn(from: replay)
/// ```
public final class DynamicsLearner {
    public let model: ProbabilisticEnsemble
    public let tracker: ModelErrorTracker
    public let actions: ActionEncoding
    public let firstFit: Int
    public let fitEvery: Int
    /// Steps observed.
    public private(set) var steps = 0
    /// The latest fit's report (nil before the first fit, and after a restore until the next fit).
    public private(set) var lastFit: FitReport?

    public init(
        observationSize: Int, actions: ActionEncoding, actionWidth: Int, configuration: EnsembleConfiguration,
        errorHorizon: Int, firstFit: Int, fitEvery: Int, stream: RandomStream
    ) throws {
        guard firstFit >= 1, fitEvery >= 1 else {
            throw WorldModelError("the world model's first fit and fit interval must be at least 1 step")
        }
        self.actions = actions
        self.firstFit = firstFit
        self.fitEvery = fitEvery
        var modelSeed = stream.derived("model")
        model = try ProbabilisticEnsemble(
            observationSize: observationSize, actionSize: actions.width, configuration: configuration,
            seed: modelSeed.next())
        tracker = ModelErrorTracker(
            horizon: errorHorizon, observationSize: observationSize, actions: actions, actionWidth: actionWidth,
            configuration: configuration, stream: stream.derived("held-out"))
    }

    /// Takes a step the agent stored at `position` of the replay stream.
    public func observe(_ transition: Transition, position: Int64) {
        tracker.observe(transition, position: position)
        steps += 1
    }

    /// Fits when the schedule says so; returns whether it did.
    @discardableResult
    public func learn(from replay: ReplayStore) throws -> Bool {
        guard steps >= firstFit, (steps - firstFit) % fitEvery == 0 else { return false }
        lastFit = try model.fit(TransitionDataset(replay: replay, actions: actions, configuration: model.configuration))
        return true
    }

    /// Per task with held-out data: one-step and k-step errors (empty before the first fit).
    public func errors() -> [ModelError] { tracker.measure(model) }

    /// A task boundary: the open window of steps would straddle two tasks.
    public func taskBoundary() { tracker.clearWindow() }

    public func save(to group: Group) throws {
        try model.save(to: group.createGroup("model"))
        try tracker.save(to: group.createGroup("model_error"))
        try group.setAttribute("steps", Int64(steps))
    }

    public func load(from group: Group) throws {
        try model.load(from: group.openGroup("model"))
        try tracker.load(from: group.openGroup("model_error"))
        steps = Int(try group.attribute("steps", as: Int64.self))
    }
}
