public import Neural

/// DQN hyper-parameters, named and defaulted as Stable-Baselines3 names and defaults them, so rl-zoo's
/// settings mean the same thing here. Schedules count environment steps.
public struct DQNConfiguration: Codable, Equatable, Sendable {
    public var learningRate: Float = 1e-4
    public var learningStarts = 100
    public var batchSize = 32
    /// Polyak coefficient of the target update (1 = hard copy).
    public var tau: Float = 1
    public var gamma: Float = 0.99
    /// Update the network every this many environment steps …
    public var trainFrequency = 4
    /// … with this many gradient steps.
    public var gradientSteps = 1
    /// Update the target network every this many environment steps.
    public var targetUpdateInterval = 10_000
    /// ε falls linearly from `explorationInitialEpsilon` to `explorationFinalEpsilon` over this fraction of
    /// `totalSteps`.
    public var explorationFraction: Double = 0.1
    public var explorationInitialEpsilon: Double = 1
    public var explorationFinalEpsilon: Double = 0.05
    public var maxGradientNorm: Float = 10
    /// The TD loss: SB3's Huber (smooth L1, δ = 1) or CleanRL's mean squared error.
    public var loss: TDLoss = .huber
    public var hiddenLayers = [64, 64]
    /// Double DQN: the online network picks the next action, the target network values it.
    public var doubleQ = false
    /// A dueling head (value + advantage) after the hidden layers.
    public var dueling = false
    /// n-step returns (1 = one-step TD).
    public var nSteps = 1
    /// The run length the exploration schedule is laid over.
    public var totalSteps = 100_000
    /// Continual learning: start the ε schedule again at every task boundary (with `totalSteps` then meaning
    /// the steps of one task), so each new task is explored.
    public var restartExplorationAtTaskBoundary = false
    /// Continual learning: task-specific heads — with N > 0 the network ends in N output heads, one per task id
    /// below N; a transition learns through its task's head and `activeTask` picks the head that acts (not with
    /// `dueling`). 0: one head shared by every task.
    public var taskHeads = 0
    /// Continual learning: draw each batch task-balanced (a task uniformly, then a transition of it) instead of
    /// uniformly over the store (the replay strategy's `"sampling": "task_balanced"`).
    public var taskBalancedSampling = false

    /// EMDQN (Lin et al., 2018): the weight λ of the episodic term λ·Huber(Q(s, a) − H(s, a)) added to the TD loss,
    /// H being the best discounted return seen from (s, a), kept in an episodic table per action (exact key matches
    /// only, as in the paper). 0 turns the episodic memory off.
    public var episodicWeight: Float = 0
    /// EMDQN's key: a Gaussian random projection of the observation to this many values (0: the raw observation).
    public var episodicKeySize = 4
    /// Entries per action table (least recently used go first).
    public var episodicCapacity = 100_000

    /// Threads an update uses: 1, or 2 — the target network's forward pass beside the online one, and each large
    /// layer's two gradients at once (`Lane`). Not a hyper-parameter: the numbers are the same either way.
    public var learningThreads = 1

    /// `bfloat16`: the hidden-to-hidden layers' products (forward and both gradients) take bf16 operands with
    /// float32 sums, on CPUs with AVX512_BF16 (`MatmulPrecision`; only layers of at least 2¹⁸ multiply-adds per
    /// batch, e.g. 64 rows through 64 × 64). Not SB3's arithmetic: an opt-in that changes the numbers. `float32` by
    /// default.
    public var matmulPrecision = MatmulPrecision.float32

    /// The settings DQN cannot run with (empty when usable).
    public var invalidSettings: [InvalidSetting] {
        InvalidSetting.ofLearner(threads: learningThreads, precision: matmulPrecision)
    }

    public init() {}

    /// Small grid worlds (a 7 × 7 room): a quick DQN to race episodic control against (tests and `bench-memory`).
    public static func gridWorldRoom(totalSteps: Int) -> DQNConfiguration {
        var configuration = DQNConfiguration()
        configuration.learningRate = 1e-3
        configuration.learningStarts = 200
        configuration.trainFrequency = 1
        configuration.targetUpdateInterval = 200
        configuration.explorationFraction = 0.5
        configuration.totalSteps = totalSteps
        return configuration
    }

    /// rl-zoo's `dqn.yml` CartPole-v1 settings.
    public static func rlZooCartPole(totalSteps: Int = 50_000) -> DQNConfiguration {
        var configuration = DQNConfiguration()
        configuration.learningRate = 2.3e-3
        configuration.batchSize = 64
        configuration.learningStarts = 1000
        configuration.gamma = 0.99
        configuration.targetUpdateInterval = 10
        configuration.trainFrequency = 256
        configuration.gradientSteps = 128
        configuration.explorationFraction = 0.16
        configuration.explorationFinalEpsilon = 0.04
        configuration.hiddenLayers = [256, 256]
        configuration.totalSteps = totalSteps
        return configuration
    }

    /// CleanRL's `dqn.py` defaults for CartPole-v1 (its buffer holds 10,000 transitions), with its MSE loss and no
    /// gradient clipping.
    public static func cleanRLCartPole(totalSteps: Int = 500_000) -> DQNConfiguration {
        var configuration = DQNConfiguration()
        configuration.loss = .meanSquaredError
        configuration.maxGradientNorm = 1e30
        configuration.learningRate = 2.5e-4
        configuration.batchSize = 128
        configuration.learningStarts = 10_000
        configuration.targetUpdateInterval = 500
        configuration.trainFrequency = 10
        configuration.explorationFraction = 0.5
        configuration.explorationFinalEpsilon = 0.05
        configuration.hiddenLayers = [120, 84]
        configuration.totalSteps = totalSteps
        return configuration
    }

    /// ε after `step` environment steps.
    public func epsilon(atStep step: Int) -> Double {
        let progress = min(1, Double(step) / max(1, explorationFraction * Double(totalSteps)))
        return explorationInitialEpsilon + (explorationFinalEpsilon - explorationInitialEpsilon) * progress
    }
}

/// DQN's TD loss.
public enum TDLoss: String, Codable, Sendable {
    /// Smooth L1 with δ = 1 (Stable-Baselines3).
    case huber
    /// Mean squared error (CleanRL, the original DQN's squared TD error).
    case meanSquaredError = "mse"
}
