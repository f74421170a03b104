import Neural
import Testing

@Suite("A lane splits an update over two threads without changing its numbers")
struct LaneTests {
    @Test func bothHalvesHaveRunWhenRunReturns() {
        let lane = Lane()
        var local = 0
        var remote = 0
        for round in 1...2000 {
            lane.run {
                local += 1
            } alongside: {
                remote += 2
            }
            #expect(local == round && remote == 2 * round)
        }
    }

    /// A 32-256-256-8 MLP on 64 rows: its middle layer's product (64·256·256) is large enough to split.
    func gradients(lane: Lane?) -> (parameters: [Float], input: [Float]) {
        let store = ParameterStore()
        var random = RandomStream(seed: 5)
        let net = MLP([32, 256, 256, 8], activation: .relu, store: store, random: &random)
        let graph = Graph()
        graph.lane = lane
        let input = graph.input(randomTensor([64, 32], seed: 6), requiresGradient: true)
        graph.backward(graph.meanSquaredError(net(input), graph.input(randomTensor([64, 8], seed: 7))))
        return (Array(store.gradients), Array(graph.gradient(of: input)!))
    }

    @Test func backwardWithALaneGivesTheSameGradientsBitForBit() {
        let serial = gradients(lane: nil)
        let split = gradients(lane: Lane())
        #expect(serial.parameters.contains { $0 != 0 })
        #expect(split.parameters == serial.parameters)
        #expect(split.input == serial.input)
    }

    /// Work split over threads runs on separate graphs: a loss recorded on one reaches the parameters of another
    /// through `backward(_:seed:)`, with the same numbers as one graph through both.
    @Test func aSeededBackwardCarriesALossFromAnotherGraphBitForBit() {
        let (first, second) = (ParameterStore(), ParameterStore())
        var random = RandomStream(seed: 12)
        let inner = MLP([6, 32, 16], activation: .relu, store: first, random: &random)
        let outer = MLP([16, 32, 3], activation: .tanh, store: second, random: &random)
        let (input, target) = (randomTensor([8, 6], seed: 13), randomTensor([8, 3], seed: 14))
        let whole = Graph()
        whole.backward(whole.meanSquaredError(outer(inner(whole.input(input))), whole.input(target)))
        let expected = (Array(first.gradients), Array(second.gradients))
        first.zeroGradients()
        second.zeroGradients()
        let (lower, upper) = (Graph(), Graph())
        let hidden = inner(lower.input(input))
        let handedOver = upper.input(hidden.values, shape: hidden.shape, requiresGradient: true)
        upper.backward(upper.meanSquaredError(outer(handedOver), upper.input(target)))
        lower.backward(hidden, seed: upper.gradient(of: handedOver)!)
        #expect(expected.0.contains { $0 != 0 })
        #expect(Array(first.gradients) == expected.0)
        #expect(Array(second.gradients) == expected.1)
    }

    @Test func aConstantStoreGetsNoGradientButPassesItThrough() {
        let (first, second) = (ParameterStore(), ParameterStore())
        var random = RandomStream(seed: 9)
        let inner = MLP([6, 16], activation: .tanh, outputActivation: .tanh, store: first, random: &random)
        let outer = MLP([16, 3], activation: .tanh, store: second, random: &random)
        let graph = Graph()
        func backward() {
            graph.reset()
            let output = outer(inner(graph.input(randomTensor([5, 6], seed: 10))))
            graph.backward(graph.meanSquaredError(output, graph.input(randomTensor([5, 3], seed: 11))))
        }
        backward()
        let expected = Array(first.gradients)
        first.zeroGradients()
        second.zeroGradients()
        graph.constantStore = second
        backward()
        #expect(Array(first.gradients) == expected)
        #expect(expected.contains { $0 != 0 })
        #expect(second.gradients.allSatisfy { $0 == 0 })
    }
}
