public import Environments
public import EpisodicMemory
import Foundation
public import HDF5
public import Neural
import Randomness
public import Replay

/// Neural episodic control (Pritzel et al., 2017): a learned embedding h = f(s) keys one differentiable neural
/// dictionary (an episodic store) per action; Q(s, a) = Σᵢ wᵢ Qᵢ over the k nearest keys of dictionary a, with
/// wᵢ ∝ 1 / (‖h − hᵢ‖² + δ).
///
/// - act: ε-greedy on those Q-values; an action whose dictionary is empty counts as +∞ (try it).
/// - observe: the step goes into the shared replay store and a window of the last N steps; when the window is full
///   (or the episode ends) its oldest step's N-step target Σⱼ γʲ rₜ₊ⱼ + γᴺ maxₐ Q(sₜ₊ₙ, a) is written under hₜ into
///   dictionary aₜ — appended, or, where hₜ is stored already, blended: Q ← Q + α(target − Q).
/// - learn: a batch of N-step transitions from the replay store; the embedding is trained through Neural's autodiff
///   on (Q(s, a) − target)², the kernel read-out of the dictionary built from graph operations so the gradient
///   reaches f through the query key. Stored keys and values are not moved by the gradient (values change by the
///   write rule; keys of states visited again are written afresh and stale ones age out by least-recent use).
///
/// ```swift
/// let agent = NEC(observationSize: 4, actions: 2, configuration: NECConfiguration(), replay: replay, seed: 1)
/// ```
public final class NEC: EpisodicMemoryAgent {
    public let replay: ReplayStore
    public let configuration: NECConfiguration
    public let actions: Int
    /// Environment steps observed.
    public private(set) var steps = 0
    /// Gradient steps taken.
    public private(set) var updates = 0
    /// One dictionary per action.
    public private(set) var tables: [EpisodicStore]
    /// The embedding network's weights.
    public let parameters = ParameterStore()

    let embedding: MLP
    let optimizer: Adam
    let graph = Graph()
    var exploration: RandomStream
    var batch: ReplayBatch
    var activeTask: Int32 = 0
    /// The window of steps whose N-step targets are not written yet: keys (row-major), actions, rewards.
    var pendingKeys: [Float] = []
    var pendingActions: [Int] = []
    var pendingRewards: [Float] = []
    var holdout: [Int32: HeldOutSamples] = [:]
    var holdoutStream: RandomStream
    static let holdoutSize = 256
    // Scratch reused across calls.
    var key: [Float]
    var q: [Float]
    var neighbours = Neighbours()
    var estimate: [Float] = [0]
    var keys: [Float] = []
    var targets: [Float] = []
    var neighbourKeys: [Float] = []
    var neighbourValues: [Float] = []
    var neighbourMask: [Float] = []
    var rowWeights: [Float] = []
    var repeatRows: [Float] = []
    var queryRows: [Int] = []
    var queries: [Float] = []

    public var keySize: Int { configuration.keySize }

    public init(
        observationSize: Int, actions: Int, configuration: NECConfiguration, replay: ReplayStore, seed: UInt64
    ) throws {
        guard configuration.k >= 1, configuration.keySize >= 1, configuration.nSteps >= 1,
            configuration.capacityPerAction >= 1, configuration.batchSize >= 1, configuration.trainFrequency >= 1,
            configuration.delta > 0, configuration.tabularLearningRate > 0, configuration.tabularLearningRate <= 1
        else {
            throw MemoryError(
                "NECConfiguration: k, keySize, nSteps, capacityPerAction, batchSize and trainFrequency must be ≥ 1, "
                    + "delta > 0 and tabularLearningRate in (0, 1]")
        }
        precondition(replay.schema.observationSize == observationSize, "the replay schema's observation size differs")
        self.replay = replay
        self.configuration = configuration
        self.actions = actions
        let streams = RandomStream(seed: seed)
        var initialisation = streams.derived("nec/init")
        embedding = MLP(
            [observationSize] + configuration.hiddenLayers + [configuration.keySize], activation: .relu,
            store: parameters, random: &initialisation, name: "embedding")
        optimizer = Adam(store: parameters, learningRate: configuration.learningRate)
        tables = try (0..<actions).map { _ in
            try EpisodicStore(
                MemoryConfiguration(
                    capacity: configuration.capacityPerAction, keySize: configuration.keySize,
                    eviction: .leastRecentlyUsed, writeRule: .blend(rate: configuration.tabularLearningRate)))
        }
        exploration = streams.derived("nec/explore")
        holdoutStream = streams.derived("nec/holdout")
        batch = ReplayBatch(schema: replay.schema, size: configuration.batchSize)
        key = [Float](repeating: 0, count: configuration.keySize)
        q = [Float](repeating: 0, count: actions)
    }

    // MARK: - Acting

    public func act(_ observation: [Float], mode: ActMode) -> Action {
        if mode == .explore && exploration.uniformDouble() < configuration.epsilon(atStep: steps) {
            return .discrete(exploration.index(below: actions))
        }
        observation.withUnsafeBufferPointer { embed($0, rows: 1, into: &key) }
        values(ofKey: key, optimistic: true, touch: mode == .explore)
        var best = 0
        for action in 1..<actions where q[action] > q[best] { best = action }
        return .discrete(best)
    }

    /// The embeddings of `rows` observations (row-major) into `output`.
    func embed(_ observations: UnsafeBufferPointer<Float>, rows: Int, into output: inout [Float]) {
        graph.reset()
        let h = embedding(graph.input(observations, shape: [rows, replay.schema.observationSize]))
        let values = h.values
        if output.count != values.count { output = [Float](repeating: 0, count: values.count) }
        for index in 0..<values.count { output[index] = values[index] }
    }

    /// Q(key, a) for every action into `q`. An empty dictionary's value is +∞ when `optimistic` (acting), else −∞
    /// (bootstrapping never trusts an action it knows nothing of).
    func values(ofKey key: [Float], optimistic: Bool, touch: Bool) {
        key.withUnsafeBufferPointer { key in
            for action in 0..<actions {
                let table = tables[action]
                guard table.count > 0 else {
                    q[action] = optimistic ? .infinity : -.infinity
                    continue
                }
                estimate.withUnsafeMutableBufferPointer { output in
                    table.estimate(
                        key, queryCount: 1, k: configuration.k, kernel: .inverseDistance(delta: configuration.delta),
                        neighbours: &neighbours, into: output, touch: touch)
                }
                q[action] = estimate[0]
            }
        }
    }

    /// maxₐ Q(key, a) over the actions with entries; 0 when every dictionary is empty.
    func bootstrapValue(ofKey key: [Float]) -> Float {
        values(ofKey: key, optimistic: false, touch: false)
        let best = q.max() ?? 0
        return best.isFinite ? best : 0
    }

    // MARK: - Observing and writing

    public func observe(_ transition: Transition) {
        let slot = replay.insert(transition)
        steps += 1
        activeTask = transition.task
        transition.observation.withUnsafeBufferPointer { embed($0, rows: 1, into: &key) }
        pendingKeys += key
        pendingActions.append(Int(transition.action[0]))
        pendingRewards.append(transition.reward)
        let ended = transition.terminated || transition.truncated
        guard ended || pendingActions.count == configuration.nSteps else { return }
        var bootstrap: Float = 0
        if !transition.terminated {
            transition.nextObservation.withUnsafeBufferPointer { embed($0, rows: 1, into: &key) }
            bootstrap = bootstrapValue(ofKey: key)
        }
        if ended {
            // Every pending step gets its (shorter) target, newest first.
            var target = bootstrap
            for step in stride(from: pendingActions.count - 1, through: 0, by: -1) {
                target = pendingRewards[step] + configuration.gamma * target
                writePending(step, target: target)
            }
            pendingKeys.removeAll(keepingCapacity: true)
            pendingActions.removeAll(keepingCapacity: true)
            pendingRewards.removeAll(keepingCapacity: true)
            if let slot { holdEpisode(endingAt: slot) }
        } else {
            var target = bootstrap
            for step in stride(from: pendingActions.count - 1, through: 0, by: -1) {
                target = pendingRewards[step] + configuration.gamma * target
            }
            writePending(0, target: target)
            pendingKeys.removeFirst(keySize)
            pendingActions.removeFirst()
            pendingRewards.removeFirst()
        }
    }

    func writePending(_ step: Int, target: Float) {
        tables[pendingActions[step]].write(
            key: Array(pendingKeys[step * keySize..<(step + 1) * keySize]), value: [target], task: activeTask)
    }

    /// Offers the finished episode's states, with the discounted returns the replay store computes, to the task's
    /// held-out reservoir (observations are kept, so retention embeds them with the embedding of the day).
    func holdEpisode(endingAt slot: Int) {
        guard let episode = replay.episodeReturns(endingAt: slot, gamma: configuration.gamma) else { return }
        var observation = [Float](repeating: 0, count: replay.schema.observationSize)
        for (index, stepSlot) in episode.slots.enumerated() {
            observation.withUnsafeMutableBufferPointer { replay.observation(at: stepSlot, into: $0.baseAddress!) }
            holdout[activeTask, default: HeldOutSamples()].offer(
                observation, action: Int(replay.firstAction(at: stepSlot)), value: episode.returns[index],
                capacity: Self.holdoutSize, stream: &holdoutStream)
        }
    }

    public func taskBoundary(from previous: Int32?, to next: Int32) {
        // A partial window would mix the two tasks' rewards into one target.
        pendingKeys.removeAll(keepingCapacity: true)
        pendingActions.removeAll(keepingCapacity: true)
        pendingRewards.removeAll(keepingCapacity: true)
        activeTask = next
    }

    // MARK: - Learning

    /// A gradient step every `trainFrequency` steps after `learningStarts`.
    public func learn() throws {
        guard steps >= configuration.learningStarts, steps % configuration.trainFrequency == 0 else { return }
        try update()
    }

    func update() throws {
        try replay.sampleNStep(into: &batch, steps: configuration.nSteps, gamma: configuration.gamma)
        let size = batch.size
        // Targets R + γᴺ (1 − terminal) maxₐ Q(s', a), read from the dictionaries with the current embedding.
        batch.nextObservations.withUnsafeBufferPointer { embed($0, rows: size, into: &keys) }
        if targets.count != size { targets = [Float](repeating: 0, count: size) }
        for row in 0..<size {
            var bootstrap: Float = 0
            if batch.terminals[row] == 0 {
                for index in 0..<keySize { key[index] = keys[row * keySize + index] }
                bootstrap = bootstrapValue(ofKey: key)
            }
            targets[row] = batch.rewards[row] + batch.discounts[row] * bootstrap
        }
        let loss = lossOnBatch()
        guard loss.scalar.isFinite else {
            throw AgentError(
                "NEC: the loss became \(loss.scalar) at update \(updates) (step \(steps)); lower the learning rate")
        }
        graph.backward(loss)
        parameters.clipGradientNorm(configuration.maxGradientNorm)
        optimizer.step()
        updates += 1
    }

    /// mean over the batch of (Q(s, a) − target)², Q read out of dictionary a at the embedded s through graph
    /// operations: wᵢ = softmax(−log(‖h − hᵢ‖² + δ)) over the k neighbours, Q = Σ wᵢ Qᵢ. Rows whose dictionary is
    /// empty weigh nothing; missing neighbours (a dictionary holding fewer than k) are masked out of the softmax.
    func lossOnBatch() -> Variable {
        let size = batch.size
        let k = configuration.k
        graph.reset()
        let h = embedding(input(batch.observations, [size, replay.schema.observationSize]))
        findNeighbours(of: h.values, size: size)
        let readout = Self.kernelReadout(
            queries: h, repeat: input(repeatRows, [size * k, size]),
            neighbourKeys: input(neighbourKeys, [size * k, keySize]),
            values: input(neighbourValues, [size, k]), mask: input(neighbourMask, [size, k]), delta: configuration.delta
        )
        let target = input(targets, [size, 1])
        let rows = input(rowWeights, [size, 1])
        return graph.multiply(graph.subtract(readout, target).squared(), rows).mean()
    }

    /// NEC's differentiable read-out Q = Σᵢ wᵢ Qᵢ, wᵢ = softmax over i of −log(‖h − hᵢ‖² + δ) + maskᵢ, from graph
    /// operations so gradients reach the queries (and whatever produced them).
    ///
    /// - Parameters:
    ///   - queries: [n × d] query keys.
    ///   - repeat: [n·k × n], one 1 per row: row r·k + i picks query r (repeats each query k times).
    ///   - neighbourKeys: [n·k × d] the k neighbour keys of each query, query by query.
    ///   - values: [n × k] the neighbours' values.
    ///   - mask: [n × k] 0 for a neighbour, a large negative number for a missing one.
    /// - Returns: [n × 1] read-outs.
    public static func kernelReadout(
        queries: Variable, repeat: Variable, neighbourKeys: Variable, values: Variable, mask: Variable, delta: Float
    ) -> Variable {
        let graph = queries.owner
        let distances = graph.subtract(graph.matmul(`repeat`, queries), neighbourKeys).squared().sumAlongLastAxis()
            .reshaped(values.shape)
        let logits = graph.add(
            graph.affine(graph.affine(distances, scale: 1, shift: delta).log(), scale: -1, shift: 0), mask)
        return graph.multiply(logits.logSoftmax().exp(), values).sumAlongLastAxis()
    }

    /// Records `values` as a graph input of `shape`.
    func input(_ values: [Float], _ shape: Shape) -> Variable {
        values.withUnsafeBufferPointer { graph.input($0, shape: shape) }
    }

    /// Fills the neighbour keys, values and mask of every batch row (one search per action over that action's rows),
    /// the row weights and the [size·k × size] matrix that repeats each query row k times.
    func findNeighbours(of embedded: UnsafeBufferPointer<Float>, size: Int) {
        let k = configuration.k
        if neighbourValues.count != size * k {
            neighbourKeys = [Float](repeating: 0, count: size * k * keySize)
            neighbourValues = [Float](repeating: 0, count: size * k)
            neighbourMask = [Float](repeating: 0, count: size * k)
            rowWeights = [Float](repeating: 0, count: size)
            repeatRows = [Float](repeating: 0, count: size * k * size)
            for row in 0..<size { for place in 0..<k { repeatRows[(row * k + place) * size + row] = 1 } }
        }
        for action in 0..<actions {
            queryRows.removeAll(keepingCapacity: true)
            queries.removeAll(keepingCapacity: true)
            for row in 0..<size where Int(batch.actions[row]) == action {
                queryRows.append(row)
                queries += embedded[row * keySize..<(row + 1) * keySize]
            }
            guard !queryRows.isEmpty else { continue }
            let table = tables[action]
            if table.count > 0 {
                queries.withUnsafeBufferPointer {
                    table.nearest($0, queryCount: queryRows.count, k: k, into: &neighbours, touch: true)
                }
            }
            for (query, row) in queryRows.enumerated() {
                rowWeights[row] = table.count > 0 ? 1 : 0
                for place in 0..<k {
                    let slot = table.count > 0 ? Int(neighbours.slots[query * k + place]) : -1
                    let base = (row * k + place) * keySize
                    if slot >= 0 {
                        table.withKey(at: slot) { stored in
                            for index in 0..<keySize { neighbourKeys[base + index] = stored[index] }
                        }
                        neighbourValues[row * k + place] = table.value(at: slot, column: 0)
                        neighbourMask[row * k + place] = 0
                    } else {
                        // A placeholder at the query itself, masked out of the softmax.
                        for index in 0..<keySize { neighbourKeys[base + index] = embedded[row * keySize + index] }
                        neighbourValues[row * k + place] = 0
                        neighbourMask[row * k + place] = -1e30
                    }
                }
            }
        }
    }

    // MARK: - Retention and checkpoints

    /// Entries per task across the dictionaries, and the mean |Q(s, a) − return| over each task's held-out states,
    /// embedded with the current embedding.
    public func retention() -> [MemoryRetention] {
        var entries: [Int32: Int] = [:]
        for table in tables { entries.merge(table.entriesPerTask(), uniquingKeysWith: +) }
        return Set(entries.keys).union(holdout.keys).sorted().map { task in
            var total = 0.0
            var counted = 0
            if let set = holdout[task], !set.actions.isEmpty {
                set.keys.withUnsafeBufferPointer { embed($0, rows: set.actions.count, into: &keys) }
                for sample in set.actions.indices {
                    for index in 0..<keySize { key[index] = keys[sample * keySize + index] }
                    values(ofKey: key, optimistic: false, touch: false)
                    guard q[set.actions[sample]].isFinite else { continue }
                    total += Double(abs(q[set.actions[sample]] - set.returns[sample]))
                    counted += 1
                }
            }
            return MemoryRetention(
                task: task, entries: entries[task] ?? 0, valueError: counted > 0 ? total / Double(counted) : nil)
        }
    }

    public func save(to group: Group) throws {
        try parameters.save(to: group.createGroup("embedding"))
        try optimizer.save(to: group.createGroup("optimizer"))
        for (action, table) in tables.enumerated() { try table.save(to: group.createGroup("table_\(action)")) }
        try group.createDataset("pending/keys", of: Float.self, shape: [pendingKeys.count]).write(pendingKeys)
        try group.createDataset("pending/actions", of: Int64.self, shape: [pendingActions.count])
            .write(pendingActions.map { Int64($0) })
        try group.createDataset("pending/rewards", of: Float.self, shape: [pendingRewards.count]).write(pendingRewards)
        try HeldOutSamples.save(holdout, to: group)
        try group.setAttribute("steps", Int64(steps))
        try group.setAttribute("updates", Int64(updates))
        try group.setAttribute("active_task", Int64(activeTask))
        try group.setAttribute(
            "exploration_random", [exploration.state.0, exploration.state.1, exploration.state.2, exploration.state.3])
        try group.setAttribute(
            "holdout_random",
            [holdoutStream.state.0, holdoutStream.state.1, holdoutStream.state.2, holdoutStream.state.3])
    }

    public func load(from group: Group) throws {
        try parameters.load(from: group.openGroup("embedding"))
        try optimizer.load(from: group.openGroup("optimizer"))
        tables = try (0..<actions).map { try EpisodicStore.load(from: group.openGroup("table_\($0)")) }
        pendingKeys = try group.openDataset("pending/keys", as: Float.self).readAll()
        pendingActions = try group.openDataset("pending/actions", as: Int64.self).readAll().map { Int($0) }
        pendingRewards = try group.openDataset("pending/rewards", as: Float.self).readAll()
        holdout = try HeldOutSamples.load(from: group)
        steps = Int(try group.attribute("steps", as: Int64.self))
        updates = Int(try group.attribute("updates", as: Int64.self))
        activeTask = Int32(try group.attribute("active_task", as: Int64.self))
        let words = try group.attribute("exploration_random", as: [UInt64].self)
        exploration = RandomStream(state: (words[0], words[1], words[2], words[3]))
        let held = try group.attribute("holdout_random", as: [UInt64].self)
        holdoutStream = RandomStream(state: (held[0], held[1], held[2], held[3]))
    }
}
