import HDF5
import LifelongTestSupport
import Neural
import Testing

// The example of docs/neural.md, "Writing a new loss": an EWC penalty in a few lines.
extension Graph {
    /// Elastic weight consolidation: (λ/2)·Σᵢ Fᵢ·(θᵢ − θ*ᵢ)² over one parameter, with the anchor θ* and the
    /// Fisher diagonal F recorded as inputs.
    func ewcPenalty(_ parameter: Parameter, anchor: Tensor, fisher: Tensor, lambda: Float) -> Variable {
        let drift = self.parameter(parameter) - input(anchor)
        return (drift.squared() * input(fisher)).sum() * (lambda / 2)
    }
}

@Suite("Documented Neural examples work")
struct NeuralDocumentationExampleTests {
    @Test func theEWCPenaltyExampleHasTheRightGradient() {
        let store = ParameterStore()
        var random = RandomStream(seed: 9)
        let net = MLP([3, 4, 2], activation: .tanh, store: store, random: &random)
        let weight = net.layers[0].weight
        let anchor = Tensor(shape: weight.shape, scalars: store.values(of: weight).map { $0 + 0.1 })
        let fisher = randomTensor(weight.shape, seed: 10, magnitude: 2, margin: 0.1).squaredTensor()
        let input = randomTensor([5, 3], seed: 11)
        GradientCheck().check(parametersOf: store) { graph in
            let task = graph.meanSquaredError(net(graph.input(input)), graph.input(randomTensor([5, 2], seed: 12)))
            return task + graph.ewcPenalty(weight, anchor: anchor, fisher: fisher, lambda: 3)
        }
    }

    @Test func theTrainingLoopExampleHalvesItsLossIn200Steps() throws {
        let store = ParameterStore()
        var random = RandomStream(seed: 1)
        let net = MLP([4, 64, 64, 2], activation: .relu, store: store, random: &random)
        let graph = Graph()
        let optimizer = Adam(store: store, learningRate: 1e-3)
        let observations = randomTensor([32, 4], seed: 2)
        let targets = randomTensor([32, 2], seed: 3)
        var losses: [Float] = []
        for _ in 0..<200 {
            graph.reset()
            let loss = graph.meanSquaredError(net(graph.input(observations)), graph.input(targets))
            losses.append(loss.scalar)
            graph.backward(loss)
            optimizer.step()
        }
        let (first, last) = (try #require(losses.first), try #require(losses.last))
        #expect(last < first * 0.5, "loss \(first) → \(last)")
    }

    @Test func theBLASReportNamesAKernelAndDefaultsToOneThread() {
        #expect(!BLAS.coreName.isEmpty && BLAS.coreName != "unknown")
        #expect(BLAS.threadCount == 1)
        #expect(BLAS.summary.contains(BLAS.coreName))
    }
}

extension Tensor {
    func squaredTensor() -> Tensor { Tensor(shape: shape, scalars: scalars.map { $0 * $0 }) }
}
