import CKernels

/// A ReLU MLP's values at a batch, recorded on a graph with its hidden layers kept: what
/// `MLP.inputGradient(of:rows:seeds:into:workspace:)` differentiates. Valid until the graph's `reset()`.
public struct MLPPass {
    /// The batch the MLP was applied to.
    public let input: Variable
    /// The MLP's values at it, one row per row of `input`.
    public let output: Variable
    /// Each hidden layer's output (after its ReLU), first layer first.
    let hidden: [Variable]
}

extension MLP {
    /// Records the MLP on `input`'s graph — the same nodes and numbers as `self(input)` — keeping the hidden layers
    /// for `inputGradient(of:rows:seeds:into:workspace:)`.
    ///
    /// ```swift
    /// let pass = critic.pass(graph.input(batch, shape: [256, 4]))
    /// let values = pass.output.values
    /// ```
    public func pass(_ input: Variable) -> MLPPass {
        precondition(
            activation == .relu && outputActivation == .identity && layers.allSatisfy { $0.bias != nil },
            "MLP.pass: needs ReLU hidden layers with biases and an identity output")
        var x = input
        var hidden: [Variable] = []
        for index in layers.indices {
            let last = index == layers.count - 1
            x = layers[index](x, activation: last ? .identity : .relu)
            if !last { hidden.append(x) }
        }
        return MLPPass(input: input, output: x, hidden: hidden)
    }

    /// The fewest rows `inputGradient` multiplies at once.
    static let minimumRows = 8

    /// d(seeds[r] · output[r])/d(input[r]) for each row r listed in `rows` only, written over those rows of
    /// `gradient` (`input`'s shape, row-major; other rows untouched) — the numbers `Graph.backward` gives for them
    /// with `seeds` as the output's gradient, at the cost of the listed rows alone. Bit for bit where BLAS sums a
    /// product the same way for any row count (the bf16 kernel, OpenBLAS's SkylakeX sgemm); to float rounding where
    /// it does not (OpenBLAS's Haswell and Zen sgemm). A scalar output is needed; the weights are read as they are
    /// now (the pass's values are not recomputed).
    ///
    /// Why: where most rows' seeds are zero — the gradient of min(Q1, Q2) reaches each row through one critic only —
    /// the backward pass over the whole batch spends half its products on zeros. Different calls may run at once on
    /// different threads when their rows differ and each has its own `workspace`.
    ///
    /// ```swift
    /// critic.inputGradient(of: pass, rows: lowerRows, seeds: seeds, into: gradient, workspace: workspace)
    /// ```
    public func inputGradient(
        of pass: MLPPass, rows: UnsafeBufferPointer<Int32>, seeds: UnsafePointer<Float>,
        into gradient: UnsafeMutablePointer<Float>, workspace: InputGradientWorkspace
    ) {
        let count = rows.count
        guard count > 0 else { return }
        let graph = pass.output.owner
        precondition(pass.output.shape[1] == 1, "MLP.inputGradient: needs a scalar output, not \(pass.output.shape)")
        let batchRows = pass.output.shape[0]
        // OpenBLAS's SkylakeX sgemm sums a product of one to four rows in another order (measured): fewer rows are
        // padded with zero seeds to `minimumRows`, which keeps the whole batch's numbers there.
        let padded = max(count, Self.minimumRows)
        let widest = layers.reduce(1) { max($0, $1.weight.shape[0], $1.weight.shape[1]) }
        var current = workspace.floats(2 * padded * widest)
        var next = current + padded * widest
        for (position, row) in rows.enumerated() { current[position] = seeds[Int(row)] }
        for position in count..<padded { current[position] = 0 }
        for index in layers.indices.reversed() {
            let (inputs, outputs) = (layers[index].weight.shape[0], layers[index].weight.shape[1])
            let weight = UnsafePointer(layers[index].weight.store.values(of: layers[index].weight).baseAddress!)
            // `Graph.backward`'s product for a `linear` node, with its precision rule for the whole batch.
            var halves: (converted: UnsafeMutablePointer<UInt16>, packed: UnsafeMutablePointer<UInt16>)?
            if graph.reducedPrecision(rows: batchRows, inputs: inputs, outputs: outputs) {
                let converted = padded * ((outputs + 1) & ~1)
                let scratch = workspace.halves(converted + lk_bf16_packed_count(outputs, inputs))
                halves = (scratch, scratch + converted)
            }
            Graph.layerInputGradient(
                rows: padded, inputs: inputs, outputs: outputs, upstream: current, weight: weight, beta: 0, into: next,
                halves: halves)
            if index > 0 {
                // Through the previous layer's ReLU: its output's sign, read at the listed rows (padding stays 0).
                let values = graph.value(pass.hidden[index - 1])
                for (position, row) in rows.enumerated() {
                    lk_relu_mask(inputs, values + Int(row) * inputs, next + position * inputs)
                }
            }
            swap(&current, &next)
        }
        let inputs = layers[0].weight.shape[0]
        for (position, row) in rows.enumerated() {
            (gradient + Int(row) * inputs).update(from: current + position * inputs, count: inputs)
        }
    }
}

/// Scratch memory for `MLP.inputGradient(of:rows:seeds:into:workspace:)` on one thread: allocated on first use,
/// grown when a call needs more, then reused.
public final class InputGradientWorkspace {
    private var floatBuffer = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
    private var halfBuffer = UnsafeMutableBufferPointer<UInt16>(start: nil, count: 0)

    public init() {}

    func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
        if floatBuffer.count < count {
            floatBuffer.deallocate()
            floatBuffer = .allocate(capacity: count)
        }
        return floatBuffer.baseAddress!
    }

    func halves(_ count: Int) -> UnsafeMutablePointer<UInt16> {
        if halfBuffer.count < count {
            halfBuffer.deallocate()
            halfBuffer = .allocate(capacity: count)
        }
        return halfBuffer.baseAddress!
    }

    deinit {
        floatBuffer.deallocate()
        halfBuffer.deallocate()
    }
}
