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

    public init() {}
}
