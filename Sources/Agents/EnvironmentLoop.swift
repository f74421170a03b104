public import Environments
import Replay

/// The one loop that runs an agent in an environment (Acme's `EnvironmentLoop`): reset, act, step, observe,
/// learn, with episode returns reported as they finish.
public final class EnvironmentLoop {
    public let environment: any Environment
    public let agent: any Agent
    public let task: Int32
    private var observation: [Float] = []
    private var episode: Int64 = 0
    private var step: Int32 = 0
    private var episodeReturn = 0.0
    /// Returns of the episodes finished so far.
    public private(set) var returns: [Double] = []

    public init(environment: any Environment, agent: any Agent, task: Int32 = 0, seed: UInt64 = 0) throws {
        self.environment = environment
        self.agent = agent
        self.task = task
        observation = try environment.reset(seed: seed)
    }

    /// Runs `steps` environment steps (across episodes).
    public func run(steps: Int) throws {
        for _ in 0..<steps {
            let action = agent.act(observation, mode: .explore)
            let (next, outcome) = try environment.step(action)
            let actionValues: [Float]
            switch action {
            case .discrete(let index): actionValues = [Float(index)]
            case .continuous(let values): actionValues = Array(values)
            }
            agent.observe(
                Transition(
                    observation: observation, action: actionValues, reward: Float(outcome.reward),
                    nextObservation: next,
                    terminated: outcome.terminated, truncated: outcome.truncated, task: task, episode: episode,
                    step: step))
            try agent.learn()
            episodeReturn += outcome.reward
            step += 1
            if outcome.terminated || outcome.truncated {
                returns.append(episodeReturn)
                episodeReturn = 0
                episode += 1
                step = 0
                observation = try environment.reset(seed: nil)
            } else {
                observation = next
            }
        }
    }
}

/// The mean return of `episodes` greedy episodes, seeded `seed`, `seed + 1`, … (separate from training).
public func evaluate(_ agent: any Agent, in environment: any Environment, episodes: Int, seed: UInt64) throws -> Double
{
    var total = 0.0
    for index in 0..<episodes {
        var observation = try environment.reset(seed: seed + UInt64(index))
        while true {
            let (next, outcome) = try environment.step(agent.act(observation, mode: .evaluate))
            total += outcome.reward
            if outcome.terminated || outcome.truncated { break }
            observation = next
        }
    }
    return total / Double(episodes)
}
