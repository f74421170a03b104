import Environments
import Foundation
import HDF5
import LifelongTestSupport
import Neural
import Replay
import Testing

@testable import Agents

@Suite("DQN")
struct DQNTests {
    static func agent(seed: UInt64, configuration: DQNConfiguration) -> DQN {
        let replay = ReplayStore(
            schema: ReplaySchema(observationSize: 4, action: .discrete), capacity: 100_000, eviction: .fifo, seed: seed)
        return DQN(observationSize: 4, actions: 2, configuration: configuration, replay: replay, seed: seed)
    }

    @Test func explorationFollowsSB3sLinearSchedule() {
        let configuration = DQNConfiguration.rlZooCartPole(totalSteps: 50_000)
        #expect(configuration.epsilon(atStep: 0) == 1)
        #expect(abs(configuration.epsilon(atStep: 4000) - (1 - 0.96 * 0.5)) < 1e-12)
        #expect(abs(configuration.epsilon(atStep: 8000) - 0.04) < 1e-12)
        #expect(abs(configuration.epsilon(atStep: 49_000) - 0.04) < 1e-12)
    }

    /// SB3 samples the action space uniformly until `learning_starts`, whatever ε is; after it, ε-greedy (here ε = 0:
    /// greedy).
    @Test func actsUniformlyAtRandomBeforeLearningStarts() throws {
        var configuration = DQNConfiguration()
        configuration.learningStarts = 300
        configuration.trainFrequency = 1_000_000
        configuration.explorationInitialEpsilon = 0
        configuration.explorationFinalEpsilon = 0
        let agent = Self.agent(seed: 4, configuration: configuration)
        let observation: [Float] = [0.01, -0.02, 0.03, 0.04]
        func actions() -> [Int] {
            (0..<200).map { _ in
                guard case .discrete(let action) = agent.act(observation, mode: .explore) else { return -1 }
                return action
            }
        }
        let warmUp = actions().filter { $0 == 1 }.count
        #expect(warmUp > 60 && warmUp < 140, "\(warmUp) of 200 warm-up actions were 1")
        try EnvironmentLoop(environment: EnvironmentRegistry.make("CartPole-v1"), agent: agent, seed: 4).run(steps: 300)
        #expect(Set(actions()).count == 1, "greedy after learningStarts with ε = 0")
    }

    /// rl-zoo's CartPole settings with a 64-64 network over 20,000 steps, seed 1: a quick, fixed-seed check
    /// (`make bench-agents` is where the full settings run over several seeds against SB3).
    /// With the opt-in bf16 products too (where the CPU has them): the 64 × 64 layer's products on batches of 64
    /// are large enough to take them.
    @Test(arguments: MatmulPrecision.bfloat16IsAvailable ? [.float32, .bfloat16] : [.float32] as [MatmulPrecision])
    func dqnSolvesCartPoleWithAFixedSeed(precision: MatmulPrecision) throws {
        var configuration = DQNConfiguration.rlZooCartPole(totalSteps: 20_000)
        configuration.hiddenLayers = [64, 64]
        configuration.matmulPrecision = precision
        let agent = Self.agent(seed: 1, configuration: configuration)
        let loop = try EnvironmentLoop(environment: EnvironmentRegistry.make("CartPole-v1"), agent: agent, seed: 1)
        try loop.run(steps: 20_000)
        let score = try evaluate(agent, in: EnvironmentRegistry.make("CartPole-v1"), episodes: 10, seed: 1000)
        #expect(score >= 195, "mean evaluation return \(score) over 10 episodes")
        // Updates at every multiple of 256 from step 1024 (learning starts at 1000): 75 rounds of 128.
        #expect(agent.updates == 75 * 128)
    }

    /// SB3 updates the target after each environment step and trains when the rollout ends: on a step that does
    /// both, the round learns against the target from before it. Here step 8 does both, with no update before it.
    @Test func theTargetIsUpdatedBeforeTheSameStepsTrainingRoundAsInSB3() throws {
        var configuration = DQNConfiguration()
        configuration.learningStarts = 0
        configuration.trainFrequency = 8
        configuration.targetUpdateInterval = 8
        configuration.gradientSteps = 1
        configuration.batchSize = 4
        let agent = Self.agent(seed: 5, configuration: configuration)
        let initial = agent.online.snapshot()
        try EnvironmentLoop(environment: EnvironmentRegistry.make("CartPole-v1"), agent: agent, seed: 5).run(steps: 8)
        #expect(agent.updates == 1)
        #expect(agent.online.snapshot() != initial, "the round trained the online network")
        #expect(agent.target.snapshot() == initial, "the target was copied before the round, not after it")
    }

    @Test func aSavedAgentActsAndCountsLikeTheOriginal() throws {
        var configuration = DQNConfiguration()
        configuration.learningStarts = 50
        configuration.totalSteps = 1000
        let agent = Self.agent(seed: 3, configuration: configuration)
        try EnvironmentLoop(environment: EnvironmentRegistry.make("CartPole-v1"), agent: agent, seed: 3).run(steps: 600)
        let directory = TemporaryDirectory("dqn-checkpoint")
        let file = try File.create(directory.file("agent.h5"))
        try agent.save(to: file.createGroup("dqn"))
        let copy = Self.agent(seed: 99, configuration: configuration)
        try copy.load(from: file.openGroup("dqn"))
        #expect(copy.steps == agent.steps && copy.updates == agent.updates)
        var random = RandomStream(seed: 4)
        for _ in 0..<50 {
            let observation = (0..<4).map { _ in random.uniform(-0.2, 0.2) }
            guard case .discrete(let mine) = agent.act(observation, mode: .evaluate),
                case .discrete(let theirs) = copy.act(observation, mode: .evaluate)
            else { return }
            #expect(mine == theirs)
        }
    }

    /// `learningThreads` 2 moves the targets and each large layer's weight gradient to a second thread; the
    /// learned weights must not change by a bit (256-wide layers, so that the products are split).
    @Test func twoLearningThreadsLearnTheSameWeightsBitForBit() throws {
        func trained(threads: Int) throws -> [Float] {
            var configuration = DQNConfiguration.rlZooCartPole(totalSteps: 1200)
            configuration.learningStarts = 200
            configuration.trainFrequency = 100
            configuration.gradientSteps = 10
            configuration.doubleQ = true
            configuration.learningThreads = threads
            let agent = Self.agent(seed: 2, configuration: configuration)
            try EnvironmentLoop(environment: EnvironmentRegistry.make("CartPole-v1"), agent: agent, seed: 2)
                .run(steps: 1200)
            #expect(agent.updates == 110)
            return agent.regularizedParameters.snapshot()
        }
        #expect(try trained(threads: 2) == trained(threads: 1))
    }
}
