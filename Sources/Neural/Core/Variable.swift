/// A value recorded on a `Graph`: the result of an input, a parameter or an operation. Cheap to copy.
///
/// Arithmetic operators record operations on the same graph:
/// ```swift
/// let y = (x * 2 + bias).relu()
/// ```
public struct Variable {
    /// Position on the graph's tape.
    public let index: Int
    public let shape: Shape
    unowned(unsafe) let graph: Graph

    init(index: Int, shape: Shape, graph: Graph) {
        self.index = index
        self.shape = shape
        self.graph = graph
    }

    /// The graph that recorded this value.
    public var owner: Graph { graph }

    /// The current values (valid until the graph is reset).
    public var values: UnsafeBufferPointer<Float> { graph.values(of: self) }

    /// The single value of a scalar (or one-value) variable.
    public var scalar: Float { graph.values(of: self)[0] }
}

extension Variable {
    public static func + (lhs: Variable, rhs: Variable) -> Variable { lhs.graph.add(lhs, rhs) }
    public static func - (lhs: Variable, rhs: Variable) -> Variable { lhs.graph.subtract(lhs, rhs) }
    public static func * (lhs: Variable, rhs: Variable) -> Variable { lhs.graph.multiply(lhs, rhs) }
    public static func + (lhs: Variable, rhs: Float) -> Variable { lhs.graph.affine(lhs, scale: 1, shift: rhs) }
    public static func - (lhs: Variable, rhs: Float) -> Variable { lhs.graph.affine(lhs, scale: 1, shift: -rhs) }
    public static func * (lhs: Variable, rhs: Float) -> Variable { lhs.graph.affine(lhs, scale: rhs, shift: 0) }
    public static func * (lhs: Float, rhs: Variable) -> Variable { rhs.graph.affine(rhs, scale: lhs, shift: 0) }
    public static func + (lhs: Float, rhs: Variable) -> Variable { rhs.graph.affine(rhs, scale: 1, shift: lhs) }
    public static func - (lhs: Float, rhs: Variable) -> Variable { rhs.graph.affine(rhs, scale: -1, shift: lhs) }
    public static prefix func - (value: Variable) -> Variable { value.graph.affine(value, scale: -1, shift: 0) }

    /// Matrix product of two rank-2 variables.
    public func matmul(_ other: Variable, transposeSelf: Bool = false, transposeOther: Bool = false) -> Variable {
        graph.matmul(self, other, transposeA: transposeSelf, transposeB: transposeOther)
    }

    public func relu() -> Variable { graph.unary(self, .relu) }
    public func tanh() -> Variable { graph.unary(self, .tanh) }
    public func sigmoid() -> Variable { graph.unary(self, .sigmoid) }
    public func silu() -> Variable { graph.unary(self, .silu) }
    public func elu() -> Variable { graph.unary(self, .elu) }
    public func softplus() -> Variable { graph.unary(self, .softplus) }
    public func exp() -> Variable { graph.unary(self, .exp) }
    public func log() -> Variable { graph.unary(self, .log) }
    public func squared() -> Variable { graph.unary(self, .square) }
    public func squareRoot() -> Variable { graph.unary(self, .sqrt) }
    public func abs() -> Variable { graph.unary(self, .abs) }
    /// Elementwise Huber: ½x² where |x| ≤ δ, else δ(|x| − ½δ).
    public func huber(delta: Float = 1) -> Variable { graph.unary(self, .huber(delta)) }
    /// Elementwise clamp to [lower, upper]; the gradient is zero where clamped.
    public func clamped(_ lower: Float, _ upper: Float) -> Variable { graph.unary(self, .clamp(lower, upper)) }
    public func sum() -> Variable { graph.sum(self) }
    public func mean() -> Variable { graph.mean(self) }
    public func sumAlongLastAxis() -> Variable { graph.sumAlongLastAxis(self) }
    public func maxAlongLastAxis() -> Variable { graph.maxAlongLastAxis(self) }
    public func logSoftmax() -> Variable { graph.logSoftmax(self) }
    public func reshaped(_ shape: Shape) -> Variable { graph.reshape(self, shape) }
}
