import DequeModule
import Foundation
public import Randomness

/// The experience replay layer every learner of a run shares: transitions kept column by column in RAM, tagged
/// with task, episode and step, with a bounded capacity and an eviction policy, sampled from seeded streams, and
/// (through `ReplayStore+Persistence.swift`) persisted in HDF5.
///
/// ```swift
/// let store = ReplayStore(
///     schema: ReplaySchema(observationSize: 4, action: .discrete), capacity: 100_000, eviction: .fifo, seed: 7)
/// store.insert(Transition(observation: s, action: [1], reward: 1, nextObservation: s2, episode: 0, step: 0))
/// var batch = ReplayBatch(schema: store.schema, size: 64)
/// try store.sample(into: &batch, using: .uniform)
/// ```
///
/// Transitions of one episode are linked in step order (whatever else was inserted in between), which is what
/// n-step returns and sequence sampling follow; a link is cut when either end is evicted.
public final class ReplayStore {
    public let schema: ReplaySchema
    /// The most transitions kept; `nil` with `.keepEverything`.
    public let capacity: Int?
    public let eviction: EvictionPolicy
    /// Prioritized-replay exponent α when priorities are kept, else `nil`.
    public let priorityExponent: Double?

    /// Occupied slots.
    public internal(set) var count = 0
    /// Transitions inserted so far (the stream position), whether kept or not.
    public internal(set) var inserted: Int64 = 0
    /// Where the latest insert went: its slot, or `nil` when reservoir sampling passed it over (or nothing was
    /// inserted yet). Lets a learner riding along an agent find the slot of the step the agent just stored.
    public private(set) var latestSlot: Int?
    /// The draws behind eviction (reservoir) and behind sampling, each its own stream.
    public internal(set) var evictionRandom: RandomStream
    public internal(set) var samplingRandom: RandomStream

    // Columns over slots. What a sample reads is packed row-wise, so one sampled transition costs two cache
    // misses: the observation beside the next observation, and the step's scalars (with a one-value action).
    /// [observation, next observation] as stored bytes: 2 × observationSize values of the schema's type per slot.
    let observations: Column<UInt8>
    /// Actions wider than one value (one-value actions live in `scalars`).
    let action: Column<Float>
    let scalars: Column<StepScalars>
    let episode: Column<Int64>
    let step: Column<Int32>
    let extras: Column<Float>
    /// The stream position of the transition in each slot (its row in the persisted log).
    let streamRow: Column<Int64>
    let next: Column<Int32>
    let previous: Column<Int32>

    var cursor = 0
    /// Per task: its slots (any order, for sampling) and each slot's position in that list.
    var taskSlots: [[Int32]] = []
    let positionInTask: Column<Int32>
    /// Per task, in insertion order (balanced eviction takes the oldest of the largest task).
    var taskOrder: [Deque<Int32>] = []
    /// Transitions seen per task (kept or not).
    public internal(set) var seenPerTask: [Int64] = []
    /// Episodes still running, with the slot of their latest step (few at a time: a linear list).
    var openEpisodes: [(episode: Int64, slot: Int32)] = []
    var priorities: SumTree
    public private(set) var maxPriority: Double = 1
    /// maxPriority^α, the priority new transitions get (kept so that inserting does not call pow).
    private var newPriority: Double = 1

    func setMaxPriority(_ value: Double) {
        guard value != maxPriority else { return }
        maxPriority = value
        newPriority = pow(value, priorityExponent ?? 1)
    }
    /// The files of a persisted store (`ReplayStore+Persistence.swift`).
    var persistence: Persistence?
    /// Whether the store lives in a directory (`create(at:)` / `open`), so `commit` makes it durable.
    public var isPersisted: Bool { persistence != nil }
    /// A failure to buffer a row for the log, reported by the next `commit()`.
    var persistenceFailure: (any Error)?

    /// - Parameters:
    ///   - capacity: the most transitions kept (ignored with `.keepEverything`).
    ///   - seed: the stream the eviction and sampling streams are derived from.
    ///   - priorityExponent: keep priorities for prioritized sampling with this α (0.6 is Schaul et al.'s).
    public init(
        schema: ReplaySchema, capacity: Int, eviction: EvictionPolicy, seed: UInt64, priorityExponent: Double? = nil
    ) {
        precondition(capacity > 0, "capacity must be positive")
        self.schema = schema
        self.capacity = eviction == .keepEverything ? nil : capacity
        self.eviction = eviction
        self.priorityExponent = priorityExponent
        let root = RandomStream(seed: seed)
        evictionRandom = root.derived("replay/eviction")
        samplingRandom = root.derived("replay/sampling")
        let rows = eviction == .keepEverything ? min(capacity, 1 << 16) : capacity
        observations = Column(
            width: 2 * schema.observationSize * schema.observationType.size, capacity: rows, zero: 0)
        action = Column(width: schema.actionSize, capacity: schema.actionSize == 1 ? 1 : rows, zero: 0)
        scalars = Column(width: 1, capacity: rows, zero: StepScalars())
        episode = Column(width: 1, capacity: rows, zero: 0)
        step = Column(width: 1, capacity: rows, zero: 0)
        extras = Column(width: max(schema.extrasWidth, 1), capacity: schema.extrasWidth == 0 ? 1 : rows, zero: 0)
        streamRow = Column(width: 1, capacity: rows, zero: -1)
        next = Column(width: 1, capacity: rows, zero: -1)
        previous = Column(width: 1, capacity: rows, zero: -1)
        positionInTask = Column(width: 1, capacity: rows, zero: -1)
        priorities = SumTree(capacity: priorityExponent == nil ? 1 : rows)
    }

    /// RAM taken per stored transition by the columns (the sum tree adds 8 bytes when priorities are kept).
    public var bytesPerTransition: Int {
        var bytes = observations.width + MemoryLayout<StepScalars>.stride
        // Episode and stream row; step, the two episode links and the position in the task list.
        bytes += MemoryLayout<Int64>.stride * 2 + MemoryLayout<Int32>.stride * 4
        if schema.actionSize > 1 { bytes += schema.actionSize * MemoryLayout<Float>.stride }
        bytes += schema.extrasWidth * MemoryLayout<Float>.stride
        return bytes + (priorityExponent == nil ? 0 : 2 * MemoryLayout<Float>.stride)
    }

    /// The tasks that have transitions in the store.
    public var tasks: [Int32] { taskSlots.indices.filter { !taskSlots[$0].isEmpty }.map(Int32.init) }

    /// How many transitions of `task` the store holds.
    public func count(ofTask task: Int32) -> Int { Int(task) < taskSlots.count ? taskSlots[Int(task)].count : 0 }

    // MARK: Inserting

    /// Adds a transition; returns its slot, or `nil` when reservoir sampling passed it over.
    @discardableResult
    public func insert(_ transition: Transition) -> Int? {
        precondition(transition.observation.count == schema.observationSize, "observation size differs from the schema")
        precondition(transition.nextObservation.count == schema.observationSize, "next observation size differs")
        precondition(transition.action.count == schema.actionSize, "action size differs from the schema")
        if let persistence {
            do { try persistence.log.record(transition, position: inserted) } catch { persistenceFailure = error }
        }
        var extraRow = [Float](repeating: 0, count: max(schema.extrasWidth, 1))
        for (name, offset, width) in schema.extraLayout {
            if let values = transition.extras[name] {
                precondition(values.count == width, "extra column \(name) has width \(width); got \(values.count)")
                for index in 0..<width { extraRow[offset + index] = values[index] }
            }
        }
        return schema.encode(transition.observation).withUnsafeBytes { observation in
            schema.encode(transition.nextObservation).withUnsafeBytes { nextObservation in
                transition.action.withUnsafeBufferPointer { action in
                    extraRow.withUnsafeBufferPointer { extras in
                        store(
                            observation: observation.baseAddress!, action: action.baseAddress!,
                            reward: transition.reward,
                            nextObservation: nextObservation.baseAddress!, terminated: transition.terminated,
                            truncated: transition.truncated, task: transition.task, episode: transition.episode,
                            step: transition.step, extras: extras.baseAddress!)
                    }
                }
            }
        }
    }

    /// Adds a transition from buffers, without allocating: the form for environment loops. Observations hold
    /// `schema.observationSize` values of the schema's observation type (Float or UInt8), the action
    /// `schema.actionSize` Floats, extras the schema's total extra width (in name order). Not for persisted stores,
    /// whose log takes `insert(_: Transition)`.
    @discardableResult
    public func insert(
        observation: UnsafeRawPointer, action: UnsafePointer<Float>, reward: Float,
        nextObservation: UnsafeRawPointer, terminated: Bool, truncated: Bool, task: Int32 = 0, episode: Int64,
        step: Int32, extras: UnsafePointer<Float>? = nil
    ) -> Int? {
        precondition(persistence == nil, "a persisted store logs transitions: insert them with insert(_: Transition)")
        let noExtras: Float = 0
        return withUnsafePointer(to: noExtras) { zero in
            store(
                observation: observation, action: action, reward: reward, nextObservation: nextObservation,
                terminated: terminated, truncated: truncated, task: task, episode: episode, step: step,
                extras: extras ?? zero)
        }
    }

    private func store(
        observation: UnsafeRawPointer, action: UnsafePointer<Float>, reward: Float,
        nextObservation: UnsafeRawPointer, terminated: Bool, truncated: Bool, task: Int32, episode: Int64,
        step: Int32, extras: UnsafePointer<Float>
    ) -> Int? {
        precondition(task >= 0, "task ids are non-negative")
        let row = inserted
        inserted += 1
        let taskIndex = Int(task)
        while seenPerTask.count <= taskIndex { seenPerTask.append(0) }
        seenPerTask[taskIndex] += 1
        let isLast = terminated || truncated
        latestSlot = chooseSlot(for: task)
        guard let slot = latestSlot else {
            if isLast, let open = openEpisodes.firstIndex(where: { $0.episode == episode }) {
                openEpisodes.remove(at: open)
            }
            return nil
        }
        writeColumns(
            slot: slot, observation: observation, action: action, reward: reward, nextObservation: nextObservation,
            terminated: terminated, truncated: truncated, task: task, episode: episode, step: step, extras: extras)
        streamRow[slot] = row
        link(slot: slot, task: taskIndex, episode: episode, step: step, isLast: isLast)
        return slot
    }

    /// The slot a new transition goes to, evicting as the policy says; `nil` to drop it (reservoir).
    private func chooseSlot(for newTask: Int32) -> Int? {
        guard let capacity, count >= capacity else {
            let slot = count
            reserve(slot + 1)
            count += 1
            return slot
        }
        let slot: Int
        switch eviction {
        case .fifo:
            slot = cursor
            cursor = (cursor + 1) % capacity
        case .reservoir:
            let position = Int(evictionRandom.next() % UInt64(inserted))
            guard position < capacity else { return nil }
            slot = position
        case .balanced:
            // The largest task gives up its oldest transition; when the arriving task is among the largest, it
            // gives up its own, so shares stay equal once reached.
            var largest = 0
            for (index, slots) in taskSlots.enumerated() where slots.count > taskSlots[largest].count {
                largest = index
            }
            let arriving = Int(newTask)
            if arriving < taskSlots.count && taskSlots[arriving].count == taskSlots[largest].count {
                largest = arriving
            }
            slot = Int(taskOrder[largest].first ?? 0)
        case .keepEverything:
            preconditionFailure("a keep-everything store is never full")
        }
        evict(slot)
        return slot
    }

    private func reserve(_ rows: Int) {
        guard capacity == nil, rows > observations.capacity else { return }
        observations.reserve(rows)
        if schema.actionSize > 1 { action.reserve(rows) }
        if schema.extrasWidth > 0 { extras.reserve(rows) }
        scalars.reserve(rows)
        step.reserve(rows)
        for column in [next, previous, positionInTask] { column.reserve(rows) }
        episode.reserve(rows)
        streamRow.reserve(rows)
        if priorityExponent != nil { priorities.grow(to: observations.capacity) }
    }

    /// Removes the transition in `slot` from task lists and episode links (its columns are then overwritten).
    private func evict(_ slot: Int) {
        let oldTask = Int(scalars[slot].task)
        let position = Int(positionInTask[slot])
        let lastSlot = taskSlots[oldTask].removeLast()
        if Int(lastSlot) != slot {
            taskSlots[oldTask][position] = lastSlot
            positionInTask[Int(lastSlot)] = Int32(position)
        }
        if eviction == .balanced || eviction == .fifo {
            if taskOrder[oldTask].first == Int32(slot) {
                taskOrder[oldTask].removeFirst()
            } else if let index = taskOrder[oldTask].firstIndex(of: Int32(slot)) {
                taskOrder[oldTask].remove(at: index)
            }
        }
        if previous[slot] >= 0 { next[Int(previous[slot])] = -1 }
        if next[slot] >= 0 { previous[Int(next[slot])] = -1 }
        if let open = openEpisodes.firstIndex(where: { $0.slot == Int32(slot) }) { openEpisodes.remove(at: open) }
    }

    /// Puts a restored transition into `slot` (used when reopening).
    func place(_ transition: Transition, slot: Int, row: Int64) {
        var extraRow = [Float](repeating: 0, count: max(schema.extrasWidth, 1))
        for (name, offset, width) in schema.extraLayout {
            let values = transition.extras[name] ?? [Float](repeating: 0, count: width)
            for index in 0..<width { extraRow[offset + index] = values[index] }
        }
        schema.encode(transition.observation).withUnsafeBytes { observation in
            schema.encode(transition.nextObservation).withUnsafeBytes { nextObservation in
                transition.action.withUnsafeBufferPointer { action in
                    extraRow.withUnsafeBufferPointer { extras in
                        writeColumns(
                            slot: slot, observation: observation.baseAddress!, action: action.baseAddress!,
                            reward: transition.reward, nextObservation: nextObservation.baseAddress!,
                            terminated: transition.terminated, truncated: transition.truncated, task: transition.task,
                            episode: transition.episode, step: transition.step, extras: extras.baseAddress!)
                    }
                }
            }
        }
        streamRow[slot] = row
        link(
            slot: slot, task: Int(transition.task), episode: transition.episode, step: transition.step,
            isLast: transition.isLast)
    }

    func reserveForRestore(_ rows: Int) { reserve(rows) }

    private func writeColumns(
        slot: Int, observation: UnsafeRawPointer, action: UnsafePointer<Float>, reward: Float,
        nextObservation: UnsafeRawPointer, terminated: Bool, truncated: Bool, task: Int32, episode: Int64,
        step: Int32, extras: UnsafePointer<Float>
    ) {
        let bytes = schema.observationSize * schema.observationType.size
        let row = UnsafeMutableRawPointer(observations.row(slot))
        row.copyMemory(from: observation, byteCount: bytes)
        (row + bytes).copyMemory(from: nextObservation, byteCount: bytes)
        if schema.actionSize > 1 { self.action.row(slot).update(from: action, count: schema.actionSize) }
        if schema.extrasWidth > 0 { self.extras.row(slot).update(from: extras, count: schema.extrasWidth) }
        scalars[slot] = StepScalars(
            reward: reward, action: action.pointee, task: task, terminated: terminated, truncated: truncated)
        self.episode[slot] = episode
        self.step[slot] = step
    }

    /// Files a freshly written slot under its task and links it to its episode's previous step.
    private func link(slot: Int, task taskIndex: Int, episode: Int64, step: Int32, isLast: Bool) {
        while taskSlots.count <= taskIndex {
            taskSlots.append([])
            taskOrder.append([])
        }
        positionInTask[slot] = Int32(taskSlots[taskIndex].count)
        taskSlots[taskIndex].append(Int32(slot))
        if eviction == .balanced || eviction == .fifo { taskOrder[taskIndex].append(Int32(slot)) }
        next[slot] = -1
        previous[slot] = -1
        if let open = openEpisodes.firstIndex(where: { $0.episode == episode }) {
            let before = Int(openEpisodes[open].slot)
            if self.step[before] == step - 1 {
                next[before] = Int32(slot)
                previous[slot] = Int32(before)
            }
            openEpisodes.remove(at: open)
        }
        if !isLast { openEpisodes.append((episode, Int32(slot))) }
        if priorityExponent != nil { priorities.set(slot, newPriority) }
    }

    /// The transition in `slot`, as a value (for tests, export and inspection).
    public func transition(at slot: Int) -> Transition {
        precondition(slot >= 0 && slot < count, "slot \(slot) outside 0..<\(count)")
        var values: [String: [Float]] = [:]
        for (name, offset, width) in schema.extraLayout {
            values[name] = Array(UnsafeBufferPointer(start: extras.row(slot) + offset, count: width))
        }
        let row = scalars[slot]
        let size = schema.observationSize
        var frames = [Float](repeating: 0, count: 2 * size)
        frames.withUnsafeMutableBufferPointer {
            schema.decode(observations.row(slot), count: 2 * size, into: $0.baseAddress!)
        }
        return Transition(
            observation: Array(frames[0..<size]),
            action: schema.actionSize == 1
                ? [row.action] : Array(UnsafeBufferPointer(start: action.row(slot), count: schema.actionSize)),
            reward: row.reward,
            nextObservation: Array(frames[size...]),
            terminated: row.terminated, truncated: row.truncated, task: row.task, episode: episode[slot],
            step: step[slot], extras: values)
    }

    /// The stream position held in `slot`.
    public func streamPosition(ofSlot slot: Int) -> Int64 { streamRow[slot] }

    /// The slot of the next step of the same episode, if it is in the store.
    public func successor(ofSlot slot: Int) -> Int? { next[slot] >= 0 ? Int(next[slot]) : nil }
}

/// The per-step values a sample reads, packed in 16 bytes.
struct StepScalars: BitwiseCopyable {
    var reward: Float = 0
    /// The action when it is one value (discrete actions, one-dimensional forces).
    var action: Float = 0
    var task: Int32 = 0
    var terminated = false
    var truncated = false

    /// Whether the episode ended here.
    var isLast: Bool { terminated || truncated }
}

extension ReplayStore {
    /// The observation in `slot`, decoded into `output` (`schema.observationSize` values), without allocating.
    public func observation(at slot: Int, into output: UnsafeMutablePointer<Float>) {
        precondition(slot >= 0 && slot < count, "slot \(slot) outside 0..<\(count)")
        schema.decode(observations.row(slot), count: schema.observationSize, into: output)
    }

    /// The first action value in `slot` (the action of a discrete schema).
    public func firstAction(at slot: Int) -> Float { scalars[slot].action }

    /// The episode that ends in `slot`, first step first, with each step's discounted return R_t = r_t + γR_{t+1},
    /// computed from the stored rewards — when the whole episode is still in the store (its first step, step 0, has
    /// not been evicted); nil otherwise.
    public func episodeReturns(endingAt slot: Int, gamma: Float) -> (slots: [Int], returns: [Float])? {
        var slots = [slot]
        var current = slot
        while previous[current] >= 0 {
            current = Int(previous[current])
            slots.append(current)
        }
        guard step[current] == 0 else { return nil }
        slots.reverse()
        var returns = [Float](repeating: 0, count: slots.count)
        var value: Float = 0
        for index in stride(from: slots.count - 1, through: 0, by: -1) {
            value = scalars[slots[index]].reward + gamma * value
            returns[index] = value
        }
        return (slots, returns)
    }
}
