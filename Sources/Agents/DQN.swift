public import Environments
import Foundation
public import HDF5
public import Neural
public import Replay

/// Deep Q-learning (Mnih et al., 2015) as Stable-Baselines3 implements it — Huber loss, target network (hard or
/// Polyak), ε-greedy exploration on a linear schedule, gradient clipping — with the options double Q, dueling
/// head and n-step returns. It reads top to bottom: `act`, `observe`, `learn`, `update`.
public final class DQN: RegularizableAgent, TaskConditionedAgent, EpisodicMemoryAgent {
    public let replay: ReplayStore
    public let configuration: DQNConfiguration
    public let actions: Int
    /// Environment steps observed.
    public private(set) var steps = 0
    /// Gradient steps taken.
    public private(set) var updates = 0
    /// The step the ε schedule counts from (moved to each task boundary with `restartExplorationAtTaskBoundary`).
    public private(set) var explorationOrigin = 0
    /// A continual-learning strategy's penalty on the online network, added at every update.
    public var penalty: (any ParameterPenalty)?
    /// The task whose head acts (with `taskHeads`); training sets it at task boundaries, the scheduler around
    /// each task's evaluation.
    public var activeTask: Int32 = 0
    /// Output heads: `configuration.taskHeads`, or 1 shared head.
    public let heads: Int
    /// A-GEM's projection of every update's gradient.
    public var projection: (any GradientProjection)?
    public var regularizedParameters: ParameterStore { online }

    let online = ParameterStore()
    let target = ParameterStore()
    private let network: QNetwork
    private let targetNetwork: QNetwork
    private let optimizer: Adam
    private let graph = Graph()
    /// The targets' graph (target network on s′), separate so that it can run beside the online forward pass.
    private let targetGraph = Graph()
    /// The second thread of `learningThreads` 2.
    private let lane: Lane?
    private var batch: ReplayBatch
    private var exploration: RandomStream
    private var targets: [Float]
    private var chosen: [Int32]
    private var nextChosen: [Int32]
    /// Projection scratch: a reference batch and the learner's own gradient, allocated on first use.
    private var referenceBatch: ReplayBatch?
    private var ownGradient: [Float] = []
    /// EMDQN's episodic tables (when `episodicWeight` > 0) and the per-row regression targets they give.
    public let episodic: EpisodicTables?
    private var episodicTargets: [Float] = []

    public init(observationSize: Int, actions: Int, configuration: DQNConfiguration, replay: ReplayStore, seed: UInt64)
    {
        precondition(replay.schema.observationSize == observationSize, "the replay schema's observation size differs")
        precondition(
            configuration.taskHeads == 0 || !configuration.dueling, "task-specific heads are not available with dueling"
        )
        heads = max(1, configuration.taskHeads)
        self.replay = replay
        self.configuration = configuration
        self.actions = actions
        let streams = RandomStream(seed: seed)
        precondition(
            configuration.episodicCapacity >= 1 && configuration.episodicKeySize >= 0,
            "episodicCapacity must be ≥ 1 and episodicKeySize ≥ 0")
        if configuration.episodicWeight > 0 {
            do {
                episodic = try EpisodicTables(
                    observationSize: observationSize, actions: actions, projection: configuration.episodicKeySize,
                    capacity: configuration.episodicCapacity, gamma: configuration.gamma,
                    eviction: .leastRecentlyUsed, stream: streams.derived("dqn/episodic"))
            } catch {
                preconditionFailure("\(error)")
            }
        } else {
            episodic = nil
        }
        var initialisation = streams.derived("dqn/init")
        network = QNetwork(observationSize, actions * heads, configuration, store: online, random: &initialisation)
        var same = streams.derived("dqn/init")
        targetNetwork = QNetwork(observationSize, actions * heads, configuration, store: target, random: &same)
        target.copy(from: online)
        exploration = streams.derived("dqn/explore")
        optimizer = Adam(store: online, learningRate: configuration.learningRate)
        batch = ReplayBatch(schema: replay.schema, size: configuration.batchSize)
        targets = [Float](repeating: 0, count: configuration.batchSize)
        chosen = [Int32](repeating: 0, count: configuration.batchSize)
        nextChosen = chosen
        precondition(configuration.invalidSettings.isEmpty, configuration.invalidSettings.first?.message ?? "")
        lane = configuration.learningThreads > 1 ? Lane() : nil
        graph.lane = lane
        graph.matmulPrecision = configuration.matmulPrecision
        targetGraph.matmulPrecision = configuration.matmulPrecision
    }

    /// Uniformly random before `learningStarts` (SB3's warm-up), then ε-greedy while exploring; greedy while
    /// evaluating.
    public func act(_ observation: [Float], mode: ActMode) -> Action {
        if mode == .explore
            && (steps < configuration.learningStarts
                || exploration.uniformDouble() < configuration.epsilon(atStep: steps - explorationOrigin))
        {
            return .discrete(exploration.index(below: actions))
        }
        graph.reset()
        let q = network(graph.input(Tensor(shape: [1, observation.count], scalars: observation)))
        if heads == 1 { return .discrete(Int(graph.argmax(q)[0])) }
        return .discrete(bestAction(q.values, offset: head(of: activeTask) * actions))
    }

    /// The head of `task` (task ids past the last head use the last).
    private func head(of task: Int32) -> Int { min(max(Int(task), 0), heads - 1) }

    /// The action with the largest value among `values[offset..<offset + actions]`.
    private func bestAction(_ values: UnsafeBufferPointer<Float>, offset: Int) -> Int {
        var best = 0
        for action in 1..<actions where values[offset + action] > values[offset + best] { best = action }
        return best
    }

    public func observe(_ transition: Transition) {
        let slot = replay.insert(transition)
        episodic?.record(transition, slot: slot, from: replay)
        steps += 1
    }

    /// The episodic tables' retention per task (empty without them).
    public func retention() -> [MemoryRetention] { episodic?.retention(k: 0) ?? [] }

    /// Updates the target every `targetUpdateInterval` steps, then trains every `trainFrequency` steps after
    /// `learningStarts` — SB3's order: its target update runs after each environment step, inside the rollout, and
    /// the round of gradient steps when the rollout ends. So on a step that does both, the round learns against the
    /// target as it was before it (CleanRL's dqn.py does the opposite; with SB3's names, SB3's meaning).
    public func learn() throws {
        if steps % configuration.targetUpdateInterval == 0 {
            if configuration.tau >= 1 {
                target.copy(from: online)
            } else {
                target.polyakUpdate(from: online, rate: configuration.tau)
            }
        }
        if steps >= configuration.learningStarts && steps % configuration.trainFrequency == 0 {
            for _ in 0..<configuration.gradientSteps { try update() }
        }
    }

    public func resetOptimizerState() { optimizer.reset() }

    public func taskBoundary(from previous: Int32?, to next: Int32) {
        activeTask = next
        episodic?.clearTrace(task: next)
        if configuration.restartExplorationAtTaskBoundary { explorationOrigin = steps }
    }

    /// One gradient step on a sampled batch.
    private func update() throws {
        if configuration.nSteps > 1 {
            try replay.sampleNStep(into: &batch, steps: configuration.nSteps, gamma: configuration.gamma)
        } else {
            let sampling = projection?.batchSampling ?? (configuration.taskBalancedSampling ? .taskBalanced : .uniform)
            try replay.sample(into: &batch, using: sampling)
        }
        let loss = lossOnBatch()
        guard loss.scalar.isFinite else {
            let data = batch.observations + batch.nextObservations + batch.rewards
            let cause =
                data.allSatisfy(\.isFinite)
                ? "lower the learning rate"
                : "the sampled transitions hold non-finite observations or rewards — check the environment's parameters"
            throw AgentError("DQN: the TD loss became \(loss.scalar) at update \(updates) (step \(steps)); \(cause)")
        }
        graph.backward(loss)
        if let projection, let reference = projection.referenceSampling { try project(against: reference) }
        try penalty?.apply(to: online, learner: "DQN", update: updates, step: steps)
        online.clipGradientNorm(configuration.maxGradientNorm)
        optimizer.step()
        updates += 1
    }

    /// A-GEM: the gradient on a reference batch drawn by `sampling`, and the learner's own gradient projected
    /// against it.
    private func project(against sampling: SamplingStrategy) throws {
        if referenceBatch == nil {
            referenceBatch = ReplayBatch(schema: replay.schema, size: configuration.batchSize)
            ownGradient = [Float](repeating: 0, count: online.count)
        }
        let gradients = online.gradients
        for index in 0..<ownGradient.count { ownGradient[index] = gradients[index] }
        swap(&batch, &referenceBatch!)
        defer { swap(&batch, &referenceBatch!) }
        try replay.sample(into: &batch, using: sampling)
        online.zeroGradients()
        graph.backward(lossOnBatch())
        ownGradient.withUnsafeMutableBufferPointer { own in
            projectGradient(own, against: UnsafeBufferPointer(online.gradients))
            for index in 0..<own.count { gradients[index] = own[index] }
        }
    }

    /// The Huber TD loss on `batch` (its first `batch.size` rows), on a fresh graph. With a lane, the targets are
    /// computed on the second thread while this one runs the online network.
    private func lossOnBatch() -> Variable {
        let size = batch.size
        graph.reset()
        var q: Variable?
        let onlineForward = {
            q = self.network(
                self.graph.input(
                    Tensor(shape: [size, self.replay.schema.observationSize], scalars: self.batch.observations)))
        }
        if let lane {
            lane.run(onlineForward, alongside: computeTargets)
        } else {
            computeTargets()
            onlineForward()
        }
        // Loss: Huber(Q(s, a) − target), SB3's smooth L1.
        for row in 0..<size {
            let offset = heads == 1 ? 0 : head(of: batch.tasks[row]) * actions
            chosen[row] = Int32(offset + Int(batch.actions[row]))
        }
        let taken = graph.gather(q!, indices: chosen)
        let target = graph.input(Tensor(shape: [size, 1], scalars: targets))
        let loss: Variable
        switch configuration.loss {
        case .huber: loss = graph.huberLoss(taken, target)
        case .meanSquaredError: loss = graph.meanSquaredError(taken, target)
        }
        return episodicTerm(taken, size: size).map { graph.add(loss, $0) } ?? loss
    }

    /// Targets: r + γᵏ (1 − terminal) Q_target(s′, a*), a* from the online network for double Q — on
    /// `targetGraph`, into `targets`.
    private func computeTargets() {
        let size = batch.size
        targetGraph.reset()
        let next = targetGraph.input(
            Tensor(shape: [size, replay.schema.observationSize], scalars: batch.nextObservations))
        let nextQ = targetNetwork(next)
        let chooser = configuration.doubleQ ? network(next) : nextQ
        let width = actions * heads
        if heads == 1 {
            nextChosen.withUnsafeMutableBufferPointer { targetGraph.argmax(chooser, into: $0) }
        } else {
            // Each transition's next action and value come from its own task's head.
            let values = chooser.values
            for row in 0..<size {
                let offset = row * width + head(of: batch.tasks[row]) * actions
                nextChosen[row] = Int32(offset - row * width + bestAction(values, offset: offset))
            }
        }
        let nextValues = nextQ.values
        for row in 0..<size {
            let discount = configuration.nSteps > 1 ? batch.discounts[row] : configuration.gamma
            targets[row] =
                batch.rewards[row] + discount * (1 - batch.terminals[row])
                * nextValues[row * width + Int(nextChosen[row])]
        }
    }

    /// EMDQN: λ·Huber(Q(s, a) − H(s, a)) over the batch, where rows without a stored H regress to themselves (no
    /// gradient); nil without episodic tables or when no row has an H.
    private func episodicTerm(_ taken: Variable, size: Int) -> Variable? {
        guard let episodic else { return nil }
        if episodicTargets.count != size { episodicTargets = [Float](repeating: 0, count: size) }
        let observationSize = replay.schema.observationSize
        let current = taken.values
        var found = false
        batch.observations.withUnsafeBufferPointer { observations in
            for row in 0..<size {
                episodic.makeKey(
                    UnsafeBufferPointer(rebasing: observations[row * observationSize..<(row + 1) * observationSize]))
                if let value = episodic.value(action: Int(batch.actions[row]), k: 0) {
                    episodicTargets[row] = value
                    found = true
                } else {
                    episodicTargets[row] = current[row]
                }
            }
        }
        guard found else { return nil }
        let episodicTarget = graph.input(Tensor(shape: [size, 1], scalars: episodicTargets))
        let weight = graph.input(Tensor(shape: [1], scalars: [configuration.episodicWeight]))
        return graph.multiply(graph.huberLoss(taken, episodicTarget), weight)
    }

    /// The Fisher of the Boltzmann policy softmax(Q(s, ·)) at states of `task`, with the expectation over actions
    /// taken exactly: F = E_s Σ_a π(a|s) (∇θ log π(a|s))². Unlike squared TD-loss gradients, it does not vanish
    /// once the TD errors of a learned task are small, so EWC still sees which weights the task relies on.
    public func fisherDiagonal(task: Int32, samples: Int) throws -> [Float] {
        let observationSize = replay.schema.observationSize
        return try meanSquaredGradients(of: online, replay: replay, task: task, samples: samples) {
            single, accumulate in
            graph.reset()
            let outputs = network(graph.input(Tensor(shape: [1, observationSize], scalars: single.observations)))
            let q = heads == 1 ? outputs : graph.sliceColumns(outputs, start: head(of: task) * actions, count: actions)
            let logPolicy = graph.logSoftmax(q)
            let logValues = Array(logPolicy.values)
            for action in 0..<actions {
                online.zeroGradients()
                graph.backward(graph.gather(logPolicy, indices: [Int32(action)]))
                accumulate(Foundation.exp(logValues[action]))
            }
        }
    }

    public func save(to group: Group) throws {
        try online.save(to: group.createGroup("online"))
        try target.save(to: group.createGroup("target"))
        try optimizer.save(to: group.createGroup("optimizer"))
        if let episodic { try episodic.save(to: group.createGroup("episodic")) }
        try group.setAttribute("steps", Int64(steps))
        try group.setAttribute("updates", Int64(updates))
        try group.setAttribute("exploration_origin", Int64(explorationOrigin))
        try group.setAttribute("active_task", Int64(activeTask))
        try group.setAttribute(
            "exploration_random", [exploration.state.0, exploration.state.1, exploration.state.2, exploration.state.3])
    }

    public func load(from group: Group) throws {
        try online.load(from: group.openGroup("online"))
        try target.load(from: group.openGroup("target"))
        try optimizer.load(from: group.openGroup("optimizer"))
        if let episodic { try episodic.load(from: group.openGroup("episodic")) }
        steps = Int(try group.attribute("steps", as: Int64.self))
        updates = Int(try group.attribute("updates", as: Int64.self))
        activeTask = group.hasAttribute("active_task") ? Int32(try group.attribute("active_task", as: Int64.self)) : 0
        explorationOrigin =
            group.hasAttribute("exploration_origin")
            ? Int(try group.attribute("exploration_origin", as: Int64.self)) : 0
        let words = try group.attribute("exploration_random", as: [UInt64].self)
        exploration = RandomStream(state: (words[0], words[1], words[2], words[3]))
    }
}

/// The Q-network: an MLP body and a linear or dueling head.
struct QNetwork {
    let body: MLP?
    let head: any Layer

    init(
        _ inputs: Int, _ actions: Int, _ configuration: DQNConfiguration, store: ParameterStore,
        random: inout RandomStream
    ) {
        let hidden = configuration.hiddenLayers
        if configuration.dueling {
            body =
                hidden.isEmpty
                ? nil
                : MLP([inputs] + hidden, activation: .relu, outputActivation: .relu, store: store, random: &random)
            head = DuelingHead(features: hidden.last ?? inputs, actions: actions, store: store, random: &random)
        } else {
            body = nil
            head = MLP([inputs] + hidden + [actions], activation: .relu, store: store, random: &random)
        }
    }

    func callAsFunction(_ input: Variable) -> Variable {
        head(body.map { $0(input) } ?? input)
    }
}

/// Why an agent stopped.
public struct AgentError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
