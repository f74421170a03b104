public import Agents
public import HDF5

/// A continual-learning strategy: what happens at task boundaries to keep earlier tasks. Strategies that change
/// the replay store (which tasks it keeps, how batches mix them) act through the store's configuration when the
/// run is built; strategies that regularise act through the agent's `penalty` (see `ParameterPenalty`).
///
/// ```swift
/// let strategy = makeStrategy(.ewc(lambda: 100, online: false, decay: 1, fisherSamples: 1000), taskCount: 3)
/// try strategy.taskBoundary(agent: agent, finished: 0, next: 1)   // the scheduler calls this
/// ```
public protocol ContinualStrategy: AnyObject {
    /// The name used in curricula and logs.
    var name: String { get }
    /// Called when training moves from task `finished` (nil at the start) to task `next`, after the agent heard
    /// of the boundary. Not called in task-free runs.
    func taskBoundary(agent: any Agent, finished: Int32?, next: Int32) throws
    func save(to group: Group) throws
    func load(from group: Group, agent: any Agent) throws
    /// Called before the agent is evaluated on `task` (PackNet applies the task's mask here) …
    func willEvaluate(task: Int32, agent: any Agent)
    /// … and after (PackNet restores the full network).
    func didEvaluate(agent: any Agent)
}

extension ContinualStrategy {
    public func willEvaluate(task: Int32, agent: any Agent) {}
    public func didEvaluate(agent: any Agent) {}
}

/// Fine-tuning: nothing protects earlier tasks (the baseline every strategy is read against).
public final class FineTuning: ContinualStrategy {
    public let name = "finetune"
    public init() {}
    public func taskBoundary(agent: any Agent, finished: Int32?, next: Int32) throws {}
    public func save(to group: Group) throws {}
    public func load(from group: Group, agent: any Agent) throws {}
}

/// Experience replay from the shared store: the store keeps earlier tasks (reservoir or balanced eviction, set
/// when the run's store is created) and batches mix them in; nothing happens at boundaries.
public final class ExperienceReplay: ContinualStrategy {
    public let name = "replay"
    public init() {}
    public func taskBoundary(agent: any Agent, finished: Int32?, next: Int32) throws {}
    public func save(to group: Group) throws {}
    public func load(from group: Group, agent: any Agent) throws {}
}

/// The strategy a curriculum names; `taskCount` is the number of tasks the curriculum trains (PackNet's shares).
public func makeStrategy(_ specification: StrategySpecification, taskCount: Int) -> any ContinualStrategy {
    switch specification {
    case .fineTuning: FineTuning()
    case .replay: ExperienceReplay()
    case .l2(let lambda): ParameterAnchors(name: "l2", lambda: lambda, weighting: .uniform, online: true)
    case .ewc(let lambda, let online, let decay, let samples):
        ParameterAnchors(
            name: "ewc", lambda: lambda, weighting: .fisher(samples: samples), online: online, decay: decay)
    case .agem: AveragedGEM()
    case .packnet: PackNet(taskCount: taskCount)
    }
}
