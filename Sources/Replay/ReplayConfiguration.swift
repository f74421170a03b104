/// Everything that defines a store, saved with it so `ReplayStore.open` rebuilds the same store.
struct ReplayConfiguration: Codable, Equatable {
    var schema: ReplaySchema
    var capacity: Int
    var eviction: EvictionPolicy
    var seed: UInt64
    var priorityExponent: Double?
}
