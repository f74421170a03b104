public import Environments
import Foundation
public import WorldModel

extension KnownModelFunctions {
    /// The reward and termination of a classic-control environment in closed form, with its parameters (as a
    /// curriculum's task gives them), or nil for environments without them (the model then learns both).
    ///
    /// - CartPole-v1, CartPoleContinuous-v0: +1 every step (the terminating one too, as Gymnasium); terminated
    ///   when |x| > `x_threshold` or |θ| > `theta_threshold_radians`.
    /// - Pendulum-v1: −(θ² + 0.1 θ̇² + 0.001 u²) with θ from (cos θ, sin θ) and u clipped to ±`max_torque`; never
    ///   terminates.
    /// - MountainCarContinuous-v0: −0.1 a² (a clipped to ±1), +100 on reaching the goal, which terminates.
    public static func classicControl(_ environment: String, parameters: [String: ParameterValue] = [:]) throws
        -> KnownModelFunctions?
    {
        var values: [String: ParameterValue] = [:]
        for specification in try EnvironmentRegistry.specification(environment).parameters {
            values[specification.name] = specification.defaultValue
        }
        values.merge(parameters) { $1 }
        func number(_ name: String) -> Float? {
            if case .number(let value) = values[name] { return Float(value) }
            return nil
        }
        switch environment {
        case "CartPole-v1", "CartPoleContinuous-v0":
            guard values["sutton_barto_reward"] != .bool(true) else { return nil }
            let x = number("x_threshold") ?? 2.4
            let theta = number("theta_threshold_radians") ?? 12 * 2 * Float.pi / 360
            return KnownModelFunctions(
                reward: { _, _, _ in 1 }, terminated: { next in abs(next[0]) > x || abs(next[2]) > theta })
        case "Pendulum-v1":
            let torque = number("max_torque") ?? 2
            return KnownModelFunctions(
                reward: { observation, action, _ in
                    let angle = atan2(observation[1], observation[0])
                    let u = min(max(action[0], -torque), torque)
                    return -(angle * angle + 0.1 * observation[2] * observation[2] + 0.001 * u * u)
                }, terminated: { _ in false })
        case "MountainCarContinuous-v0":
            let goal = number("goal_position") ?? 0.45
            let velocity = number("goal_velocity") ?? 0
            return KnownModelFunctions(
                reward: { _, action, next in
                    let force = min(max(action[0], -1), 1)
                    return -0.1 * force * force + (next[0] >= goal && next[1] >= velocity ? 100 : 0)
                }, terminated: { next in next[0] >= goal && next[1] >= velocity })
        default:
            return nil
        }
    }
}
