import CKernels
import Foundation

/// The reverse pass: each operation adds its contribution d(loss)/d(input) = J(input)ᵀ · d(loss)/d(output) to the
/// gradients of its inputs. Checked against finite differences in Tests/NeuralTests.
extension Graph {
    func propagate(_ index: Int) {
        let node = nodes[index]
        guard let upstream = node.gradient else { return }
        // Products write a pending input gradient (BLAS's β = 0); everything else adds to a cleared one.
        switch node.operation {
        case .matmul, .linear: break
        default: node.operation.forEachSource { settleGradient($0) }
        }
        switch node.operation {
        case .input, .parameter, .reshape:
            return
        case .matmul(let a, let b, let transposeA, let transposeB):
            propagateMatmul(upstream, a, b, transposeA, transposeB, node.shape)
        case .linear(let x, let w, let bias, let rectified):
            // The ReLU's derivative masks the upstream gradient in place: it becomes d(loss)/d(x·W + b).
            if rectified { lk_relu_mask(node.shape.count, node.value, upstream) }
            propagateMatmul(upstream, x, w, false, false, node.shape, bias: bias)
        case .binary(let a, let b, let kind, let broadcast):
            propagateBinary(upstream, a, b, kind, broadcast, node.shape)
        case .unary(let x, let kind):
            propagateUnary(upstream, x, kind, node)
        case .sum(let x):
            guard let dx = nodes[x].gradient else { return }
            let g = Vector(repeating: upstream.pointee)
            map8(nodes[x].shape.count, dx, dx) { $0 + g }
        case .mean(let x):
            guard let dx = nodes[x].gradient else { return }
            let count = nodes[x].shape.count
            let g = Vector(repeating: upstream.pointee / Float(max(count, 1)))
            map8(count, dx, dx) { $0 + g }
        case .sumAlongLastAxis(let x):
            guard let dx = nodes[x].gradient else { return }
            let columns = nodes[x].shape.columns
            for row in 0..<nodes[x].shape.rows {
                let g = upstream[row]
                for j in 0..<columns { dx[row * columns + j] += g }
            }
        case .maxAlongLastAxis(let x, let argmax):
            guard let dx = nodes[x].gradient else { return }
            let columns = nodes[x].shape.columns
            for row in 0..<nodes[x].shape.rows { dx[row * columns + Int(integers[argmax + row])] += upstream[row] }
        case .gather(let x, let indices):
            guard let dx = nodes[x].gradient else { return }
            let columns = nodes[x].shape[1]
            for row in 0..<nodes[x].shape[0] { dx[row * columns + Int(integers[indices + row])] += upstream[row] }
        case .concatColumns(let a, let b):
            let (n1, n2) = (nodes[a].shape[1], nodes[b].shape[1])
            for row in 0..<node.shape[0] {
                if let da = nodes[a].gradient {
                    for j in 0..<n1 { da[row * n1 + j] += upstream[row * (n1 + n2) + j] }
                }
                if let db = nodes[b].gradient {
                    for j in 0..<n2 { db[row * n2 + j] += upstream[row * (n1 + n2) + n1 + j] }
                }
            }
        case .sliceColumns(let x, let start):
            guard let dx = nodes[x].gradient else { return }
            let (columns, count) = (nodes[x].shape[1], node.shape[1])
            for row in 0..<node.shape[0] {
                for j in 0..<count { dx[row * columns + start + j] += upstream[row * count + j] }
            }
        case .logSoftmax(let x):
            guard let dx = nodes[x].gradient else { return }
            let columns = node.shape.columns
            for row in 0..<node.shape.rows {
                let g = upstream + row * columns
                let y = node.value + row * columns
                let total = total(g, columns)
                for j in 0..<columns { dx[row * columns + j] += g[j] - Foundation.exp(y[j]) * total }
            }
        case .layerNorm(let x, let gain, let bias, let statistics):
            propagateLayerNorm(upstream, x, gain, bias, statistics, node.shape)
        case .ensembleMatmul(let x, let w):
            propagateEnsembleMatmul(upstream, x, w, node.shape)
        case .ensembleBias(let x, let b):
            let (members, batch, outputs) = (node.shape[0], node.shape[1], node.shape[2])
            if let dx = nodes[x].gradient { addScaled(node.shape.count, 1, upstream, into: dx) }
            if let db = nodes[b].gradient {
                for member in 0..<members {
                    for row in 0..<batch {
                        addScaled(outputs, 1, upstream + (member * batch + row) * outputs, into: db + member * outputs)
                    }
                }
            }
        }
    }

    /// A layer's input gradient from its output gradient: dX = dY · Wᵀ (β = 0) or dX += dY · Wᵀ (β = 1), with dY
    /// `rows` × `outputs`, W `inputs` × `outputs` and dX `rows` × `inputs`, rows packed. With `halves` — scratch
    /// for dY in bf16 (`rows` × `outputs` rounded up to even) and W packed transposed
    /// (`lk_bf16_packed_count(outputs, inputs)`) — the product takes bf16 operands; without, it is float32 `sgemm`.
    /// `Graph.backward` and `MLP.inputGradient` both take a layer's input gradient here, so they agree to the bit.
    static func layerInputGradient(
        rows m: Int, inputs k: Int, outputs n: Int, upstream: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        beta: Float, into dx: UnsafeMutablePointer<Float>,
        halves: (converted: UnsafeMutablePointer<UInt16>, packed: UnsafeMutablePointer<UInt16>)?
    ) {
        guard let (converted, packed) = halves else {
            BLAS.sgemm(
                transposeA: false, transposeB: true, m: m, n: k, k: n, a: upstream, lda: n, b: weight, ldb: n,
                beta: beta, c: dx, ldc: k)
            return
        }
        // The bf16 kernel only accumulates: β = 0 clears first.
        if beta == 0 { dx.initialize(repeating: 0, count: m * k) }
        let ldg = (n + 1) & ~1
        lk_bf16_convert(m, n, upstream, n, converted, ldg)
        lk_bf16_pack_transposed(n, k, weight, n, packed)
        lk_bf16_gemm(m, k, n, converted, ldg, packed, nil, dx, k)
    }

    /// A product's gradients; with `bias`, also the bias's of `linear` (its column sums, beside the weight's).
    private func propagateMatmul(
        _ dc: UnsafeMutablePointer<Float>, _ a: Int, _ b: Int, _ ta: Bool, _ tb: Bool, _ shape: Shape,
        bias: Int? = nil
    ) {
        let (m, n) = (shape[0], shape[1])
        let (aRows, aColumns) = (nodes[a].shape[0], nodes[a].shape[1])
        let bColumns = nodes[b].shape[1]
        let k = ta ? aRows : aColumns
        let av = nodes[a].value
        let bv = nodes[b].value
        let da = nodes[a].gradient
        let db = nodes[b].gradient
        // At bfloat16 precision a hidden-to-hidden layer's gradient products take bf16 operands: dC·Wᵀ with W packed
        // transposed, Xᵀ·dC with X converted transposed. Their scratch comes from the arena here, before any split
        // over the lane.
        let reduced = bias != nil && reducedPrecision(rows: m, inputs: k, outputs: n)
        let (ldg, ldx) = ((n + 1) & ~1, (m + 1) & ~1)
        let inputHalves = reduced && da != nil ? (halfScratch(m * ldg), halfScratch(lk_bf16_packed_count(n, k))) : nil
        let weightHalves = reduced && db != nil ? (halfScratch(k * ldx), halfScratch(lk_bf16_packed_count(m, n))) : nil
        // A pending input gradient is written: β = 0 (the bf16 kernel only accumulates, so it is cleared for it).
        if a == b { settleGradient(a) }
        settleGradient(b)
        if let bias { settleGradient(bias) }
        let inputBeta: Float = claimGradient(a) ? 0 : 1
        func inputGradient(_ da: UnsafeMutablePointer<Float>) {
            if !ta && !tb {
                Self.layerInputGradient(
                    rows: m, inputs: k, outputs: n, upstream: dc, weight: bv, beta: inputBeta, into: da,
                    halves: inputHalves)
            } else if !ta {
                // dA (m×k) += dC · op(B)ᵀ, op(B) = Bᵀ
                BLAS.sgemm(
                    transposeA: false, transposeB: !tb, m: m, n: k, k: n, a: dc, lda: n, b: bv, ldb: bColumns,
                    beta: inputBeta, c: da, ldc: aColumns)
            } else {
                // A is k×m: dA += op(B) · dCᵀ
                BLAS.sgemm(
                    transposeA: tb, transposeB: true, m: k, n: m, k: n, a: bv, lda: bColumns, b: dc, ldb: n,
                    beta: inputBeta, c: da, ldc: aColumns)
            }
        }
        func weightGradient(_ db: UnsafeMutablePointer<Float>) {
            if let (x, packed) = weightHalves {
                lk_bf16_convert_transposed(k, m, av, aColumns, x, ldx)
                lk_bf16_pack(m, n, dc, n, packed)
                lk_bf16_gemm(k, n, m, x, ldx, packed, nil, db, bColumns)
            } else if !tb {
                // dB (k×n) += op(A)ᵀ · dC
                BLAS.sgemm(
                    transposeA: !ta, transposeB: false, m: k, n: n, k: m, a: av, lda: aColumns, b: dc, ldb: n,
                    beta: 1, c: db, ldc: bColumns)
            } else {
                // B is n×k: dB += dCᵀ · op(A)
                BLAS.sgemm(
                    transposeA: true, transposeB: ta, m: n, n: k, k: m, a: dc, lda: n, b: av, ldb: aColumns,
                    beta: 1, c: db, ldc: bColumns)
            }
        }
        // The two products read the same operands and write different buffers: with a lane, large ones run at once.
        // The input gradient stays here because it reads the weights, which this thread's forward pass and optimizer
        // use too: weights written on one core and read on the other cost more than the split saves (DQN's Adam step
        // took 32 µs this way round, 108 µs the other).
        let dbias = bias.flatMap { nodes[$0].gradient }
        func parameterGradients() {
            if let db { weightGradient(db) }
            if let dbias { for row in 0..<m { addScaled(n, 1, dc + row * n, into: dbias) } }
        }
        if let da, db != nil || dbias != nil, let lane, m * n * k >= Self.laneProductSize {
            lane.run {
                inputGradient(da)
            } alongside: {
                parameterGradients()
            }
            return
        }
        if let da { inputGradient(da) }
        parameterGradients()
    }

    private func propagateBinary(
        _ g: UnsafeMutablePointer<Float>, _ a: Int, _ b: Int, _ kind: BinaryKind, _ broadcast: Broadcast,
        _ shape: Shape
    ) {
        let count = shape.count
        let columns = shape.columns
        let x = nodes[a].value
        let y = nodes[b].value
        let rows = count / max(columns, 1)
        if let da = nodes[a].gradient {
            switch (kind, broadcast) {
            case (.add, _), (.subtract, _): addScaled(count, 1, g, into: da)
            case (.multiply, .elementwise): accumulate8(count, g, y, into: da) { $0 * $1 }
            case (.multiply, .row):
                for row in 0..<rows { accumulate8(columns, g + row * columns, y, into: da + row * columns) { $0 * $1 } }
            case (.multiply, .column):
                for row in 0..<rows { addScaled(columns, y[row], g + row * columns, into: da + row * columns) }
            case (.multiply, .scalar): addScaled(count, y[0], g, into: da)
            }
        }
        if let db = nodes[b].gradient {
            let sign: Float = kind == .subtract ? -1 : 1
            switch (kind, broadcast) {
            case (.add, .elementwise), (.subtract, .elementwise): addScaled(count, sign, g, into: db)
            case (.add, .row), (.subtract, .row):
                for row in 0..<rows { addScaled(columns, sign, g + row * columns, into: db) }
            case (.add, .column), (.subtract, .column):
                for row in 0..<rows { db[row] += sign * total(g + row * columns, columns) }
            case (.add, .scalar), (.subtract, .scalar): db[0] += sign * total(g, count)
            case (.multiply, .elementwise): accumulate8(count, g, x, into: db) { $0 * $1 }
            case (.multiply, .row):
                for row in 0..<rows { accumulate8(columns, g + row * columns, x + row * columns, into: db) { $0 * $1 } }
            case (.multiply, .column):
                for row in 0..<rows { db[row] += dot(g + row * columns, x + row * columns, columns) }
            case (.multiply, .scalar): db[0] += dot(g, x, count)
            }
        }
    }

    private func propagateUnary(_ g: UnsafeMutablePointer<Float>, _ source: Int, _ kind: UnaryKind, _ node: Node) {
        guard let dx = nodes[source].gradient else { return }
        let x = nodes[source].value
        let y = node.value
        let count = node.shape.count
        switch kind {
        case .relu: lk_relu_backward(count, g, x, dx)
        case .tanh: for i in 0..<count { dx[i] += g[i] * (1 - y[i] * y[i]) }
        case .sigmoid: accumulate8(count, g, y, into: dx) { $0 * $1 * (1 - $1) }
        case .silu: lk_silu_backward(count, g, x, dx)
        case .elu: for i in 0..<count { dx[i] += g[i] * (x[i] > 0 ? 1 : y[i] + 1) }
        case .softplus: for i in 0..<count { dx[i] += g[i] * sigmoid(x[i]) }
        case .exp: accumulate8(count, g, y, into: dx) { $0 * $1 }
        case .log: for i in 0..<count { dx[i] += g[i] / x[i] }
        case .square: accumulate8(count, g, x, into: dx) { 2 * $0 * $1 }
        case .sqrt: for i in 0..<count { dx[i] += g[i] * 0.5 / y[i] }
        case .abs: for i in 0..<count { dx[i] += x[i] > 0 ? g[i] : x[i] < 0 ? -g[i] : 0 }
        case .huber(let delta): for i in 0..<count { dx[i] += g[i] * min(max(x[i], -delta), delta) }
        case .clamp(let lower, let upper): for i in 0..<count where x[i] > lower && x[i] < upper { dx[i] += g[i] }
        case .affine(let scale, _): addScaled(count, scale, g, into: dx)
        }
    }

    private func propagateLayerNorm(
        _ g: UnsafeMutablePointer<Float>, _ x: Int, _ gain: Int, _ bias: Int,
        _ statistics: UnsafeMutablePointer<Float>, _ shape: Shape
    ) {
        let columns = shape.columns
        let n = Float(columns)
        let gamma = nodes[gain].value
        for row in 0..<shape.rows {
            let input = nodes[x].value + row * columns
            let gradient = g + row * columns
            let (mean, inverse) = (statistics[2 * row], statistics[2 * row + 1])
            var sumDxhat: Float = 0
            var sumDxhatXhat: Float = 0
            for j in 0..<columns {
                let xhat = (input[j] - mean) * inverse
                let dxhat = gradient[j] * gamma[j]
                sumDxhat += dxhat
                sumDxhatXhat += dxhat * xhat
                nodes[gain].gradient?[j] += gradient[j] * xhat
                nodes[bias].gradient?[j] += gradient[j]
            }
            if let dx = nodes[x].gradient {
                for j in 0..<columns {
                    let xhat = (input[j] - mean) * inverse
                    let dxhat = gradient[j] * gamma[j]
                    dx[row * columns + j] += inverse / n * (n * dxhat - sumDxhat - xhat * sumDxhatXhat)
                }
            }
        }
    }

    private func propagateEnsembleMatmul(_ g: UnsafeMutablePointer<Float>, _ x: Int, _ w: Int, _ shape: Shape) {
        let (members, batch, outputs) = (shape[0], shape[1], shape[2])
        let inputs = nodes[w].shape[1]
        let shared = nodes[x].shape.rank == 2
        for member in 0..<members {
            let gm = g + member * batch * outputs
            let xm = nodes[x].value + (shared ? 0 : member * batch * inputs)
            let wm = nodes[w].value + member * inputs * outputs
            if let dx = nodes[x].gradient {
                BLAS.sgemm(
                    transposeA: false, transposeB: true, m: batch, n: inputs, k: outputs, a: gm, lda: outputs, b: wm,
                    ldb: outputs, beta: 1, c: dx + (shared ? 0 : member * batch * inputs), ldc: inputs)
            }
            if let dw = nodes[w].gradient {
                BLAS.sgemm(
                    transposeA: true, transposeB: false, m: inputs, n: outputs, k: batch, a: xm, lda: inputs, b: gm,
                    ldb: outputs, beta: 1, c: dw + member * inputs * outputs, ldc: outputs)
            }
        }
    }
}
