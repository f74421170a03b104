import Neural
import Testing

@Suite("Every operation's derivative matches finite differences")
struct OperationGradientTests {
    let checker = GradientCheck()

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func matmulInEveryTransposeCombination(transposeA: Bool, transposeB: Bool) {
        let a = randomTensor(transposeA ? [4, 3] : [3, 4], seed: 1)
        let b = randomTensor(transposeB ? [5, 4] : [4, 5], seed: 2)
        checker.check([a, b]) { graph, x in graph.matmul(x[0], x[1], transposeA: transposeA, transposeB: transposeB) }
    }

    @Test func linearIsAProductPlusABias() {
        let (x, w, b) = (randomTensor([3, 4], seed: 31), randomTensor([4, 5], seed: 32), randomTensor([5], seed: 33))
        checker.check([x, w, b]) { graph, v in graph.linear(v[0], v[1], bias: v[2]) }
    }

    @Test(arguments: [[3, 4], [4], [1], [3, 1]] as [[Int]])
    func binaryOperationsWithEachBroadcast(second: [Int]) {
        let a = randomTensor([3, 4], seed: 3)
        let b = randomTensor(Shape(second), seed: 4)
        checker.check([a, b]) { _, x in x[0] + x[1] }
        checker.check([a, b]) { _, x in x[0] - x[1] }
        checker.check([a, b]) { _, x in x[0] * x[1] }
    }

    @Test(arguments: [
        UnaryKind.relu, .tanh, .sigmoid, .silu, .elu, .softplus, .exp, .square, .abs, .huber(0.5), .affine(-1.5, 0.25),
    ])
    func unaryFunctions(kind: UnaryKind) {
        checker.check([randomTensor([3, 5], seed: 5, magnitude: 2)]) { graph, x in graph.unary(x[0], kind) }
    }

    @Test func functionsDefinedOnPositiveValues() {
        let positive = Tensor(shape: [2, 3], scalars: [0.5, 1, 1.5, 2, 2.5, 3])
        checker.check([positive]) { _, x in x[0].log() }
        checker.check([positive]) { _, x in x[0].squareRoot() }
    }

    @Test func clampPassesGradientOnlyInside() {
        let x = Tensor(shape: [6], scalars: [-2, -0.5, 0.2, 0.7, 1.5, 3])
        checker.check([x]) { _, x in x[0].clamped(-1, 1) }
    }

    @Test func reductions() {
        let x = randomTensor([3, 4], seed: 6)
        checker.check([x]) { _, x in x[0].sum() }
        checker.check([x]) { _, x in x[0].mean() }
        checker.check([x]) { _, x in x[0].sumAlongLastAxis() }
        checker.check([x]) { _, x in x[0].maxAlongLastAxis() }
    }

    @Test func gatherPicksOneValuePerRow() {
        let x = randomTensor([4, 3], seed: 7)
        checker.check([x]) { graph, x in graph.gather(x[0], indices: [2, 0, 1, 2]) }
    }

    @Test func concatSliceAndReshape() {
        let a = randomTensor([3, 2], seed: 8)
        let b = randomTensor([3, 4], seed: 9)
        checker.check([a, b]) { graph, x in graph.concatColumns(x[0], x[1]) }
        checker.check([b]) { graph, x in graph.sliceColumns(x[0], start: 1, count: 2) }
        checker.check([b]) { _, x in x[0].reshaped([2, 6]).squared() }
    }

    @Test func logSoftmax() {
        checker.check([randomTensor([3, 5], seed: 10, magnitude: 3)]) { _, x in x[0].logSoftmax() }
    }

    @Test func layerNormWithRespectToInputGainAndBias() {
        let x = randomTensor([3, 6], seed: 11, magnitude: 2)
        let gain = randomTensor([6], seed: 12)
        let bias = randomTensor([6], seed: 13)
        checker.check([x, gain, bias]) { graph, v in graph.layerNorm(v[0], gain: v[1], bias: v[2]) }
    }

    @Test func ensembleMatmulWithSharedAndPerMemberInputs() {
        let w = randomTensor([3, 4, 2], seed: 14)
        checker.check([randomTensor([3, 5, 4], seed: 15), w]) { graph, v in graph.ensembleMatmul(v[0], v[1]) }
        checker.check([randomTensor([5, 4], seed: 16), w]) { graph, v in graph.ensembleMatmul(v[0], v[1]) }
        checker.check([randomTensor([3, 5, 2], seed: 17), randomTensor([3, 2], seed: 18)]) { graph, v in
            graph.ensembleBias(v[0], v[1])
        }
    }

    @Test func aVariableUsedTwiceAccumulatesBothPaths() {
        checker.check([randomTensor([2, 3], seed: 19)]) { _, x in x[0] * x[0] + x[0].tanh() * x[0] }
    }
}

@Suite("Losses and layers match finite differences")
struct LossAndLayerGradientTests {
    let checker = GradientCheck()

    @Test func regressionLosses() {
        let prediction = randomTensor([4, 2], seed: 20)
        let target = randomTensor([4, 2], seed: 21, magnitude: 2)
        checker.check([prediction, target]) { graph, v in graph.meanSquaredError(v[0], v[1]) }
        checker.check([prediction, target]) { graph, v in graph.huberLoss(v[0], v[1]) }
    }

    @Test func crossEntropyAndCategoricalKL() {
        checker.check([randomTensor([4, 3], seed: 22, magnitude: 2)]) { graph, v in
            graph.crossEntropy(logits: v[0], labels: [0, 2, 1, 2])
        }
        checker.check([randomTensor([4, 3], seed: 23), randomTensor([4, 3], seed: 24)]) { graph, v in
            graph.categoricalKL(logitsP: v[0], logitsQ: v[1])
        }
    }

    @Test func gaussianNLLWithSoftBoundedLogVariance() {
        let mean = randomTensor([4, 3], seed: 25)
        let rawLogVariance = randomTensor([4, 3], seed: 26, magnitude: 3)
        let target = randomTensor([4, 3], seed: 27)
        let lower = Tensor(shape: [3], repeating: -2)
        let upper = Tensor(shape: [3], repeating: 0.5)
        checker.check([mean, rawLogVariance, target, lower, upper]) { graph, v in
            let logVariance = graph.softBoundedLogVariance(v[1], min: v[3], max: v[4])
            return graph.gaussianNLL(mean: v[0], logVariance: logVariance, target: v[2])
        }
    }

    @Test(arguments: Activation.allCases)
    func mlpParameters(activation: Activation) {
        let store = ParameterStore()
        var random = RandomStream(seed: 28)
        let net = MLP([3, 5, 4, 2], activation: activation, store: store, random: &random)
        let input = randomTensor([6, 3], seed: 29)
        let target = randomTensor([6, 2], seed: 30)
        checker.check(parametersOf: store) { graph in
            graph.meanSquaredError(net(graph.input(input)), graph.input(target))
        }
    }

    @Test func layerNormAndDuelingHeadParameters() {
        let store = ParameterStore()
        var random = RandomStream(seed: 31)
        let body = Linear(3, 6, store: store, random: &random)
        let norm = LayerNorm(6, store: store)
        let head = DuelingHead(features: 6, actions: 3, store: store, random: &random)
        let input = randomTensor([5, 3], seed: 32)
        checker.check(parametersOf: store) { graph in
            let q = head(norm(body(graph.input(input))).relu())
            return graph.huberLoss(
                graph.gather(q, indices: [0, 1, 2, 1, 0]), graph.input(randomTensor([5, 1], seed: 33)))
        }
    }

    @Test func ensembleMLPParameters() {
        let store = ParameterStore()
        var random = RandomStream(seed: 34)
        let ensemble = EnsembleMLP(members: 3, [4, 6, 2], activation: .silu, store: store, random: &random)
        let input = randomTensor([5, 4], seed: 35)
        checker.check(parametersOf: store) { graph in
            graph.meanSquaredError(ensemble(graph.input(input)), graph.input(randomTensor([3, 5, 2], seed: 36)))
        }
    }
}

@Suite("Non-differentiable helpers")
struct HelperTests {
    @Test func argmaxPicksTheFirstLargestColumnOfEachRow() {
        let graph = Graph()
        let q = graph.input(Tensor(shape: [3, 3], scalars: [1, 5, 2, 7, 7, 0, -3, -1, -2]))
        #expect(graph.argmax(q) == [1, 0, 1])
    }
}
