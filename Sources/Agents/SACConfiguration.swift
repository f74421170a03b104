public import Neural

/// SAC hyper-parameters with Stable-Baselines3's names and defaults (rl-zoo's Pendulum settings use them).
public struct SACConfiguration: Codable, Equatable, Sendable {
    public var learningRate: Float = 3e-4
    public var bufferSize = 1_000_000
    public var learningStarts = 100
    public var batchSize = 256
    /// Polyak coefficient of the target critics.
    public var tau: Float = 0.005
    public var gamma: Float = 0.99
    public var trainFrequency = 1
    public var gradientSteps = 1
    /// The entropy target; `nil` means −(action size), SB3's "auto".
    public var targetEntropy: Float? = nil
    public var initialEntropyCoefficient: Float = 1
    public var hiddenLayers = [256, 256]
    /// CLEAR's policy cloning (Rolnick et al., 2019): the weight of KL(μ‖π) on replayed transitions, μ the policy
    /// that collected them (CORA's default 0.01; 0 = off). Needs the store's behaviour columns
    /// (`SAC.replaySchema`).
    public var policyCloning: Float = 0
    /// CLEAR's value cloning: the weight of (Q(s, a) − Q_μ(s, a))² toward the value at collection time (CORA's
    /// 0.005; 0 = off).
    public var valueCloning: Float = 0

    /// Threads an update uses: 1, or 2 — the critics' targets beside the critics' forward pass, and each large
    /// layer's two gradients at once (`Lane`). Not a hyper-parameter: the numbers are the same either way.
    public var learningThreads = 1

    /// `bfloat16`: the hidden-to-hidden layers' products (forward and both gradients) take bf16 operands with
    /// float32 sums, about twice as fast on CPUs with AVX512_BF16 (`MatmulPrecision`). Not SB3's arithmetic: an
    /// opt-in that changes the numbers. `float32` by default.
    public var matmulPrecision = MatmulPrecision.float32

    public init() {}

    /// The settings SAC cannot run with here (empty when usable).
    public var invalidSettings: [InvalidSetting] {
        InvalidSetting.ofLearner(threads: learningThreads, precision: matmulPrecision)
    }
}
