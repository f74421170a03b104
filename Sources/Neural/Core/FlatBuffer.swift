/// An owned, zero-initialised Float32 buffer with a stable address: optimizer moments, Fisher diagonals,
/// masks — anything laid out like a `ParameterStore`.
public final class FlatBuffer: @unchecked Sendable {
    public let values: UnsafeMutableBufferPointer<Float>

    public init(count: Int) {
        values = .allocate(capacity: count)
        values.initialize(repeating: 0)
    }

    public var count: Int { values.count }
    public var pointer: UnsafeMutablePointer<Float> { values.baseAddress! }

    deinit { values.deallocate() }
}
