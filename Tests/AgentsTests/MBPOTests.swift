import Agents
import Environments
import HDF5
import LifelongTestSupport
import Replay
import Testing
import WorldModel

/// MBPO: branched model rollouts on a length schedule fill a model buffer that SAC learns from, and a checkpoint
/// with both stores persisted continues exactly.
@Suite("MBPO")
struct MBPOTests {
    static var small: MBPOConfiguration {
        var configuration = MBPOConfiguration()
        configuration.members = 3
        configuration.elites = 2
        configuration.hiddenLayers = [32, 32]
        configuration.modelBatchSize = 64
        configuration.maximumEpochs = 5
        configuration.firstFit = 200
        configuration.fitEvery = 100
        configuration.rolloutBatch = 100
        configuration.rolloutEvery = 50
        configuration.rolloutSchedule = [200, 400, 1, 3]
        configuration.retainedRollouts = 3
        return configuration
    }

    static var sac: SACConfiguration {
        var configuration = SACConfiguration()
        configuration.hiddenLayers = [32, 32]
        configuration.learningStarts = 100
        configuration.batchSize = 64
        return configuration
    }

    static let schema = ReplaySchema(observationSize: 4, action: .continuous(size: 1))

    static func agent(
        _ configuration: MBPOConfiguration = small, seed: UInt64, replay: ReplayStore? = nil,
        imagined: ReplayStore? = nil
    ) throws -> MBPO {
        let environment = try EnvironmentRegistry.make("CartPoleContinuous-v0")
        return try MBPO(
            observationSize: 4, actionSpace: environment.actionSpace, configuration: configuration, sac: sac,
            known: KnownModelFunctions.classicControl("CartPoleContinuous-v0"),
            replay: replay ?? ReplayStore(schema: schema, capacity: 10_000, eviction: .fifo, seed: seed),
            imagined: imagined
                ?? ReplayStore(
                    schema: schema, capacity: MBPO.imaginedCapacity(configuration), eviction: .fifo, seed: seed + 1),
            seed: seed)
    }

    @Test func theRolloutLengthFollowsItsSchedule() {
        var configuration = MBPOConfiguration()
        configuration.rolloutSchedule = [1000, 3000, 1, 5]
        #expect([0, 1000, 2000, 3000, 9000].map(configuration.rolloutLength(atStep:)) == [1, 1, 3, 5, 5])
    }

    @Test func rolloutsFillTheModelBufferAndSACLearnsFromIt() throws {
        let imaginedOnly = try Self.agent(seed: 1)
        try EnvironmentLoop(
            environment: EnvironmentRegistry.make("CartPoleContinuous-v0"), agent: imaginedOnly, seed: 1
        )
        .run(steps: 400)
        // Rollout events at steps 200 (k 1), 250, …, 400 (k 3): 100 starts each, fewer steps where rollouts end.
        #expect(imaginedOnly.dynamics.model.fits == 3)
        #expect(imaginedOnly.imaginedSteps > 500 && imaginedOnly.imagined.count == min(imaginedOnly.imaginedSteps, 900))
        let sample = imaginedOnly.imagined.transition(at: 0)
        #expect(sample.action.allSatisfy { $0 >= -1 && $0 <= 1 } && sample.task == 0)
        var realOnly = Self.small
        realOnly.realRatio = 1
        let real = try Self.agent(realOnly, seed: 1)
        try EnvironmentLoop(environment: EnvironmentRegistry.make("CartPoleContinuous-v0"), agent: real, seed: 1)
            .run(steps: 400)
        #expect(
            Array(real.policy.regularizedParameters.values) != Array(imaginedOnly.policy.regularizedParameters.values),
            "batches from the model buffer changed what SAC learned")
        #expect(imaginedOnly.modelErrors().first?.task == 0)
    }

    @Test func aCheckpointWithBothStoresPersistedContinuesExactly() throws {
        let directory = TemporaryDirectory("mbpo-checkpoint")
        let configuration = Self.small
        let agent = try Self.agent(
            seed: 2,
            replay: ReplayStore.create(
                at: directory.file("replay"), schema: Self.schema, capacity: 10_000, eviction: .fifo, seed: 2),
            imagined: ReplayStore.create(
                at: directory.file("imagined"), schema: Self.schema,
                capacity: MBPO.imaginedCapacity(configuration), eviction: .fifo, seed: 3))
        let environment = { try EnvironmentRegistry.make("CartPoleContinuous-v0") }
        try EnvironmentLoop(environment: environment(), agent: agent, seed: 2).run(steps: 280)
        try agent.replay.commit()
        let file = try File.create(directory.file("agent.h5"))
        try agent.save(to: file.createGroup("mbpo"))
        let copy = try Self.agent(
            seed: 99, replay: ReplayStore.open(directory.file("replay")),
            imagined: ReplayStore.open(directory.file("imagined")))
        try copy.load(from: file.openGroup("mbpo"))
        for learner in [agent, copy] {
            try EnvironmentLoop(environment: environment(), agent: learner, seed: 4).run(steps: 120)
        }
        #expect(copy.imaginedSteps == agent.imaginedSteps)
        #expect(Array(copy.policy.regularizedParameters.values) == Array(agent.policy.regularizedParameters.values))
        #expect(Array(copy.dynamics.model.parameters.values) == Array(agent.dynamics.model.parameters.values))
    }
}
