import Foundation
public import Randomness

/// `Acrobot-v1` as Gymnasium 1.x defines it ("book" dynamics, RK4 over one 0.2 s step): state θ₁, θ₂, θ̇₁, θ̇₂;
/// observation cos θ₁, sin θ₁, cos θ₂, sin θ₂, θ̇₁, θ̇₂; reward −1 per step until the tip swings above the bar.
/// Torque noise, when set, draws from this environment's own stream (so it differs from Gymnasium's draws).
public final class Acrobot: Environment {
    public static let specifications: [ParameterSpecification] = [
        .init("link_length_1", 1.0, "length of the first link"),
        .init("link_length_2", 1.0, "length of the second link (drawing only, as in Gymnasium)"),
        .init("link_mass_1", 1.0, "mass of the first link"),
        .init("link_mass_2", 1.0, "mass of the second link"),
        .init("link_com_pos_1", 0.5, "centre of mass of the first link"),
        .init("link_com_pos_2", 0.5, "centre of mass of the second link"),
        .init("link_moi", 1.0, "moment of inertia of both links"),
        .init("max_vel_1", .number(4 * Double.pi), "speed limit of the first joint"),
        .init("max_vel_2", .number(9 * Double.pi), "speed limit of the second joint"),
        .init("dt", 0.2, "seconds per step"),
        .init("torque_noise_max", 0.0, "uniform noise added to the torque"),
        .init("book_or_nips", "book", "which equations of motion", choices: ["book", "nips"]),
    ]

    public let id = "Acrobot-v1"
    public let observationSpace: Space
    public let actionSpace = Space.discrete(3)
    let m1, m2, l1, lc1, lc2, inertia, maxVelocity1, maxVelocity2, dt, torqueNoise: Double
    let book: Bool
    var s = (0.0, 0.0, 0.0, 0.0)
    public var random: RandomStream

    public init(parameters: ParameterSet) throws {
        for name in ["link_mass_1", "link_mass_2", "link_moi", "dt", "max_vel_1", "max_vel_2"] {
            try parameters.require(name, "greater than 0") { $0 > 0 }
        }
        m1 = parameters.number("link_mass_1")
        m2 = parameters.number("link_mass_2")
        l1 = parameters.number("link_length_1")
        lc1 = parameters.number("link_com_pos_1")
        lc2 = parameters.number("link_com_pos_2")
        inertia = parameters.number("link_moi")
        maxVelocity1 = parameters.number("max_vel_1")
        maxVelocity2 = parameters.number("max_vel_2")
        dt = parameters.number("dt")
        torqueNoise = parameters.number("torque_noise_max")
        book = parameters.string("book_or_nips") == "book"
        observationSpace = .box(
            low: [-1, -1, -1, -1, Float(-maxVelocity1), Float(-maxVelocity2)],
            high: [1, 1, 1, 1, Float(maxVelocity1), Float(maxVelocity2)])
        random = RandomStream(seed: 0)
    }

    public func reset(seed: UInt64?, observation: UnsafeMutableBufferPointer<Float>) {
        if let seed { random = RandomStream(seed: seed) }
        // Gymnasium draws float64 and keeps them as float32.
        func draw() -> Double { Double(Float(-0.1 + 0.2 * random.uniformDouble())) }
        s = (draw(), draw(), draw(), draw())
        observe(into: observation)
    }

    public func step(_ action: Action, observation: UnsafeMutableBufferPointer<Float>) -> StepOutcome {
        let index: Int
        switch action {
        case .discrete(let value): index = value
        case .continuous(let values): index = Int(values[0])
        }
        var torque = [-1.0, 0.0, 1.0][min(max(index, 0), 2)]
        if torqueNoise > 0 { torque += -torqueNoise + 2 * torqueNoise * random.uniformDouble() }
        // RK4 over [0, dt], in Gymnasium's order of operations.
        let y0 = s
        let half = dt / 2.0
        let k1 = derivatives(y0, torque)
        let k2 = derivatives((y0.0 + half * k1.0, y0.1 + half * k1.1, y0.2 + half * k1.2, y0.3 + half * k1.3), torque)
        let k3 = derivatives((y0.0 + half * k2.0, y0.1 + half * k2.1, y0.2 + half * k2.2, y0.3 + half * k2.3), torque)
        let k4 = derivatives((y0.0 + dt * k3.0, y0.1 + dt * k3.1, y0.2 + dt * k3.2, y0.3 + dt * k3.3), torque)
        let sixth = dt / 6.0
        var next = (
            y0.0 + sixth * (k1.0 + 2 * k2.0 + 2 * k3.0 + k4.0), y0.1 + sixth * (k1.1 + 2 * k2.1 + 2 * k3.1 + k4.1),
            y0.2 + sixth * (k1.2 + 2 * k2.2 + 2 * k3.2 + k4.2), y0.3 + sixth * (k1.3 + 2 * k2.3 + 2 * k3.3 + k4.3)
        )
        next.0 = wrap(next.0, -Double.pi, Double.pi)
        next.1 = wrap(next.1, -Double.pi, Double.pi)
        next.2 = min(max(next.2, -maxVelocity1), maxVelocity1)
        next.3 = min(max(next.3, -maxVelocity2), maxVelocity2)
        s = next
        let terminated = -cos(s.0) - cos(s.1 + s.0) > 1.0
        observe(into: observation)
        return StepOutcome(reward: terminated ? 0 : -1, terminated: terminated, truncated: false)
    }

    private func derivatives(_ y: (Double, Double, Double, Double), _ a: Double) -> (Double, Double, Double, Double) {
        let g = 9.8
        let (theta1, theta2, dtheta1, dtheta2) = y
        let d1 = m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * cos(theta2)) + inertia + inertia
        let d2 = m2 * (lc2 * lc2 + l1 * lc2 * cos(theta2)) + inertia
        let phi2 = m2 * lc2 * g * cos(theta1 + theta2 - Double.pi / 2.0)
        let phi1 =
            -m2 * l1 * lc2 * (dtheta2 * dtheta2) * sin(theta2) - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin(theta2)
            + (m1 * lc1 + m2 * l1) * g * cos(theta1 - Double.pi / 2) + phi2
        let ddtheta2: Double
        if book {
            ddtheta2 =
                (a + d2 / d1 * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * sin(theta2) - phi2)
                / (m2 * (lc2 * lc2) + inertia - (d2 * d2) / d1)
        } else {
            ddtheta2 = (a + d2 / d1 * phi1 - phi2) / (m2 * (lc2 * lc2) + inertia - (d2 * d2) / d1)
        }
        let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
        return (dtheta1, dtheta2, ddtheta1, ddtheta2)
    }

    private func wrap(_ x: Double, _ low: Double, _ high: Double) -> Double {
        let span = high - low
        var value = x
        while value > high { value -= span }
        while value < low { value += span }
        return value
    }

    public var state: [Double] { [s.0, s.1, s.2, s.3] }

    public func setState(_ state: [Double]) throws {
        try requireStateCount(state, 4, id: id, layout: "theta1, theta2, theta1_dot, theta2_dot")
        s = (state[0], state[1], state[2], state[3])
    }

    public func observe(into observation: UnsafeMutableBufferPointer<Float>) {
        observation[0] = Float(cos(s.0))
        observation[1] = Float(sin(s.0))
        observation[2] = Float(cos(s.1))
        observation[3] = Float(sin(s.1))
        observation[4] = Float(s.2)
        observation[5] = Float(s.3)
    }

    public func snapshot() -> EnvironmentSnapshot { EnvironmentSnapshot(state: state, random: random) }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        try setState(snapshot.state)
        random = snapshot.randomStream
    }
}
