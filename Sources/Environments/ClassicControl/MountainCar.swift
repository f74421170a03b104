import Foundation
public import Randomness

/// `MountainCar-v0` (discrete: push left, none, right) and `MountainCarContinuous-v0` as Gymnasium 1.x defines
/// them. State: position, velocity.
///
/// The continuous variant follows Gymnasium's arithmetic exactly: after each step it stores its state as float32,
/// so later steps compute in float32 (NumPy 2's promotion rules), with the cosine in float64.
public final class MountainCar: Environment {
    public static let discreteSpecifications: [ParameterSpecification] = [
        .init("force", 0.001, "acceleration of one push"),
        .init("gravity", 0.0025, "gravity along the hill"),
        .init("goal_position", 0.5, "position that ends the episode"),
        .init("goal_velocity", 0.0, "minimum velocity at the goal"),
        .init("max_speed", 0.07, "speed limit"),
        .init("min_position", -1.2, "left wall"),
        .init("max_position", 0.6, "right end"),
    ]
    public static let continuousSpecifications: [ParameterSpecification] = [
        .init("power", 0.0015, "acceleration per unit of action"),
        .init("goal_position", 0.45, "position that ends the episode"),
        .init("goal_velocity", 0.0, "minimum velocity at the goal"),
        .init("max_speed", 0.07, "speed limit"),
        .init("min_position", -1.2, "left wall"),
        .init("max_position", 0.6, "right end"),
    ]

    public let id: String
    public let continuous: Bool
    public let observationSpace: Space
    public let actionSpace: Space
    let force, gravity, power, goalPosition, goalVelocity, maxSpeed, minPosition, maxPosition: Double
    var position = 0.0
    var velocity = 0.0
    /// Gymnasium's continuous variant holds a float32 state after its first step.
    var singlePrecision = false
    public var random: RandomStream

    public init(parameters: ParameterSet, continuous: Bool) throws {
        try parameters.require("max_speed", "greater than 0") { $0 > 0 }
        id = continuous ? "MountainCarContinuous-v0" : "MountainCar-v0"
        self.continuous = continuous
        force = continuous ? 0 : parameters.number("force")
        gravity = continuous ? 0.0025 : parameters.number("gravity")
        power = continuous ? parameters.number("power") : 0
        goalPosition = parameters.number("goal_position")
        goalVelocity = parameters.number("goal_velocity")
        maxSpeed = parameters.number("max_speed")
        minPosition = parameters.number("min_position")
        maxPosition = parameters.number("max_position")
        guard minPosition < maxPosition else {
            throw EnvironmentError(.invalidParameter, "\(id): min_position must be below max_position")
        }
        observationSpace = .box(
            low: [Float(minPosition), Float(-maxSpeed)], high: [Float(maxPosition), Float(maxSpeed)])
        actionSpace = continuous ? .box(low: [-1], high: [1]) : .discrete(3)
        random = RandomStream(seed: 0)
    }

    public func reset(seed: UInt64?, observation: UnsafeMutableBufferPointer<Float>) {
        if let seed { random = RandomStream(seed: seed) }
        position = -0.6 + 0.2 * random.uniformDouble()
        velocity = 0
        singlePrecision = false
        observe(into: observation)
    }

    public func step(_ action: Action, observation: UnsafeMutableBufferPointer<Float>) -> StepOutcome {
        switch action {
        case .discrete(let index):
            return stepDiscrete(index, observation)
        case .continuous(let values):
            return stepContinuous(values[0], observation)
        }
    }

    private func stepDiscrete(_ index: Int, _ observation: UnsafeMutableBufferPointer<Float>) -> StepOutcome {
        velocity += Double(index - 1) * force + cos(3 * position) * -gravity
        velocity = min(max(velocity, -maxSpeed), maxSpeed)
        position += velocity
        position = min(max(position, minPosition), maxPosition)
        if position == minPosition && velocity < 0 { velocity = 0 }
        let terminated = position >= goalPosition && velocity >= goalVelocity
        observe(into: observation)
        return StepOutcome(reward: -1, terminated: terminated, truncated: false)
    }

    private func stepContinuous(_ action: Float, _ observation: UnsafeMutableBufferPointer<Float>) -> StepOutcome {
        // Python's min/max return the bound itself (a Python float) when the action is clipped, so the push is
        // float64 then; an unclipped float32 action keeps it float32.
        let clipped = action < -1 || action > 1
        let force = min(max(action, -1), 1)
        func acceleration(_ gravityTerm: Double) -> NumPyScalar {
            clipped
                ? NumPyScalar(python: Double(force) * power - gravityTerm)
                : NumPyScalar(float32: force * Float(power) - Float(gravityTerm))
        }
        var terminated: Bool
        if singlePrecision {
            // Later steps: the state is float32, every Python float meets it as float32 (NumPy 2, NEP 50).
            var v = NumPyScalar(float32: Float(velocity))
            v = v + acceleration(0.0025 * cos(Double(3 * Float(position))))
            if v > maxSpeed { v = NumPyScalar(python: maxSpeed) }
            if v < -maxSpeed { v = NumPyScalar(python: -maxSpeed) }
            var p = NumPyScalar(float32: Float(position)) + v
            if p > maxPosition { p = NumPyScalar(python: maxPosition) }
            if p < minPosition { p = NumPyScalar(python: minPosition) }
            if p == minPosition && v < 0 { v = NumPyScalar(python: 0) }
            terminated = p >= goalPosition && v >= goalVelocity
            position = Double(Float(p.value))
            velocity = Double(Float(v.value))
        } else {
            velocity += acceleration(0.0025 * cos(3 * position)).value
            velocity = min(max(velocity, -maxSpeed), maxSpeed)
            position += velocity
            position = min(max(position, minPosition), maxPosition)
            if position == minPosition && velocity < 0 { velocity = 0 }
            terminated = position >= goalPosition && velocity >= goalVelocity
            position = Double(Float(position))
            velocity = Double(Float(velocity))
        }
        singlePrecision = true
        var reward = terminated ? 100.0 : 0
        reward -= Double(action) * Double(action) * 0.1
        observe(into: observation)
        return StepOutcome(reward: reward, terminated: terminated, truncated: false)
    }

    public var state: [Double] { [position, velocity] }

    public func setState(_ state: [Double]) throws {
        try requireStateCount(state, 2, id: id, layout: "position, velocity")
        (position, velocity) = (state[0], state[1])
        singlePrecision = false
    }

    public func observe(into observation: UnsafeMutableBufferPointer<Float>) {
        observation[0] = Float(position)
        observation[1] = Float(velocity)
    }

    public func snapshot() -> EnvironmentSnapshot {
        EnvironmentSnapshot(state: state + [singlePrecision ? 1 : 0], random: random)
    }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        try setState(Array(snapshot.state.prefix(2)))
        singlePrecision = snapshot.state.count > 2 && snapshot.state[2] == 1
        random = snapshot.randomStream
    }
}

/// A NumPy float32 scalar or a Python float, combined as NumPy 2 does: a Python float meeting a float32 is
/// converted to float32 first, in arithmetic and comparisons alike.
private struct NumPyScalar {
    var value: Double
    var isFloat32: Bool

    init(float32 value: Float) {
        self.value = Double(value)
        isFloat32 = true
    }

    init(python value: Double) {
        self.value = value
        isFloat32 = false
    }

    static func + (lhs: NumPyScalar, rhs: NumPyScalar) -> NumPyScalar {
        if lhs.isFloat32 || rhs.isFloat32 { return NumPyScalar(float32: Float(lhs.value) + Float(rhs.value)) }
        return NumPyScalar(python: lhs.value + rhs.value)
    }

    private func compare(_ other: Double, _ order: (Double, Double) -> Bool) -> Bool {
        isFloat32 ? order(Double(Float(value)), Double(Float(other))) : order(value, other)
    }

    static func > (lhs: NumPyScalar, rhs: Double) -> Bool { lhs.compare(rhs, >) }
    static func < (lhs: NumPyScalar, rhs: Double) -> Bool { lhs.compare(rhs, <) }
    static func >= (lhs: NumPyScalar, rhs: Double) -> Bool { lhs.compare(rhs, >=) }
    static func == (lhs: NumPyScalar, rhs: Double) -> Bool { lhs.compare(rhs, ==) }
}
