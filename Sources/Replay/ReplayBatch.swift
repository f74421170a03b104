/// A sampled batch, in preallocated arrays that each `sample` call overwrites (no allocation per batch).
public struct ReplayBatch {
    public let size: Int
    /// The slots sampled (for `updatePriorities`).
    public var slots: [Int32]
    public var observations: [Float]
    public var actions: [Float]
    public var rewards: [Float]
    public var nextObservations: [Float]
    /// 1 where the transition's next state is terminal, else 0 (bootstrapping continues through truncation).
    public var terminals: [Float]
    public var tasks: [Int32]
    /// Importance-sampling weights (prioritized sampling; 1 otherwise).
    public var weights: [Float]
    /// For n-step batches: γᵏ for the k steps actually summed (0 after a terminal), else γ⁰·… left at 1.
    public var discounts: [Float]
    /// Extra columns, row-major [size × total extra width] in the schema's name order.
    public var extras: [Float]
    /// For a uint8-observation store: the observation and next observation bytes, [size × 2 × observation size]
    /// (each row the observation then the next one), as stored — what an image learner feeds its network.
    /// `observations` and `nextObservations` are left empty then, to skip the conversion.
    public var observationBytes: [UInt8]

    public init(schema: ReplaySchema, size: Int) {
        self.size = size
        slots = [Int32](repeating: 0, count: size)
        let floats = schema.observationType == .float32
        observations = [Float](repeating: 0, count: floats ? size * schema.observationSize : 0)
        observationBytes = [UInt8](repeating: 0, count: floats ? 0 : size * 2 * schema.observationSize)
        actions = [Float](repeating: 0, count: size * schema.actionSize)
        rewards = [Float](repeating: 0, count: size)
        nextObservations = [Float](repeating: 0, count: floats ? size * schema.observationSize : 0)
        terminals = [Float](repeating: 0, count: size)
        tasks = [Int32](repeating: 0, count: size)
        weights = [Float](repeating: 1, count: size)
        discounts = [Float](repeating: 1, count: size)
        extras = [Float](repeating: 0, count: size * max(schema.extrasWidth, 1))
    }
}

/// How slots are drawn.
public enum SamplingStrategy: Equatable, Sendable {
    /// Every stored transition equally likely.
    case uniform
    /// P(i) ∝ pᵢ^α (α fixed at construction), with importance weights (N·P(i))^−β / max weight.
    case prioritized(beta: Double)
    /// A task chosen uniformly among those present, then a transition uniformly within it.
    case taskBalanced
    /// Newer transitions more likely: weight 2^(−age / halfLife), age counted in transitions inserted since.
    case recency(halfLife: Double)
    /// Uniformly among the transitions of one task (e.g. for a strategy's Fisher estimate on a finished task).
    case task(Int32)
    /// Task-balanced over every task but one (A-GEM's reference batches from earlier tasks).
    case otherTasks(excluding: Int32)
}

/// Why sampling could not proceed.
public struct ReplayError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
