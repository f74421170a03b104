/// Neural episodic control (Pritzel et al., 2017) hyper-parameters, named as in the paper. The defaults suit small
/// vector-observation tasks (grid worlds, classic control); the paper's Atari values are noted where they differ.
public struct NECConfiguration: Codable, Equatable, Sendable {
    /// Hidden layers of the embedding network (ReLU); the paper embeds pixels with DQN's convolutional torso.
    public var hiddenLayers = [64]
    /// Key size: the embedding's output size (paper: 64).
    public var keySize = 16
    /// Neighbours read per lookup (paper: 50).
    public var k = 50
    /// δ of the kernel 1 / (‖h − hᵢ‖² + δ) (paper: 1e-3).
    public var delta: Float = 1e-3
    /// α, the rate at which a write to a key already stored moves its value: Q ← Q + α(target − Q) (paper: 0.1).
    public var tabularLearningRate: Float = 0.1
    /// Entries per action's dictionary; the least recently used go first (paper: 500k).
    public var capacityPerAction = 100_000
    /// N of the N-step Q-value targets written and learned from (paper: 100).
    public var nSteps = 10
    public var gamma: Float = 0.99
    /// Adam's step size on the embedding (paper: RMSprop at 7.92e-6 on pixels).
    public var learningRate: Float = 1e-3
    public var batchSize = 32
    /// Environment steps before the first gradient step.
    public var learningStarts = 200
    /// A gradient step every this many environment steps (paper: 16).
    public var trainFrequency = 4
    /// ε falls linearly from `explorationInitialEpsilon` to `explorationFinalEpsilon` over `explorationSteps`.
    public var explorationInitialEpsilon: Double = 1
    public var explorationFinalEpsilon: Double = 0.01
    public var explorationSteps = 2000
    public var maxGradientNorm: Float = 10

    public init() {}

    /// ε after `step` environment steps.
    public func epsilon(atStep step: Int) -> Double {
        guard explorationSteps > 0 else { return explorationFinalEpsilon }
        let progress = min(1, Double(step) / Double(explorationSteps))
        return explorationInitialEpsilon + progress * (explorationFinalEpsilon - explorationInitialEpsilon)
    }
}
