import Foundation
import LifelongTestSupport
import Neural
import Testing

@Suite("Networks learn known problems")
struct LearningTests {
    /// y = sin(2x₁) + ½x₂² on [−1, 1]², 512 points.
    static func regressionSet() -> (Tensor, Tensor) {
        var random = SplitMix64(seed: 5)
        var inputs: [Float] = []
        var targets: [Float] = []
        for _ in 0..<512 {
            let x1 = Float.random(in: -1...1, using: &random)
            let x2 = Float.random(in: -1...1, using: &random)
            inputs += [x1, x2]
            targets.append(sin(2 * x1) + 0.5 * x2 * x2)
        }
        return (Tensor(shape: [512, 2], scalars: inputs), Tensor(shape: [512, 1], scalars: targets))
    }

    @Test func anMLPFitsASmoothRegressionToMSEBelow0_003() {
        let (inputs, targets) = Self.regressionSet()
        let store = ParameterStore()
        var random = RandomStream(seed: 11)
        let net = MLP([2, 64, 64, 1], activation: .tanh, store: store, random: &random)
        let optimizer = Adam(store: store, learningRate: 3e-3)
        let graph = Graph()
        var loss: Float = .infinity
        for _ in 0..<1500 {
            graph.reset()
            let error = graph.meanSquaredError(net(graph.input(inputs)), graph.input(targets))
            loss = error.scalar
            graph.backward(error)
            optimizer.step()
        }
        // The targets' variance is about 0.4; a fit to 0.003 explains over 99% of it.
        #expect(loss < 0.003, "final training MSE \(loss)")
    }

    /// Two interleaved spirals-like rings: class 0 inside radius 0.5, class 1 in the ring 0.7…1.
    static func classificationSet() -> (Tensor, [Int32]) {
        var random = SplitMix64(seed: 6)
        var inputs: [Float] = []
        var labels: [Int32] = []
        for index in 0..<400 {
            let label = Int32(index % 2)
            let radius =
                label == 0 ? Float.random(in: 0...0.5, using: &random) : Float.random(in: 0.7...1, using: &random)
            let angle = Float.random(in: 0...(2 * .pi), using: &random)
            inputs += [radius * cos(angle), radius * sin(angle)]
            labels.append(label)
        }
        return (Tensor(shape: [400, 2], scalars: inputs), labels)
    }

    @Test func anMLPSeparatesTwoRingsWithOver98PercentAccuracy() {
        let (inputs, labels) = Self.classificationSet()
        let store = ParameterStore()
        var random = RandomStream(seed: 12)
        let net = MLP([2, 32, 32, 2], activation: .relu, store: store, random: &random)
        let optimizer = Adam(store: store, learningRate: 1e-2)
        let graph = Graph()
        for _ in 0..<400 {
            graph.reset()
            let loss = graph.crossEntropy(logits: net(graph.input(inputs)), labels: labels)
            graph.backward(loss)
            optimizer.step()
        }
        graph.reset()
        let logits = net(graph.input(inputs)).values
        let correct = labels.indices.filter { row in
            let predicted: Int32 = logits[2 * row + 1] > logits[2 * row] ? 1 : 0
            return predicted == labels[row]
        }.count
        #expect(Double(correct) / Double(labels.count) > 0.98, "accuracy \(correct)/\(labels.count)")
    }

    @Test func aRepeatedStepStopsGrowingTheArena() {
        let store = ParameterStore()
        var random = RandomStream(seed: 13)
        let net = MLP([4, 64, 64, 2], activation: .relu, store: store, random: &random)
        let optimizer = Adam(store: store)
        let graph = Graph()
        let input = randomTensor([64, 4], seed: 1)
        let target = randomTensor([64, 2], seed: 2)
        var capacities: [Int] = []
        for _ in 0..<5 {
            graph.reset()
            graph.backward(graph.meanSquaredError(net(graph.input(input)), graph.input(target)))
            optimizer.step()
            capacities.append(graph.arenaCapacity)
        }
        #expect(Set(capacities.dropFirst()).count == 1, "arena capacities \(capacities)")
    }

    @Test func trainingIsDeterministicForAGivenSeed() {
        func train() -> [Float] {
            let store = ParameterStore()
            var random = RandomStream(seed: 14)
            let net = MLP([2, 16, 1], activation: .silu, store: store, random: &random)
            let optimizer = Adam(store: store, learningRate: 1e-2)
            let graph = Graph()
            let (inputs, targets) = Self.regressionSet()
            for _ in 0..<20 {
                graph.reset()
                graph.backward(graph.meanSquaredError(net(graph.input(inputs)), graph.input(targets)))
                optimizer.step()
            }
            return store.snapshot()
        }
        #expect(train() == train())
    }
}
