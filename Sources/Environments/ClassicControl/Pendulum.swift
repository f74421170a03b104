import Foundation
public import Randomness

/// `Pendulum-v1` as Gymnasium 1.x defines it: state θ, θ̇ (float64); observation cos θ, sin θ, θ̇ (float32);
/// reward −(normalised θ² + 0.1 θ̇² + 0.001 u²); never terminates (the time limit truncates at 200 steps).
/// The torque term is computed in float32, as Gymnasium does with its float32 action.
public final class Pendulum: Environment {
    public static let specifications: [ParameterSpecification] = [
        .init("g", 10.0, "gravitational acceleration"),
        .init("m", 1.0, "pendulum mass"),
        .init("l", 1.0, "pendulum length"),
        .init("max_speed", 8.0, "angular speed limit"),
        .init("max_torque", 2.0, "torque limit (the action is clipped to ±max_torque)"),
        .init("dt", 0.05, "seconds per step"),
    ]

    public let id = "Pendulum-v1"
    public let observationSpace: Space
    public let actionSpace: Space
    let g, m, l, maxSpeed, maxTorque, dt: Double
    var theta = 0.0
    var thetaDot = 0.0
    public var random: RandomStream

    public init(parameters: ParameterSet) throws {
        for name in ["m", "l", "max_speed", "max_torque", "dt"] {
            try parameters.require(name, "greater than 0") { $0 > 0 }
        }
        g = parameters.number("g")
        m = parameters.number("m")
        l = parameters.number("l")
        maxSpeed = parameters.number("max_speed")
        maxTorque = parameters.number("max_torque")
        dt = parameters.number("dt")
        observationSpace = .box(low: [-1, -1, Float(-maxSpeed)], high: [1, 1, Float(maxSpeed)])
        actionSpace = .box(low: [Float(-maxTorque)], high: [Float(maxTorque)])
        random = RandomStream(seed: 0)
    }

    public func reset(seed: UInt64?, observation: UnsafeMutableBufferPointer<Float>) {
        if let seed { random = RandomStream(seed: seed) }
        theta = -Double.pi + 2 * Double.pi * random.uniformDouble()
        thetaDot = -1 + 2 * random.uniformDouble()
        observe(into: observation)
    }

    public func step(_ action: Action, observation: UnsafeMutableBufferPointer<Float>) -> StepOutcome {
        let requested: Float
        switch action {
        case .continuous(let values): requested = values[0]
        case .discrete(let index): requested = Float(index)
        }
        let u = min(max(requested, Float(-maxTorque)), Float(maxTorque))
        let normalised = angleNormalize(theta)
        let costs = normalised * normalised + 0.1 * thetaDot * thetaDot + Double(Float(0.001) * (u * u))
        var newThetaDot = thetaDot + (3 * g / (2 * l) * sin(theta) + Double(Float(3.0 / (m * l * l)) * u)) * dt
        newThetaDot = min(max(newThetaDot, -maxSpeed), maxSpeed)
        theta = theta + newThetaDot * dt
        thetaDot = newThetaDot
        observe(into: observation)
        return StepOutcome(reward: -costs, terminated: false, truncated: false)
    }

    /// ((x + π) mod 2π) − π with NumPy's floored modulo.
    private func angleNormalize(_ x: Double) -> Double {
        let period = 2 * Double.pi
        var remainder = fmod(x + Double.pi, period)
        if remainder != 0 && remainder < 0 { remainder += period }
        return remainder - Double.pi
    }

    public var state: [Double] { [theta, thetaDot] }

    public func setState(_ state: [Double]) throws {
        try requireStateCount(state, 2, id: id, layout: "theta, theta_dot")
        (theta, thetaDot) = (state[0], state[1])
    }

    public func observe(into observation: UnsafeMutableBufferPointer<Float>) {
        observation[0] = Float(cos(theta))
        observation[1] = Float(sin(theta))
        observation[2] = Float(thetaDot)
    }

    public func snapshot() -> EnvironmentSnapshot { EnvironmentSnapshot(state: state, random: random) }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        try setState(snapshot.state)
        random = snapshot.randomStream
    }
}
