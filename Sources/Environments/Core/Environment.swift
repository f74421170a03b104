public import Randomness

/// A reinforcement-learning environment with Gymnasium's semantics.
///
/// Observations are written into a caller's buffer of `observationSpace.flatCount` Float32 values, so stepping
/// allocates nothing; `Environment+Convenience.swift` adds array-returning versions.
///
/// ```swift
/// let env = try EnvironmentRegistry.make("CartPole-v1", parameters: ["gravity": 12])
/// var observation = env.reset(seed: 42)
/// while true {
///     let (next, outcome) = env.step(.discrete(Int.random(in: 0..<2)))
///     observation = next
///     if outcome.terminated || outcome.truncated { break }
/// }
/// ```
public protocol Environment: AnyObject {
    /// The registry id, e.g. `CartPole-v1`.
    var id: String { get }
    var observationSpace: Space { get }
    var actionSpace: Space { get }

    /// Starts an episode. With a `seed`, the environment's random stream is reseeded first (as Gymnasium's
    /// `reset(seed=…)`); without one, the stream continues.
    func reset(seed: UInt64?, observation: UnsafeMutableBufferPointer<Float>) throws

    /// Applies `action`, writes the next observation, and returns reward, `terminated` and `truncated`.
    func step(_ action: Action, observation: UnsafeMutableBufferPointer<Float>) throws -> StepOutcome

    /// The internal state vector — the same values Gymnasium keeps in `env.unwrapped.state`.
    var state: [Double] { get }

    /// Sets the internal state (mid-episode), e.g. for rollouts from a given state; the observation follows
    /// from it. Throws `EnvironmentError.invalidState` for a vector of the wrong length.
    func setState(_ state: [Double]) throws

    /// Writes the observation of the current state.
    func observe(into observation: UnsafeMutableBufferPointer<Float>)

    /// Everything needed to continue exactly from here: state, random stream, step counters of wrappers.
    func snapshot() -> EnvironmentSnapshot
    func restore(_ snapshot: EnvironmentSnapshot) throws
}

/// An environment's complete resumable state, for checkpoints.
public struct EnvironmentSnapshot: Equatable, Sendable, Codable {
    public var state: [Double]
    public var random: [UInt64]
    /// Steps taken in the current episode (kept by `TimeLimit`).
    public var elapsedSteps: Int

    public init(state: [Double], random: RandomStream, elapsedSteps: Int = 0) {
        self.state = state
        self.random = [random.state.0, random.state.1, random.state.2, random.state.3]
        self.elapsedSteps = elapsedSteps
    }

    public var randomStream: RandomStream {
        RandomStream(state: (random[0], random[1], random[2], random[3]))
    }
}
