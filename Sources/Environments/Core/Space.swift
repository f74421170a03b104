/// The set of valid observations or actions, as Gymnasium's spaces describe them.
public enum Space: Equatable, Sendable, CustomStringConvertible {
    /// Real vectors (flattened row-major when `shape` has several dimensions) with per-element bounds.
    case box(low: [Float], high: [Float], shape: [Int])
    /// One of `0..<count`.
    case discrete(Int)
    /// One choice per component, component i in `0..<counts[i]`.
    case multiDiscrete([Int])

    /// A one-dimensional box.
    public static func box(low: [Float], high: [Float]) -> Space { .box(low: low, high: high, shape: [low.count]) }

    /// Values one element of the space takes in a flat buffer (1 for `discrete`).
    public var flatCount: Int {
        switch self {
        case .box(let low, _, _): return low.count
        case .discrete: return 1
        case .multiDiscrete(let counts): return counts.count
        }
    }

    public var description: String {
        switch self {
        case .box(let low, let high, let shape):
            func bounds(_ values: [Float]) -> String {
                Set(values).count == 1 ? "\(values[0])" : "[" + values.map { "\($0)" }.joined(separator: ", ") + "]"
            }
            return "Box(\(bounds(low)), \(bounds(high)), shape: \(shape))"
        case .discrete(let count): return "Discrete(\(count))"
        case .multiDiscrete(let counts): return "MultiDiscrete(\(counts))"
        }
    }
}

/// An action: an index for discrete spaces, values for boxes (read during `step` only, never kept).
public enum Action {
    case discrete(Int)
    case continuous(UnsafeBufferPointer<Float>)
}

/// What one step returns besides the observation.
public struct StepOutcome: Equatable, Sendable {
    public var reward: Double
    /// The episode reached a terminal state of the task (bootstrapping stops here).
    public var terminated: Bool
    /// The episode was cut short (time limit) in a non-terminal state.
    public var truncated: Bool

    public init(reward: Double, terminated: Bool, truncated: Bool) {
        self.reward = reward
        self.terminated = terminated
        self.truncated = truncated
    }
}
