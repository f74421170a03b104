import Testing

@testable import Neural

/// The reverse pass's two shortcuts — a ReLU fused into its layer, and large gradient buffers written by their first
/// contribution instead of cleared and added to — must give the numbers of the plain way, bit for bit.
@Suite("Backward shortcuts keep the numbers")
struct BackwardShortcutTests {
    @Test(arguments: MatmulPrecision.bfloat16IsAvailable ? [.float32, .bfloat16] : [.float32] as [MatmulPrecision])
    func rectifiedLinearEqualsLinearThenReLUBitForBit(precision: MatmulPrecision) {
        // 64 × 96 outputs: large enough for the pending-gradient path and for bf16 products; inputs of magnitude 1
        // put about half the pre-activations below zero.
        func run(fused: Bool) -> (values: [Float], input: [Float], parameters: [Float]) {
            let store = ParameterStore()
            var random = RandomStream(seed: 11)
            let layer = Linear(64, 96, store: store, random: &random)
            let graph = Graph()
            graph.matmulPrecision = precision
            let x = graph.input(randomTensor([64, 64], seed: 12), requiresGradient: true)
            let h =
                fused
                ? graph.rectifiedLinear(x, graph.parameter(layer.weight), bias: graph.parameter(layer.bias!))
                : layer(x).relu()
            let loss = (h * graph.input(randomTensor([64, 96], seed: 13))).sum()
            graph.backward(loss)
            return (Array(h.values), Array(graph.gradient(of: x)!), Array(store.gradients))
        }
        let plain = run(fused: false)
        let fused = run(fused: true)
        #expect(plain.values.contains { $0 == 0 } && plain.values.contains { $0 > 0 })
        #expect(fused.values == plain.values)
        #expect(fused.input == plain.input)
        #expect(fused.parameters == plain.parameters)
    }

    @Test func rectifiedLinearMatchesFiniteDifferences() {
        let (x, w, b) = (randomTensor([3, 4], seed: 34), randomTensor([4, 5], seed: 35), randomTensor([5], seed: 36))
        GradientCheck().check([x, w, b]) { graph, v in graph.rectifiedLinear(v[0], v[1], bias: v[2]) }
    }

    @Test func anMLPRecordsEachHiddenReLUInItsLayer() {
        let store = ParameterStore()
        var random = RandomStream(seed: 1)
        let net = MLP([4, 8, 8, 2], activation: .relu, store: store, random: &random)
        let graph = Graph()
        _ = net(graph.input(randomTensor([2, 4], seed: 2)))
        // input, then per layer: weight, bias and one product node.
        #expect(graph.nodes.count == 1 + 3 * 3)
    }

    /// A computation where large gradients get several contributions (a value read by two products and a sum), go
    /// through a reshape, slices and elementwise operations, and one input that the loss does not reach.
    func gradients(pendingGradientSize: Int) -> [[Float]] {
        let store = ParameterStore()
        var random = RandomStream(seed: 21)
        let first = MLP([40, 96, 96], activation: .relu, outputActivation: .tanh, store: store, random: &random)
        let second = Linear(96, 96, store: store, random: &random)
        let graph = Graph()
        graph.pendingGradientSize = pendingGradientSize
        let x = graph.input(randomTensor([64, 40], seed: 22), requiresGradient: true)
        let unreached = graph.input(randomTensor([64, 96], seed: 23), requiresGradient: true)
        let h = first(x)
        // Recorded before the products, so differentiated after them: the second product writes h's gradient, the
        // first and the sum add to it.
        let total = h.sum()
        let twice = graph.matmul(h, graph.parameter(second.weight)) + second(h)
        _ = unreached * 2
        let flat = twice.reshaped([64 * 96])
        let mixed =
            graph.sliceColumns(twice, start: 0, count: 48).squared().mean()
            + (flat * graph.input(randomTensor([64 * 96], seed: 24))).sum() + total * 0.01
        graph.backward(mixed)
        return [Array(store.gradients), Array(graph.gradient(of: x)!), Array(graph.gradient(of: unreached)!)]
    }

    @Test func pendingGradientsEqualClearedOnesBitForBit() {
        let cleared = gradients(pendingGradientSize: .max)
        let pending = gradients(pendingGradientSize: 4096)
        #expect(cleared[0].contains { $0 != 0 } && cleared[1].contains { $0 != 0 })
        #expect(pending[0] == cleared[0])
        #expect(pending[1] == cleared[1])
        #expect(pending[2] == [Float](repeating: 0, count: 64 * 96))
    }

    @Test func aSecondBackwardOnTheSameTapeStartsFromZeroAgain() {
        let store = ParameterStore()
        var random = RandomStream(seed: 31)
        let net = MLP([40, 96, 96, 1], activation: .relu, store: store, random: &random)
        let graph = Graph()
        let x = graph.input(randomTensor([64, 40], seed: 32), requiresGradient: true)
        let loss = net(x).mean()
        graph.backward(loss)
        let once = Array(graph.gradient(of: x)!)
        let parameters = Array(store.gradients)
        store.zeroGradients()
        graph.backward(loss)
        #expect(Array(graph.gradient(of: x)!) == once)
        #expect(Array(store.gradients) == parameters)
    }
}
