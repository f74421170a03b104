public import Neural

/// The probabilistic ensemble's shape and training, defaulted as mbrl-lib's `gaussian_mlp_ensemble` with the
/// `pets_cartpole` trainer settings (reference/algorithms.md §1.1–1.2).
public struct EnsembleConfiguration: Codable, Equatable, Sendable {
    /// Ensemble members E, evaluated together in one batched call per layer.
    public var members = 7
    /// Members with the lowest validation error; only they predict when planning or imagining.
    public var elites = 5
    public var hiddenLayers = [200, 200, 200, 200]
    public var activation: Activation = .silu
    /// Adam's step size and L2 weight decay (PyTorch's `Adam(weight_decay=…)`).
    public var learningRate: Float = 7.5e-4
    public var weightDecay: Float = 3e-5
    public var batchSize = 256
    /// The share of transitions held out for validation (elite choice, early stopping): every (1/ratio)-th
    /// transition of the stream, so the split is stable as the store grows. 0 validates on the training data.
    public var validationRatio = 0.2
    /// Epochs per fit at most; a fit stops earlier once no member's validation error improved by more than
    /// `improvementThreshold` (relative) for `patience` epochs, and keeps the best weights seen.
    public var maximumEpochs = 25
    public var patience = 5
    public var improvementThreshold = 0.01
    /// Also predict the reward (one more Gaussian output); off when a known reward function is used.
    public var learnedReward = true
    /// Also predict termination (one more output regressed on 0/1, terminated where the mean passes ½); off when
    /// a known termination function is used.
    public var learnedTermination = false
    /// Soft bounds of the predicted log-variance (PETS; fixed, as mbrl-lib's default).
    public var minimumLogVariance: Float = -10
    public var maximumLogVariance: Float = 0.5

    public init() {}

    /// The problems with these settings (empty when usable), each naming the setting.
    public var problems: [String] {
        var problems: [String] = []
        if members < 1 { problems.append("members must be at least 1; got \(members)") }
        if elites < 1 || elites > members { problems.append("elites must be in 1…members (\(members)); got \(elites)") }
        if hiddenLayers.contains(where: { $0 < 1 }) {
            problems.append("hiddenLayers must be positive; got \(hiddenLayers)")
        }
        if batchSize < 1 { problems.append("batchSize must be at least 1; got \(batchSize)") }
        if !(validationRatio >= 0 && validationRatio < 1) {
            problems.append("validationRatio must be in [0, 1); got \(validationRatio)")
        }
        if maximumEpochs < 1 { problems.append("maximumEpochs must be at least 1; got \(maximumEpochs)") }
        if patience < 1 { problems.append("patience must be at least 1; got \(patience)") }
        if !(minimumLogVariance < maximumLogVariance) {
            problems.append("minimumLogVariance must be below maximumLogVariance")
        }
        return problems
    }
}

/// A misuse of the world model: bad settings, too little data, an unreadable checkpoint. The message names the fix.
public struct WorldModelError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
