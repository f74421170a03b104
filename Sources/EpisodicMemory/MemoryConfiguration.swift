/// How an episodic store is shaped and kept: capacity, key and value sizes, what is evicted when full, and how a
/// write to a key already present changes its value.
///
/// ```swift
/// let configuration = MemoryConfiguration(capacity: 100_000, keySize: 64, eviction: .leastRecentlyUpdated,
///                                         writeRule: .max)   // MFEC
/// ```
public struct MemoryConfiguration: Codable, Sendable, Equatable {
    public var capacity: Int
    public var keySize: Int
    /// Value columns per entry (1 for a return or Q-value; more for any payload).
    public var valueSize: Int
    public var eviction: Eviction
    public var writeRule: WriteRule

    public enum Eviction: String, Codable, Sendable, CaseIterable {
        /// The entry read or written longest ago (NEC, EMDQN).
        case leastRecentlyUsed
        /// The entry written longest ago (MFEC).
        case leastRecentlyUpdated
        /// From the task holding the most entries, its least recently used one: every task seen keeps an equal
        /// share once the store is full.
        case perTaskQuota
    }

    public enum WriteRule: Codable, Sendable, Equatable {
        /// Keep the larger value, column by column (MFEC: Q ← max(Q, R)).
        case max
        /// Move toward the new value at `rate` (NEC: Q ← Q + α(target − Q)).
        case blend(rate: Float)
        /// Replace the value.
        case overwrite
    }

    public init(
        capacity: Int, keySize: Int, valueSize: Int = 1, eviction: Eviction = .leastRecentlyUsed,
        writeRule: WriteRule = .max
    ) {
        self.capacity = capacity
        self.keySize = keySize
        self.valueSize = valueSize
        self.eviction = eviction
        self.writeRule = writeRule
    }

    /// The problems with these settings (empty when they are usable), each naming the setting.
    public var problems: [String] {
        var problems: [String] = []
        if capacity < 1 { problems.append("capacity must be at least 1; got \(capacity)") }
        if keySize < 1 { problems.append("keySize must be at least 1; got \(keySize)") }
        if valueSize < 1 { problems.append("valueSize must be at least 1; got \(valueSize)") }
        if case .blend(let rate) = writeRule, !(rate > 0 && rate <= 1) {
            problems.append("writeRule blend rate must be in (0, 1]; got \(rate)")
        }
        return problems
    }
}

/// A misuse of an episodic store: wrong sizes, bad settings, an unreadable file. The message names the fix.
public struct MemoryError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
