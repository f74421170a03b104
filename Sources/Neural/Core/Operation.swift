/// What a tape node computed, with what its derivative needs.
enum Operation {
    case input
    case parameter
    case matmul(Int, Int, transposeA: Bool, transposeB: Bool)
    /// x·W + b, or max(x·W + b, 0) when `rectified`: source, weight, bias.
    case linear(Int, Int, bias: Int, rectified: Bool)
    case binary(Int, Int, BinaryKind, Broadcast)
    case unary(Int, UnaryKind)
    case sum(Int)
    case mean(Int)
    case sumAlongLastAxis(Int)
    /// Source and the offset of the argmax positions in `Graph.integers`.
    case maxAlongLastAxis(Int, argmax: Int)
    /// Source and the offset of the row indices in `Graph.integers`.
    case gather(Int, indices: Int)
    case concatColumns(Int, Int)
    case sliceColumns(Int, start: Int)
    case reshape(Int)
    case logSoftmax(Int)
    /// Source, gain, bias, and scratch holding each row's mean and 1/σ.
    case layerNorm(Int, gain: Int, bias: Int, statistics: UnsafeMutablePointer<Float>)
    case ensembleMatmul(Int, Int)
    case ensembleBias(Int, Int)
}

extension Operation {
    /// Calls `body` with each node this operation reads (not its scratch or side data).
    @inline(__always) func forEachSource(_ body: (Int) -> Void) {
        switch self {
        case .input, .parameter: return
        case .matmul(let a, let b, _, _), .binary(let a, let b, _, _), .concatColumns(let a, let b),
            .ensembleMatmul(let a, let b), .ensembleBias(let a, let b):
            body(a)
            body(b)
        case .linear(let x, let w, let bias, _):
            body(x)
            body(w)
            body(bias)
        case .layerNorm(let x, let gain, let bias, _):
            body(x)
            body(gain)
            body(bias)
        case .unary(let x, _), .sum(let x), .mean(let x), .sumAlongLastAxis(let x), .maxAlongLastAxis(let x, _),
            .gather(let x, _), .sliceColumns(let x, _), .reshape(let x), .logSoftmax(let x):
            body(x)
        }
    }
}

enum BinaryKind { case add, subtract, multiply }

/// How the second operand of a binary operation lines up with the first.
enum Broadcast {
    /// Same shape.
    case elementwise
    /// One value per column, repeated over rows.
    case row
    /// One value per row ([rows, 1]), repeated over columns.
    case column
    /// One value.
    case scalar
}

/// Elementwise functions.
public enum UnaryKind: Sendable {
    case relu, tanh, sigmoid, silu, elu, softplus, exp, log, square, sqrt, abs
    case huber(Float)
    case clamp(Float, Float)
    /// scale·x + shift
    case affine(Float, Float)
}
