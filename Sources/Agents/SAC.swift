public import Environments
import Foundation
public import HDF5
public import Neural
public import Replay

/// Soft actor-critic (Haarnoja et al., 2018) with automatic entropy tuning, as Stable-Baselines3 implements it:
/// a tanh-squashed Gaussian policy, twin critics with Polyak-averaged targets, α tuned toward an entropy target.
/// Actions are scaled from (−1, 1) to the environment's bounds.
public final class SAC: RegularizableAgent {
    public let replay: ReplayStore
    public let configuration: SACConfiguration
    public private(set) var steps = 0
    public private(set) var updates = 0
    /// A continual-learning strategy's penalty on the actor, added at every actor update.
    public var penalty: (any ParameterPenalty)?
    public var regularizedParameters: ParameterStore { actorStore }
    /// Not applied by SAC yet (the curriculum validator refuses A-GEM with SAC).
    public var projection: (any GradientProjection)?
    let actionLow: [Float]
    let actionHigh: [Float]

    let actorStore = ParameterStore()
    let criticStore = ParameterStore()
    let targetStore = ParameterStore()
    let entropyStore = ParameterStore()
    private let actor: MLP
    private let critics: (MLP, MLP)
    private let targets: (MLP, MLP)
    private let logAlpha: Parameter
    private let actorOptimizer: Adam
    private let criticOptimizer: Adam
    private let entropyOptimizer: Adam
    /// The critic loss (from the critics' values), the actor loss's head and the entropy step.
    private let graph = Graph()
    /// The critics' targets' graph, separate so that it can run beside the critics' forward pass.
    private let targetGraph = Graph()
    /// The actor step's policy pass, recorded beside the critic step (the policy does not change until then).
    private let actorGraph = Graph()
    /// Each critic's forward and backward pass of the critic step, one graph per critic so that the two backward
    /// passes run at once (the loss joining them is on `graph`).
    private let criticGraphs = (Graph(), Graph())
    /// Each critic's pass at the policy's actions (the critics are constant there; `MLP.inputGradient` takes the
    /// gradient from it), one graph per critic so that the two run at once.
    private let actionValueGraphs = (Graph(), Graph())
    /// The second thread of `learningThreads` 2.
    private let lane: Lane?
    /// r + γ(1 − d)(min Q_target(s′, a′) − α log π(a′|s′)) per row of the batch.
    private var criticTargets: [Float]
    /// The standard normal draws of the policy's samples at s′ (targets) and at s (actor step), drawn in that
    /// order before an update's work is split over threads.
    private var nextStateNoise: [Float]
    private var stateNoise: [Float]
    /// d/da of −mean(min(Q1(s, a), Q2(s, a))) at the policy's actions: the critics' part of the actor's gradient.
    private var criticActionGradient: [Float]
    /// The rows whose min(Q1, Q2) gradient goes through the first critic, then those through the second (a tie is
    /// in both): up to twice the batch.
    private let lowerCriticRows: UnsafeMutableBufferPointer<Int32>
    /// Each critic's gradient with respect to its input [s, a] at the listed rows, written by both threads (on
    /// different rows), hence not arrays.
    private let actionValueGradients: (UnsafeMutableBufferPointer<Float>, UnsafeMutableBufferPointer<Float>)
    /// `MLP.inputGradient`'s scratch, one per thread.
    private let workspaces = (InputGradientWorkspace(), InputGradientWorkspace())
    private var batch: ReplayBatch
    private var noise: RandomStream
    private let actionSize: Int
    private let targetEntropy: Float
    private let actionBuffer: UnsafeMutableBufferPointer<Float>
    /// CLEAR: the collecting policy's [means, log-stds, valid] and value at the last exploring `act`.
    private var behaviour: [Float]
    private var behaviourValue: Float = 0
    private var clones: Bool { configuration.policyCloning > 0 || configuration.valueCloning > 0 }

    public init(
        observationSize: Int, actionSpace: Space, configuration: SACConfiguration, replay: ReplayStore, seed: UInt64
    ) {
        guard case .box(let low, let high, _) = actionSpace else { preconditionFailure("SAC needs a box action space") }
        precondition(
            !(configuration.policyCloning > 0 || configuration.valueCloning > 0)
                || replay.schema.extraColumns == Self.cloningColumns(actionSize: low.count),
            "CLEAR's cloning needs the store's behaviour columns: build it with SAC.replaySchema")
        behaviour = [Float](repeating: 0, count: 2 * low.count + 1)
        self.replay = replay
        self.configuration = configuration
        actionLow = low
        actionHigh = high
        actionSize = low.count
        actionBuffer = .allocate(capacity: low.count)
        actionBuffer.initialize(repeating: 0)
        targetEntropy = configuration.targetEntropy ?? -Float(low.count)
        let streams = RandomStream(seed: seed)
        var initialisation = streams.derived("sac/init")
        let hidden = configuration.hiddenLayers
        actor = MLP(
            [observationSize] + hidden + [2 * actionSize], activation: .relu, store: actorStore, random: &initialisation
        )
        let criticSizes = [observationSize + actionSize] + hidden + [1]
        critics = (
            MLP(criticSizes, activation: .relu, store: criticStore, random: &initialisation, name: "q1"),
            MLP(criticSizes, activation: .relu, store: criticStore, random: &initialisation, name: "q2")
        )
        var same = streams.derived("sac/init")
        _ = MLP(
            [observationSize] + hidden + [2 * actionSize], activation: .relu, store: ParameterStore(), random: &same)
        targets = (
            MLP(criticSizes, activation: .relu, store: targetStore, random: &same, name: "q1"),
            MLP(criticSizes, activation: .relu, store: targetStore, random: &same, name: "q2")
        )
        targetStore.copy(from: criticStore)
        let initialLogAlpha = log(configuration.initialEntropyCoefficient)
        logAlpha = entropyStore.allocate("log_alpha", shape: [1]) { $0[0] = initialLogAlpha }
        actorOptimizer = Adam(store: actorStore, learningRate: configuration.learningRate)
        criticOptimizer = Adam(store: criticStore, learningRate: configuration.learningRate)
        entropyOptimizer = Adam(store: entropyStore, learningRate: configuration.learningRate)
        noise = streams.derived("sac/noise")
        batch = ReplayBatch(schema: replay.schema, size: configuration.batchSize)
        criticTargets = [Float](repeating: 0, count: configuration.batchSize)
        nextStateNoise = [Float](repeating: 0, count: configuration.batchSize * low.count)
        stateNoise = nextStateNoise
        criticActionGradient = nextStateNoise
        lowerCriticRows = .allocate(capacity: 2 * configuration.batchSize)
        lowerCriticRows.initialize(repeating: 0)
        let criticInputs = configuration.batchSize * (observationSize + low.count)
        actionValueGradients = (.allocate(capacity: criticInputs), .allocate(capacity: criticInputs))
        actionValueGradients.0.initialize(repeating: 0)
        actionValueGradients.1.initialize(repeating: 0)
        precondition(configuration.invalidSettings.isEmpty, configuration.invalidSettings.first?.message ?? "")
        lane = configuration.learningThreads > 1 ? Lane() : nil
        graph.lane = lane
        actorGraph.lane = lane
        // Their updates are memory-bound passes over ~135k and ~67k values: two cores halve them (99 → 39–85 µs a
        // step for the critics', timed inside the update).
        actorOptimizer.lane = lane
        criticOptimizer.lane = lane
        actionValueGraphs.0.constantStore = criticStore
        actionValueGraphs.1.constantStore = criticStore
        for learning in [
            graph, targetGraph, actorGraph, criticGraphs.0, criticGraphs.1, actionValueGraphs.0, actionValueGraphs.1,
        ] {
            learning.matmulPrecision = configuration.matmulPrecision
        }
    }

    /// A sample of the squashed Gaussian while exploring (uniform over the box before learning starts, as SB3);
    /// tanh of the mean while evaluating.
    public func act(_ observation: [Float], mode: ActMode) -> Action {
        if mode == .explore && steps < configuration.learningStarts {
            return .continuous(scaled((0..<actionSize).map { _ in noise.uniform(-1, 1) }))
        }
        graph.reset()
        let output = actor(graph.input(Tensor(shape: [1, observation.count], scalars: observation))).values
        var squashed = [Float](repeating: 0, count: actionSize)
        for index in 0..<actionSize {
            let mean = output[index]
            let logStd = min(max(output[actionSize + index], -20), 2)
            let u = mode == .evaluate ? mean : mean + Foundation.exp(logStd) * noise.normal()
            squashed[index] = Foundation.tanh(u)
            if mode == .explore && clones {
                behaviour[index] = mean
                behaviour[actionSize + index] = logStd
            }
        }
        if mode == .explore && clones {
            behaviour[2 * actionSize] = 1
            if configuration.valueCloning > 0 {
                let input = graph.input(
                    Tensor(shape: [1, observation.count + actionSize], scalars: observation + squashed))
                behaviourValue = minimum(critics.0(input), critics.1(input)).scalar
            }
        }
        return .continuous(scaled(squashed))
    }

    /// The action in the environment's units, from (−1, 1), in a buffer owned by the agent: valid until the next
    /// `act` (the loop passes it straight to `Environment.step`).
    private func scaled(_ squashed: [Float]) -> UnsafeBufferPointer<Float> {
        for index in 0..<actionSize {
            actionBuffer[index] =
                actionLow[index] + (squashed[index] + 1) * 0.5 * (actionHigh[index] - actionLow[index])
        }
        return UnsafeBufferPointer(actionBuffer)
    }

    deinit {
        actionBuffer.deallocate()
        lowerCriticRows.deallocate()
        actionValueGradients.0.deallocate()
        actionValueGradients.1.deallocate()
    }

    public func observe(_ transition: Transition) {
        // Actions are stored in (−1, 1), the policy's own units.
        var stored = transition
        stored.action = (0..<actionSize).map { index in
            2 * (transition.action[index] - actionLow[index]) / (actionHigh[index] - actionLow[index]) - 1
        }
        if clones {
            // Before learning starts actions are uniform, not the policy's: marked invalid for cloning.
            if steps < configuration.learningStarts { behaviour[2 * actionSize] = 0 }
            stored.extras = ["behaviour": behaviour, "behaviour_value": [behaviourValue]]
        }
        replay.insert(stored)
        steps += 1
    }

    public func learn() throws {
        guard steps >= configuration.learningStarts, steps % configuration.trainFrequency == 0 else { return }
        for _ in 0..<configuration.gradientSteps { try update() }
    }

    /// The squashed sample and its log-probability for a batch of observations, with the standard normal draws
    /// `normals` (row-major, one per action dimension).
    private func policy(_ observations: Variable, normals: [Float]) -> (action: Variable, logProbability: Variable) {
        let size = observations.shape[0]
        let graph = observations.owner
        let output = actor(observations)
        let mean = graph.sliceColumns(output, start: 0, count: actionSize)
        let logStd = graph.sliceColumns(output, start: actionSize, count: actionSize).clamped(-20, 2)
        let epsilon = graph.input(Tensor(shape: [size, actionSize], scalars: normals))
        let u = mean + logStd.exp() * epsilon
        let action = u.tanh()
        // log N(u; mean, σ) − log(1 − tanh²u + 1e-6), summed over action dimensions.
        let gaussian = -0.5 * epsilon.squared() - logStd - 0.5 * Float(Foundation.log(2 * Double.pi))
        let correction = (1 + 1e-6 - action.squared()).log()
        return (action, (gaussian - correction).sumAlongLastAxis())
    }

    private func minimum(_ a: Variable, _ b: Variable) -> Variable { 0.5 * (a + b - (a - b).abs()) }

    /// Model-generated experience mixed into the updates (MBPO): each batch comes from `imagined` with
    /// probability 1 − `realRatio` (once it holds a batch), else from the real store.
    public var imagination: Imagination?

    /// Squashed actions in (−1, 1) — the units the replay store keeps — sampled from the current policy for `count`
    /// observations at once, with noise from `stream` (the agent's own exploration stream is left alone).
    public func sampleActions(
        _ observations: UnsafeBufferPointer<Float>, count: Int, stream: inout RandomStream,
        into actions: UnsafeMutablePointer<Float>
    ) {
        graph.reset()
        let output = actor(graph.input(observations, shape: [count, replay.schema.observationSize])).values
        for row in 0..<count {
            for index in 0..<actionSize {
                let mean = output[row * 2 * actionSize + index]
                let logStd = min(max(output[row * 2 * actionSize + actionSize + index], -20), 2)
                actions[row * actionSize + index] = Foundation.tanh(mean + Foundation.exp(logStd) * stream.normal())
            }
        }
    }

    /// Critic targets r + γ(1 − d)(min Q_target(s′, a′) − α log π(a′|s′)), a′ drawn from the policy, into
    /// `criticTargets` (on `targetGraph`).
    private func computeCriticTargets(alpha: Float) {
        let size = configuration.batchSize
        targetGraph.reset()
        let next = targetGraph.input(
            Tensor(shape: [size, replay.schema.observationSize], scalars: batch.nextObservations))
        let (nextAction, nextLogProbability) = policy(next, normals: nextStateNoise)
        let nextInput = targetGraph.concatColumns(next, nextAction)
        let nextValue = minimum(targets.0(nextInput), targets.1(nextInput)) - alpha * nextLogProbability
        let nextValues = nextValue.values
        for row in 0..<size {
            criticTargets[row] =
                batch.rewards[row] + configuration.gamma * (1 - batch.terminals[row]) * nextValues[row]
        }
    }

    private func update() throws {
        if let imagination, imagination.store.count >= configuration.batchSize,
            self.imagination!.stream.uniformDouble() >= imagination.realRatio
        {
            try imagination.store.sample(into: &batch)
        } else {
            try replay.sample(into: &batch)
        }
        let size = configuration.batchSize
        let observationSize = replay.schema.observationSize
        let alpha = Foundation.exp(entropyStore.values[0])
        actorStore.zeroGradients()
        for index in nextStateNoise.indices { nextStateNoise[index] = noise.normal() }
        for index in stateNoise.indices { stateNoise[index] = noise.normal() }
        // Critic step. Beside its forward pass: the targets on `targetGraph` (on the lane's thread, if any), and the
        // actor step's policy pass at s on `actorGraph` (the policy does not change before the actor step).
        graph.reset()
        actorGraph.reset()
        var criticValues: (q1: Variable, q2: Variable)?
        var policyAtStates: (states: Variable, action: Variable, logProbability: Variable)?
        let onlineForward = {
            self.batch.actions.withUnsafeBufferPointer { taken in
                criticValues = (
                    self.criticValue(self.critics.0, on: self.criticGraphs.0, actions: taken).output,
                    self.criticValue(self.critics.1, on: self.criticGraphs.1, actions: taken).output
                )
            }
            let states = self.actorGraph.input(
                Tensor(shape: [size, observationSize], scalars: self.batch.observations))
            let (action, logProbability) = self.policy(states, normals: self.stateNoise)
            policyAtStates = (states, action, logProbability)
        }
        split(onlineForward) { self.computeCriticTargets(alpha: alpha) }
        // The loss on `graph`, from the critics' values; each critic's backward pass on its own graph, at once.
        let values = criticValues!
        let q1 = graph.input(values.q1.values, shape: [size, 1], requiresGradient: true)
        let q2 = graph.input(values.q2.values, shape: [size, 1], requiresGradient: true)
        let target = graph.input(Tensor(shape: [size, 1], scalars: criticTargets))
        var criticLoss = 0.5 * (graph.meanSquaredError(q1, target) + graph.meanSquaredError(q2, target))
        if configuration.valueCloning > 0 {
            // CLEAR's value cloning toward the value at collection time, on transitions with a recorded policy.
            let width = replay.schema.extrasWidth
            let valid = graph.input(
                Tensor(shape: [size, 1], scalars: (0..<size).map { batch.extras[$0 * width + 2 * actionSize] }))
            let recorded = graph.input(
                Tensor(shape: [size, 1], scalars: (0..<size).map { batch.extras[$0 * width + 2 * actionSize + 1] }))
            let cloning = (((q1 - recorded).squared() + (q2 - recorded).squared()) * valid).sum()
            criticLoss = criticLoss + cloning * (0.5 * configuration.valueCloning / Float(size))
        }
        guard criticLoss.scalar.isFinite else {
            throw AgentError(
                "SAC: the critic loss became \(criticLoss.scalar) at update \(updates) (step \(steps)); "
                    + "lower the learning rate")
        }
        graph.backward(criticLoss)
        let firstBackward = { self.criticGraphs.0.backward(values.q1, seed: self.graph.gradient(of: q1)!) }
        let secondBackward = { self.criticGraphs.1.backward(values.q2, seed: self.graph.gradient(of: q2)!) }
        split(firstBackward, secondBackward)
        criticOptimizer.step()
        // Actor step: α log π(a|s) − min Q(s, a) with a from the policy, through the updated critics held constant
        // (SB3 computes their weight gradients and discards them; the numbers are the same). The critics' part
        // enters as ⟨a, G⟩ with G = −d mean(min Q)/da, computed on their own graphs.
        let (states, action, logProbability) = policyAtStates!
        computeCriticActionGradient(actions: action.values)
        var actorLoss =
            (alpha * logProbability).mean()
            + (action * actorGraph.input(Tensor(shape: [size, actionSize], scalars: criticActionGradient))).sum()
        if configuration.policyCloning > 0 {
            // CLEAR's policy cloning: KL(μ‖π) between the recorded and the current Gaussians (before the squash).
            let width = replay.schema.extrasWidth
            let output = actor(states)
            let mean = actorGraph.sliceColumns(output, start: 0, count: actionSize)
            let logStd = actorGraph.sliceColumns(output, start: actionSize, count: actionSize).clamped(-20, 2)
            func recorded(_ offset: Int) -> Variable {
                actorGraph.input(
                    Tensor(
                        shape: [size, actionSize],
                        scalars: (0..<(size * actionSize)).map {
                            batch.extras[($0 / actionSize) * width + offset + $0 % actionSize]
                        }))
            }
            let (mean0, logStd0) = (recorded(0), recorded(actionSize))
            let valid = actorGraph.input(
                Tensor(
                    shape: [size, actionSize],
                    scalars: (0..<(size * actionSize)).map { batch.extras[($0 / actionSize) * width + 2 * actionSize] }
                ))
            let kl =
                logStd - logStd0 + ((2 * logStd0).exp() + (mean0 - mean).squared()) * (-2 * logStd).exp() * 0.5 - 0.5
            actorLoss = actorLoss + (kl * valid).sum() * (configuration.policyCloning / Float(size))
        }
        actorGraph.backward(actorLoss)
        try penalty?.apply(to: actorStore, learner: "SAC", update: updates, step: steps)
        actorOptimizer.step()
        // Entropy step: −log α · (log π + target entropy), with log π held fixed.
        let held = logProbability.values
        graph.reset()
        let logAlphaVariable = graph.parameter(logAlpha)
        let drive = graph.input(Tensor(shape: [size, 1], scalars: held.map { $0 + targetEntropy }))
        graph.backward(-(drive * logAlphaVariable).mean())
        entropyOptimizer.step()
        targetStore.polyakUpdate(from: criticStore, rate: configuration.tau)
        updates += 1
    }

    /// −d mean(min(Q1(s, a), Q2(s, a)))/da at the batch's states and `actions`, into `criticActionGradient`. Both
    /// critics' values are needed for the min, but each row's gradient goes back through the lower critic only
    /// (through both at a tie, half each): `MLP.inputGradient` takes every critic's rows with a nonzero seed, listed
    /// critic by critic and cut in two equal halves, one per thread — half the products of a backward pass through
    /// both critics over the whole batch, and the same numbers. The cut depends on the batch only, not on the
    /// threads.
    private func computeCriticActionGradient(actions: UnsafeBufferPointer<Float>) {
        let size = configuration.batchSize
        var first: MLPPass?
        var second: MLPPass?
        split(
            { first = self.criticValue(self.critics.0, on: self.actionValueGraphs.0, actions: actions) },
            { second = self.criticValue(self.critics.1, on: self.actionValueGraphs.1, actions: actions) })
        let passes = (first!, second!)
        graph.reset()
        let q1 = graph.input(passes.0.output.values, shape: [size, 1], requiresGradient: true)
        let q2 = graph.input(passes.1.output.values, shape: [size, 1], requiresGradient: true)
        graph.backward(-minimum(q1, q2).mean())
        let seeds = (graph.gradient(of: q1)!.baseAddress!, graph.gradient(of: q2)!.baseAddress!)
        var listed = 0
        for row in 0..<size where seeds.0[row] != 0 {
            lowerCriticRows[listed] = Int32(row)
            listed += 1
        }
        let firstCount = listed
        for row in 0..<size where seeds.1[row] != 0 {
            lowerCriticRows[listed] = Int32(row)
            listed += 1
        }
        actionValueGradients.0.update(repeating: 0)
        actionValueGradients.1.update(repeating: 0)
        let rows = UnsafeBufferPointer(lowerCriticRows)
        /// The listed rows in `range` (positions in `lowerCriticRows`), each through its critic, with `workspace`.
        func backward(_ range: Range<Int>, _ workspace: InputGradientWorkspace) {
            let firsts = range.clamped(to: 0..<firstCount)
            let seconds = range.clamped(to: firstCount..<listed)
            critics.0.inputGradient(
                of: passes.0, rows: UnsafeBufferPointer(rebasing: rows[firsts]), seeds: seeds.0,
                into: actionValueGradients.0.baseAddress!, workspace: workspace)
            critics.1.inputGradient(
                of: passes.1, rows: UnsafeBufferPointer(rebasing: rows[seconds]), seeds: seeds.1,
                into: actionValueGradients.1.baseAddress!, workspace: workspace)
        }
        let half = listed / 2
        split({ backward(0..<half, self.workspaces.0) }, { backward(half..<listed, self.workspaces.1) })
        let width = replay.schema.observationSize + actionSize
        let offset = replay.schema.observationSize
        for row in 0..<size {
            for index in 0..<actionSize {
                criticActionGradient[row * actionSize + index] =
                    actionValueGradients.0[row * width + offset + index]
                    + actionValueGradients.1[row * width + offset + index]
            }
        }
    }

    /// `critic`'s pass at the batch's observations and `actions`, recorded on `graph` after a reset.
    private func criticValue(_ critic: MLP, on graph: Graph, actions: UnsafeBufferPointer<Float>) -> MLPPass {
        let size = configuration.batchSize
        graph.reset()
        let states = graph.input(Tensor(shape: [size, replay.schema.observationSize], scalars: batch.observations))
        let input = graph.input(actions, shape: [size, actionSize])
        return critic.pass(graph.concatColumns(states, input))
    }

    /// Runs `local` here and `remote` on the lane at once, or `remote` then `local` without a lane.
    private func split(_ local: () -> Void, _ remote: () -> Void) {
        if let lane {
            lane.run(local, alongside: remote)
        } else {
            remote()
            local()
        }
    }

    public func resetOptimizerState() { actorOptimizer.reset() }

    /// The policy's Fisher diagonal: the mean squared score ∇θ log π(a|s), a drawn from the policy at states of
    /// `task`, with the pre-squash sample held fixed (the tanh correction does not depend on θ then).
    public func fisherDiagonal(task: Int32, samples: Int) throws -> [Float] {
        let observationSize = replay.schema.observationSize
        return try meanSquaredGradients(of: actorStore, replay: replay, task: task, samples: samples) {
            single, accumulate in
            graph.reset()
            let output = actor(graph.input(Tensor(shape: [1, observationSize], scalars: single.observations)))
            let mean = graph.sliceColumns(output, start: 0, count: actionSize)
            let logStd = graph.sliceColumns(output, start: actionSize, count: actionSize).clamped(-20, 2)
            let means = mean.values
            let deviations = logStd.values
            let u = graph.input(
                Tensor(
                    shape: [1, actionSize],
                    scalars: (0..<actionSize).map { means[$0] + Foundation.exp(deviations[$0]) * noise.normal() }))
            let z = (u - mean) * (-logStd).exp()
            actorStore.zeroGradients()
            graph.backward((-0.5 * z.squared() - logStd).sumAlongLastAxis().mean())
            accumulate(1)
        }
    }

    public func save(to group: Group) throws {
        try actorOptimizer.save(to: group.createGroup("actor_optimizer"))
        try criticOptimizer.save(to: group.createGroup("critic_optimizer"))
        try entropyOptimizer.save(to: group.createGroup("entropy_optimizer"))
        try group.setAttribute("noise_random", [noise.state.0, noise.state.1, noise.state.2, noise.state.3])
        try actorStore.save(to: group.createGroup("actor"))
        try criticStore.save(to: group.createGroup("critics"))
        try targetStore.save(to: group.createGroup("targets"))
        try entropyStore.save(to: group.createGroup("entropy"))
        try group.setAttribute("steps", Int64(steps))
        try group.setAttribute("updates", Int64(updates))
    }

    public func load(from group: Group) throws {
        try actorOptimizer.load(from: group.openGroup("actor_optimizer"))
        try criticOptimizer.load(from: group.openGroup("critic_optimizer"))
        try entropyOptimizer.load(from: group.openGroup("entropy_optimizer"))
        let words = try group.attribute("noise_random", as: [UInt64].self)
        noise = RandomStream(state: (words[0], words[1], words[2], words[3]))
        try actorStore.load(from: group.openGroup("actor"))
        try criticStore.load(from: group.openGroup("critics"))
        try targetStore.load(from: group.openGroup("targets"))
        try entropyStore.load(from: group.openGroup("entropy"))
        steps = Int(try group.attribute("steps", as: Int64.self))
        updates = Int(try group.attribute("updates", as: Int64.self))
    }
}

extension SAC {
    /// The extra replay columns CLEAR's cloning reads: the collecting policy's means, log-stds and a valid flag,
    /// and its value.
    public static func cloningColumns(actionSize: Int) -> [String: Int] {
        ["behaviour": 2 * actionSize + 1, "behaviour_value": 1]
    }

    /// The replay schema SAC needs under `configuration` (with the cloning columns when CLEAR's terms are on).
    public static func replaySchema(
        observationSize: Int, actionSize: Int, configuration: SACConfiguration
    ) -> ReplaySchema {
        let cloning = configuration.policyCloning > 0 || configuration.valueCloning > 0
        return ReplaySchema(
            observationSize: observationSize, action: .continuous(size: actionSize),
            extraColumns: cloning ? cloningColumns(actionSize: actionSize) : [:])
    }
}
