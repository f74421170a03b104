/// A Float32 array with a shape, row-major: what goes into a `Graph` and comes out of it.
///
/// ```swift
/// let batch = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// batch[1, 2]  // 6
/// ```
public struct Tensor: Equatable, Sendable, CustomStringConvertible {
    public var shape: Shape
    public var scalars: [Float]

    public init(shape: Shape, scalars: [Float]) {
        precondition(shape.count == scalars.count, "\(scalars.count) values do not fill shape \(shape)")
        self.shape = shape
        self.scalars = scalars
    }

    public init(shape: Shape, repeating value: Float = 0) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: shape.count))
    }

    /// The value at (`row`, `column`) of a rank-2 tensor.
    public subscript(row: Int, column: Int) -> Float {
        get { scalars[row * shape.columns + column] }
        set { scalars[row * shape.columns + column] = newValue }
    }

    public var description: String { "Tensor\(shape) \(scalars.prefix(8))\(scalars.count > 8 ? "…" : "")" }
}
