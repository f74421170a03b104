import Agents
import ArgumentParser
import Environments
import Foundation
import HDF5
import Neural
import Replay
import RunLog
import WorldModel

/// `lifelong train`: one task, one agent, evaluated on a schedule, logged to RUN_DIR/log.h5.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train one agent on one environment and log evaluations to RUN_DIR/log.h5.",
        discussion: """
            Evaluation returns print as they come. Example:
              lifelong train --env CartPole-v1 --agent dqn --steps 50000 --seed 1 --out runs/dqn-cartpole
            --config takes any of the agent's hyper-parameters by name (SB3's names, e.g. {"learningRate": 0.001}).
            """
    )

    @Option(name: .customLong("env"), help: "Environment id (see `lifelong env list`).")
    var environment: String

    @Option(help: "Environment parameters as a JSON object.")
    var params = "{}"

    @Option(help: "dqn, mfec or nec (discrete actions), sac (continuous actions), or pets (either).")
    var agent: String

    @Option(help: "Agent hyper-parameters as a JSON object; unnamed ones keep their defaults.")
    var config = "{}"

    @Option(help: "Environment steps to train for.")
    var steps: Int

    @Option(help: "Seed of every random stream of the run.")
    var seed: UInt64 = 0

    @Option(help: "The run directory to create.")
    var out: String

    @Option(help: "Evaluate every this many steps.")
    var evalInterval = 5000

    @Option(help: "Greedy episodes per evaluation (seeds 10000, 10001, …).")
    var evalEpisodes = 10

    func validate() throws {
        guard steps > 0 else { throw ValidationError("--steps must be positive; got \(steps).") }
        guard evalInterval > 0 else { throw ValidationError("--eval-interval must be positive; got \(evalInterval).") }
        guard evalEpisodes > 0 else { throw ValidationError("--eval-episodes must be positive; got \(evalEpisodes).") }
        guard ["dqn", "sac", "mfec", "nec", "pets"].contains(agent) else {
            throw ValidationError("--agent must be dqn, sac, mfec, nec or pets; got \(agent).")
        }
    }

    func run() throws {
        let env = try EnvironmentRegistry.makeForCommand(environment, parametersJSON: params)
        let evaluation = try EnvironmentRegistry.makeForCommand(environment, parametersJSON: params)
        guard case .box = env.observationSpace else {
            throw ValidationError("--env: \(environment) has \(env.observationSpace) observations; agents take boxes")
        }
        let observationSize = env.observationSpace.flatCount
        let learner: any Agent
        let resolved: String
        /// The run's replay store with `action` columns (100k transitions, FIFO).
        func store(_ action: ReplaySchema.ActionKind, capacity: Int = 100_000) -> ReplayStore {
            ReplayStore(
                schema: ReplaySchema(observationSize: observationSize, action: action), capacity: capacity,
                eviction: .fifo, seed: seed)
        }
        /// The resolved configuration, as JSON for the run log.
        func json(_ configuration: some Encodable) throws -> String {
            String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
        }
        switch (agent, env.actionSpace) {
        case ("dqn", .discrete(let actions)):
            let configuration = try Self.merge(config, into: DQNConfiguration.rlZooCartPole(totalSteps: steps))
            try Self.check(configuration.invalidSettings)
            resolved = try json(configuration)
            learner = DQN(
                observationSize: observationSize, actions: actions, configuration: configuration,
                replay: store(.discrete), seed: seed)
        case ("sac", .box(let low, _, _)):
            let configuration = try Self.merge(config, into: SACConfiguration())
            try Self.check(configuration.invalidSettings)
            resolved = try json(configuration)
            let replay = ReplayStore(
                schema: SAC.replaySchema(
                    observationSize: observationSize, actionSize: low.count, configuration: configuration),
                capacity: min(configuration.bufferSize, 1_000_000), eviction: .fifo, seed: seed)
            learner = SAC(
                observationSize: observationSize, actionSpace: env.actionSpace, configuration: configuration,
                replay: replay,
                seed: seed)
        case ("mfec", .discrete(let actions)):
            let configuration = try Self.merge(config, into: MFECConfiguration())
            resolved = try json(configuration)
            learner = try MFEC(
                observationSize: observationSize, actions: actions, configuration: configuration,
                replay: store(.discrete), seed: seed)
        case ("nec", .discrete(let actions)):
            let configuration = try Self.merge(config, into: NECConfiguration())
            resolved = try json(configuration)
            learner = try NEC(
                observationSize: observationSize, actions: actions, configuration: configuration,
                replay: store(.discrete), seed: seed)
        case ("pets", .discrete), ("pets", .box):
            let configuration = try Self.merge(config, into: PETSConfiguration())
            resolved = try json(configuration)
            var action = ReplaySchema.ActionKind.discrete
            if case .box(let low, _, _) = env.actionSpace { action = .continuous(size: low.count) }
            learner = try PETS(
                observationSize: observationSize, actionSpace: env.actionSpace, configuration: configuration,
                known: KnownModelFunctions.classicControl(
                    environment, parameters: EnvironmentRegistry.parseParameters(params, context: "--params")),
                replay: store(action), seed: seed)
        default:
            throw ValidationError(
                "--agent: \(agent) does not fit \(environment)'s \(env.actionSpace) actions; use "
                    + (agent == "sac" ? "dqn, mfec, nec or pets" : "sac or pets"))
        }
        let layout = RunLogLayout(
            tasks: [TaskRow(index: 0, name: "default", environment: environment, parameters: params)],
            blocks: [
                BlockRow(
                    index: 0, kind: "task", tasks: [0], budgetSteps: Int64(steps), budgetEpisodes: -1,
                    origin: "lifelong train")
            ],
            evaluatedTasks: [0], episodesPerEvaluation: evalEpisodes)
        let log = try RunLog(
            directory: out, layout: layout,
            provenance: Provenance.current().merging([
                "environment": environment, "parameters": params, "agent": agent, "config": resolved,
            ]) { $1 }, seed: seed)
        let loop = try EnvironmentLoop(environment: env, agent: learner, seed: seed)
        loop.keepsReturns = false
        var done = 0
        loop.episodeFinished = { episodeReturn, _ in
            try log.record("train/episode_return", episodeReturn, step: done + 1, task: 0)
        }
        while done < steps {
            let chunk = min(evalInterval, steps - done)
            for _ in 0..<chunk {
                try loop.step()
                done += 1
            }
            let returns = try (0..<evalEpisodes).map { episode in
                try Agents.evaluate(learner, in: evaluation, episodes: 1, seed: 10_000 + UInt64(episode))
            }
            let mean = returns.reduce(0, +) / Double(returns.count)
            try log.recordEvaluation(returns: returns, step: done)
            try log.record("eval/mean_return", mean, step: done, task: 0)
            try log.commit(step: done)
            print(String(format: "step %d: mean evaluation return %.1f over %d episodes", done, mean, evalEpisodes))
        }
        try log.finish(step: done)
        print("Run written to \(out)/log.h5")
    }

    /// Decodes `json` over `defaults`: named keys replace defaults; unknown keys are an error that lists the names.
    static func merge<Configuration: Codable>(_ json: String, into defaults: Configuration) throws -> Configuration {
        guard let given = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw ValidationError("--config must be a JSON object, e.g. {\"learningRate\": 0.001}; got \(json)")
        }
        do {
            return try HyperParameters.merge(given, into: defaults)
        } catch {
            throw ValidationError("--config: \(error)")
        }
    }

    /// The first of an agent configuration's invalid settings, as a `--config` error.
    static func check(_ problems: [InvalidSetting]) throws {
        guard let problem = problems.first else { return }
        throw ValidationError("--config: \(problem.message)" + (problem.hint.map { " (\($0))" } ?? ""))
    }
}
