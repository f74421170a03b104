/// The shape of a tensor: up to three dimensions, stored inline so shapes never allocate.
public struct Shape: Equatable, Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    public let rank: Int
    private let d0: Int
    private let d1: Int
    private let d2: Int

    public init(_ dimensions: [Int]) {
        precondition((0...3).contains(dimensions.count), "Shape supports ranks 0 to 3; got \(dimensions)")
        precondition(dimensions.allSatisfy { $0 >= 0 }, "negative dimension in \(dimensions)")
        rank = dimensions.count
        d0 = dimensions.count > 0 ? dimensions[0] : 1
        d1 = dimensions.count > 1 ? dimensions[1] : 1
        d2 = dimensions.count > 2 ? dimensions[2] : 1
    }

    public init(arrayLiteral dimensions: Int...) { self.init(dimensions) }

    /// A scalar.
    public static let scalar = Shape([])

    public subscript(axis: Int) -> Int {
        precondition(axis >= 0 && axis < rank, "axis \(axis) out of range for rank \(rank)")
        return axis == 0 ? d0 : axis == 1 ? d1 : d2
    }

    public var dimensions: [Int] { (0..<rank).map { self[$0] } }

    /// The number of values.
    public var count: Int { d0 * d1 * d2 }

    /// The last dimension (1 for a scalar).
    public var columns: Int { rank == 0 ? 1 : self[rank - 1] }

    /// The product of every dimension but the last.
    public var rows: Int { columns == 0 ? 0 : count / columns }

    public var description: String { "[" + dimensions.map(String.init).joined(separator: ", ") + "]" }
}
