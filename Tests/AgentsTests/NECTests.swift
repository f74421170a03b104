import Agents
import Environments
import EpisodicMemory
import HDF5
import LifelongTestSupport
import Neural
import Randomness
import Replay
import Testing

/// Neural episodic control: its differentiable read-out, its N-step writes, its learning on a grid world, its
/// retention and its checkpoints.
@Suite("NEC")
struct NECTests {
    static func nec(seed: UInt64, configuration: NECConfiguration = NECConfiguration()) throws -> NEC {
        let size = try MFECTests.environment().observationSpace.flatCount
        let replay = ReplayStore(
            schema: ReplaySchema(observationSize: size, action: .discrete), capacity: 20_000, eviction: .fifo,
            seed: seed)
        return try NEC(observationSize: size, actions: 4, configuration: configuration, replay: replay, seed: seed)
    }

    @Test func theKernelReadoutEqualsTheStoresEstimateAndItsGradientMatchesFiniteDifferences() throws {
        let (n, k, d) = (3, 4, 5)
        var random = RandomStream(seed: 11)
        let queries = (0..<(n * d)).map { _ in random.normal() }
        let keys = (0..<(n * k * d)).map { _ in random.normal() }
        let values = (0..<(n * k)).map { _ in random.normal() }
        var mask = [Float](repeating: 0, count: n * k)
        mask[k - 1] = -1e30  // query 0 has only k − 1 neighbours
        var repeatRows = [Float](repeating: 0, count: n * k * n)
        for row in 0..<n { for place in 0..<k { repeatRows[(row * k + place) * n + row] = 1 } }
        let delta: Float = 1e-3
        let coefficients: [Float] = [0.7, -1.3, 0.4]
        func loss(_ queries: [Float], gradient: Bool) -> (Float, [Float]) {
            let graph = Graph()
            let h = graph.input(Tensor(shape: [n, d], scalars: queries), requiresGradient: gradient)
            let readout = NEC.kernelReadout(
                queries: h, repeat: graph.input(Tensor(shape: [n * k, n], scalars: repeatRows)),
                neighbourKeys: graph.input(Tensor(shape: [n * k, d], scalars: keys)),
                values: graph.input(Tensor(shape: [n, k], scalars: values)),
                mask: graph.input(Tensor(shape: [n, k], scalars: mask)), delta: delta)
            let total = graph.multiply(readout, graph.input(Tensor(shape: [n, 1], scalars: coefficients))).sum()
            guard gradient else { return (total.scalar, []) }
            graph.backward(total)
            return (total.scalar, Array(graph.gradient(of: h)!))
        }
        // The read-out against the store's own inverse-distance estimate over the same neighbours.
        for row in 0..<n {
            let store = try EpisodicStore(MemoryConfiguration(capacity: k, keySize: d))
            for place in 0..<(row == 0 ? k - 1 : k) {
                store.write(
                    key: Array(keys[(row * k + place) * d..<(row * k + place + 1) * d]),
                    value: [values[row * k + place]],
                    task: 0)
            }
            let expected = store.estimate(
                Array(queries[row * d..<(row + 1) * d]), k: k, kernel: .inverseDistance(delta: delta))[0]
            let graph = Graph()
            let readout = NEC.kernelReadout(
                queries: graph.input(Tensor(shape: [n, d], scalars: queries)),
                repeat: graph.input(Tensor(shape: [n * k, n], scalars: repeatRows)),
                neighbourKeys: graph.input(Tensor(shape: [n * k, d], scalars: keys)),
                values: graph.input(Tensor(shape: [n, k], scalars: values)),
                mask: graph.input(Tensor(shape: [n, k], scalars: mask)), delta: delta)
            #expect(abs(readout.values[row] - expected) < 1e-4 * max(1, abs(expected)))
        }
        let analytic = loss(queries, gradient: true).1
        let step: Float = 1e-2
        for index in queries.indices {
            var up = queries
            var down = queries
            up[index] += step
            down[index] -= step
            let numeric = (loss(up, gradient: false).0 - loss(down, gradient: false).0) / (2 * step)
            #expect(
                abs(numeric - analytic[index]) < 2e-3 + 2e-2 * abs(numeric),
                "∂/∂h[\(index)]: autodiff \(analytic[index]), central difference \(numeric)")
        }
    }

    @Test func nStepTargetsAreWrittenAndAStoredKeyIsBlendedTowardItsNewTarget() throws {
        var configuration = NECConfiguration()
        configuration.nSteps = 2
        configuration.gamma = 0.5
        configuration.tabularLearningRate = 0.5
        configuration.learningStarts = 1_000_000
        let agent = try NEC(
            observationSize: 1, actions: 2, configuration: configuration,
            replay: ReplayStore(
                schema: ReplaySchema(observationSize: 1, action: .discrete), capacity: 100, eviction: .fifo, seed: 1),
            seed: 1)
        func episode(_ number: Int64) {
            let steps: [(Float, Float, Float)] = [(0, 0, 1), (1, 1, 2), (2, 1, 4)]  // observation, action, reward
            for (index, (x, action, reward)) in steps.enumerated() {
                agent.observe(
                    Transition(
                        observation: [x], action: [action], reward: reward, nextObservation: [x + 1],
                        terminated: index == 2, episode: number, step: Int32(index)))
            }
        }
        episode(0)
        // Step 0 once the window holds 2 steps: 1 + 0.5·2 + 0.25·max Q(s₂) with empty dictionaries (0) = 2.
        // At the end, newest first: step 2: 4; step 1: 2 + 0.5·4 = 4.
        #expect(agent.tables[0].count == 1 && agent.tables[0].value(at: 0) == [2])
        #expect(agent.tables[1].count == 2 && (0..<2).map { agent.tables[1].value(at: $0)[0] } == [4, 4])
        episode(1)
        // Now max Q(s₂) = 4 (s₂'s key is stored in dictionary 1): step 0's target 1 + 1 + 0.25·4 = 3, blended
        // with α = 0.5 into the stored 2 → 2.5; steps 1 and 2 blend 4 into 4.
        #expect(agent.tables[0].count == 1 && agent.tables[0].value(at: 0) == [2.5])
        #expect(agent.tables[1].count == 2 && (0..<2).map { agent.tables[1].value(at: $0)[0] } == [4, 4])
        // Held out: both episodes' discounted returns 3, 4, 4 (γ = 0.5); only step 0 (2.5 against 3) is off.
        #expect(agent.retention() == [MemoryRetention(task: 0, entries: 3, valueError: 1.0 / 6)])
    }

    @Test func necLearnsTheRoomAndTracksRetention() throws {
        let agent = try Self.nec(seed: 2)
        let steps = try stepsToReach(0.6, agent: agent, environment: MFECTests.environment, seed: 2, budget: 4000)
        #expect(steps != nil, "NEC reaches the goal threshold within 4000 steps")
        #expect(agent.updates > 0)
        let retention = try #require(agent.retention().first)
        #expect(retention.task == 0 && retention.entries == agent.tables.map(\.count).reduce(0, +))
        #expect(retention.valueError.map { $0.isFinite && $0 < 1 } == true, "\(retention)")
    }

    @Test func aSavedAgentWithItsReplayStoreActsAndLearnsLikeTheOriginal() throws {
        let directory = TemporaryDirectory("nec-checkpoint")
        let size = try MFECTests.environment().observationSpace.flatCount
        let schema = ReplaySchema(observationSize: size, action: .discrete)
        let agent = try NEC(
            observationSize: size, actions: 4, configuration: NECConfiguration(),
            replay: ReplayStore.create(
                at: directory.file("replay"), schema: schema, capacity: 20_000, eviction: .fifo, seed: 3),
            seed: 3)
        try EnvironmentLoop(environment: MFECTests.environment(), agent: agent, seed: 3).run(steps: 517)
        try agent.replay.commit()
        let file = try File.create(directory.file("agent.h5"))
        try agent.save(to: file.createGroup("nec"))
        let copy = try NEC(
            observationSize: size, actions: 4, configuration: NECConfiguration(),
            replay: ReplayStore.open(directory.file("replay")), seed: 99)
        try copy.load(from: file.openGroup("nec"))
        #expect(copy.tables.map(\.count) == agent.tables.map(\.count))
        try EnvironmentLoop(environment: MFECTests.environment(), agent: agent, seed: 8).run(steps: 300)
        try EnvironmentLoop(environment: MFECTests.environment(), agent: copy, seed: 8).run(steps: 300)
        #expect(copy.updates == agent.updates)
        #expect(
            Array(copy.parameters.values) == Array(agent.parameters.values),
            "the same gradient steps on the same batches")
        #expect(copy.tables.map(\.count) == agent.tables.map(\.count))
        #expect(copy.retention() == agent.retention())
    }
}
