import LifelongTestSupport
import Neural
import Testing

/// Checks a computation's gradients against central finite differences.
///
/// The computation's output is reduced to a scalar with fixed random weights (so every output element gets a
/// distinct upstream gradient), then d(loss)/d(input) from `backward` is compared, element by element, with
/// (loss(x + ε) − loss(x − ε)) / 2ε.
struct GradientCheck {
    var epsilon: Float = 1e-2
    var tolerance: Float = 2e-2
    var parameterEpsilon: Float = 1e-3

    /// `inputs` are the differentiated inputs; `build` records the computation from their variables.
    func check(
        _ inputs: [Tensor], sourceLocation: SourceLocation = #_sourceLocation,
        _ build: (Graph, [Variable]) -> Variable
    ) {
        var random = SplitMix64(seed: 99)
        let graph = Graph()
        var probe = inputs.map { graph.input($0, requiresGradient: true) }
        let output = build(graph, probe)
        let weights = Tensor(
            shape: output.shape, scalars: (0..<output.shape.count).map { _ in Float.random(in: -1...1, using: &random) }
        )

        func loss(_ values: [Tensor]) -> Float {
            graph.reset()
            let variables = values.map { graph.input($0) }
            let out = build(graph, variables)
            return (out * graph.input(weights)).sum().scalar
        }

        graph.reset()
        probe = inputs.map { graph.input($0, requiresGradient: true) }
        let scalar = (build(graph, probe) * graph.input(weights)).sum()
        graph.backward(scalar)
        let analytic = probe.map { Array(graph.gradient(of: $0) ?? UnsafeBufferPointer(start: nil, count: 0)) }
        for (which, input) in inputs.enumerated() {
            #expect(
                analytic[which].count == input.scalars.count, "no gradient for input \(which)",
                sourceLocation: sourceLocation)
            guard analytic[which].count == input.scalars.count else { continue }
            for element in input.scalars.indices {
                var plus = inputs
                var minus = inputs
                plus[which].scalars[element] += epsilon
                minus[which].scalars[element] -= epsilon
                let numeric = (loss(plus) - loss(minus)) / (2 * epsilon)
                let exact = analytic[which][element]
                let scale = max(1, abs(numeric), abs(exact))
                #expect(
                    abs(numeric - exact) <= tolerance * scale,
                    "input \(which)[\(element)]: backward \(exact), finite difference \(numeric)",
                    sourceLocation: sourceLocation)
            }
        }
    }

    /// The same check for the parameters of a store, perturbing `store.values` by `parameterEpsilon` (smaller,
    /// since a weight moves many pre-activations at once and could carry one across a ReLU kink).
    func check(
        parametersOf store: ParameterStore, sourceLocation: SourceLocation = #_sourceLocation,
        _ loss: (Graph) -> Variable
    ) {
        let graph = Graph()
        store.zeroGradients()
        graph.backward(loss(graph))
        let analytic = Array(store.gradients)
        store.zeroGradients()
        func evaluate() -> Float {
            graph.reset()
            return loss(graph).scalar
        }
        for element in 0..<store.count {
            let saved = store.values[element]
            store.values[element] = saved + parameterEpsilon
            let plus = evaluate()
            store.values[element] = saved - parameterEpsilon
            let minus = evaluate()
            store.values[element] = saved
            let numeric = (plus - minus) / (2 * parameterEpsilon)
            let scale = max(1, abs(numeric), abs(analytic[element]))
            #expect(
                abs(numeric - analytic[element]) <= tolerance * scale,
                "parameter value \(element): backward \(analytic[element]), finite difference \(numeric)",
                sourceLocation: sourceLocation)
        }
    }
}

/// A tensor of values in ±`magnitude`, kept at least `margin` away from zero (so kinks such as ReLU's are not
/// straddled by the finite difference).
func randomTensor(_ shape: Shape, seed: UInt64, magnitude: Float = 1, margin: Float = 0.05) -> Tensor {
    var random = SplitMix64(seed: seed)
    return Tensor(
        shape: shape,
        scalars: (0..<shape.count).map { _ in
            let value = Float.random(in: margin...magnitude, using: &random)
            return Bool.random(using: &random) ? value : -value
        })
}
