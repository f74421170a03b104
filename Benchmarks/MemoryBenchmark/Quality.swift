import Agents
import Environments
import Replay

/// Issue 8's quality check over five seeds: environment steps until the greedy policy's mean return over three
/// evaluation episodes first reaches `threshold` in a 7 × 7 room (goal in the far corner, 30 steps per episode),
/// MFEC against DQN with the same budget, checked every 250 steps; EMDQN and NEC alongside.
enum Quality {
    static let parameters: [String: ParameterValue] = ["width": 7, "height": 7, "max_episode_steps": 30]
    static let threshold = 0.6

    static func environment() throws -> any Environment {
        try EnvironmentRegistry.make("GridWorld-v0", parameters: parameters)
    }

    /// One line per seed and a summary: (seeds where MFEC got there first, seeds).
    static func run(seeds: [UInt64], budget: Int) throws -> (wins: Int, seeds: Int) {
        let size = try environment().observationSpace.flatCount
        func replay(_ seed: UInt64) -> ReplayStore {
            ReplayStore(
                schema: ReplaySchema(observationSize: size, action: .discrete), capacity: 50_000, eviction: .fifo,
                seed: seed)
        }
        print("Quality: steps to a mean evaluation return ≥ \(threshold) in a 7 × 7 room (budget \(budget))")
        print("seed   MFEC    DQN  EMDQN    NEC   (EMDQN: DQN + episodic term, λ 0.1)")
        var wins = 0
        for seed in seeds {
            let mfec = try MFEC(
                observationSize: size, actions: 4, configuration: MFECConfiguration(), replay: replay(seed), seed: seed)
            let dqn = DQN(
                observationSize: size, actions: 4, configuration: .gridWorldRoom(totalSteps: budget),
                replay: replay(seed), seed: seed)
            let a = try stepsToReach(threshold, agent: mfec, environment: environment, seed: seed, budget: budget)
            let b = try stepsToReach(threshold, agent: dqn, environment: environment, seed: seed, budget: budget)
            var bootstrapped = DQNConfiguration.gridWorldRoom(totalSteps: budget)
            bootstrapped.episodicWeight = 0.1
            let emdqn = DQN(
                observationSize: size, actions: 4, configuration: bootstrapped, replay: replay(seed), seed: seed)
            let c = try stepsToReach(threshold, agent: emdqn, environment: environment, seed: seed, budget: budget)
            let nec = try NEC(
                observationSize: size, actions: 4, configuration: NECConfiguration(), replay: replay(seed), seed: seed)
            let d = try stepsToReach(threshold, agent: nec, environment: environment, seed: seed, budget: budget)
            if let a, a < (b ?? budget + 1) { wins += 1 }
            print(
                String(
                    format: "%4d  %5@  %5@  %5@  %5@", seed, a.map(String.init) ?? "never",
                    b.map(String.init) ?? "never", c.map(String.init) ?? "never", d.map(String.init) ?? "never"))
        }
        return (wins, seeds.count)
    }
}
