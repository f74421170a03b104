import Foundation

/// How a weight matrix [fanIn, fanOut] (or a bias) is filled at construction, from a seeded stream.
public enum Initializer: Sendable {
    /// U(−1/√fanIn, 1/√fanIn): PyTorch's `nn.Linear` default for weights and biases.
    case pytorchDefault
    /// N(0, 2/fanIn) (He), for ReLU networks.
    case kaimingNormal
    /// U(−√(6/fanIn), √(6/fanIn)).
    case kaimingUniform
    /// U(−√(6/(fanIn + fanOut)), +…) (Glorot).
    case xavierUniform
    /// N(0, 2/(fanIn + fanOut)).
    case xavierNormal
    /// A random orthogonal matrix times `gain` (rows or columns orthonormal), as in CleanRL's PPO.
    case orthogonal(gain: Float)
    /// Normal with standard deviation 1/(2√fanIn), redrawn outside ±2σ: mbrl-lib's ensemble initialisation.
    case truncatedNormal
    case zeros
    case constant(Float)

    /// Fills `values` (row-major [fanIn, fanOut]).
    public func fill(
        _ values: UnsafeMutableBufferPointer<Float>, fanIn: Int, fanOut: Int, random: inout RandomStream
    ) {
        let fanIn = Float(max(fanIn, 1))
        switch self {
        case .pytorchDefault:
            let bound = 1 / fanIn.squareRoot()
            for i in values.indices { values[i] = random.uniform(-bound, bound) }
        case .kaimingNormal:
            let deviation = (2 / fanIn).squareRoot()
            for i in values.indices { values[i] = random.normal() * deviation }
        case .kaimingUniform:
            let bound = (6 / fanIn).squareRoot()
            for i in values.indices { values[i] = random.uniform(-bound, bound) }
        case .xavierUniform:
            let bound = (6 / (fanIn + Float(fanOut))).squareRoot()
            for i in values.indices { values[i] = random.uniform(-bound, bound) }
        case .xavierNormal:
            let deviation = (2 / (fanIn + Float(fanOut))).squareRoot()
            for i in values.indices { values[i] = random.normal() * deviation }
        case .orthogonal(let gain):
            Self.fillOrthogonal(values, rows: Int(fanIn), columns: fanOut, gain: gain, random: &random)
        case .truncatedNormal:
            let deviation = 1 / (2 * fanIn.squareRoot())
            for i in values.indices { values[i] = random.truncatedNormal(standardDeviation: deviation) }
        case .zeros:
            values.update(repeating: 0)
        case .constant(let value):
            values.update(repeating: value)
        }
    }

    /// Gram–Schmidt (modified, twice for stability) on Gaussian vectors along the longer side.
    private static func fillOrthogonal(
        _ values: UnsafeMutableBufferPointer<Float>, rows: Int, columns: Int, gain: Float, random: inout RandomStream
    ) {
        // Orthonormalise `vectors` vectors of `length` each, where vectors ≤ length.
        let transpose = rows > columns
        let (vectors, length) = transpose ? (columns, rows) : (rows, columns)
        var basis = [Double](repeating: 0, count: vectors * length)
        for i in basis.indices { basis[i] = Double(random.normal()) }
        for v in 0..<vectors {
            for _ in 0..<2 {
                for u in 0..<v {
                    var dot = 0.0
                    for j in 0..<length { dot += basis[v * length + j] * basis[u * length + j] }
                    for j in 0..<length { basis[v * length + j] -= dot * basis[u * length + j] }
                }
            }
            var norm = 0.0
            for j in 0..<length { norm += basis[v * length + j] * basis[v * length + j] }
            let scale = 1 / max(norm.squareRoot(), 1e-12)
            for j in 0..<length { basis[v * length + j] *= scale }
        }
        for r in 0..<rows {
            for c in 0..<columns {
                let value = transpose ? basis[c * length + r] : basis[r * length + c]
                values[r * columns + c] = Float(value) * gain
            }
        }
    }
}
