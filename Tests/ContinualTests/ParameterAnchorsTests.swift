import Testing

@testable import Continual

/// The L2/EWC penalty's gradient against finite differences of its value.
@Suite struct ParameterAnchorsTests {
    @Test func thePenaltyGradientMatchesFiniteDifferences() {
        let anchors = ParameterAnchors(name: "ewc", lambda: 3, weighting: .uniform, online: false)
        anchors.anchors = [([0.5, -1, 2], [0.1, 2, 0.5]), ([0, 0, 1], [1, 1, 1])]
        var values: [Float] = [0.2, 0.4, -0.3]
        func penalty(_ point: [Float]) -> Double {
            var copy = point
            var gradients = [Float](repeating: 0, count: 3)
            return copy.withUnsafeMutableBufferPointer { v in
                gradients.withUnsafeMutableBufferPointer { anchors.addGradient(values: v, gradients: $0) }
            }
        }
        var gradients = [Float](repeating: 0, count: 3)
        let value = values.withUnsafeMutableBufferPointer { v in
            gradients.withUnsafeMutableBufferPointer { anchors.addGradient(values: v, gradients: $0) }
        }
        // By hand: 1.5·Σ F(θ − θ*)² over both anchors.
        let expected =
            1.5 * (0.1 * 0.09 + 2 * 1.96 + 0.5 * 5.29) + 1.5 * (0.04 + 0.16 + 1.69)
        #expect(abs(value - expected) < 1e-4)
        for index in 0..<3 {
            var up = values
            var down = values
            up[index] += 1e-2
            down[index] -= 1e-2
            let numeric = (penalty(up) - penalty(down)) / 2e-2
            #expect(abs(numeric - Double(gradients[index])) < 1e-2, "parameter \(index)")
        }
    }
}
