/// y = x·W + b for x [batch, inputs], W [inputs, outputs], b [outputs].
///
/// ```swift
/// let layer = Linear(4, 64, store: store, random: &random)
/// let h = layer(graph.input(observations))   // [batch, 64]
/// ```
public struct Linear: Layer {
    public let weight: Parameter
    public let bias: Parameter?

    /// - Parameters:
    ///   - initializer: for the weights; PyTorch's default unless said otherwise.
    ///   - biasInitializer: for the bias (`nil` for no bias); PyTorch's default U(±1/√inputs) unless said otherwise.
    public init(
        _ inputs: Int, _ outputs: Int, store: ParameterStore, random: inout RandomStream, name: String = "linear",
        initializer: Initializer = .pytorchDefault, biasInitializer: Initializer? = .pytorchDefault
    ) {
        let scope = store.uniqueScope(name)
        weight = store.allocate("\(scope)/weight", shape: [inputs, outputs]) {
            initializer.fill($0, fanIn: inputs, fanOut: outputs, random: &random)
        }
        bias = biasInitializer.map { biasInit in
            store.allocate("\(scope)/bias", shape: [outputs]) {
                biasInit.fill($0, fanIn: inputs, fanOut: outputs, random: &random)
            }
        }
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        let graph = input.owner
        guard let bias else { return graph.matmul(input, graph.parameter(weight)) }
        return graph.linear(input, graph.parameter(weight), bias: graph.parameter(bias))
    }

    /// The layer followed by `activation`; ReLU after a biased layer is recorded as one node
    /// (`Graph.rectifiedLinear`), the same numbers with two fewer passes over the output.
    ///
    /// ```swift
    /// let hidden = layer(graph.input(observations), activation: .relu)   // max(x·W + b, 0)
    /// ```
    public func callAsFunction(_ input: Variable, activation: Activation) -> Variable {
        let graph = input.owner
        guard activation == .relu, let bias else { return activation(self(input)) }
        return graph.rectifiedLinear(input, graph.parameter(weight), bias: graph.parameter(bias))
    }
}

/// A multilayer perceptron: Linear layers of the given sizes with an activation between them.
///
/// ```swift
/// let q = MLP([4, 64, 64, 2], activation: .relu, store: store, random: &random)   // 4 → 64 → 64 → 2
/// ```
public struct MLP: Layer {
    public let layers: [Linear]
    public let activation: Activation
    public let outputActivation: Activation

    public init(
        _ sizes: [Int], activation: Activation, outputActivation: Activation = .identity, store: ParameterStore,
        random: inout RandomStream, name: String = "mlp", initializer: Initializer = .pytorchDefault
    ) {
        precondition(sizes.count >= 2, "an MLP needs at least input and output sizes; got \(sizes)")
        let scope = store.uniqueScope(name)
        var layers: [Linear] = []
        for index in 0..<(sizes.count - 1) {
            layers.append(
                Linear(
                    sizes[index], sizes[index + 1], store: store, random: &random, name: "\(scope)/\(index)",
                    initializer: initializer))
        }
        self.layers = layers
        self.activation = activation
        self.outputActivation = outputActivation
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        var x = input
        for index in layers.indices {
            x = layers[index](x, activation: index == layers.count - 1 ? outputActivation : activation)
        }
        return x
    }
}
