import BenchmarkSupport
import Neural

/// One timed piece of work: Lifelong's side of a benchmark row. The PyTorch peer
/// (Benchmarks/peers/neural_torch.py) builds the same shapes under the same names.
struct Workload {
    let name: String
    let description: String
    /// Matrix-product FLOPs per call (forward and backward products; elementwise work is not counted).
    let flops: Double
    let run: () -> Void
}

/// FLOPs of the matrix products of a dense stack `sizes` at `batch`: forward, and for training also the
/// weight gradients and the input gradients of every layer but the first.
func matmulFLOPs(_ sizes: [Int], batch: Int, members: Int = 1, training: Bool) -> Double {
    var forward = 0.0
    var inputGradients = 0.0
    for (index, (inputs, outputs)) in zip(sizes, sizes.dropFirst()).enumerated() {
        let product = 2.0 * Double(batch * inputs * outputs * members)
        forward += product
        if index > 0 { inputGradients += product }
    }
    return training ? forward * 2 + inputGradients : forward
}

/// A deterministic tensor of `shape` with values in [−1, 1).
func benchmarkTensor(_ shape: Shape, seed: UInt64) -> Tensor {
    var random = RandomStream(seed: seed)
    return Tensor(shape: shape, scalars: (0..<shape.count).map { _ in random.uniform(-1, 1) })
}

/// An MLP regressing a fixed random batch with MSE under Adam: the DQN-sized networks, shared by the
/// timed workloads and `--breakdown` so both measure the same thing.
struct MLPRegression {
    let store = ParameterStore()
    let net: MLP
    let optimizer: Adam
    let graph = Graph()
    let input: Tensor
    let target: Tensor

    init(_ sizes: [Int], batch: Int) {
        var random = RandomStream(seed: 1)
        net = MLP(sizes, activation: .relu, store: store, random: &random)
        optimizer = Adam(store: store, learningRate: 1e-4)
        input = benchmarkTensor([batch, sizes[0]], seed: 2)
        target = benchmarkTensor([batch, sizes[sizes.count - 1]], seed: 3)
    }

    /// Records the forward pass and the loss on `graph` (after the caller's `reset()`).
    func loss() -> Variable { graph.meanSquaredError(net(graph.input(input)), graph.input(target)) }
}

/// An Adam step of an MLP on MSE.
func mlpStep(_ sizes: [Int], batch: Int) -> Workload {
    let regression = MLPRegression(sizes, batch: batch)
    let label = sizes.map(String.init).joined(separator: "-")
    return Workload(
        name: "mlp_\(label)_b\(batch)", description: "Adam step \(label) / batch \(batch)",
        flops: matmulFLOPs(sizes, batch: batch, training: true)
    ) {
        regression.graph.reset()
        regression.graph.backward(regression.loss())
        regression.optimizer.step()
    }
}

/// The PETS-sized ensemble: 7 members of 5-200-200-200-200-8 (SiLU); the 8 outputs are 4 means and 4
/// log-variances, trained with the Gaussian NLL on each member's own batch.
struct Ensemble {
    static let members = 7
    static let sizes = [5, 200, 200, 200, 200, 8]
    let store = ParameterStore()
    let net: EnsembleMLP
    let graph = Graph()

    init() {
        var random = RandomStream(seed: 4)
        net = EnsembleMLP(members: Self.members, Self.sizes, activation: .silu, store: store, random: &random)
    }

    func trainingStep(batch: Int) -> Workload {
        let optimizer = Adam(store: store, learningRate: 1e-4)
        let input = benchmarkTensor([Self.members, batch, 5], seed: 5)
        let target = benchmarkTensor([Self.members * batch, 4], seed: 6)
        let graph = self.graph
        let net = self.net
        return Workload(
            name: "ensemble_step_b\(batch)", description: "Adam step ensemble 7×5-200×4-8 / batch \(batch)",
            flops: matmulFLOPs(Self.sizes, batch: batch, members: Self.members, training: true)
        ) {
            graph.reset()
            let output = net(graph.input(input)).reshaped([Self.members * batch, 8])
            let mean = graph.sliceColumns(output, start: 0, count: 4)
            let logVariance = graph.sliceColumns(output, start: 4, count: 4)
            graph.backward(graph.gaussianNLL(mean: mean, logVariance: logVariance, target: graph.input(target)))
            optimizer.step()
        }
    }

    func forward(inputs: Int) -> Workload {
        let input = benchmarkTensor([inputs, 5], seed: 7)
        let graph = self.graph
        let net = self.net
        return Workload(
            name: "ensemble_forward_n\(inputs)", description: "forward ensemble 7×5-200×4-8 / \(inputs) inputs",
            flops: matmulFLOPs(Self.sizes, batch: inputs, members: Self.members, training: false)
        ) {
            graph.reset()
            _ = net(graph.input(input))
        }
    }

    /// The ensemble's output for fixed inputs, to compare BLAS kernels.
    func referenceOutput() -> [Float] {
        graph.reset()
        return Array(net(graph.input(benchmarkTensor([64, 5], seed: 8))).values)
    }
}
