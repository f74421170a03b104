/// What one transition holds: sizes of the observation and action, and any extra per-transition columns
/// (behaviour-policy logits, value estimates, … — CLEAR needs logits and values).
///
/// ```swift
/// let schema = ReplaySchema(observationSize: 4, action: .discrete, extraColumns: ["logits": 2, "value": 1])
/// ```
public struct ReplaySchema: Equatable, Sendable, Codable {
    public enum ActionKind: Equatable, Sendable, Codable {
        case discrete
        case continuous(size: Int)
    }

    /// How observation values are stored: Float32, or bytes for images (84×84 frames take a quarter of the
    /// memory). Batches and `Transition`s carry them as Float32 values either way; a byte store also fills
    /// `ReplayBatch.observationBytes`.
    public enum ObservationType: String, Equatable, Sendable, Codable {
        case float32
        case uint8

        /// Bytes per stored value.
        public var size: Int { self == .float32 ? 4 : 1 }
    }

    public var observationSize: Int
    public var observationType: ObservationType
    public var action: ActionKind
    /// Extra Float32 columns by name, with their width.
    public var extraColumns: [String: Int]

    public init(
        observationSize: Int, observationType: ObservationType = .float32, action: ActionKind,
        extraColumns: [String: Int] = [:]
    ) {
        precondition(observationSize > 0, "observationSize must be positive")
        self.observationSize = observationSize
        self.observationType = observationType
        self.action = action
        self.extraColumns = extraColumns
    }

    /// Observation values as stored bytes (uint8 values are clamped to 0…255 and rounded).
    func encode(_ values: [Float]) -> [UInt8] {
        switch observationType {
        case .float32: return values.withUnsafeBytes { Array($0) }
        case .uint8: return Self.bytes(values)
        }
    }

    /// Float32 values as bytes, clamped to 0…255 and rounded.
    static func bytes(_ values: [Float]) -> [UInt8] { values.map { UInt8(clamping: Int($0.rounded())) } }

    /// Stored bytes back to Float32 values.
    func decode(_ bytes: UnsafeRawPointer, count: Int, into values: UnsafeMutablePointer<Float>) {
        switch observationType {
        case .float32: UnsafeMutableRawPointer(values).copyMemory(from: bytes, byteCount: count * 4)
        case .uint8:
            let source = bytes.assumingMemoryBound(to: UInt8.self)
            for index in 0..<count { values[index] = Float(source[index]) }
        }
    }

    /// Values one action takes (1 for discrete, stored as Float32 either way).
    public var actionSize: Int {
        if case .continuous(let size) = action { return size }
        return 1
    }

    /// The extra columns in a fixed (name) order with their offsets into a row of extras.
    var extraLayout: [(name: String, offset: Int, width: Int)] {
        var offset = 0
        return extraColumns.keys.sorted().map { name in
            defer { offset += extraColumns[name]! }
            return (name, offset, extraColumns[name]!)
        }
    }

    /// The width of a row of extras (all extra columns side by side, in name order): `ReplayBatch.extras` rows.
    public var extrasWidth: Int { extraColumns.values.reduce(0, +) }
}

/// One environment step as the replay layer keeps it (RLDS semantics: `isFirst` on an episode's first step,
/// `terminated` for a terminal state, `truncated` for a cut-off; `isLast` is either).
public struct Transition: Sendable {
    public var observation: [Float]
    public var action: [Float]
    public var reward: Float
    public var nextObservation: [Float]
    public var terminated: Bool
    public var truncated: Bool
    public var task: Int32
    public var episode: Int64
    public var step: Int32
    public var extras: [String: [Float]]

    public init(
        observation: [Float], action: [Float], reward: Float, nextObservation: [Float], terminated: Bool = false,
        truncated: Bool = false, task: Int32 = 0, episode: Int64, step: Int32, extras: [String: [Float]] = [:]
    ) {
        self.observation = observation
        self.action = action
        self.reward = reward
        self.nextObservation = nextObservation
        self.terminated = terminated
        self.truncated = truncated
        self.task = task
        self.episode = episode
        self.step = step
        self.extras = extras
    }

    public var isFirst: Bool { step == 0 }
    public var isLast: Bool { terminated || truncated }
}

/// Which transition leaves when a bounded store is full.
public enum EvictionPolicy: Equatable, Sendable, Codable {
    /// The oldest transition (a ring buffer).
    case fifo
    /// Reservoir sampling: the store stays a uniform sample of the whole stream, without task boundaries.
    case reservoir
    /// Per-task quotas: the task holding the most transitions gives up its oldest one, so tasks stay balanced.
    case balanced
    /// Nothing is evicted; the store grows.
    case keepEverything
}
