import Foundation
import Neural
import Testing

@Suite("Vectorised kernels agree with the C library")
struct KernelAccuracyTests {
    /// Inputs across the whole range, including the ragged tail after the last full vector.
    static let inputs: [Float] = (0..<1003).map { -87 + 175 * Float($0) / 1002 }

    func apply(_ kind: UnaryKind, _ values: [Float]) -> [Float] {
        let graph = Graph()
        return Array(graph.unary(graph.input(Tensor(shape: [values.count], scalars: values)), kind).values)
    }

    @Test func expIsWithinFourTenthsOfAMillionthRelative() {
        for (x, y) in zip(Self.inputs, apply(.exp, Self.inputs)) {
            let exact = Foundation.exp(Double(x))
            #expect(abs(Double(y) - exact) / exact < 4e-7, "exp(\(x)) = \(y), exact \(exact)")
        }
    }

    /// Bit for bit: negative values give +0, −0 and NaN pass through, and the backward pass lets a gradient through
    /// exactly where the input is positive (or NaN); 19 values, so the tail after the last vector is covered.
    @Test func reluAndItsGradientAreExact() {
        let values: [Float] = [
            -3, -0.0, 0, 2, .nan, -.infinity, .infinity, Float.leastNormalMagnitude / 4,
            -Float.leastNormalMagnitude / 4, 5, -5, 0.5, -0.5, 7, -7, 1, -1, 3, -2,
        ]
        for (x, y) in zip(values, apply(.relu, values)) {
            let expected: Float = x < 0 ? 0 : x
            #expect(y.bitPattern == expected.bitPattern || (x.isNaN && y.isNaN), "relu(\(x)) = \(y)")
        }
        let graph = Graph()
        let input = graph.input(Tensor(shape: [values.count], scalars: values), requiresGradient: true)
        graph.backward(
            graph.sum(
                graph.multiply(
                    graph.unary(input, .relu),
                    graph.input(Tensor(shape: [values.count], scalars: values.indices.map { Float($0 + 1) })))))
        for (index, (x, dx)) in zip(values, graph.gradient(of: input)!).enumerated() {
            #expect(dx == (x <= 0 ? 0 : Float(index + 1)), "d relu at \(x) = \(dx)")
        }
    }

    @Test func sigmoidAndSiLUMatchTheirDefinitions() {
        let inputs = (0..<203).map { -20 + 40 * Float($0) / 202 }
        for (x, y) in zip(inputs, apply(.sigmoid, inputs)) {
            let exact = 1 / (1 + Foundation.exp(-Double(x)))
            #expect(abs(Double(y) - exact) < 1e-6 * max(exact, 1e-3), "sigmoid(\(x)) = \(y), exact \(exact)")
        }
        for (x, y) in zip(inputs, apply(.silu, inputs)) {
            let exact = Double(x) / (1 + Foundation.exp(-Double(x)))
            #expect(abs(Double(y) - exact) < 2e-6 * max(abs(exact), 1e-2), "silu(\(x)) = \(y), exact \(exact)")
        }
    }

    @Test func expSaturatesInsteadOfOverflowing() {
        let values = apply(.exp, [200, -200])
        #expect(values[0].isFinite && values[0] > 1e38)
        #expect(values[1] >= 0 && values[1] < 1e-37)
    }
}
