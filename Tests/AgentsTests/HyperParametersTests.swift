import Agents
import Testing

/// Hyper-parameters by name over a configuration's defaults, as curricula and `lifelong train --config` give them.
@Suite struct HyperParametersTests {
    @Test func namedValuesReplaceDefaultsAndTheLossIsChosenByName() throws {
        let configuration = try HyperParameters.merge(
            ["learningRate": 0.001, "loss": "mse", "hiddenLayers": [32]], into: DQNConfiguration())
        #expect(configuration.learningRate == 0.001)
        #expect(configuration.loss == .meanSquaredError)
        #expect(configuration.hiddenLayers == [32])
        #expect(configuration.batchSize == DQNConfiguration().batchSize)
        #expect(DQNConfiguration.cleanRLCartPole().loss == .meanSquaredError)
    }

    @Test func anUnknownNameOrAWrongTypeIsAnErrorThatSaysWhich() {
        #expect {
            _ = try HyperParameters.merge(["learning_rate": 0.1], into: DQNConfiguration())
        } throws: { error in
            if case .unknown(let name, let valid) = error as? HyperParameters.MergeError {
                return name == "learning_rate" && valid.contains("learningRate")
            }
            return false
        }
        #expect {
            _ = try HyperParameters.merge(["loss": "cross-entropy"], into: DQNConfiguration())
        } throws: { error in
            if case .wrongType(let name, _) = error as? HyperParameters.MergeError { return name == "loss" }
            return false
        }
    }
}
