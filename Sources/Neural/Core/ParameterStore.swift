/// Every weight of a model in one contiguous Float32 buffer, with a gradient buffer of the same layout.
///
/// Layers allocate their parameters here at construction; a `Parameter` is a named view (offset and shape).
/// The flat layout is what continual-learning strategies and checkpoints need: an EWC or L2 anchor is a copy
/// of `values`, a Fisher diagonal or PackNet mask is another buffer of `count` values, a target network is a
/// second store updated with `copy(from:)` or `polyakUpdate(from:rate:)`.
///
/// ```swift
/// let online = ParameterStore()
/// let target = ParameterStore()
/// var random = RandomStream(seed: 3)
/// let q = MLP([4, 64, 64, 2], activation: .relu, store: online, random: &random)
/// let qTarget = MLP([4, 64, 64, 2], activation: .relu, store: target, random: &random)
/// target.copy(from: online)               // hard update
/// target.polyakUpdate(from: online, rate: 0.005)
/// ```
public final class ParameterStore: @unchecked Sendable {
    /// The named parameters, in allocation order.
    public private(set) var parameters: [Parameter] = []
    private var valueBuffer: UnsafeMutablePointer<Float>
    private var gradientBuffer: UnsafeMutablePointer<Float>
    private var capacity: Int
    /// The number of values.
    public private(set) var count = 0

    public init() {
        capacity = 1024
        valueBuffer = .allocate(capacity: capacity)
        gradientBuffer = .allocate(capacity: capacity)
    }

    deinit {
        valueBuffer.deallocate()
        gradientBuffer.deallocate()
    }

    /// Allocates a parameter of `shape` named `name`, its values set by `initialize` (gradient zero).
    public func allocate(
        _ name: String, shape: Shape, initialize: (UnsafeMutableBufferPointer<Float>) -> Void
    ) -> Parameter {
        precondition(!parameters.contains { $0.name == name }, "parameter '\(name)' exists already")
        let needed = count + shape.count
        if needed > capacity {
            let grown = max(needed, capacity * 2)
            let values = UnsafeMutablePointer<Float>.allocate(capacity: grown)
            let gradients = UnsafeMutablePointer<Float>.allocate(capacity: grown)
            values.update(from: valueBuffer, count: count)
            gradients.update(from: gradientBuffer, count: count)
            valueBuffer.deallocate()
            gradientBuffer.deallocate()
            valueBuffer = values
            gradientBuffer = gradients
            capacity = grown
        }
        let parameter = Parameter(name: name, offset: count, shape: shape, store: self)
        initialize(UnsafeMutableBufferPointer(start: valueBuffer + count, count: shape.count))
        (gradientBuffer + count).initialize(repeating: 0, count: shape.count)
        count = needed
        parameters.append(parameter)
        return parameter
    }

    /// All values, flat.
    public var values: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: valueBuffer, count: count)
    }

    /// All gradients, flat, in the same layout as `values`.
    public var gradients: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: gradientBuffer, count: count)
    }

    /// The values of one parameter.
    public func values(of parameter: Parameter) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: valuePointer(parameter), count: parameter.shape.count)
    }

    /// The gradient of one parameter.
    public func gradient(of parameter: Parameter) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: gradientPointer(parameter), count: parameter.shape.count)
    }

    /// The parameter called `name`.
    public func parameter(named name: String) -> Parameter? { parameters.first { $0.name == name } }

    /// Sets every gradient to zero.
    public func zeroGradients() { gradientBuffer.update(repeating: 0, count: count) }

    /// A copy of all values (an anchor for L2/EWC, or a snapshot).
    public func snapshot() -> [Float] { Array(values) }

    /// Overwrites all values from a flat array of `count` values.
    public func load(_ flat: [Float]) {
        precondition(flat.count == count, "load: \(flat.count) values for a store of \(count)")
        flat.withUnsafeBufferPointer { valueBuffer.update(from: $0.baseAddress!, count: count) }
    }

    /// Hard update: copies every value of `other`, which must have the same layout.
    public func copy(from other: ParameterStore) {
        requireSameLayout(other)
        valueBuffer.update(from: other.valueBuffer, count: count)
    }

    /// Polyak (soft) update: θ ← (1 − rate)·θ + rate·θ_other.
    public func polyakUpdate(from other: ParameterStore, rate: Float) {
        requireSameLayout(other)
        let source = other.valueBuffer
        for i in 0..<count { valueBuffer[i] += rate * (source[i] - valueBuffer[i]) }
    }

    func valuePointer(_ parameter: Parameter) -> UnsafeMutablePointer<Float> { valueBuffer + parameter.offset }
    func gradientPointer(_ parameter: Parameter) -> UnsafeMutablePointer<Float> { gradientBuffer + parameter.offset }

    private func requireSameLayout(_ other: ParameterStore) {
        precondition(
            other.count == count && zip(other.parameters, parameters).allSatisfy { $0.shape == $1.shape },
            "parameter stores differ in layout (\(other.count) vs \(count) values)")
    }
}

/// A named view of part of a `ParameterStore`.
public struct Parameter: Sendable {
    public let name: String
    /// Where the parameter starts in the store's flat buffers.
    public let offset: Int
    public let shape: Shape
    public let store: ParameterStore
}
