/// An agent with an episodic memory, which the scheduler asks for retention at every evaluation and logs as
/// `memory/entries` and `memory/value_error` per task (docs/runlog.md).
public protocol EpisodicMemoryAgent: Agent {
    /// Per task with entries or held-out states: entries held now, and the mean absolute error of the memory's
    /// value estimate against the discounted return actually obtained, over held-out states of that task.
    func retention() -> [MemoryRetention]
}

/// One task's share of an episodic memory and how well the memory still values that task's states.
public struct MemoryRetention: Sendable, Equatable {
    public var task: Int32
    public var entries: Int
    /// nil when no held-out state of the task can be valued yet (its action tables are too small).
    public var valueError: Double?

    public init(task: Int32, entries: Int, valueError: Double?) {
        self.task = task
        self.entries = entries
        self.valueError = valueError
    }
}
