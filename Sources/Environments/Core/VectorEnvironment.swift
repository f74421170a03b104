/// N copies of an environment stepped together, with Gymnasium 1.x's default auto-reset ("next step"): after a
/// copy's episode ends, its next `step` resets it instead of stepping (the action is ignored), returning the
/// first observation of the new episode with reward 0 and both flags false.
///
/// ```swift
/// let envs = try VectorEnvironment(count: 8, seed: 1) { try EnvironmentRegistry.make("CartPole-v1") }
/// envs.reset()
/// envs.step(discrete: actions)        // envs.observations, envs.rewards, envs.terminated, envs.truncated
/// ```
public final class VectorEnvironment {
    public let environments: [any Environment]
    public let observationSize: Int
    /// [count × observationSize], updated by `reset` and `step`.
    public private(set) var observations: [Float]
    public private(set) var rewards: [Double]
    public private(set) var terminated: [Bool]
    public private(set) var truncated: [Bool]
    private var needsReset: [Bool]
    private let seed: UInt64

    /// Copy i is reset with seed `seed + i` on the first `reset()`.
    public init(count: Int, seed: UInt64, make: () throws -> any Environment) throws {
        precondition(count > 0, "a vector environment needs at least one copy")
        environments = try (0..<count).map { _ in try make() }
        observationSize = environments[0].observationSpace.flatCount
        observations = [Float](repeating: 0, count: count * observationSize)
        rewards = [Double](repeating: 0, count: count)
        terminated = [Bool](repeating: false, count: count)
        truncated = [Bool](repeating: false, count: count)
        needsReset = [Bool](repeating: false, count: count)
        self.seed = seed
    }

    public var count: Int { environments.count }

    /// Resets every copy (seeded `seed + i` the first time, continuing their streams afterwards).
    public func reset(reseed: Bool = true) throws {
        try observations.withUnsafeMutableBufferPointer { all in
            for (index, environment) in environments.enumerated() {
                let slice = UnsafeMutableBufferPointer(
                    rebasing: all[(index * observationSize)..<((index + 1) * observationSize)])
                try environment.reset(seed: reseed ? seed &+ UInt64(index) : nil, observation: slice)
            }
        }
        for index in 0..<count {
            rewards[index] = 0
            terminated[index] = false
            truncated[index] = false
            needsReset[index] = false
        }
    }

    /// Steps every copy with its discrete action.
    public func step(discrete actions: [Int]) throws {
        precondition(actions.count == count, "\(actions.count) actions for \(count) environments")
        try stepAll { index, environment, slice in try environment.step(.discrete(actions[index]), observation: slice) }
    }

    /// Steps every copy with its continuous action: `actions` holds count × action size values.
    public func step(continuous actions: [Float]) throws {
        let size = actions.count / count
        precondition(size * count == actions.count, "\(actions.count) action values for \(count) environments")
        try actions.withUnsafeBufferPointer { all in
            try stepAll { index, environment, slice in
                try environment.step(
                    .continuous(UnsafeBufferPointer(rebasing: all[(index * size)..<((index + 1) * size)])),
                    observation: slice)
            }
        }
    }

    private func stepAll(
        _ body: (Int, any Environment, UnsafeMutableBufferPointer<Float>) throws -> StepOutcome
    ) throws {
        try observations.withUnsafeMutableBufferPointer { all in
            for (index, environment) in environments.enumerated() {
                let slice = UnsafeMutableBufferPointer(
                    rebasing: all[(index * observationSize)..<((index + 1) * observationSize)])
                if needsReset[index] {
                    try environment.reset(seed: nil, observation: slice)
                    rewards[index] = 0
                    terminated[index] = false
                    truncated[index] = false
                    needsReset[index] = false
                    continue
                }
                let outcome = try body(index, environment, slice)
                rewards[index] = outcome.reward
                terminated[index] = outcome.terminated
                truncated[index] = outcome.truncated
                needsReset[index] = outcome.terminated || outcome.truncated
            }
        }
    }
}
