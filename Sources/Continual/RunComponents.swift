import Agents
import Environments
import EpisodicMemory
import Foundation
import Randomness
import Replay
import WorldModel

/// The learners of a run, built from a curriculum: the shared replay store (persisted in `RUN_DIR/replay`), the
/// agent over it and the continual-learning strategy. Building is deterministic in the curriculum's agent seed,
/// so a resumed run rebuilds the same objects before loading their checkpointed state.
struct RunComponents {
    let agent: any Agent
    let replay: ReplayStore
    let strategy: any ContinualStrategy

    /// The store's eviction under `strategy`: fine-tuning and the regularisers keep the latest transitions (FIFO);
    /// replay and A-GEM keep earlier tasks.
    static func eviction(for strategy: StrategySpecification) -> EvictionPolicy {
        switch strategy {
        case .replay(.reservoir, _, _): .reservoir
        case .replay(.balanced, _, _), .agem: .balanced
        default: .fifo
        }
    }

    /// Creates the components of a new run; `replayDirectory` must not hold a store yet. With `existingReplay`
    /// (a resumed run) the store is the one reopened from disk.
    static func make(
        _ curriculum: Curriculum, replayDirectory: String, existingReplay: ReplayStore? = nil
    ) throws -> RunComponents {
        let probe = try curriculum.tasks[0].make()
        let observationSize = probe.observationSpace.flatCount
        let given =
            (try JSONSerialization.jsonObject(with: Data(curriculum.agent.hyperparametersJSON.utf8)) as? [String: Any])
            ?? [:]
        var replayStream = RandomStream(seed: curriculum.agentSeed).derived("replay")
        let replaySeed = replayStream.next()
        func store(_ schema: ReplaySchema) throws -> ReplayStore {
            if let existingReplay { return existingReplay }
            return try ReplayStore.create(
                at: replayDirectory, schema: schema, capacity: curriculum.agent.replayCapacity,
                eviction: eviction(for: curriculum.strategy), seed: replaySeed)
        }
        var agent: any Agent
        let replay: ReplayStore
        switch (curriculum.agent.policy, probe.actionSpace) {
        case (.dqn, .discrete(let actions)):
            var configuration = try HyperParameters.merge(given, into: DQNConfiguration())
            if given["totalSteps"] == nil {
                // ε's schedule spans the run, or one task's block when exploration restarts at each boundary.
                let firstBlock: Int? = {
                    if case .steps(let steps) = curriculum.blocks[0].budget { return steps }
                    return nil
                }()
                configuration.totalSteps =
                    (configuration.restartExplorationAtTaskBoundary ? firstBlock : curriculum.totalSteps) ?? 100_000
            }
            if case .replay(_, true, _) = curriculum.strategy { configuration.taskBalancedSampling = true }
            if curriculum.agent.taskHeads { configuration.taskHeads = curriculum.tasks.count }
            replay = try store(ReplaySchema(observationSize: observationSize, action: .discrete))
            agent = DQN(
                observationSize: observationSize, actions: actions, configuration: configuration, replay: replay,
                seed: curriculum.agentSeed)
        case (.sac, .box(let low, _, _)):
            var configuration = try HyperParameters.merge(given, into: SACConfiguration())
            if case .replay(_, _, true) = curriculum.strategy {
                // CLEAR: CORA's weights unless the hyper-parameters name others.
                if given["policyCloning"] == nil { configuration.policyCloning = 0.01 }
                if given["valueCloning"] == nil { configuration.valueCloning = 0.005 }
            }
            replay = try store(
                SAC.replaySchema(observationSize: observationSize, actionSize: low.count, configuration: configuration))
            agent = SAC(
                observationSize: observationSize, actionSpace: probe.actionSpace, configuration: configuration,
                replay: replay, seed: curriculum.agentSeed)
        case (.mfec, .discrete(let actions)):
            let configuration = try HyperParameters.merge(given, into: MFECConfiguration())
            replay = try store(ReplaySchema(observationSize: observationSize, action: .discrete))
            agent = try MFEC(
                observationSize: observationSize, actions: actions, configuration: configuration, replay: replay,
                seed: curriculum.agentSeed)
        case (.nec, .discrete(let actions)):
            let configuration = try HyperParameters.merge(given, into: NECConfiguration())
            replay = try store(ReplaySchema(observationSize: observationSize, action: .discrete))
            agent = try NEC(
                observationSize: observationSize, actions: actions, configuration: configuration, replay: replay,
                seed: curriculum.agentSeed)
        case (.pets, .discrete), (.pets, .box):
            let configuration = try HyperParameters.merge(given, into: PETSConfiguration())
            let actionSchema: ReplaySchema.ActionKind
            if case .box(let low, _, _) = probe.actionSpace {
                actionSchema = .continuous(size: low.count)
            } else {
                actionSchema = .discrete
            }
            replay = try store(ReplaySchema(observationSize: observationSize, action: actionSchema))
            // Reward and termination in closed form where the first task's environment has them.
            let first = curriculum.tasks[0]
            agent = try PETS(
                observationSize: observationSize, actionSpace: probe.actionSpace, configuration: configuration,
                known: KnownModelFunctions.classicControl(first.environment, parameters: first.parameters),
                replay: replay, seed: curriculum.agentSeed)
        default:
            preconditionFailure(
                "validation admits dqn, mfec and nec with discrete actions, sac with box actions, and pets with either")
        }
        if curriculum.agent.episodicMemory != nil || curriculum.agent.worldModel != nil {
            agent = try compose(
                agent, memory: curriculum.agent.episodicMemory, worldModel: curriculum.agent.worldModel,
                observationSize: observationSize, actionSpace: probe.actionSpace, seed: curriculum.agentSeed)
        }
        let trained = Set(curriculum.blocks.flatMap(\.trainedTasks)).count
        return RunComponents(
            agent: agent, replay: replay, strategy: makeStrategy(curriculum.strategy, taskCount: trained))
    }
}

/// `policy` with an episodic memory and/or a world model riding along it (the policy's concrete type is opened so
/// the composite keeps its conformances — strategies see through it to a regularisable or task-conditioned policy).
/// The memory needs discrete actions (one table per action); validation says so.
func compose<Policy: Agent>(
    _ policy: Policy, memory: EpisodicMemorySpecification?, worldModel: WorldModelSpecification?,
    observationSize: Int, actionSpace: Space, seed: UInt64
) throws -> any Agent {
    let streams = RandomStream(seed: seed)
    var tables: EpisodicTables?
    if let memory, case .discrete(let actions) = actionSpace {
        tables = try EpisodicTables(
            observationSize: observationSize, actions: actions, projection: memory.keySize,
            capacity: memory.capacity, gamma: Float(memory.gamma), eviction: memory.eviction,
            stream: streams.derived("composite/memory"))
    }
    var dynamics: DynamicsLearner?
    if let worldModel {
        guard let (encoding, width) = ActionEncoding.forSpace(actionSpace) else {
            preconditionFailure("validation admits box and discrete actions only")
        }
        dynamics = try DynamicsLearner(
            observationSize: observationSize, actions: encoding, actionWidth: width,
            configuration: worldModel.ensemble, errorHorizon: worldModel.errorHorizon, firstFit: worldModel.firstFit,
            fitEvery: worldModel.fitEvery, stream: streams.derived("composite/world-model"))
    }
    return CompositeAgent(policy: policy, memory: tables, memoryNeighbours: memory?.k ?? 11, worldModel: dynamics)
}

extension Curriculum {
    /// The training environment of `block` when it trains `task` (a drift block builds its drifting environment).
    func trainingEnvironment(block: Block, task: Int) throws -> any Environment {
        guard case .drift(let from, let to, let interval) = block.kind, case .steps(let steps) = block.budget else {
            return try tasks[task].make()
        }
        let environment = tasks[from].environment
        let defaults = try EnvironmentRegistry.specification(environment).parameters
        func numbers(_ parameters: [String: ParameterValue]) -> [String: Double] {
            parameters.compactMapValues { if case .number(let value) = $0 { value } else { nil } }
        }
        var start = numbers(tasks[from].parameters)
        var end = numbers(tasks[to].parameters)
        // A parameter named by only one side drifts from (or to) its default.
        for specification in defaults {
            guard case .number(let value) = specification.defaultValue else { continue }
            if start[specification.name] != nil || end[specification.name] != nil {
                start[specification.name] = start[specification.name] ?? value
                end[specification.name] = end[specification.name] ?? value
            }
        }
        for key in Set(start.keys).union(end.keys) {
            start[key] = start[key] ?? end[key]
            end[key] = end[key] ?? start[key]
        }
        let fixed = tasks[from].parameters.filter { start[$0.key] == nil }
        return try DriftingEnvironment(
            environment: environment, from: start, to: end, steps: steps, interval: interval, fixed: fixed)
    }
}
