/// E independent linear layers evaluated together: x [E, B, in] (or [B, in] shared by all) → [E, B, out].
/// The world model's ensemble members are stacks of these.
public struct EnsembleLinear: Layer {
    public let members: Int
    public let weight: Parameter
    public let bias: Parameter

    /// Weights default to mbrl-lib's truncated normal (σ = 1/(2√in)), biases to zero.
    public init(
        members: Int, _ inputs: Int, _ outputs: Int, store: ParameterStore, random: inout RandomStream,
        name: String = "ensemble_linear", initializer: Initializer = .truncatedNormal
    ) {
        let scope = store.uniqueScope(name)
        self.members = members
        weight = store.allocate("\(scope)/weight", shape: [members, inputs, outputs]) { values in
            for member in 0..<members {
                let slice = UnsafeMutableBufferPointer(
                    rebasing: values[(member * inputs * outputs)..<((member + 1) * inputs * outputs)])
                initializer.fill(slice, fanIn: inputs, fanOut: outputs, random: &random)
            }
        }
        bias = store.allocate("\(scope)/bias", shape: [members, outputs]) { $0.update(repeating: 0) }
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        let graph = input.owner
        return graph.ensembleBias(graph.ensembleMatmul(input, graph.parameter(weight)), graph.parameter(bias))
    }
}

/// An ensemble of MLPs: `EnsembleLinear` layers with an activation between them.
public struct EnsembleMLP: Layer {
    public let layers: [EnsembleLinear]
    public let activation: Activation

    public init(
        members: Int, _ sizes: [Int], activation: Activation, store: ParameterStore, random: inout RandomStream,
        name: String = "ensemble_mlp", initializer: Initializer = .truncatedNormal
    ) {
        precondition(sizes.count >= 2, "an ensemble MLP needs at least input and output sizes; got \(sizes)")
        let scope = store.uniqueScope(name)
        var layers: [EnsembleLinear] = []
        for index in 0..<(sizes.count - 1) {
            layers.append(
                EnsembleLinear(
                    members: members, sizes[index], sizes[index + 1], store: store, random: &random,
                    name: "\(scope)/\(index)", initializer: initializer))
        }
        self.layers = layers
        self.activation = activation
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        var x = input
        for index in layers.indices {
            x = layers[index](x)
            if index < layers.count - 1 { x = activation(x) }
        }
        return x
    }
}
