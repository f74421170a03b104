/// Smooth drift for task-free continual settings: the numeric parameters move linearly from one task to another
/// over `steps` environment steps (counted across episodes), and then stay. Every `interval` steps the
/// environment is remade with the interpolated parameters and continues from the same state, random stream and
/// time-limit counter, so an episode flows on through the change.
///
/// ```swift
/// let drifting = try DriftingEnvironment(
///     environment: "CartPole-v1", from: ["length": 0.5], to: ["length": 1.0], steps: 100_000, interval: 100)
/// ```
public final class DriftingEnvironment: Environment {
    public let environment: String
    public let from: [String: Double]
    public let to: [String: Double]
    public let steps: Int
    public let interval: Int
    public let fixed: [String: ParameterValue]
    /// Steps taken since the drift began.
    public private(set) var elapsed = 0
    private var current: any Environment

    public init(
        environment: String, from: [String: Double], to: [String: Double], steps: Int, interval: Int = 100,
        fixed: [String: ParameterValue] = [:]
    ) throws {
        guard Set(from.keys) == Set(to.keys) else {
            throw EnvironmentError(
                .invalidParameter, "drift of \(environment): \"from\" and \"to\" must name the same parameters")
        }
        guard steps > 0, interval > 0 else {
            throw EnvironmentError(.invalidParameter, "drift of \(environment): steps and interval must be positive")
        }
        self.environment = environment
        self.from = from
        self.to = to
        self.steps = steps
        self.interval = interval
        self.fixed = fixed
        current = try EnvironmentRegistry.make(environment, parameters: Self.parameters(from, to, 0, fixed))
    }

    /// The parameters in force after `step` steps of drift.
    public func parameters(atStep step: Int) -> [String: ParameterValue] {
        Self.parameters(from, to, min(1, Double(step) / Double(steps)), fixed)
    }

    private static func parameters(
        _ from: [String: Double], _ to: [String: Double], _ progress: Double, _ fixed: [String: ParameterValue]
    ) -> [String: ParameterValue] {
        var parameters = fixed
        for (name, start) in from { parameters[name] = .number(start + (to[name]! - start) * progress) }
        return parameters
    }

    public var id: String { current.id }
    public var observationSpace: Space { current.observationSpace }
    public var actionSpace: Space { current.actionSpace }
    public var state: [Double] { current.state }

    public func reset(seed: UInt64?, observation: UnsafeMutableBufferPointer<Float>) throws {
        try current.reset(seed: seed, observation: observation)
    }

    public func step(_ action: Action, observation: UnsafeMutableBufferPointer<Float>) throws -> StepOutcome {
        if elapsed % interval == 0 && elapsed > 0 && elapsed <= steps + interval {
            let next = try EnvironmentRegistry.make(environment, parameters: parameters(atStep: elapsed))
            try next.restore(current.snapshot())
            current = next
        }
        elapsed += 1
        return try current.step(action, observation: observation)
    }

    public func setState(_ state: [Double]) throws { try current.setState(state) }
    public func observe(into observation: UnsafeMutableBufferPointer<Float>) { current.observe(into: observation) }

    public func snapshot() -> EnvironmentSnapshot {
        var snapshot = current.snapshot()
        snapshot.state.append(Double(elapsed))
        return snapshot
    }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        var inner = snapshot
        elapsed = Int(inner.state.removeLast())
        current = try EnvironmentRegistry.make(
            environment, parameters: parameters(atStep: elapsed - elapsed % interval))
        try current.restore(inner)
    }
}
