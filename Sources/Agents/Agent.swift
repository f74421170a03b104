public import Environments
public import HDF5
public import Replay

/// Whether an agent acts to learn (exploring) or to be measured (greedy, no exploration).
public enum ActMode: Sendable { case explore, evaluate }

/// A learner with Acme/Dopamine-sized seams: it acts, observes transitions (which go into the run's shared
/// replay store — agents keep no private buffer), learns when it chooses, hears about task boundaries, and saves
/// and restores all of its state.
///
/// ```swift
/// let replay = ReplayStore(schema: ReplaySchema(observationSize: 4, action: .discrete), capacity: 100_000,
///                          eviction: .fifo, seed: 1)
/// let agent = DQN(observationSize: 4, actions: 2, configuration: .rlZooCartPole(totalSteps: 50_000),
///                 replay: replay, seed: 1)
/// try EnvironmentLoop(environment: env, agent: agent).run(steps: 50_000)
/// ```
public protocol Agent: AnyObject {
    /// The shared store the agent samples from.
    var replay: ReplayStore { get }
    /// The action for `observation`. A continuous action's values are valid until the next `act`.
    func act(_ observation: [Float], mode: ActMode) -> Action
    /// Hands the agent one environment step (it goes into the shared replay store).
    func observe(_ transition: Transition)
    /// Lets the agent learn; called after every `observe`, the agent decides how often it really updates.
    func learn() throws
    /// A continual-learning task boundary (strategies such as EWC hook in here); `nil` when task-free.
    func taskBoundary(from previous: Int32?, to next: Int32)
    func save(to group: Group) throws
    func load(from group: Group) throws
}

extension Agent {
    public func taskBoundary(from previous: Int32?, to next: Int32) {}
}
