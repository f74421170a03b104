import Foundation
public import Randomness

/// CartPole as Gymnasium 1.x defines it (`CartPole-v1`), and its continuous-force variant as mbrl-lib defines it
/// (`CartPoleContinuous-v0`: force = action × force_mag with the action space [−1, 1]; like mbrl-lib, actions
/// outside it are not clipped).
///
/// State (float64, Gymnasium's `env.unwrapped.state`): x, ẋ, θ, θ̇. Observation: the same as float32. Reward +1
/// per step, including the terminating one (with `sutton_barto_reward`: 0, and −1 on termination). Terminates
/// when |x| > `x_threshold` or |θ| > `theta_threshold_radians`.
public final class CartPole: Environment {
    public static let specifications: [ParameterSpecification] = [
        .init("gravity", 9.8, "gravitational acceleration (m/s²)"),
        .init("masscart", 1.0, "cart mass (kg)"),
        .init("masspole", 0.1, "pole mass (kg)"),
        .init("length", 0.5, "half the pole's length (m)"),
        .init("force_mag", 10.0, "force of one push (N); the continuous variant scales it by the action"),
        .init("tau", 0.02, "seconds between state updates"),
        .init("theta_threshold_radians", .number(12 * 2 * Double.pi / 360), "pole angle beyond which the episode ends"),
        .init("x_threshold", 2.4, "cart position beyond which the episode ends"),
        .init("kinematics_integrator", "euler", "integration scheme", choices: ["euler", "semi-implicit"]),
        .init("sutton_barto_reward", false, "reward 0 per step and −1 on termination instead of +1 per step"),
    ]

    public let id: String
    public let continuous: Bool
    public let observationSpace: Space
    public let actionSpace: Space
    let gravity, massCart, massPole, length, forceMagnitude, tau, thetaThreshold, xThreshold: Double
    let totalMass, poleMassLength: Double
    let semiImplicit, suttonBartoReward: Bool

    var x = 0.0
    var xDot = 0.0
    var theta = 0.0
    var thetaDot = 0.0
    var stepsBeyondTerminated: Int?
    public var random: RandomStream

    public init(parameters: ParameterSet, continuous: Bool = false) throws {
        for name in ["masscart", "masspole", "length", "tau", "x_threshold", "theta_threshold_radians"] {
            try parameters.require(name, "greater than 0") { $0 > 0 }
        }
        id = continuous ? "CartPoleContinuous-v0" : "CartPole-v1"
        self.continuous = continuous
        gravity = parameters.number("gravity")
        massCart = parameters.number("masscart")
        massPole = parameters.number("masspole")
        length = parameters.number("length")
        forceMagnitude = parameters.number("force_mag")
        tau = parameters.number("tau")
        thetaThreshold = parameters.number("theta_threshold_radians")
        xThreshold = parameters.number("x_threshold")
        semiImplicit = parameters.string("kinematics_integrator") == "semi-implicit"
        suttonBartoReward = parameters.bool("sutton_barto_reward")
        totalMass = massPole + massCart
        poleMassLength = massPole * length
        let high: [Float] = [Float(xThreshold * 2), .infinity, Float(thetaThreshold * 2), .infinity]
        observationSpace = .box(low: high.map { -$0 }, high: high)
        actionSpace = continuous ? .box(low: [-1], high: [1]) : .discrete(2)
        random = RandomStream(seed: 0)
    }

    public func reset(seed: UInt64?, observation: UnsafeMutableBufferPointer<Float>) {
        if let seed { random = RandomStream(seed: seed) }
        x = random.uniformDouble() * 0.1 - 0.05
        xDot = random.uniformDouble() * 0.1 - 0.05
        theta = random.uniformDouble() * 0.1 - 0.05
        thetaDot = random.uniformDouble() * 0.1 - 0.05
        stepsBeyondTerminated = nil
        observe(into: observation)
    }

    public func step(_ action: Action, observation: UnsafeMutableBufferPointer<Float>) -> StepOutcome {
        let force: Double
        switch action {
        case .discrete(let index): force = index == 1 ? forceMagnitude : -forceMagnitude
        // mbrl-lib multiplies its float32 action by force_mag in float32 and does not clip it.
        case .continuous(let values): force = Double(values[0] * Float(forceMagnitude))
        }
        let cosTheta = cos(theta)
        let sinTheta = sin(theta)
        let temp = (force + poleMassLength * (thetaDot * thetaDot) * sinTheta) / totalMass
        let thetaAcceleration =
            (gravity * sinTheta - cosTheta * temp)
            / (length * (4.0 / 3.0 - massPole * (cosTheta * cosTheta) / totalMass))
        let xAcceleration = temp - poleMassLength * thetaAcceleration * cosTheta / totalMass
        if semiImplicit {
            xDot = xDot + tau * xAcceleration
            x = x + tau * xDot
            thetaDot = thetaDot + tau * thetaAcceleration
            theta = theta + tau * thetaDot
        } else {
            x = x + tau * xDot
            xDot = xDot + tau * xAcceleration
            theta = theta + tau * thetaDot
            thetaDot = thetaDot + tau * thetaAcceleration
        }
        let terminated = x < -xThreshold || x > xThreshold || theta < -thetaThreshold || theta > thetaThreshold
        let reward: Double
        if !terminated {
            reward = suttonBartoReward ? 0 : 1
        } else if stepsBeyondTerminated == nil {
            stepsBeyondTerminated = 0
            reward = suttonBartoReward ? -1 : 1
        } else {
            stepsBeyondTerminated! += 1
            reward = suttonBartoReward ? -1 : 0
        }
        observe(into: observation)
        return StepOutcome(reward: reward, terminated: terminated, truncated: false)
    }

    public var state: [Double] { [x, xDot, theta, thetaDot] }

    public func setState(_ state: [Double]) throws {
        try requireStateCount(state, 4, id: id, layout: "x, x_dot, theta, theta_dot")
        (x, xDot, theta, thetaDot) = (state[0], state[1], state[2], state[3])
        stepsBeyondTerminated = nil
    }

    public func observe(into observation: UnsafeMutableBufferPointer<Float>) {
        observation[0] = Float(x)
        observation[1] = Float(xDot)
        observation[2] = Float(theta)
        observation[3] = Float(thetaDot)
    }

    public func snapshot() -> EnvironmentSnapshot {
        EnvironmentSnapshot(state: state + [Double(stepsBeyondTerminated ?? -1)], random: random)
    }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        try setState(Array(snapshot.state.prefix(4)))
        let beyond = snapshot.state.count > 4 ? Int(snapshot.state[4]) : -1
        stepsBeyondTerminated = beyond < 0 ? nil : beyond
        random = snapshot.randomStream
    }
}

func requireStateCount(_ state: [Double], _ count: Int, id: String, layout: String) throws {
    guard state.count == count else {
        throw EnvironmentError(.invalidState, "\(id): the state has \(count) values (\(layout)); got \(state.count)")
    }
}
