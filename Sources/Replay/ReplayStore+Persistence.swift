import Foundation
import HDF5
import Randomness

/// A replay directory: `steps.h5` (every transition in stream order, append-only, committed) and `state.h5` (the
/// store's slots, priorities, counters and random streams, replaced atomically at each commit). `state.h5` is
/// the commit record of the whole store: reopening cuts the step log back to the rows it counts, so a store
/// reopened after a kill is exactly the store as of its last `commit()` — samples included.
///
/// ```swift
/// let store = try ReplayStore.create(
///     at: "runs/a/replay", schema: schema, capacity: 1_000_000, eviction: .reservoir, seed: 1)
/// store.insert(transition)
/// try store.commit()                      // every 10 s, at task switches and checkpoints
/// // … after a crash:
/// let resumed = try ReplayStore.open("runs/a/replay")
/// ```
extension ReplayStore {
    /// Creates a persisted store in `directory` (created if needed; an existing store there is an error).
    public static func create(
        at directory: String, schema: ReplaySchema, capacity: Int, eviction: EvictionPolicy, seed: UInt64,
        priorityExponent: Double? = nil
    ) throws -> ReplayStore {
        let manager = FileManager.default
        if manager.fileExists(atPath: directory + "/steps.h5") {
            throw ReplayError(
                "\(directory) already holds a replay store; open it with ReplayStore.open, or choose another directory")
        }
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let configuration = ReplayConfiguration(
            schema: schema, capacity: capacity, eviction: eviction, seed: seed, priorityExponent: priorityExponent)
        let store = ReplayStore(
            schema: schema, capacity: capacity, eviction: eviction, seed: seed, priorityExponent: priorityExponent)
        store.persistence = Persistence(
            directory: directory, log: try ReplayLog.create(directory: directory, configuration: configuration))
        try store.writeState()
        return store
    }

    /// Reopens the store in `directory` as of its last commit.
    public static func open(_ directory: String) throws -> ReplayStore {
        let stepsPath = directory + "/steps.h5"
        guard FileManager.default.fileExists(atPath: stepsPath) else {
            throw ReplayError("\(directory) holds no replay store (no steps.h5); create one with ReplayStore.create")
        }
        let configuration: ReplayConfiguration
        do {
            let file: File
            do {
                file = try File.open(stepsPath, mode: .readSWMR)
            } catch let error as HDF5Error where error.kind == .fileInUse {
                // The writer was killed after creating the log but before switching it to SWMR: only recovery
                // opens it (and `ReplayLog.reopen` below would recover it anyway).
                file = try File.recover(stepsPath)
            }
            defer { try? file.close() }
            guard try file.attribute("schema", as: String.self) == "lifelong.replay" else {
                throw ReplayError("\(stepsPath) is not a Lifelong replay log (its schema attribute differs)")
            }
            configuration = try JSONDecoder().decode(
                ReplayConfiguration.self, from: Data(try file.attribute("config", as: String.self).utf8))
        }
        let store = ReplayStore(
            schema: configuration.schema, capacity: configuration.capacity, eviction: configuration.eviction,
            seed: configuration.seed, priorityExponent: configuration.priorityExponent)
        let statePath = directory + "/state.h5"
        let committedRows: Int64
        var slotRows: [Int64] = []
        var state: File?
        if FileManager.default.fileExists(atPath: statePath) {
            let file = try File.open(statePath)
            committedRows = try file.attribute("committed_rows", as: Int64.self)
            slotRows = try file.openDataset("slot_row", as: Int64.self).readAll()
            state = file
        } else {
            committedRows = 0  // killed between creating the log and its first state: nothing was committed
        }
        let log = try ReplayLog.reopen(directory: directory, schema: configuration.schema, rows: committedRows)
        if let state {
            try store.restore(from: state, slotRows: slotRows, log: log)
        }
        store.persistence = Persistence(directory: directory, log: log)
        return store
    }

    /// Drops the rows of evicted transitions from the step log of the store in `directory`: the live rows are
    /// copied, in stream order and with their stream positions, into a new log that is then renamed over the old
    /// one (a kill at any moment leaves the old log or the new one, both consistent with `state.h5`). Run it when
    /// no process has the store open. Returns the rows before and after.
    @discardableResult
    public static func compact(_ directory: String) throws -> (before: Int, after: Int) {
        let store = try open(directory)
        guard let log = store.persistence?.log else { throw ReplayError("\(directory) holds no replay store") }
        let configuration = try JSONDecoder().decode(
            ReplayConfiguration.self, from: Data(try log.file.attribute("config", as: String.self).utf8))
        let positions = (0..<store.count).map { store.streamRow[$0] }.sorted()
        let transitions = try log.transitions(atPositions: positions)
        let before = log.appendedRows
        let temporaryName = "steps.compacting.h5"
        try? FileManager.default.removeItem(atPath: directory + "/" + temporaryName)
        let compacted = try ReplayLog.create(
            directory: directory, configuration: configuration, fileName: temporaryName)
        for (transition, position) in zip(transitions, positions) {
            try compacted.record(transition, position: position)
        }
        try compacted.commit()
        try compacted.file.close()
        try log.file.close()
        try DurableFile.rename(directory + "/" + temporaryName, to: directory + "/" + ReplayLog.fileName)
        return (before, positions.count)
    }

    /// Makes everything inserted so far durable, with the sampler state: after a kill, `open` returns exactly this.
    public func commit() throws {
        guard let persistence else {
            throw ReplayError("this store is not persisted; create it with ReplayStore.create")
        }
        if let failure = persistenceFailure { throw failure }
        try persistence.log.commit()
        try writeState()
    }

    /// The directory of a persisted store.
    public var directory: String? { persistence?.directory }

    private func writeState() throws {
        guard let persistence else { return }
        let path = persistence.directory + "/state.h5"
        try File.writeAtomically(path, overwrite: true) { file in
            try file.setAttribute("schema", "lifelong.replay.state")
            try file.setAttribute("committed_rows", inserted)
            try file.setAttribute("cursor", Int64(cursor))
            try file.setAttribute("max_priority", maxPriority)
            try file.setAttribute("seen_per_task", seenPerTask)
            try file.setAttribute("eviction_random", Self.words(evictionRandom))
            try file.setAttribute("sampling_random", Self.words(samplingRandom))
            try file.createDataset("slot_row", of: Int64.self, shape: [count]).write(
                (0..<count).map { streamRow[$0] })
            let taskLists = taskSlots.flatMap { $0 }
            try file.createDataset("task_slots", of: Int32.self, shape: [taskLists.count]).write(taskLists)
            try file.setAttribute("task_slot_counts", taskSlots.map { Int64($0.count) })
            try file.createDataset("open_episodes", of: Int64.self, shape: [openEpisodes.count * 2]).write(
                openEpisodes.flatMap { [$0.episode, Int64($0.slot)] })
            if priorityExponent != nil {
                try file.createDataset("priority", of: Double.self, shape: [count]).write(
                    (0..<count).map { priorities.value($0) })
            }
        }
    }

    private func restore(from state: File, slotRows: [Int64], log: ReplayLog) throws {
        let transitions = try log.transitions(atPositions: slotRows)
        for (slot, transition) in transitions.enumerated() {
            reserveForRestore(slot + 1)
            place(transition, slot: slot, row: slotRows[slot])
        }
        count = transitions.count
        inserted = try state.attribute("committed_rows", as: Int64.self)
        cursor = Int(try state.attribute("cursor", as: Int64.self))
        setMaxPriority(try state.attribute("max_priority", as: Double.self))
        seenPerTask = try state.attribute("seen_per_task", as: [Int64].self)
        evictionRandom = Self.stream(try state.attribute("eviction_random", as: [UInt64].self))
        samplingRandom = Self.stream(try state.attribute("sampling_random", as: [UInt64].self))
        // Task lists in their saved order (sampling depends on it); insertion order per task from stream rows.
        let lists = try state.openDataset("task_slots", as: Int32.self).readAll()
        let counts = try state.attribute("task_slot_counts", as: [Int64].self)
        var offset = 0
        taskSlots = counts.map { count in
            defer { offset += Int(count) }
            return Array(lists[offset..<(offset + Int(count))])
        }
        taskOrder = taskSlots.map { slots in .init(slots.sorted { streamRow[Int($0)] < streamRow[Int($1)] }) }
        for (taskIndex, slots) in taskSlots.enumerated() {
            for (position, slot) in slots.enumerated() {
                positionInTask[Int(slot)] = Int32(position)
                precondition(Int(scalars[Int(slot)].task) == taskIndex)
            }
        }
        // Episode links: consecutive steps of one episode that are both stored were linked when inserted.
        var slotOfStep: [Int64: [Int32: Int32]] = [:]
        for slot in 0..<count { slotOfStep[episode[slot], default: [:]][step[slot]] = Int32(slot) }
        for slot in 0..<count {
            next[slot] = -1
            previous[slot] = -1
        }
        for slot in 0..<count where !scalars[slot].isLast {
            if let following = slotOfStep[episode[slot]]?[step[slot] + 1] {
                next[slot] = following
                previous[Int(following)] = Int32(slot)
            }
        }
        let open = try state.openDataset("open_episodes", as: Int64.self).readAll()
        openEpisodes = stride(from: 0, to: open.count, by: 2).map { (open[$0], Int32(open[$0 + 1])) }
        if priorityExponent != nil {
            let saved = try state.openDataset("priority", as: Double.self).readAll()
            for (slot, value) in saved.enumerated() { priorities.set(slot, value) }
        }
    }

    private static func words(_ stream: RandomStream) -> [UInt64] {
        [stream.state.0, stream.state.1, stream.state.2, stream.state.3]
    }

    private static func stream(_ words: [UInt64]) -> RandomStream {
        RandomStream(state: (words[0], words[1], words[2], words[3]))
    }
}

/// The files behind a persisted store.
final class Persistence {
    let directory: String
    let log: ReplayLog

    init(directory: String, log: ReplayLog) {
        self.directory = directory
        self.log = log
    }
}
