import CKernels
import Foundation

/// The operations a graph records. Each computes its value now; its derivative is in Graph+Derivatives.swift.
extension Graph {
    /// op(A)·op(B) for rank-2 variables, through `cblas_sgemm`.
    public func matmul(_ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false) -> Variable {
        precondition(a.shape.rank == 2 && b.shape.rank == 2, "matmul needs rank-2 operands; got \(a.shape), \(b.shape)")
        let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (k2, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        precondition(k == k2, "matmul: inner dimensions differ, \(a.shape) × \(b.shape)")
        let result = record(
            .matmul(a.index, b.index, transposeA: transposeA, transposeB: transposeB), shape: [m, n],
            needsGradient: needs(a, b))
        BLAS.sgemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: value(a), lda: a.shape[1],
            b: value(b), ldb: b.shape[1], beta: 0, c: value(result), ldc: n)
        return result
    }

    /// x·W + b for x [rows, inputs], W [inputs, outputs], b [outputs] — a product and its bias in one node: the
    /// product accumulates onto rows holding the bias (BLAS reads C in any case), which saves the separate add's
    /// pass over the output forward and back.
    public func linear(_ x: Variable, _ weight: Variable, bias: Variable) -> Variable {
        linear(x, weight, bias: bias, rectified: false)
    }

    /// max(x·W + b, 0) in one node: `linear` followed by ReLU without the ReLU's own output and gradient buffers
    /// (the ReLU runs in place on the product, and its derivative masks the upstream gradient in place). The same
    /// numbers as `linear(x, weight, bias: bias).relu()`; after `backward`, `gradient(of:)` this node holds
    /// d(loss)/d(x·W + b).
    ///
    /// ```swift
    /// let hidden = graph.rectifiedLinear(observations, graph.parameter(w), bias: graph.parameter(b))
    /// ```
    public func rectifiedLinear(_ x: Variable, _ weight: Variable, bias: Variable) -> Variable {
        linear(x, weight, bias: bias, rectified: true)
    }

    private func linear(_ x: Variable, _ weight: Variable, bias: Variable, rectified: Bool) -> Variable {
        precondition(
            x.shape.rank == 2 && weight.shape.rank == 2 && x.shape[1] == weight.shape[0]
                && bias.shape.count == weight.shape[1],
            "linear: \(x.shape) × \(weight.shape) + \(bias.shape) do not line up")
        let (rows, inputs, outputs) = (x.shape[0], x.shape[1], weight.shape[1])
        let result = record(
            .linear(x.index, weight.index, bias: bias.index, rectified: rectified), shape: [rows, outputs],
            needsGradient: needs(x, weight) || needs(bias))
        let out = value(result)
        if reducedPrecision(rows: rows, inputs: inputs, outputs: outputs) {
            let lda = (inputs + 1) & ~1
            let a = halfScratch(rows * lda)
            let packed = halfScratch(lk_bf16_packed_count(inputs, outputs))
            lk_bf16_convert(rows, inputs, value(x), inputs, a, lda)
            lk_bf16_pack(inputs, outputs, value(weight), outputs, packed)
            lk_bf16_gemm(rows, outputs, inputs, a, lda, packed, value(bias), out, outputs)
        } else {
            for row in 0..<rows { (out + row * outputs).update(from: value(bias), count: outputs) }
            BLAS.sgemm(
                transposeA: false, transposeB: false, m: rows, n: outputs, k: inputs, a: value(x), lda: inputs,
                b: value(weight), ldb: outputs, beta: 1, c: out, ldc: outputs)
        }
        if rectified { lk_relu(rows * outputs, out, out) }
        return result
    }

    /// a + b, where b has a's shape, is one value per column (bias), or is one value.
    public func add(_ a: Variable, _ b: Variable) -> Variable { binary(a, b, .add) }
    /// a − b, broadcasting b as in `add`.
    public func subtract(_ a: Variable, _ b: Variable) -> Variable { binary(a, b, .subtract) }
    /// a ⊙ b, broadcasting b as in `add`.
    public func multiply(_ a: Variable, _ b: Variable) -> Variable { binary(a, b, .multiply) }

    private func binary(_ a: Variable, _ b: Variable, _ kind: BinaryKind) -> Variable {
        let broadcast: Broadcast
        if b.shape.count == a.shape.count && (b.shape == a.shape || b.shape.rank <= 1 || a.shape.rank <= 1) {
            broadcast = .elementwise
        } else if b.shape.count == a.shape.columns && b.shape.rows == 1 {
            broadcast = .row
        } else if b.shape.count == 1 {
            broadcast = .scalar
        } else if b.shape.count == a.shape.rows && b.shape.columns == 1 {
            broadcast = .column
        } else {
            preconditionFailure(
                "cannot combine shapes \(a.shape) and \(b.shape): the second must match the first, "
                    + "be one row of \(a.shape.columns) values, one column of \(a.shape.rows) values, or one value")
        }
        let result = record(.binary(a.index, b.index, kind, broadcast), shape: a.shape, needsGradient: needs(a, b))
        let x = value(a)
        let y = value(b)
        let out = value(result)
        let count = a.shape.count
        let columns = a.shape.columns
        switch broadcast {
        case .elementwise:
            switch kind {
            case .add: zip8(count, x, y, out) { $0 + $1 }
            case .subtract: zip8(count, x, y, out) { $0 - $1 }
            case .multiply: zip8(count, x, y, out) { $0 * $1 }
            }
        case .row:
            for row in 0..<(count / max(columns, 1)) {
                let base = row * columns
                switch kind {
                case .add: zip8(columns, x + base, y, out + base) { $0 + $1 }
                case .subtract: zip8(columns, x + base, y, out + base) { $0 - $1 }
                case .multiply: zip8(columns, x + base, y, out + base) { $0 * $1 }
                }
            }
        case .column, .scalar:
            for row in 0..<(broadcast == .scalar ? 1 : count / max(columns, 1)) {
                let length = broadcast == .scalar ? count : columns
                let base = row * length
                let s = Vector(repeating: y[row])
                switch kind {
                case .add: map8(length, x + base, out + base) { $0 + s }
                case .subtract: map8(length, x + base, out + base) { $0 - s }
                case .multiply: map8(length, x + base, out + base) { $0 * s }
                }
            }
        }
        return result
    }

    /// scale·x + shift, elementwise.
    public func affine(_ x: Variable, scale: Float, shift: Float) -> Variable { unary(x, .affine(scale, shift)) }

    /// An elementwise function of `x`.
    public func unary(_ x: Variable, _ kind: UnaryKind) -> Variable {
        let result = record(.unary(x.index, kind), shape: x.shape, needsGradient: needs(x))
        let input = value(x)
        let out = value(result)
        let count = x.shape.count
        switch kind {
        case .relu: lk_relu(count, input, out)
        case .tanh: for i in 0..<count { out[i] = Foundation.tanh(input[i]) }
        case .sigmoid: lk_sigmoid(count, input, out)
        case .silu: lk_silu(count, input, out)
        case .elu: for i in 0..<count { out[i] = input[i] > 0 ? input[i] : Foundation.expm1(input[i]) }
        case .softplus: for i in 0..<count { out[i] = softplus(input[i]) }
        case .exp: lk_exp(count, input, out)
        case .log: for i in 0..<count { out[i] = Foundation.log(input[i]) }
        case .square: map8(count, input, out) { $0 * $0 }
        case .sqrt: for i in 0..<count { out[i] = input[i].squareRoot() }
        case .abs: for i in 0..<count { out[i] = Swift.abs(input[i]) }
        case .huber(let delta):
            for i in 0..<count {
                let a = Swift.abs(input[i])
                out[i] = a <= delta ? 0.5 * input[i] * input[i] : delta * (a - 0.5 * delta)
            }
        case .clamp(let lower, let upper): for i in 0..<count { out[i] = min(max(input[i], lower), upper) }
        case .affine(let scale, let shift): map8(count, input, out) { $0 * scale + shift }
        }
        return result
    }

    /// The sum of all values, as a scalar.
    public func sum(_ x: Variable) -> Variable {
        let result = record(.sum(x.index), shape: .scalar, needsGradient: needs(x))
        value(result).pointee = total(value(x), x.shape.count)
        return result
    }

    /// The mean of all values, as a scalar.
    public func mean(_ x: Variable) -> Variable {
        let result = record(.mean(x.index), shape: .scalar, needsGradient: needs(x))
        value(result).pointee = total(value(x), x.shape.count) / Float(max(x.shape.count, 1))
        return result
    }

    /// Row sums: [rows…, n] → [rows…, 1].
    public func sumAlongLastAxis(_ x: Variable) -> Variable {
        let result = record(.sumAlongLastAxis(x.index), shape: reducedShape(x.shape), needsGradient: needs(x))
        let input = value(x)
        let out = value(result)
        let columns = x.shape.columns
        for row in 0..<x.shape.rows { out[row] = total(input + row * columns, columns) }
        return result
    }

    /// Row maxima: [rows…, n] → [rows…, 1]; the gradient flows to the (first) largest value of each row.
    public func maxAlongLastAxis(_ x: Variable) -> Variable {
        let offset = integers.count
        let input = value(x)
        let columns = x.shape.columns
        for row in 0..<x.shape.rows {
            let base = input + row * columns
            var best = 0
            for j in 1..<max(columns, 1) where base[j] > base[best] { best = j }
            integers.append(Int32(best))
        }
        let result = record(
            .maxAlongLastAxis(x.index, argmax: offset), shape: reducedShape(x.shape), needsGradient: needs(x))
        let out = value(result)
        for row in 0..<x.shape.rows { out[row] = input[row * columns + Int(integers[offset + row])] }
        return result
    }

    /// One value per row: `x[row, indices[row]]`, as [rows, 1] (Q(s, a) from a row of Q-values).
    public func gather(_ x: Variable, indices: UnsafeBufferPointer<Int32>) -> Variable {
        precondition(x.shape.rank == 2, "gather needs a rank-2 variable; got \(x.shape)")
        precondition(indices.count == x.shape[0], "gather: \(indices.count) indices for \(x.shape[0]) rows")
        let offset = integers.count
        let columns = x.shape[1]
        for index in indices {
            precondition(index >= 0 && Int(index) < columns, "gather: index \(index) outside 0..<\(columns)")
            integers.append(index)
        }
        let result = record(.gather(x.index, indices: offset), shape: [x.shape[0], 1], needsGradient: needs(x))
        let input = value(x)
        let out = value(result)
        for row in 0..<x.shape[0] { out[row] = input[row * columns + Int(integers[offset + row])] }
        return result
    }

    /// `gather` with indices from an array.
    public func gather(_ x: Variable, indices: [Int32]) -> Variable {
        indices.withUnsafeBufferPointer { gather(x, indices: $0) }
    }

    /// [rows, n₁] and [rows, n₂] side by side: [rows, n₁ + n₂].
    public func concatColumns(_ a: Variable, _ b: Variable) -> Variable {
        precondition(
            a.shape.rank == 2 && b.shape.rank == 2 && a.shape[0] == b.shape[0],
            "concatColumns needs rank-2 variables with equal rows; got \(a.shape), \(b.shape)")
        let rows = a.shape[0]
        let (n1, n2) = (a.shape[1], b.shape[1])
        let result = record(.concatColumns(a.index, b.index), shape: [rows, n1 + n2], needsGradient: needs(a, b))
        let out = value(result)
        for row in 0..<rows {
            (out + row * (n1 + n2)).update(from: value(a) + row * n1, count: n1)
            (out + row * (n1 + n2) + n1).update(from: value(b) + row * n2, count: n2)
        }
        return result
    }

    /// Columns `start..<start + count` of a rank-2 variable.
    public func sliceColumns(_ x: Variable, start: Int, count: Int) -> Variable {
        precondition(
            x.shape.rank == 2 && start >= 0 && count >= 0 && start + count <= x.shape[1],
            "sliceColumns \(start)..<\(start + count) outside \(x.shape)")
        let rows = x.shape[0]
        let result = record(.sliceColumns(x.index, start: start), shape: [rows, count], needsGradient: needs(x))
        for row in 0..<rows {
            (value(result) + row * count).update(from: value(x) + row * x.shape[1] + start, count: count)
        }
        return result
    }

    /// The same values under another shape of equal count (no copy).
    public func reshape(_ x: Variable, _ shape: Shape) -> Variable {
        precondition(shape.count == x.shape.count, "reshape \(x.shape) to \(shape): counts differ")
        nodes.append(
            Node(operation: .reshape(x.index), shape: shape, value: value(x), gradient: nil, needsGradient: needs(x)))
        return Variable(index: nodes.count - 1, shape: shape, graph: self)
    }

    /// log(softmax) along the last axis, computed stably.
    public func logSoftmax(_ x: Variable) -> Variable {
        let result = record(.logSoftmax(x.index), shape: x.shape, needsGradient: needs(x))
        let columns = x.shape.columns
        for row in 0..<x.shape.rows {
            let input = value(x) + row * columns
            let out = value(result) + row * columns
            var largest = -Float.infinity
            for j in 0..<columns { largest = max(largest, input[j]) }
            var sum: Float = 0
            for j in 0..<columns { sum += Foundation.exp(input[j] - largest) }
            let logSum = largest + Foundation.log(sum)
            for j in 0..<columns { out[j] = input[j] - logSum }
        }
        return result
    }

    /// Layer normalisation over the last axis with a learned gain and bias (each one value per column).
    public func layerNorm(_ x: Variable, gain: Variable, bias: Variable, epsilon: Float = 1e-5) -> Variable {
        let columns = x.shape.columns
        precondition(
            gain.shape.count == columns && bias.shape.count == columns,
            "layerNorm: gain and bias need \(columns) values each")
        let rows = x.shape.rows
        let statistics = scratch(2 * rows)
        let result = record(
            .layerNorm(x.index, gain: gain.index, bias: bias.index, statistics: statistics), shape: x.shape,
            needsGradient: needs(x) || needs(gain, bias))
        for row in 0..<rows {
            let input = value(x) + row * columns
            let out = value(result) + row * columns
            let mean = total(input, columns) / Float(columns)
            var variance: Float = 0
            for j in 0..<columns { variance += (input[j] - mean) * (input[j] - mean) }
            let inverse = 1 / (variance / Float(columns) + epsilon).squareRoot()
            statistics[2 * row] = mean
            statistics[2 * row + 1] = inverse
            for j in 0..<columns { out[j] = (input[j] - mean) * inverse * value(gain)[j] + value(bias)[j] }
        }
        return result
    }

    /// E independent products: x [E, B, in] (or [B, in], shared by every member) times w [E, in, out] gives
    /// [E, B, out] — the ensemble layer of a world model, one BLAS call per member.
    public func ensembleMatmul(_ x: Variable, _ w: Variable) -> Variable {
        precondition(w.shape.rank == 3, "ensembleMatmul needs weights [E, in, out]; got \(w.shape)")
        let (members, inputs, outputs) = (w.shape[0], w.shape[1], w.shape[2])
        let shared = x.shape.rank == 2
        precondition(
            (shared && x.shape[1] == inputs) || (x.shape.rank == 3 && x.shape[0] == members && x.shape[2] == inputs),
            "ensembleMatmul: input \(x.shape) does not fit weights \(w.shape)")
        let batch = shared ? x.shape[0] : x.shape[1]
        let result = record(
            .ensembleMatmul(x.index, w.index), shape: [members, batch, outputs], needsGradient: needs(x, w))
        for member in 0..<members {
            BLAS.sgemm(
                transposeA: false, transposeB: false, m: batch, n: outputs, k: inputs,
                a: value(x) + (shared ? 0 : member * batch * inputs), lda: inputs,
                b: value(w) + member * inputs * outputs, ldb: outputs, beta: 0,
                c: value(result) + member * batch * outputs, ldc: outputs)
        }
        return result
    }

    /// Adds each member's bias b [E, out] to every row of that member's slice of x [E, B, out].
    public func ensembleBias(_ x: Variable, _ b: Variable) -> Variable {
        precondition(x.shape.rank == 3, "ensembleBias needs x [E, B, out]; got \(x.shape)")
        let (members, batch, outputs) = (x.shape[0], x.shape[1], x.shape[2])
        precondition(b.shape.count == members * outputs, "ensembleBias: bias \(b.shape) does not fit \(x.shape)")
        let result = record(.ensembleBias(x.index, b.index), shape: x.shape, needsGradient: needs(x, b))
        for member in 0..<members {
            let bias = value(b) + member * outputs
            for row in 0..<batch {
                let base = (member * batch + row) * outputs
                zip8(outputs, value(x) + base, bias, value(result) + base) { $0 + $1 }
            }
        }
        return result
    }

    private func reducedShape(_ shape: Shape) -> Shape {
        var dimensions = shape.dimensions
        if dimensions.isEmpty { return .scalar }
        dimensions[dimensions.count - 1] = 1
        return Shape(dimensions)
    }
}

@inline(__always) func total(_ values: UnsafePointer<Float>, _ count: Int) -> Float {
    var sum: Float = 0
    for i in 0..<count { sum += values[i] }
    return sum
}

@inline(__always) func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    var sum: Float = 0
    for i in 0..<count { sum += a[i] * b[i] }
    return sum
}

@inline(__always) func sigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
    let e = Foundation.exp(x)
    return e / (1 + e)
}

@inline(__always) func softplus(_ x: Float) -> Float {
    max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x)))
}

extension Graph {
    /// The column of the largest value in each row of `x` (the first on ties): greedy actions from Q-values.
    /// Not differentiable; writes into `indices`, which must hold one entry per row.
    public func argmax(_ x: Variable, into indices: UnsafeMutableBufferPointer<Int32>) {
        let columns = x.shape.columns
        precondition(indices.count == x.shape.rows, "argmax: \(indices.count) slots for \(x.shape.rows) rows")
        let input = value(x)
        for row in 0..<x.shape.rows {
            let base = input + row * columns
            var best = 0
            for j in 1..<max(columns, 1) where base[j] > base[best] { best = j }
            indices[row] = Int32(best)
        }
    }

    /// `argmax(_:into:)` returning a new array.
    public func argmax(_ x: Variable) -> [Int32] {
        [Int32](unsafeUninitializedCapacity: x.shape.rows) { buffer, count in
            argmax(x, into: buffer)
            count = x.shape.rows
        }
    }
}
