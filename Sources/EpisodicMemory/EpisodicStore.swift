public import Randomness

/// A fixed-capacity key → value memory with exact (or indexed) k-nearest-neighbour reads: the episodic
/// store of MFEC, NEC and EMDQN. Keys are Float32 vectors of one size; each entry has value columns, a task tag and
/// the times it was inserted, last used and last updated (a logical clock: one tick per write or read).
///
/// Distances are squared Euclidean, ‖q‖² − 2 q·k + ‖k‖², computed a block of stored keys at a time by a SIMD kernel
/// over keys kept in panels of 16 (CKernels' `lk_l2_panels`; AVX-512, AVX2 or SSE2, chosen at run time), and the
/// k smallest are kept per query with a bounded max-heap — no sort of all distances.
///
/// ```swift
/// let store = try EpisodicStore(MemoryConfiguration(capacity: 10_000, keySize: 4, writeRule: .max))
/// store.write(key: [0.1, 0.2, 0.3, 0.4], value: [1.5], task: 0)
/// let estimate = store.estimate([0.1, 0.2, 0.3, 0.4], k: 11, kernel: .mean)   // [1.5]: an exact hit
/// ```
///
/// Not thread-safe: reads reuse scratch buffers and update recency.
public final class EpisodicStore {
    public let configuration: MemoryConfiguration
    /// Live entries occupy slots `0..<count`.
    public internal(set) var count = 0
    /// The logical clock: the time stamp of the latest write or read.
    public internal(set) var clock: Int64 = 0

    /// [capacity × keySize], [capacity × valueSize], and per slot: ‖key‖², task, times.
    var keys: [Float]
    /// The keys again in panels of 16 slots, dimension-major ([panel][dimension][lane]), for the search kernel.
    var panels: [Float]
    var values: [Float]
    var norms: [Float]
    var tasks: [Int32]
    var inserted: [Int64]
    var used: [Int64]
    var updated: [Int64]
    /// The eviction order's time per slot (`used` or `updated`, by policy).
    var recency: [Int64]
    /// Position of each slot in its task's heap.
    var heapPosition: [Int32]
    /// One recency heap per task, at index task + 1 (task −1 = untagged).
    var heaps: [RecencyHeap] = []
    /// Exact-match index: key bits hash → slot (a hash shared by two keys keeps the newer; the older is still
    /// found by nearest-neighbour reads).
    var exact: [UInt64: Int32] = [:]
    /// Scratch for reads: the distance tile and query norms.
    var tile: [Float] = []
    var queryNorms: [Float] = []
    /// The approximate index, when built (`buildIndex`); kept current on every write.
    public internal(set) var index: IVFIndex?

    /// Stored keys per distance tile: 32 queries × 2048 keys × 4 bytes (256 KiB) stays in L2.
    static let block = 2048
    public static var searchBlock: Int { block }

    public init(_ configuration: MemoryConfiguration) throws {
        let problems = configuration.problems
        guard problems.isEmpty else { throw MemoryError("MemoryConfiguration: " + problems.joined(separator: "; ")) }
        self.configuration = configuration
        let capacity = configuration.capacity
        keys = [Float](repeating: 0, count: capacity * configuration.keySize)
        let paddedSlots = (capacity + 15) / 16 * 16
        panels = [Float](repeating: 0, count: paddedSlots * configuration.keySize)
        values = [Float](repeating: 0, count: capacity * configuration.valueSize)
        norms = [Float](repeating: 0, count: paddedSlots)
        tasks = [Int32](repeating: -1, count: capacity)
        inserted = [Int64](repeating: 0, count: capacity)
        used = inserted
        updated = inserted
        recency = inserted
        heapPosition = [Int32](repeating: -1, count: capacity)
    }

    // MARK: - Reading entries

    /// A copy of the key in `slot` (indexed from 0).
    public func key(at slot: Int) -> [Float] {
        Array(keys[slot * configuration.keySize..<(slot + 1) * configuration.keySize])
    }

    /// A copy of the value columns in `slot` (indexed from 0).
    public func value(at slot: Int) -> [Float] {
        Array(values[slot * configuration.valueSize..<(slot + 1) * configuration.valueSize])
    }

    /// Calls `body` with the key in `slot`, without copying it (valid only inside `body`).
    public func withKey<Result>(at slot: Int, _ body: (UnsafeBufferPointer<Float>) -> Result) -> Result {
        keys.withUnsafeBufferPointer {
            body(UnsafeBufferPointer(rebasing: $0[slot * configuration.keySize..<(slot + 1) * configuration.keySize]))
        }
    }

    /// Value column `column` of `slot`, without copying the row.
    public func value(at slot: Int, column: Int) -> Float { values[slot * configuration.valueSize + column] }

    public func task(at slot: Int) -> Int32 { tasks[slot] }

    /// Entries per task tag.
    public func entriesPerTask() -> [Int32: Int] {
        var counts: [Int32: Int] = [:]
        for slot in 0..<count { counts[tasks[slot], default: 0] += 1 }
        return counts
    }

    /// The slot holding exactly `key`, if any.
    public func exactMatch(_ key: UnsafeBufferPointer<Float>) -> Int? {
        guard let slot = exact[Self.hash(key)].map(Int.init) else { return nil }
        let size = configuration.keySize
        for index in 0..<size where keys[slot * size + index] != key[index] { return nil }
        return slot
    }

    // MARK: - Writing

    /// What a write did.
    public enum WriteOutcome: Equatable, Sendable {
        case inserted(slot: Int)
        /// The key was present; its value changed by the write rule.
        case updated(slot: Int)
        /// The store was full: `evictedTask`'s entry in `slot` made room.
        case replaced(slot: Int, evictedTask: Int32)
    }

    /// Writes `value` under `key` for `task`: an exact hit changes the stored value by the write rule; otherwise the
    /// entry is added, evicting by the eviction policy when the store is full.
    @discardableResult
    public func write(key: [Float], value: [Float], task: Int32) -> WriteOutcome {
        precondition(
            key.count == configuration.keySize,
            "key has \(key.count) values; the store's keySize is \(configuration.keySize)")
        precondition(
            value.count == configuration.valueSize,
            "value has \(value.count) columns; valueSize is \(configuration.valueSize)")
        precondition(task >= -1, "task tags are ≥ −1 (−1: untagged)")
        clock += 1
        let hit = key.withUnsafeBufferPointer { exactMatch($0) }
        if let slot = hit {
            let base = slot * configuration.valueSize
            for column in 0..<configuration.valueSize {
                let old = values[base + column]
                switch configuration.writeRule {
                case .max: values[base + column] = Swift.max(old, value[column])
                case .blend(let rate): values[base + column] = old + rate * (value[column] - old)
                case .overwrite: values[base + column] = value[column]
                }
            }
            used[slot] = clock
            updated[slot] = clock
            touch(slot)
            return .updated(slot: slot)
        }
        let slot: Int
        let outcome: WriteOutcome
        if count < configuration.capacity {
            slot = count
            count += 1
            outcome = .inserted(slot: slot)
        } else {
            slot = victim()
            outcome = .replaced(slot: slot, evictedTask: tasks[slot])
            detach(slot)
        }
        key.withUnsafeBufferPointer { setKey(slot, $0) }
        for column in 0..<configuration.valueSize { values[slot * configuration.valueSize + column] = value[column] }
        tasks[slot] = task
        inserted[slot] = clock
        used[slot] = clock
        updated[slot] = clock
        recency[slot] = clock
        attach(slot)
        return outcome
    }

    /// Stores a key in its row, its panel and its norm.
    func setKey(_ slot: Int, _ key: UnsafeBufferPointer<Float>) {
        let size = configuration.keySize
        let panelBase = (slot / 16) * size * 16 + slot % 16
        var norm: Float = 0
        for index in 0..<size {
            keys[slot * size + index] = key[index]
            panels[panelBase + index * 16] = key[index]
            norm += key[index] * key[index]
        }
        norms[slot] = norm
        index?.set(slot: slot, key: key.baseAddress!, norm: norm)
    }

    /// Builds the approximate index: k-means cells trained on up to `sampleSize` stored keys (drawn from
    /// `stream`), every entry filed in its cell; from then on every write keeps it current. Reads use it when asked
    /// (`approximate: true`).
    public func buildIndex(
        cells: Int, probes: Int, iterations: Int = 10, sampleSize: Int = 65_536, stream: RandomStream
    ) throws {
        guard cells >= 1, probes >= 1 else { throw MemoryError("buildIndex: cells and probes must be ≥ 1") }
        var draw = stream
        let size = configuration.keySize
        let rows = Swift.min(count, sampleSize)
        var sample = [Float](repeating: 0, count: rows * size)
        for row in 0..<rows {
            let slot = rows == count ? row : draw.index(below: count)
            for index in 0..<size { sample[row * size + index] = keys[slot * size + index] }
        }
        let built = sample.withUnsafeBufferPointer { sample in
            IVFIndex(
                keySize: size, cells: cells, probes: probes, capacity: configuration.capacity, sample: sample,
                sampleCount: rows, iterations: iterations, stream: draw)
        }
        attachIndex(built)
    }

    /// Files every entry in `index` and makes it the store's index.
    func attachIndex(_ built: IVFIndex) {
        let size = configuration.keySize
        keys.withUnsafeBufferPointer { keys in
            for slot in 0..<count { built.set(slot: slot, key: keys.baseAddress! + slot * size, norm: norms[slot]) }
        }
        index = built
    }

    /// The slot to evict, by policy.
    func victim() -> Int {
        var best: Int32 = -1
        var bestCount = -1
        for heap in heaps {
            guard let oldest = heap.oldest else { continue }
            if configuration.eviction == .perTaskQuota {
                if heap.count > bestCount || (heap.count == bestCount && older(oldest, best)) {
                    best = oldest
                    bestCount = heap.count
                }
            } else if best < 0 || older(oldest, best) {
                best = oldest
            }
        }
        return Int(best)
    }

    private func older(_ a: Int32, _ b: Int32) -> Bool {
        b < 0 || recency[Int(a)] < recency[Int(b)] || (recency[Int(a)] == recency[Int(b)] && a < b)
    }

    /// Adds a filled slot to its task's heap and the exact-match index.
    func attach(_ slot: Int) {
        let heapIndex = Int(tasks[slot]) + 1
        while heaps.count <= heapIndex { heaps.append(RecencyHeap()) }
        recency.withUnsafeBufferPointer { times in
            heapPosition.withUnsafeMutableBufferPointer { position in
                heaps[heapIndex].insert(Int32(slot), times: times.baseAddress!, position: position.baseAddress!)
            }
        }
        keys.withUnsafeBufferPointer { all in
            let size = configuration.keySize
            exact[Self.hash(UnsafeBufferPointer(rebasing: all[slot * size..<(slot + 1) * size]))] = Int32(slot)
        }
    }

    /// Removes a slot from its heap and the exact-match index (before it is overwritten).
    func detach(_ slot: Int) {
        let heapIndex = Int(tasks[slot]) + 1
        recency.withUnsafeBufferPointer { times in
            heapPosition.withUnsafeMutableBufferPointer { position in
                heaps[heapIndex].remove(Int32(slot), times: times.baseAddress!, position: position.baseAddress!)
            }
        }
        let hash = keys.withUnsafeBufferPointer { all in
            let size = configuration.keySize
            return Self.hash(UnsafeBufferPointer(rebasing: all[slot * size..<(slot + 1) * size]))
        }
        if exact[hash] == Int32(slot) { exact[hash] = nil }
    }

    /// Moves a slot later in its task's eviction order after a use or update.
    func touch(_ slot: Int) {
        let time = configuration.eviction == .leastRecentlyUpdated ? updated[slot] : used[slot]
        guard time != recency[slot] else { return }
        recency[slot] = time
        let heapIndex = Int(tasks[slot]) + 1
        recency.withUnsafeBufferPointer { times in
            heapPosition.withUnsafeMutableBufferPointer { position in
                heaps[heapIndex].moved(Int32(slot), times: times.baseAddress!, position: position.baseAddress!)
            }
        }
    }

    /// FNV-1a over the key's bits (+0 and −0 hash alike).
    static func hash(_ key: UnsafeBufferPointer<Float>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for value in key {
            hash ^= UInt64((value + 0).bitPattern)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
