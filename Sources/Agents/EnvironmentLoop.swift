public import Environments
import Replay

/// The one loop that runs an agent in an environment (Acme's `EnvironmentLoop`): reset, act, step, observe,
/// learn, with episode returns reported as they finish. The continual-learning scheduler drives the same loop
/// one step at a time, switching its environment and task between blocks and checkpointing its `state`.
public final class EnvironmentLoop {
    public private(set) var environment: any Environment
    public let agent: any Agent
    /// The task id the transitions are tagged with.
    public var task: Int32
    public private(set) var observation: [Float] = []
    /// The id of the running episode (episodes are numbered across environments and tasks).
    public private(set) var episode: Int64 = 0
    public private(set) var episodeStep: Int32 = 0
    public private(set) var episodeReturn = 0.0
    /// Returns of the episodes finished so far (kept only when `keepsReturns`).
    public private(set) var returns: [Double] = []
    /// Whether `returns` collects every finished episode's return (off for long runs that log them instead).
    public var keepsReturns = true
    /// Called with each finished episode's return and length.
    public var episodeFinished: ((_ episodeReturn: Double, _ length: Int) throws -> Void)?

    public init(environment: any Environment, agent: any Agent, task: Int32 = 0, seed: UInt64 = 0) throws {
        self.environment = environment
        self.agent = agent
        self.task = task
        observation = try environment.reset(seed: seed)
    }

    /// Runs `steps` environment steps (across episodes).
    public func run(steps: Int) throws {
        for _ in 0..<steps { try step() }
    }

    /// Runs one step; returns whether an episode ended with it. With `cutEpisode`, the episode ends here as
    /// truncated (a block's budget ran out), so the next step starts a new one.
    @discardableResult
    public func step(cutEpisode: Bool = false) throws -> Bool {
        let action = agent.act(observation, mode: .explore)
        let (next, outcome) = try environment.step(action)
        let actionValues: [Float]
        switch action {
        case .discrete(let index): actionValues = [Float(index)]
        case .continuous(let values): actionValues = Array(values)
        }
        let ended = outcome.terminated || outcome.truncated || cutEpisode
        agent.observe(
            Transition(
                observation: observation, action: actionValues, reward: Float(outcome.reward), nextObservation: next,
                terminated: outcome.terminated, truncated: ended && !outcome.terminated, task: task,
                episode: episode, step: episodeStep))
        try agent.learn()
        episodeReturn += outcome.reward
        episodeStep += 1
        if ended {
            if keepsReturns { returns.append(episodeReturn) }
            try episodeFinished?(episodeReturn, Int(episodeStep))
            episodeReturn = 0
            episode += 1
            episodeStep = 0
            observation = try environment.reset(seed: nil)
        } else {
            observation = next
        }
        return ended
    }

    /// Moves to another environment (a new task or block): a new episode starts there, reset with `seed`. An
    /// unfinished episode in the old environment is dropped from the returns (cut it first to close it).
    public func switchEnvironment(to environment: any Environment, task: Int32, seed: UInt64) throws {
        self.environment = environment
        self.task = task
        if episodeStep > 0 { episode += 1 }
        episodeStep = 0
        episodeReturn = 0
        observation = try environment.reset(seed: seed)
    }

    /// Everything needed to continue the loop exactly: the episode in progress and the environment's snapshot.
    public struct State: Codable, Equatable, Sendable {
        public var task: Int32
        public var observation: [Float]
        public var episode: Int64
        public var episodeStep: Int32
        public var episodeReturn: Double
        public var environment: EnvironmentSnapshot
    }

    public var state: State {
        State(
            task: task, observation: observation, episode: episode, episodeStep: episodeStep,
            episodeReturn: episodeReturn, environment: environment.snapshot())
    }

    /// Continues from `state` in `environment` (made for the same task as when the state was taken).
    public func restore(_ state: State, environment: any Environment) throws {
        try environment.restore(state.environment)
        self.environment = environment
        task = state.task
        observation = state.observation
        episode = state.episode
        episodeStep = state.episodeStep
        episodeReturn = state.episodeReturn
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

/// Learning speed: trains `agent` in `environment` and returns the environment steps after which the mean return of
/// `episodes` greedy evaluation episodes (seeds `seed + 1000`, …) first reaches `threshold`, checked every `every`
/// steps; nil when `budget` steps do not get there.
///
/// ```swift
/// let steps = try stepsToReach(0.6, agent: mfec, environment: { try EnvironmentRegistry.make("GridWorld-v0") },
///                              seed: 1, budget: 10_000)
/// ```
public func stepsToReach(
    _ threshold: Double, agent: any Agent, environment: () throws -> any Environment, seed: UInt64, budget: Int,
    every: Int = 250, episodes: Int = 3
) throws -> Int? {
    let loop = try EnvironmentLoop(environment: environment(), agent: agent, seed: seed)
    for round in 1...max(1, budget / every) {
        try loop.run(steps: every)
        if try evaluate(agent, in: environment(), episodes: episodes, seed: 1000 + seed) >= threshold {
            return round * every
        }
    }
    return nil
}
