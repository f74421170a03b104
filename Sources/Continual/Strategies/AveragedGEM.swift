public import Agents
public import HDF5
public import Replay

/// A-GEM (Chaudhry et al., 2019) over the shared replay store: the learner's batches come from the current task,
/// and every update's gradient is projected so that it does not raise the loss on a reference batch drawn from
/// the earlier tasks the store keeps (the run's store uses per-task quotas under this strategy, so earlier tasks
/// stay in it). Nothing is projected until a second task begins.
public final class AveragedGEM: ContinualStrategy, GradientProjection {
    public let name = "agem"
    /// The task being trained.
    public private(set) var current: Int32?
    /// Whether a task was left before (only then is there something to protect).
    public private(set) var hasEarlierTasks = false

    public init() {}

    public var batchSampling: SamplingStrategy? { current.map { .task($0) } }

    public var referenceSampling: SamplingStrategy? {
        guard hasEarlierTasks, let current else { return nil }
        return .otherTasks(excluding: current)
    }

    public func taskBoundary(agent: any Agent, finished: Int32?, next: Int32) throws {
        current = next
        if finished != nil { hasEarlierTasks = true }
        attach(to: agent)
    }

    private func attach(to agent: any Agent) {
        guard let learner = agent as? any RegularizableAgent else { return }
        learner.projection = self
    }

    public func save(to group: Group) throws {
        try group.setAttribute("current_task", Int64(current ?? -1))
        try group.setAttribute("has_earlier_tasks", Int64(hasEarlierTasks ? 1 : 0))
    }

    public func load(from group: Group, agent: any Agent) throws {
        let stored = try group.attribute("current_task", as: Int64.self)
        current = stored < 0 ? nil : Int32(stored)
        hasEarlierTasks = try group.attribute("has_earlier_tasks", as: Int64.self) != 0
        if current != nil { attach(to: agent) }
    }
}
