import Agents
import Environments
import Foundation
import HDF5
import LifelongTestSupport
import Neural
import Replay
import Testing

@Suite("SAC")
struct SACTests {
    /// A uniformly random policy on the same evaluation episodes, for comparison.
    final class UniformPolicy: Agent {
        let replay = ReplayStore(
            schema: ReplaySchema(observationSize: 3, action: .continuous(size: 1)), capacity: 1, eviction: .fifo,
            seed: 0)
        private var random = RandomStream(seed: 5)
        private let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: 1)
        deinit { buffer.deallocate() }
        func act(_ observation: [Float], mode: ActMode) -> Action {
            buffer[0] = random.uniform(-2, 2)
            return .continuous(UnsafeBufferPointer(buffer))
        }
        func observe(_ transition: Transition) {}
        func learn() throws {}
        func save(to group: Group) throws {}
        func load(from group: Group) throws {}
    }

    /// SB3's SAC with rl-zoo's Pendulum learning rate, a 64-64 network and batch 64, 6,000 steps, seed 1: the
    /// greedy return and a uniformly random policy's, over the same 10 evaluation episodes.
    func pendulumScores(precision: MatmulPrecision = .float32) throws -> (sac: Double, random: Double) {
        var configuration = SACConfiguration()
        configuration.learningRate = 1e-3
        configuration.hiddenLayers = [64, 64]
        configuration.batchSize = 64
        configuration.matmulPrecision = precision
        let environment = try EnvironmentRegistry.make("Pendulum-v1")
        let replay = ReplayStore(
            schema: ReplaySchema(observationSize: 3, action: .continuous(size: 1)), capacity: 100_000, eviction: .fifo,
            seed: 1)
        let agent = SAC(
            observationSize: 3, actionSpace: environment.actionSpace, configuration: configuration, replay: replay,
            seed: 1)
        try EnvironmentLoop(environment: environment, agent: agent, seed: 1).run(steps: 6000)
        let evaluation = try EnvironmentRegistry.make("Pendulum-v1")
        return (
            try evaluate(agent, in: evaluation, episodes: 10, seed: 1000),
            try evaluate(UniformPolicy(), in: evaluation, episodes: 10, seed: 1000)
        )
    }

    @Test func sacBeatsARandomPolicyOnPendulumByAWideMargin() throws {
        let (score, random) = try pendulumScores()
        #expect(random < -900, "a random policy scores about −1,200 (got \(random))")
        #expect(score > -400 && score > random + 600, "SAC \(score) against random \(random)")
    }

    /// The opt-in bf16 products (the 64-64 network's middle layer on batches of 64) learn as well.
    @Test(.enabled(if: MatmulPrecision.bfloat16IsAvailable, "needs AVX512_BF16"))
    func withBFloat16ProductsSACStillBeatsARandomPolicyOnPendulum() throws {
        let (score, random) = try pendulumScores(precision: .bfloat16)
        #expect(score > -400 && score > random + 600, "SAC with bf16 products \(score) against random \(random)")
    }

    /// `learningThreads` 2 computes the critics' targets and each large layer's weight gradient on a second
    /// thread; the learned policy must not change by a bit.
    @Test func twoLearningThreadsLearnTheSamePolicyBitForBit() throws {
        func trained(threads: Int) throws -> [Float] {
            var configuration = SACConfiguration()
            configuration.batchSize = 64
            configuration.learningThreads = threads
            let environment = try EnvironmentRegistry.make("Pendulum-v1")
            let replay = ReplayStore(
                schema: ReplaySchema(observationSize: 3, action: .continuous(size: 1)), capacity: 1000,
                eviction: .fifo, seed: 3)
            let agent = SAC(
                observationSize: 3, actionSpace: environment.actionSpace, configuration: configuration,
                replay: replay, seed: 3)
            try EnvironmentLoop(environment: environment, agent: agent, seed: 3).run(steps: 160)
            #expect(agent.updates == 61)
            return agent.regularizedParameters.snapshot()
        }
        #expect(try trained(threads: 2) == trained(threads: 1))
    }

    @Test func actionsStayInsideTheEnvironmentsBoxAndCheckpointsRestoreThePolicy() throws {
        var configuration = SACConfiguration()
        configuration.hiddenLayers = [16, 16]
        configuration.batchSize = 16
        configuration.learningStarts = 20
        let environment = try EnvironmentRegistry.make("Pendulum-v1")
        func make(_ seed: UInt64) -> SAC {
            let replay = ReplayStore(
                schema: ReplaySchema(observationSize: 3, action: .continuous(size: 1)), capacity: 1000, eviction: .fifo,
                seed: seed)
            return SAC(
                observationSize: 3, actionSpace: environment.actionSpace, configuration: configuration, replay: replay,
                seed: seed)
        }
        let agent = make(1)
        try EnvironmentLoop(environment: environment, agent: agent, seed: 1).run(steps: 200)
        for mode in [ActMode.explore, .evaluate] {
            for _ in 0..<100 {
                guard case .continuous(let values) = agent.act([0.5, -0.5, 1], mode: mode) else { return }
                #expect(values[0] >= -2 && values[0] <= 2)
            }
        }
        let directory = TemporaryDirectory("sac-checkpoint")
        let file = try File.create(directory.file("sac.h5"))
        try agent.save(to: file.createGroup("sac"))
        let copy = make(7)
        try copy.load(from: file.openGroup("sac"))
        #expect(copy.steps == agent.steps && copy.updates == agent.updates)
        guard case .continuous(let mine) = agent.act([0.1, 0.2, 0.3], mode: .evaluate) else { return }
        let first = mine[0]
        guard case .continuous(let theirs) = copy.act([0.1, 0.2, 0.3], mode: .evaluate) else { return }
        #expect(first == theirs[0])
    }
}
