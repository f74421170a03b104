public import EpisodicMemory
import Foundation
public import HDF5
public import Randomness
public import Replay

/// One episodic table per action over one key function (raw observation or a random projection), filled as episodes
/// finish: the shared replay store gives the finished episode's steps and discounted returns R_t = r_t + γR_{t+1}
/// (`ReplayStore.episodeReturns`), written backwards into table a_t with the max rule. When the store no longer holds
/// the episode's start (a small store evicted it), the agent's trace of the current episode gives the same values. MFEC acts on these tables; DQN's
/// episodic bootstrap (EMDQN) regresses its Q-values toward them. Also keeps, per task, a seeded reservoir of
/// held-out (key, action, return) samples for `retention(k:)`.
public final class EpisodicTables {
    public let actions: Int
    public let gamma: Float
    public private(set) var stores: [EpisodicStore]
    let projection: RandomProjection?
    /// The key of the latest `makeKey` call.
    public private(set) var key: [Float]
    var traceKeys: [Float] = []
    var traceActions: [Int] = []
    var traceRewards: [Float] = []
    var activeTask: Int32 = 0
    var neighbours = Neighbours()
    var estimate: [Float] = [0]
    /// Scratch for observations read back from the replay store.
    var observation: [Float] = []
    /// How many finished episodes came from the replay store and how many from the trace (for tests and logs).
    public private(set) var episodesFromStore = 0
    public private(set) var episodesFromTrace = 0
    var holdout: [Int32: HeldOutSamples] = [:]
    var holdoutStream: RandomStream
    static let holdoutSize = 256

    public var keySize: Int { key.count }

    /// - Parameter projection: the key size of a Gaussian random projection; 0 keys on the raw observation.
    public init(
        observationSize: Int, actions: Int, projection: Int, capacity: Int, gamma: Float,
        eviction: MemoryConfiguration.Eviction, stream: RandomStream
    ) throws {
        self.actions = actions
        self.gamma = gamma
        self.projection =
            projection > 0
            ? RandomProjection(inputSize: observationSize, outputSize: projection, stream: stream.derived("projection"))
            : nil
        let keySize = projection > 0 ? projection : observationSize
        key = [Float](repeating: 0, count: keySize)
        stores = try (0..<actions).map { _ in
            try EpisodicStore(
                MemoryConfiguration(capacity: capacity, keySize: keySize, eviction: eviction, writeRule: .max))
        }
        holdoutStream = stream.derived("holdout")
    }

    /// Computes the key of `observation` into `key`.
    public func makeKey(_ observation: UnsafeBufferPointer<Float>) {
        if let projection {
            key.withUnsafeMutableBufferPointer { projection.project(observation, rows: 1, into: $0) }
        } else {
            for index in 0..<key.count { key[index] = observation[index] }
        }
    }

    /// Q(s, a) from table a for the key in `key`: the stored value on an exact hit; else, with `k` > 0, the mean of
    /// the k nearest values (+∞ when the table holds k or fewer); with `k` = 0, nil (exact matches only).
    public func value(action: Int, k: Int) -> Float? {
        key.withUnsafeBufferPointer { value(of: $0, action: action, k: k) }
    }

    func value(of key: UnsafeBufferPointer<Float>, action: Int, k: Int) -> Float? {
        let table = stores[action]
        if let slot = table.exactMatch(key) { return table.value(at: slot)[0] }
        guard k > 0 else { return nil }
        guard table.count > k else { return .infinity }
        estimate.withUnsafeMutableBufferPointer { output in
            table.estimate(key, queryCount: 1, k: k, kernel: .mean, neighbours: &neighbours, into: output)
        }
        return estimate[0]
    }

    /// Adds a step (stored in `slot` of `replay`, nil when the store passed it over) to the current episode; at its
    /// end, writes the episode's returns into the tables — read back from the replay store when it holds the whole
    /// episode, else from the trace.
    public func record(_ transition: Transition, slot: Int?, from replay: ReplayStore) {
        transition.observation.withUnsafeBufferPointer { makeKey($0) }
        traceKeys.append(contentsOf: key)
        traceActions.append(Int(transition.action[0]))
        traceRewards.append(transition.reward)
        activeTask = transition.task
        guard transition.terminated || transition.truncated else { return }
        if let slot, let episode = replay.episodeReturns(endingAt: slot, gamma: gamma),
            episode.slots.count == traceRewards.count
        {
            writeEpisode(from: replay, episode)
        } else {
            writeEpisode()
        }
    }

    /// Writes a finished episode read back from the replay store (last step first, as from the trace).
    func writeEpisode(from replay: ReplayStore, _ episode: (slots: [Int], returns: [Float])) {
        if observation.count != replay.schema.observationSize {
            observation = [Float](repeating: 0, count: replay.schema.observationSize)
        }
        for index in stride(from: episode.slots.count - 1, through: 0, by: -1) {
            let slot = episode.slots[index]
            observation.withUnsafeMutableBufferPointer { replay.observation(at: slot, into: $0.baseAddress!) }
            observation.withUnsafeBufferPointer { makeKey($0) }
            let action = Int(replay.firstAction(at: slot))
            stores[action].write(key: key, value: [episode.returns[index]], task: activeTask)
            hold(key, action: action, value: episode.returns[index])
        }
        episodesFromStore += 1
        clearTrace()
    }

    func writeEpisode() {
        var value: Float = 0
        let size = keySize
        for step in stride(from: traceRewards.count - 1, through: 0, by: -1) {
            value = traceRewards[step] + gamma * value
            let stepKey = Array(traceKeys[step * size..<(step + 1) * size])
            stores[traceActions[step]].write(key: stepKey, value: [value], task: activeTask)
            hold(stepKey, action: traceActions[step], value: value)
        }
        episodesFromTrace += 1
        clearTrace()
    }

    /// Drops the unfinished episode (at a task boundary its partial returns would undervalue its states).
    public func clearTrace(task: Int32? = nil) {
        traceKeys.removeAll(keepingCapacity: true)
        traceActions.removeAll(keepingCapacity: true)
        traceRewards.removeAll(keepingCapacity: true)
        if let task { activeTask = task }
    }

    /// Offers a finished step to its task's reservoir of held-out states (mutated in place: a local copy of the
    /// reservoir would copy its keys on every write).
    func hold(_ stepKey: [Float], action: Int, value: Float) {
        holdout[activeTask, default: HeldOutSamples()].offer(
            stepKey, action: action, value: value, capacity: Self.holdoutSize, stream: &holdoutStream)
    }

    /// Entries per task across the tables, and the mean |Q(s, a) − return| over each task's held-out states (with
    /// `k` neighbours where a state is not stored; states that cannot be valued are skipped).
    public func retention(k: Int) -> [MemoryRetention] {
        var entries: [Int32: Int] = [:]
        for table in stores { entries.merge(table.entriesPerTask(), uniquingKeysWith: +) }
        return Set(entries.keys).union(holdout.keys).sorted().map { task in
            var total = 0.0
            var counted = 0
            if let set = holdout[task] {
                set.keys.withUnsafeBufferPointer { keys in
                    for sample in set.actions.indices {
                        guard
                            let estimate = value(
                                of: UnsafeBufferPointer(rebasing: keys[sample * keySize..<(sample + 1) * keySize]),
                                action: set.actions[sample], k: k),
                            estimate.isFinite
                        else { continue }
                        total += Double(abs(estimate - set.returns[sample]))
                        counted += 1
                    }
                }
            }
            return MemoryRetention(
                task: task, entries: entries[task] ?? 0, valueError: counted > 0 ? total / Double(counted) : nil)
        }
    }

    public func save(to group: Group) throws {
        for (action, table) in stores.enumerated() { try table.save(to: group.createGroup("table_\(action)")) }
        try group.setAttribute("active_task", Int64(activeTask))
        try group.createDataset("trace/keys", of: Float.self, shape: [traceKeys.count]).write(traceKeys)
        try group.createDataset("trace/actions", of: Int64.self, shape: [traceActions.count])
            .write(traceActions.map { Int64($0) })
        try group.createDataset("trace/rewards", of: Float.self, shape: [traceRewards.count]).write(traceRewards)
        try group.setAttribute(
            "holdout_random",
            [holdoutStream.state.0, holdoutStream.state.1, holdoutStream.state.2, holdoutStream.state.3])
        try HeldOutSamples.save(holdout, to: group)
    }

    public func load(from group: Group) throws {
        stores = try (0..<actions).map { try EpisodicStore.load(from: group.openGroup("table_\($0)")) }
        activeTask = Int32(try group.attribute("active_task", as: Int64.self))
        traceKeys = try group.openDataset("trace/keys", as: Float.self).readAll()
        traceActions = try group.openDataset("trace/actions", as: Int64.self).readAll().map { Int($0) }
        traceRewards = try group.openDataset("trace/rewards", as: Float.self).readAll()
        let words = try group.attribute("holdout_random", as: [UInt64].self)
        holdoutStream = RandomStream(state: (words[0], words[1], words[2], words[3]))
        holdout = try HeldOutSamples.load(from: group)
    }
}
