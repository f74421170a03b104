public import WorldModel

/// The ensemble settings PETS and MBPO share, flat in their configurations (so a curriculum names each), and the
/// `EnsembleConfiguration` they make.
public protocol EnsembleHyperParameters {
    var members: Int { get }
    var elites: Int { get }
    var hiddenLayers: [Int] { get }
    var modelLearningRate: Float { get }
    var modelWeightDecay: Float { get }
    var modelBatchSize: Int { get }
    var validationRatio: Double { get }
    var maximumEpochs: Int { get }
    var patience: Int { get }
}

extension EnsembleHyperParameters {
    /// The ensemble's configuration; it learns the reward and termination only where no known function is given.
    public func ensemble(knownReward: Bool, knownTermination: Bool) -> EnsembleConfiguration {
        var configuration = EnsembleConfiguration()
        configuration.members = members
        configuration.elites = elites
        configuration.hiddenLayers = hiddenLayers
        configuration.learningRate = modelLearningRate
        configuration.weightDecay = modelWeightDecay
        configuration.batchSize = modelBatchSize
        configuration.validationRatio = validationRatio
        configuration.maximumEpochs = maximumEpochs
        configuration.patience = patience
        configuration.learnedReward = !knownReward
        configuration.learnedTermination = !knownTermination
        return configuration
    }
}
