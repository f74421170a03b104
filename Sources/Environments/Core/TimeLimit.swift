/// Gymnasium's `TimeLimit`: after `maxEpisodeSteps` steps of an episode, `truncated` is true (whatever
/// `terminated` says). The registry wraps every environment in one, with Gymnasium's default limits.
public final class TimeLimit: Environment {
    public let inner: any Environment
    public let maxEpisodeSteps: Int
    /// Steps taken in the current episode.
    public private(set) var elapsedSteps = 0

    public init(_ inner: any Environment, maxEpisodeSteps: Int) {
        precondition(maxEpisodeSteps > 0, "maxEpisodeSteps must be positive")
        self.inner = inner
        self.maxEpisodeSteps = maxEpisodeSteps
    }

    public var id: String { inner.id }
    public var observationSpace: Space { inner.observationSpace }
    public var actionSpace: Space { inner.actionSpace }
    public var state: [Double] { inner.state }

    public func reset(seed: UInt64?, observation: UnsafeMutableBufferPointer<Float>) throws {
        elapsedSteps = 0
        try inner.reset(seed: seed, observation: observation)
    }

    public func step(_ action: Action, observation: UnsafeMutableBufferPointer<Float>) throws -> StepOutcome {
        var outcome = try inner.step(action, observation: observation)
        elapsedSteps += 1
        if elapsedSteps >= maxEpisodeSteps { outcome.truncated = true }
        return outcome
    }

    public func setState(_ state: [Double]) throws { try inner.setState(state) }
    public func observe(into observation: UnsafeMutableBufferPointer<Float>) { inner.observe(into: observation) }

    public func snapshot() -> EnvironmentSnapshot {
        var snapshot = inner.snapshot()
        snapshot.elapsedSteps = elapsedSteps
        return snapshot
    }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        try inner.restore(snapshot)
        elapsedSteps = snapshot.elapsedSteps
    }
}
