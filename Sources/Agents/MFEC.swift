public import Environments
public import EpisodicMemory
import Foundation
public import HDF5
import Randomness
public import Replay

/// Model-free episodic control (Blundell et al., 2016): one episodic table per action maps state keys to the best
/// discounted return seen from there; the agent acts greedily on those estimates.
///
/// - act: Q(s, a) = the stored value when s is in table a, else the mean of its k nearest keys' values; an action
///   whose table holds k entries or fewer counts as +∞ (try it). Ties are broken at random; ε-greedy on top.
/// - observe: the step goes into the shared replay store, and its key and reward into the current episode's trace.
/// - at an episode's end: R_t = r_t + γ R_{t+1} backwards, written into table a_t with the max rule.
/// - learn: nothing (the tables are the learning).
///
/// ```swift
/// let agent = try MFEC(observationSize: 4, actions: 2, configuration: MFECConfiguration(), replay: replay, seed: 1)
/// ```
public final class MFEC: EpisodicMemoryAgent {
    public let replay: ReplayStore
    public let configuration: MFECConfiguration
    public let actions: Int
    /// One table per action.
    public private(set) var tables: [EpisodicStore]
    let projection: RandomProjection?
    var exploration: RandomStream
    /// The current episode: keys (flat), actions and rewards, written at its end.
    var traceKeys: [Float] = []
    var traceActions: [Int] = []
    var traceRewards: [Float] = []
    var activeTask: Int32 = 0
    var key: [Float]
    var neighbours = Neighbours()
    var estimate: [Float] = [0]
    /// Held-out states per task for `retention()`: a reservoir of (key, action, return) from finished episodes.
    var holdout: [Int32: Holdout] = [:]
    var holdoutStream: RandomStream
    static let holdoutSize = 256

    struct Holdout {
        var keys: [Float] = []
        var actions: [Int] = []
        var returns: [Float] = []
        /// Samples offered so far (reservoir sampling).
        var seen = 0
    }

    public var keySize: Int { key.count }

    public init(
        observationSize: Int, actions: Int, configuration: MFECConfiguration, replay: ReplayStore, seed: UInt64
    ) throws {
        guard configuration.k >= 1, configuration.capacityPerAction >= 1, configuration.projection >= 0 else {
            throw MemoryError("MFECConfiguration: k and capacityPerAction must be ≥ 1 and projection ≥ 0")
        }
        self.replay = replay
        self.configuration = configuration
        self.actions = actions
        let streams = RandomStream(seed: seed)
        projection =
            configuration.projection > 0
            ? RandomProjection(
                inputSize: observationSize, outputSize: configuration.projection,
                stream: streams.derived("mfec/projection"))
            : nil
        let keySize = configuration.projection > 0 ? configuration.projection : observationSize
        key = [Float](repeating: 0, count: keySize)
        tables = try (0..<actions).map { _ in
            try EpisodicStore(
                MemoryConfiguration(
                    capacity: configuration.capacityPerAction, keySize: keySize, eviction: .leastRecentlyUpdated,
                    writeRule: .max))
        }
        exploration = streams.derived("mfec/explore")
        holdoutStream = streams.derived("mfec/holdout")
    }

    func makeKey(_ observation: [Float]) {
        if let projection {
            observation.withUnsafeBufferPointer { input in
                key.withUnsafeMutableBufferPointer { projection.project(input, rows: 1, into: $0) }
            }
        } else {
            for index in 0..<key.count { key[index] = observation[index] }
        }
    }

    /// Q(s, a) for every action of the observation whose key is in `key`.
    func values() -> [Float] {
        (0..<actions).map { action in key.withUnsafeBufferPointer { value(of: $0, action: action) } }
    }

    /// Q(s, a): the stored value on an exact hit, the mean of the k nearest otherwise, +∞ for a thin table.
    func value(of key: UnsafeBufferPointer<Float>, action: Int) -> Float {
        let table = tables[action]
        if let slot = table.exactMatch(key) { return table.value(at: slot)[0] }
        guard table.count > configuration.k else { return .infinity }
        estimate.withUnsafeMutableBufferPointer { output in
            table.estimate(key, queryCount: 1, k: configuration.k, kernel: .mean, neighbours: &neighbours, into: output)
        }
        return estimate[0]
    }

    public func act(_ observation: [Float], mode: ActMode) -> Action {
        if mode == .explore && exploration.uniformDouble() < configuration.epsilon {
            return .discrete(exploration.index(below: actions))
        }
        makeKey(observation)
        let q = values()
        let best = q.max()!
        let ties = q.indices.filter { q[$0] == best }
        // Evaluation breaks ties by index, so it never draws from training's stream.
        if ties.count == 1 || mode == .evaluate { return .discrete(ties[0]) }
        return .discrete(ties[exploration.index(below: ties.count)])
    }

    public func observe(_ transition: Transition) {
        replay.insert(transition)
        makeKey(transition.observation)
        traceKeys.append(contentsOf: key)
        traceActions.append(Int(transition.action[0]))
        traceRewards.append(transition.reward)
        activeTask = transition.task
        if transition.terminated || transition.truncated { writeEpisode() }
    }

    /// Writes the finished episode's discounted returns into the tables (max rule) and clears the trace.
    func writeEpisode() {
        var value: Float = 0
        let size = keySize
        for step in stride(from: traceRewards.count - 1, through: 0, by: -1) {
            value = traceRewards[step] + configuration.gamma * value
            let stepKey = Array(traceKeys[step * size..<(step + 1) * size])
            tables[traceActions[step]].write(key: stepKey, value: [value], task: activeTask)
            hold(stepKey, action: traceActions[step], value: value)
        }
        traceKeys.removeAll(keepingCapacity: true)
        traceActions.removeAll(keepingCapacity: true)
        traceRewards.removeAll(keepingCapacity: true)
    }

    /// Offers a finished step to its task's reservoir of held-out states.
    func hold(_ stepKey: [Float], action: Int, value: Float) {
        var set = holdout[activeTask] ?? Holdout()
        set.seen += 1
        let place = set.actions.count < Self.holdoutSize ? set.actions.count : holdoutStream.index(below: set.seen)
        if place == set.actions.count {
            set.keys += stepKey
            set.actions.append(action)
            set.returns.append(value)
        } else if place < Self.holdoutSize {
            for index in 0..<keySize { set.keys[place * keySize + index] = stepKey[index] }
            set.actions[place] = action
            set.returns[place] = value
        }
        holdout[activeTask] = set
    }

    /// Entries per task across the action tables, and the mean |Q(s, a) − return| over each task's held-out
    /// states (states whose action table is too thin to value are skipped).
    public func retention() -> [MemoryRetention] {
        var entries: [Int32: Int] = [:]
        for table in tables { entries.merge(table.entriesPerTask(), uniquingKeysWith: +) }
        let tasks = Set(entries.keys).union(holdout.keys).sorted()
        return tasks.map { task in
            var total = 0.0
            var counted = 0
            if let set = holdout[task] {
                set.keys.withUnsafeBufferPointer { keys in
                    for sample in set.actions.indices {
                        let estimate = value(
                            of: UnsafeBufferPointer(rebasing: keys[sample * keySize..<(sample + 1) * keySize]),
                            action: set.actions[sample])
                        guard estimate.isFinite else { continue }
                        total += Double(abs(estimate - set.returns[sample]))
                        counted += 1
                    }
                }
            }
            return MemoryRetention(
                task: task, entries: entries[task] ?? 0, valueError: counted > 0 ? total / Double(counted) : nil)
        }
    }

    public func learn() throws {}

    public func taskBoundary(from previous: Int32?, to next: Int32) {
        // An episode cut by the boundary is not finished: its partial returns would undervalue its states.
        traceKeys.removeAll(keepingCapacity: true)
        traceActions.removeAll(keepingCapacity: true)
        traceRewards.removeAll(keepingCapacity: true)
        activeTask = next
    }

    public func save(to group: Group) throws {
        for (action, table) in tables.enumerated() { try table.save(to: group.createGroup("table_\(action)")) }
        try group.setAttribute(
            "exploration_random", [exploration.state.0, exploration.state.1, exploration.state.2, exploration.state.3])
        try group.setAttribute("active_task", Int64(activeTask))
        try group.createDataset("trace/keys", of: Float.self, shape: [traceKeys.count]).write(traceKeys)
        try group.createDataset("trace/actions", of: Int64.self, shape: [traceActions.count])
            .write(traceActions.map { Int64($0) })
        try group.createDataset("trace/rewards", of: Float.self, shape: [traceRewards.count]).write(traceRewards)
        try group.setAttribute(
            "holdout_random",
            [holdoutStream.state.0, holdoutStream.state.1, holdoutStream.state.2, holdoutStream.state.3])
        for (task, set) in holdout {
            let held = try group.createGroup("holdout/task_\(task)")
            try held.setAttribute("task", Int64(task))
            try held.setAttribute("seen", Int64(set.seen))
            try held.createDataset("keys", of: Float.self, shape: [set.keys.count]).write(set.keys)
            try held.createDataset("actions", of: Int64.self, shape: [set.actions.count])
                .write(set.actions.map { Int64($0) })
            try held.createDataset("returns", of: Float.self, shape: [set.returns.count]).write(set.returns)
        }
    }

    public func load(from group: Group) throws {
        tables = try (0..<actions).map { try EpisodicStore.load(from: group.openGroup("table_\($0)")) }
        let words = try group.attribute("exploration_random", as: [UInt64].self)
        exploration = RandomStream(state: (words[0], words[1], words[2], words[3]))
        activeTask = Int32(try group.attribute("active_task", as: Int64.self))
        traceKeys = try group.openDataset("trace/keys", as: Float.self).readAll()
        traceActions = try group.openDataset("trace/actions", as: Int64.self).readAll().map { Int($0) }
        traceRewards = try group.openDataset("trace/rewards", as: Float.self).readAll()
        let holdoutWords = try group.attribute("holdout_random", as: [UInt64].self)
        holdoutStream = RandomStream(state: (holdoutWords[0], holdoutWords[1], holdoutWords[2], holdoutWords[3]))
        holdout = [:]
        if group.contains("holdout") {
            let folder = try group.openGroup("holdout")
            for name in try folder.children() {
                let held = try folder.openGroup(name)
                holdout[Int32(try held.attribute("task", as: Int64.self))] = Holdout(
                    keys: try held.openDataset("keys", as: Float.self).readAll(),
                    actions: try held.openDataset("actions", as: Int64.self).readAll().map { Int($0) },
                    returns: try held.openDataset("returns", as: Float.self).readAll(),
                    seen: Int(try held.attribute("seen", as: Int64.self)))
            }
        }
    }
}
