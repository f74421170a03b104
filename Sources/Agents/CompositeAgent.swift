public import Environments
import EpisodicMemory
public import HDF5
public import Neural
import Randomness
public import Replay
public import WorldModel

/// A policy and the learners that ride along it over the run's one shared replay store: an episodic memory
/// (`EpisodicTables`: one table per action over a random-projection key, filled with the discounted returns of the
/// episodes the store completes) and a world model (`DynamicsLearner`: a probabilistic ensemble fitted on the store
/// on a schedule). The policy acts and learns as it would alone; the others see every step the policy stores (with
/// its slot and stream position), hear the task boundaries, checkpoint with the policy, and report what they keep
/// of each task — the memory's retention (`memory/*` per task in the run log) and the model's prediction error on
/// each task's held-out data (`worldmodel/*`) — so a run measures the forgetting of all three learners.
///
/// Continual-learning strategies see through it to the policy: it is a `RegularizableAgent` or a
/// `TaskConditionedAgent` when the policy is.
///
/// ```swift
/// let dqn = DQN(observationSize: 4, actions: 2, configuration: DQNConfiguration(), replay: replay, seed: 1)
/// let memory = try EpisodicTables(observationSize: 4, actions: 2, projection: 8, capacity: 50_000, gamma: 0.99,
///                                 eviction: .leastRecentlyUsed, stream: RandomStream(seed: 1).derived("memory"))
/// let agent = CompositeAgent(policy: dqn, memory: memory, memoryNeighbours: 11)
/// ```
public final class CompositeAgent<Policy: Agent>: EpisodicMemoryAgent, WorldModelAgent {
    public let policy: Policy
    public let memory: EpisodicTables?
    /// Neighbours averaged where a held-out state is not stored exactly (retention).
    public let memoryNeighbours: Int
    public let worldModel: DynamicsLearner?

    public var replay: ReplayStore { policy.replay }

    public init(
        policy: Policy, memory: EpisodicTables? = nil, memoryNeighbours: Int = 11, worldModel: DynamicsLearner? = nil
    ) {
        self.policy = policy
        self.memory = memory
        self.memoryNeighbours = memoryNeighbours
        self.worldModel = worldModel
    }

    public func act(_ observation: [Float], mode: ActMode) -> Action { policy.act(observation, mode: mode) }

    public func observe(_ transition: Transition) {
        let before = replay.inserted
        policy.observe(transition)
        // The policy stored the step (agents store every step they observe); its slot is the store's latest.
        precondition(replay.inserted == before + 1, "the policy did not store the step in the shared replay store")
        memory?.record(transition, slot: replay.latestSlot, from: replay)
        worldModel?.observe(transition, position: replay.inserted - 1)
    }

    public func learn() throws {
        try policy.learn()
        try worldModel?.learn(from: replay)
    }

    public func taskBoundary(from previous: Int32?, to next: Int32) {
        policy.taskBoundary(from: previous, to: next)
        memory?.clearTrace(task: next)
        worldModel?.taskBoundary()
    }

    public func retention() -> [MemoryRetention] { memory?.retention(k: memoryNeighbours) ?? [] }

    public func modelErrors() -> [ModelError] { worldModel?.errors() ?? [] }

    public func save(to group: Group) throws {
        try policy.save(to: group.createGroup("policy"))
        try memory?.save(to: group.createGroup("memory"))
        try worldModel?.save(to: group.createGroup("world_model"))
    }

    public func load(from group: Group) throws {
        try policy.load(from: group.openGroup("policy"))
        try memory?.load(from: group.openGroup("memory"))
        try worldModel?.load(from: group.openGroup("world_model"))
    }
}

extension CompositeAgent: TaskConditionedAgent where Policy: TaskConditionedAgent {
    public var activeTask: Int32 {
        get { policy.activeTask }
        set { policy.activeTask = newValue }
    }
}

extension CompositeAgent: RegularizableAgent where Policy: RegularizableAgent {
    public var regularizedParameters: ParameterStore { policy.regularizedParameters }
    public var penalty: (any ParameterPenalty)? {
        get { policy.penalty }
        set { policy.penalty = newValue }
    }
    public var projection: (any GradientProjection)? {
        get { policy.projection }
        set { policy.projection = newValue }
    }
    public func fisherDiagonal(task: Int32, samples: Int) throws -> [Float] {
        try policy.fisherDiagonal(task: task, samples: samples)
    }
    public func resetOptimizerState() { policy.resetOptimizerState() }
}
