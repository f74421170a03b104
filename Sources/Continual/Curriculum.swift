public import Environments
public import EpisodicMemory
public import WorldModel

/// A validated continual-learning curriculum: the tasks, the blocks that stream them (repeats expanded), the
/// evaluation schedule, the agent, the strategy and the run's seeds. Made from JSON by
/// `Curriculum.parse(_:file:)`, which checks everything before any work starts (docs/curriculum.md).
///
/// ```swift
/// let curriculum = try Curriculum.parse(text, file: "experiments/quickstart.json")
/// print(curriculum.blocks.count, curriculum.tasks.map(\.name))
/// ```
public struct Curriculum: Sendable {
    public var name: String
    /// Seeds the agent's streams (initialisation, exploration, replay sampling).
    public var agentSeed: UInt64
    /// Seeds the curriculum's own draws: training-environment resets, sampled family points, random interleaving.
    public var curriculumSeed: UInt64
    /// Every task, in the order written; a task's index is its id in the replay store and the log.
    public var tasks: [TaskDefinition]
    /// The schedule with repeats expanded: block i of the run is `blocks[i]`.
    public var blocks: [Block]
    /// Whether the agent and strategy hear about task boundaries (false: task-free).
    public var announcesBoundaries: Bool
    public var evaluation: EvaluationSchedule
    public var agent: AgentSpecification
    public var strategy: StrategySpecification
    /// Checkpoint every this many environment steps, if set …
    public var checkpointInterval: Int?
    /// … and every this many seconds of wall time, if set (five minutes when the curriculum names neither).
    /// Checkpoints are also written at the start, on SIGINT/SIGTERM and at the end. Where they fall does not
    /// change the run's numbers, so a time-based schedule keeps resume exact.
    public var checkpointSeconds: Double?
    /// The run directory, if the curriculum names one (the CLI's `--out` wins).
    public var output: String?
    /// The curriculum's JSON text as given, kept in the log's provenance.
    public var text: String

    /// The total step budget when every block counts steps; `nil` when some block counts episodes.
    public var totalSteps: Int? {
        var total = 0
        for block in blocks {
            guard case .steps(let steps) = block.budget else { return nil }
            total += steps
        }
        return total
    }
}

/// One task: an environment and its parameters.
public struct TaskDefinition: Sendable, Equatable {
    public var name: String
    public var environment: String
    public var parameters: [String: ParameterValue]

    public init(name: String, environment: String, parameters: [String: ParameterValue]) {
        self.name = name
        self.environment = environment
        self.parameters = parameters
    }

    /// Makes the task's environment.
    public func make() throws -> any Environment {
        try EnvironmentRegistry.make(environment, parameters: parameters)
    }
}

/// One block of the schedule after repeats are expanded.
public struct Block: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Train on one task.
        case task(Int)
        /// Alternate between tasks every `switchEvery` episodes, in turn or (`randomOrder`) drawn from the
        /// curriculum stream.
        case interleave([Int], switchEvery: Int, randomOrder: Bool)
        /// Task-free smooth drift: numeric parameters move linearly from task `from` to task `to` over the block.
        case drift(from: Int, to: Int, interval: Int)
    }

    public enum Budget: Sendable, Equatable {
        case steps(Int)
        case episodes(Int)
    }

    public var kind: Kind
    public var budget: Budget
    /// Where the block came from, e.g. `schedule[2].blocks[0] (cycle 2 of 3)`.
    public var origin: String

    public init(kind: Kind, budget: Budget, origin: String) {
        self.kind = kind
        self.budget = budget
        self.origin = origin
    }

    /// The tasks the block trains on (for the forgetting metrics).
    public var trainedTasks: [Int] {
        switch kind {
        case .task(let task): [task]
        case .interleave(let tasks, _, _): tasks
        case .drift(let from, let to, _): [from, to]
        }
    }
}

/// When and how every task is evaluated.
public struct EvaluationSchedule: Sendable, Equatable {
    /// Evaluate every this many environment steps (and always at step 0 and at the end of every block).
    public var interval: Int
    /// Greedy episodes per task per evaluation.
    public var episodes: Int
    /// The evaluated tasks — the columns of `/eval/returns` and `/eval/after_block`.
    public var tasks: [Int]
    /// Episode k of an evaluation resets with seed `seed + k` (separate from training's seeds).
    public var seed: UInt64
}

/// The agent a curriculum trains.
public struct AgentSpecification: Sendable, Equatable {
    public enum Policy: String, Sendable, CaseIterable {
        case dqn, sac
        /// Model-free episodic control: tables of the best returns per action (module EpisodicMemory).
        case mfec
        /// Neural episodic control: a learned embedding keys one dictionary per action (module EpisodicMemory).
        case nec
        /// Model-predictive control through a probabilistic ensemble (module WorldModel).
        case pets
    }
    public var policy: Policy
    /// Hyper-parameters by their configuration names, as JSON (validated against the policy's configuration).
    public var hyperparametersJSON: String
    /// Capacity of the run's shared replay store.
    public var replayCapacity: Int
    /// Task-specific output heads, one per task (DQN's `taskHeads`).
    public var taskHeads: Bool
    /// An episodic memory riding along the policy over the same replay store (`agent.episodic_memory`), or nil.
    public var episodicMemory: EpisodicMemorySpecification? = nil
    /// A world model riding along the policy over the same replay store (`agent.world_model`), or nil.
    public var worldModel: WorldModelSpecification? = nil
}

/// `agent.world_model`: a probabilistic ensemble fitted on the run's replay store on a schedule, its prediction
/// error on every task's held-out data logged as `worldmodel/*` (`Agents.CompositeAgent`, docs/world-model.md).
public struct WorldModelSpecification: Sendable, Equatable {
    public var members = 7
    public var elites = 5
    public var hiddenLayers = [200, 200, 200, 200]
    public var learningRate = 7.5e-4
    public var batchSize = 256
    public var maximumEpochs = 25
    /// The first fit after this many steps, then one every `fitEvery`.
    public var firstFit = 1000
    public var fitEvery = 5000
    /// Open-loop steps of the `worldmodel/<k>_step_*` metrics.
    public var errorHorizon = 5

    /// The ensemble: reward and termination learned too (no environment function is assumed).
    public var ensemble: EnsembleConfiguration {
        var configuration = EnsembleConfiguration()
        configuration.members = members
        configuration.elites = elites
        configuration.hiddenLayers = hiddenLayers
        configuration.learningRate = Float(learningRate)
        configuration.batchSize = batchSize
        configuration.maximumEpochs = maximumEpochs
        configuration.learnedReward = true
        configuration.learnedTermination = true
        return configuration
    }
}

/// `agent.episodic_memory`: one table per action keyed by a random projection of the observation, filled with the
/// discounted returns of completed episodes; measured for retention next to the policy (`Agents.CompositeAgent`).
public struct EpisodicMemorySpecification: Sendable, Equatable {
    /// Key size of the random projection (0: the raw observation).
    public var keySize = 8
    /// Entries per action table.
    public var capacity = 100_000
    /// Neighbours averaged where a state is not stored exactly.
    public var k = 11
    public var eviction: MemoryConfiguration.Eviction = .leastRecentlyUpdated
    public var gamma = 0.99

    /// The JSON names of the eviction rules.
    public static let evictionNames: [String: MemoryConfiguration.Eviction] = [
        "least_recently_used": .leastRecentlyUsed, "least_recently_updated": .leastRecentlyUpdated,
        "per_task_quota": .perTaskQuota,
    ]
}

/// The continual-learning strategy and its settings.
public enum StrategySpecification: Sendable, Equatable {
    /// No protection against forgetting: the baseline.
    case fineTuning
    /// Experience replay from the shared store: eviction keeps earlier tasks (reservoir or per-task quotas) and
    /// batches mix them in (uniformly over transitions, or balanced over tasks); with `cloning`, CLEAR's policy and
    /// value cloning terms for actor-critics (SAC's `policyCloning` 0.01 and `valueCloning` 0.005 unless set).
    case replay(eviction: ReplayEviction, taskBalanced: Bool, cloning: Bool)
    /// (λ/2)·Σ(θ − θ*)² to the parameters at the last task boundary.
    case l2(lambda: Double)
    /// (λ/2)·Σ Fᵢ(θᵢ − θ*ᵢ)² with a diagonal empirical Fisher F; `online` keeps one running penalty (F ← γF + F_new).
    case ewc(lambda: Double, online: Bool, decay: Double, fisherSamples: Int)
    /// A-GEM: current-task batches, gradients projected against a reference batch of earlier tasks.
    case agem
    /// PackNet: each task owns a magnitude-pruned share of the weights, frozen once the task is left.
    case packnet

    public enum ReplayEviction: String, Sendable { case reservoir, balanced }

    /// The strategy without its settings.
    public enum Kind: Sendable { case fineTuning, replay, l2, ewc, agem, packnet }

    public var kind: Kind {
        switch self {
        case .fineTuning: .fineTuning
        case .replay: .replay
        case .l2: .l2
        case .ewc: .ewc
        case .agem: .agem
        case .packnet: .packnet
        }
    }

    /// The name used in curricula and logs.
    public var name: String {
        switch self {
        case .fineTuning: "finetune"
        case .replay: "replay"
        case .l2: "l2"
        case .ewc: "ewc"
        case .agem: "agem"
        case .packnet: "packnet"
        }
    }
}
