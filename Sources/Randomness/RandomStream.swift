import Foundation

/// A seeded stream of random numbers (xoshiro256**), one per component, derived from the run seed.
/// Every random draw in Lifelong comes from one of these; nothing uses a global or time-based generator.
///
/// Streams are split by name, so adding a component never shifts another component's numbers, and the whole
/// state is four integers that checkpoints save and restore exactly.
///
/// ```swift
/// let run = RandomStream(seed: 7)
/// var initialisation = run.derived("policy/init")
/// var exploration = run.derived("policy/explore")
/// let u = exploration.uniform()           // in [0, 1)
/// let z = initialisation.normal()          // standard normal
/// ```
public struct RandomStream: RandomNumberGenerator, Sendable, Equatable {
    /// The generator state; save it to resume the stream exactly.
    public var state: (UInt64, UInt64, UInt64, UInt64)

    /// A stream seeded from `seed` (any value, including 0, gives a good state).
    public init(seed: UInt64) {
        var mixer = seed
        state = (Self.splitMix(&mixer), Self.splitMix(&mixer), Self.splitMix(&mixer), Self.splitMix(&mixer))
    }

    /// Restores a stream from a saved `state`.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        self.state = state
    }

    /// An independent stream for the component `name`, derived from this stream's current state and the name
    /// (FNV-1a), without advancing this stream.
    public func derived(_ name: String) -> RandomStream {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        var mixer = state.0 ^ (state.1 &* 0x9E37_79B9_7F4A_7C15) ^ (state.2 >> 7) ^ (state.3 << 13) ^ hash
        return RandomStream(seed: Self.splitMix(&mixer))
    }

    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotate(state.3, 45)
        return result
    }

    /// Uniform in 0..<bound (bound > 0), by a multiply-shift rather than a division (Lemire); the bias is
    /// below bound / 2⁶⁴.
    @inline(__always)
    public mutating func index(below bound: Int) -> Int {
        Int(truncatingIfNeeded: UInt64(bound).multipliedFullWidth(by: next()).high)
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func uniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniformDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [lower, upper).
    public mutating func uniform(_ lower: Float, _ upper: Float) -> Float { lower + (upper - lower) * uniform() }

    /// A standard normal value (Box–Muller; one value per call, so the state stays four integers).
    public mutating func normal() -> Float {
        let u1 = max(uniformDouble(), 0x1p-53)
        let u2 = uniformDouble()
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// A normal value with `mean` and `standardDeviation`, redrawn until it lies within `bound` standard
    /// deviations of the mean (PyTorch's `trunc_normal_` with bounds ±2σ by default).
    public mutating func truncatedNormal(mean: Float = 0, standardDeviation: Float = 1, bound: Float = 2) -> Float {
        while true {
            let z = normal()
            if abs(z) <= bound { return mean + standardDeviation * z }
        }
    }

    /// An index drawn with the given (unnormalised, non-negative) weights.
    public mutating func categorical(_ weights: UnsafeBufferPointer<Float>) -> Int {
        var total: Float = 0
        for weight in weights { total += weight }
        var target = uniform() * total
        for (index, weight) in weights.enumerated() {
            target -= weight
            if target < 0 { return index }
        }
        return weights.count - 1
    }

    /// An index drawn with the given weights.
    public mutating func categorical(_ weights: [Float]) -> Int {
        weights.withUnsafeBufferPointer { categorical($0) }
    }

    public static func == (lhs: RandomStream, rhs: RandomStream) -> Bool {
        lhs.state == rhs.state
    }

    private func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 { (value << count) | (value >> (64 - count)) }

    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
