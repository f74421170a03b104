/// A tape of operations with reverse-mode differentiation: record a computation by calling operations on
/// `Variable`s, then `backward(loss)` accumulates d(loss)/d(parameter) into the parameters' gradient buffers.
///
/// Values and intermediate gradients live in an arena that `reset()` rewinds without freeing, so a training
/// loop that records the same computation every step allocates nothing after its first step. Every built-in
/// operation has a hand-written derivative (BLAS for matrix products); each is checked against finite
/// differences in the tests.
///
/// ```swift
/// let store = ParameterStore()
/// var random = RandomStream(seed: 1)
/// let net = MLP([4, 64, 64, 2], activation: .relu, store: store, random: &random)
/// let graph = Graph()
/// let optimizer = Adam(store: store, learningRate: 1e-3)
/// for batch in batches {
///     graph.reset()
///     let prediction = net(graph.input(batch.observations))
///     let loss = mse(prediction, graph.input(batch.targets))
///     graph.backward(loss)
///     optimizer.step()            // uses and then zeroes store.gradients
/// }
/// ```
///
/// A graph is used by one thread at a time. Variables are valid until the next `reset()`.
public final class Graph {
    struct Node {
        var operation: Operation
        var shape: Shape
        var value: UnsafeMutablePointer<Float>
        var gradient: UnsafeMutablePointer<Float>?
        var needsGradient: Bool
        /// During `backward`: the gradient buffer is zero in meaning but not yet written — the first contribution
        /// writes it instead of adding to it, which saves clearing large buffers that a product overwrites anyway.
        var gradientPending = false
    }

    var nodes: ContiguousArray<Node> = []
    /// Integer side data of operations (gather indices, argmax positions), rewound with the tape.
    var integers: ContiguousArray<Int32> = []
    private var arena = Arena<Float>()
    /// bfloat16 operands of the products at `.bfloat16` precision, rewound with the tape.
    private var halves = Arena<UInt16>()
    /// With a lane, `backward` computes a large matrix product's two gradients (input and weight) on two
    /// threads. The numbers are the same either way.
    public var lane: Lane?
    /// Parameters of this store are recorded as constants: gradients flow through them to their inputs, but none
    /// is computed for them — e.g. SAC's actor loss, differentiated through critics that it must not train.
    public var constantStore: ParameterStore?
    /// Gradient buffers from this many values are written by their first contribution rather than cleared first
    /// (smaller ones cost less to clear than to track; tests lower it to compare the two ways).
    var pendingGradientSize = 4096
    /// Multiply-adds (m·n·k) from which a product's two gradients are worth splitting over the lane (~10 µs).
    public static let laneProductSize = 1 << 18
    /// The precision of the large hidden-to-hidden layer products of `linear`; set it before recording.
    public var matmulPrecision = MatmulPrecision.float32 {
        didSet { precondition(matmulPrecision.unavailability == nil, matmulPrecision.unavailability ?? "") }
    }

    public init() {
        BLAS.configure()
        nodes.reserveCapacity(64)
    }

    /// Forgets every recorded operation; the memory is kept for the next computation.
    public func reset() {
        nodes.removeAll(keepingCapacity: true)
        integers.removeAll(keepingCapacity: true)
        arena.rewind()
        halves.rewind()
    }

    /// The number of Float32 values the arena holds (grows to the largest step seen, then stays).
    public var arenaCapacity: Int { arena.capacity }

    // MARK: Leaves

    /// Records a copy of `tensor` as an input. With `requiresGradient`, `gradient(of:)` reports d(loss)/d(input).
    public func input(_ tensor: Tensor, requiresGradient: Bool = false) -> Variable {
        tensor.scalars.withUnsafeBufferPointer { input($0, shape: tensor.shape, requiresGradient: requiresGradient) }
    }

    /// Records a copy of `values` (row-major, filling `shape`) as an input.
    public func input(_ values: UnsafeBufferPointer<Float>, shape: Shape, requiresGradient: Bool = false) -> Variable {
        precondition(values.count == shape.count, "\(values.count) values do not fill shape \(shape)")
        let variable = record(.input, shape: shape, needsGradient: requiresGradient)
        if let base = values.baseAddress { nodes[variable.index].value.update(from: base, count: values.count) }
        return variable
    }

    /// Records `value` as a constant scalar.
    public func constant(_ value: Float) -> Variable {
        let variable = record(.input, shape: .scalar, needsGradient: false)
        nodes[variable.index].value.pointee = value
        return variable
    }

    /// Records a parameter: its value is read from, and its gradient accumulated into, the parameter's store
    /// (unless the store is `constantStore`).
    public func parameter(_ parameter: Parameter) -> Variable {
        let store = parameter.store
        let constant = store === constantStore
        nodes.append(
            Node(
                operation: .parameter, shape: parameter.shape, value: store.valuePointer(parameter),
                gradient: constant ? nil : store.gradientPointer(parameter), needsGradient: !constant))
        return Variable(index: nodes.count - 1, shape: parameter.shape, graph: self)
    }

    // MARK: Reading results

    /// The values of `variable` (valid until the next `reset()`).
    public func values(of variable: Variable) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: nodes[variable.index].value, count: variable.shape.count)
    }

    /// A copy of `variable`'s values.
    public func tensor(_ variable: Variable) -> Tensor {
        Tensor(shape: variable.shape, scalars: Array(values(of: variable)))
    }

    /// After `backward`: d(loss)/d(`variable`) for an input recorded with `requiresGradient` (or any
    /// intermediate value on the path to the loss); `nil` when no gradient flows there.
    public func gradient(of variable: Variable) -> UnsafeBufferPointer<Float>? {
        nodes[variable.index].gradient.map { UnsafeBufferPointer(start: $0, count: variable.shape.count) }
    }

    // MARK: Differentiation

    /// Accumulates d(`loss`)/d(x) into the gradient of every parameter and every input that requires a
    /// gradient. `loss` must hold one value. Parameter gradients add up across calls until zeroed (optimizers
    /// zero them after each step), so several losses can be combined by calling `backward` on each.
    public func backward(_ loss: Variable) {
        precondition(loss.shape.count == 1, "backward needs a loss with one value; got shape \(loss.shape)")
        var one: Float = 1
        withUnsafePointer(to: &one) { backward(loss, seed: UnsafeBufferPointer(start: $0, count: 1)) }
    }

    /// The vector–Jacobian product: accumulates the gradients of ⟨`output`, `seed`⟩ — as `backward(loss)` does for
    /// a loss — where `seed` is d(loss)/d(`output`) from a computation recorded elsewhere (another graph, another
    /// thread), so that graph's loss reaches this graph's parameters and inputs.
    ///
    /// ```swift
    /// let q = critic(graph.concatColumns(states, actions))   // actions: an input with requiresGradient
    /// graph.backward(q, seed: dLossdQ)                        // dLossdQ: q.shape.count values
    /// let dLossdActions = graph.gradient(of: actions)!
    /// ```
    public func backward(_ output: Variable, seed: UnsafeBufferPointer<Float>) {
        precondition(
            seed.count == output.shape.count,
            "backward: \(seed.count) seed values for an output of shape \(output.shape)")
        guard nodes[output.index].needsGradient else { return }
        for index in 0...output.index where nodes[index].needsGradient {
            if case .parameter = nodes[index].operation { continue }
            if case .reshape(let source) = nodes[index].operation {
                settleGradient(source)
                nodes[index].gradient = nodes[source].gradient
                continue
            }
            let count = nodes[index].shape.count
            let gradient = nodes[index].gradient ?? arena.allocate(count)
            nodes[index].gradient = gradient
            if count >= pendingGradientSize {
                nodes[index].gradientPending = true
            } else {
                gradient.initialize(repeating: 0, count: count)
            }
        }
        if let gradient = nodes[output.index].gradient, let values = seed.baseAddress {
            settleGradient(output.index)
            addScaled(seed.count, 1, values, into: gradient)
        }
        for index in stride(from: output.index, through: 0, by: -1)
        where nodes[index].needsGradient && !nodes[index].gradientPending {
            propagate(index)
        }
        // Nodes that nothing flowed into (they pass nothing on) read as zero.
        for index in 0...output.index where nodes[index].gradientPending { settleGradient(index) }
    }

    /// Clears `index`'s gradient if it is pending, so that contributions can be added to it.
    @inline(__always) func settleGradient(_ index: Int) {
        guard nodes[index].gradientPending, let gradient = nodes[index].gradient else { return }
        gradient.initialize(repeating: 0, count: nodes[index].shape.count)
        nodes[index].gradientPending = false
    }

    /// Whether `index`'s gradient is pending — then the caller writes its contribution instead of adding it. Either
    /// way, the gradient holds a value from here on.
    @inline(__always) func claimGradient(_ index: Int) -> Bool {
        defer { nodes[index].gradientPending = false }
        return nodes[index].gradientPending
    }

    // MARK: Recording

    /// Appends a node whose value buffer comes from the arena.
    func record(_ operation: Operation, shape: Shape, needsGradient: Bool) -> Variable {
        nodes.append(
            Node(
                operation: operation, shape: shape, value: arena.allocate(shape.count), gradient: nil,
                needsGradient: needsGradient))
        return Variable(index: nodes.count - 1, shape: shape, graph: self)
    }

    /// Scratch memory from the arena, valid until `reset()`.
    func scratch(_ count: Int) -> UnsafeMutablePointer<Float> { arena.allocate(count) }

    /// bfloat16 scratch, valid until `reset()`.
    func halfScratch(_ count: Int) -> UnsafeMutablePointer<UInt16> { halves.allocate(count) }

    /// Whether a `linear` layer of these sizes computes its products in bfloat16 (see `MatmulPrecision`).
    func reducedPrecision(rows: Int, inputs: Int, outputs: Int) -> Bool {
        matmulPrecision == .bfloat16 && inputs >= 32 && outputs >= 32 && rows * inputs * outputs >= Self.laneProductSize
    }

    @inline(__always) func value(_ variable: Variable) -> UnsafeMutablePointer<Float> { nodes[variable.index].value }
    @inline(__always) func needs(_ variable: Variable) -> Bool { nodes[variable.index].needsGradient }
    @inline(__always) func needs(_ first: Variable, _ second: Variable) -> Bool {
        nodes[first.index].needsGradient || nodes[second.index].needsGradient
    }

    deinit {
        arena.release()
        halves.release()
    }
}

/// Bump allocation of values in blocks that are never moved while a computation is recorded; on rewind, blocks
/// are merged into one so that the next computation of the same size fits without allocating.
struct Arena<Element> {
    private var blocks: [(pointer: UnsafeMutablePointer<Element>, capacity: Int)] = []
    private var used = 0

    var capacity: Int { blocks.reduce(0) { $0 + $1.capacity } }

    /// Values per 64-byte cache line.
    private static var perLine: Int { max(1, 64 / MemoryLayout<Element>.stride) }

    mutating func allocate(_ count: Int) -> UnsafeMutablePointer<Element> {
        // Whole 64-byte lines keep every buffer on its own cache lines, as BLAS likes.
        let rounded = (max(count, 1) + Self.perLine - 1) / Self.perLine * Self.perLine
        if let last = blocks.last, used + rounded <= last.capacity {
            defer { used += rounded }
            return last.pointer + used
        }
        let capacity = max(rounded, (blocks.last?.capacity ?? 4096) * 2)
        let pointer = UnsafeMutableRawPointer.allocate(
            byteCount: capacity * MemoryLayout<Element>.stride, alignment: 64
        ).bindMemory(to: Element.self, capacity: capacity)
        blocks.append((pointer, capacity))
        used = rounded
        return pointer
    }

    mutating func rewind() {
        if blocks.count > 1 {
            let total = capacity
            for block in blocks { block.pointer.deallocate() }
            let pointer = UnsafeMutableRawPointer.allocate(
                byteCount: total * MemoryLayout<Element>.stride, alignment: 64
            ).bindMemory(to: Element.self, capacity: total)
            blocks = [(pointer, total)]
        }
        used = 0
    }

    func release() {
        for block in blocks { block.pointer.deallocate() }
    }
}
