/// What a tape node computed, with what its derivative needs.
enum Operation {
    case input
    case parameter
    case matmul(Int, Int, transposeA: Bool, transposeB: Bool)
    /// x·W + b: source, weight, bias.
    case linear(Int, Int, bias: Int)
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
