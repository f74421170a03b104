/// Layer normalisation over the last axis with a learned gain (initially 1) and bias (initially 0).
public struct LayerNorm: Layer {
    public let gain: Parameter
    public let bias: Parameter
    public let epsilon: Float

    public init(_ features: Int, store: ParameterStore, name: String = "layer_norm", epsilon: Float = 1e-5) {
        let scope = store.uniqueScope(name)
        gain = store.allocate("\(scope)/gain", shape: [features]) { $0.update(repeating: 1) }
        bias = store.allocate("\(scope)/bias", shape: [features]) { $0.update(repeating: 0) }
        self.epsilon = epsilon
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        let graph = input.owner
        return graph.layerNorm(input, gain: graph.parameter(gain), bias: graph.parameter(bias), epsilon: epsilon)
    }
}
