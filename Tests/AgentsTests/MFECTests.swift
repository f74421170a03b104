import Agents
import Environments
import HDF5
import LifelongTestSupport
import Replay
import Testing

/// Model-free episodic control: its tables, its learning speed against DQN on a grid world, and its checkpoints.
@Suite("MFEC")
struct MFECTests {
    /// A 7 × 7 open room, goal in the far corner, 30 steps per episode; reward 1 − 0.9 × steps / 30 at the goal.
    static let room: [String: ParameterValue] = ["width": 7, "height": 7, "max_episode_steps": 30]

    static func environment() throws -> any Environment {
        try EnvironmentRegistry.make("GridWorld-v0", parameters: room)
    }

    static func mfec(seed: UInt64, configuration: MFECConfiguration = MFECConfiguration()) throws -> MFEC {
        let size = try environment().observationSpace.flatCount
        let replay = ReplayStore(
            schema: ReplaySchema(observationSize: size, action: .discrete), capacity: 20_000, eviction: .fifo,
            seed: seed)
        return try MFEC(observationSize: size, actions: 4, configuration: configuration, replay: replay, seed: seed)
    }

    @Test func theEpisodesReturnsAreWrittenWithTheMaxRuleIntoTheActionsTable() throws {
        var configuration = MFECConfiguration()
        configuration.gamma = 0.5
        let agent = try Self.mfec(seed: 1, configuration: configuration)
        func step(_ x: Float, action: Float, reward: Float, last: Bool) -> Transition {
            Transition(
                observation: [x], action: [action], reward: reward, nextObservation: [x + 1], terminated: last,
                episode: 0, step: Int32(x))
        }
        let tiny = try MFEC(
            observationSize: 1, actions: 2, configuration: configuration,
            replay: ReplayStore(
                schema: ReplaySchema(observationSize: 1, action: .discrete), capacity: 10, eviction: .fifo, seed: 1),
            seed: 1)
        tiny.observe(step(0, action: 0, reward: 0, last: false))
        tiny.observe(step(1, action: 1, reward: 0, last: false))
        tiny.observe(step(2, action: 1, reward: 4, last: true))
        // Returns 1, 2, 4 (γ = 0.5) into the tables of actions 0, 1, 1.
        #expect(tiny.tables[0].count == 1 && Array(tiny.tables[0].value(at: 0)) == [1])
        #expect(
            tiny.tables[1].count == 2
                && Set([tiny.tables[1].value(at: 0)[0], tiny.tables[1].value(at: 1)[0]]) == [2, 4])
        // A worse return later leaves the best one (max rule).
        tiny.observe(step(2, action: 1, reward: 1, last: true))
        #expect(Set((0..<tiny.tables[1].count).map { tiny.tables[1].value(at: $0)[0] }) == [2, 4])
        let observationSize = try Self.environment().observationSpace.flatCount
        #expect(agent.tables.count == 4 && agent.keySize == observationSize)
    }

    @Test func finishedEpisodesAreReadBackFromTheReplayStoreAndATraceCoversEvictedStarts() throws {
        let size = try Self.environment().observationSpace.flatCount
        func run(capacity: Int) throws -> MFEC {
            let agent = try MFEC(
                observationSize: size, actions: 4, configuration: MFECConfiguration(),
                replay: ReplayStore(
                    schema: ReplaySchema(observationSize: size, action: .discrete), capacity: capacity,
                    eviction: .fifo, seed: 7),
                seed: 7)
            try EnvironmentLoop(environment: Self.environment(), agent: agent, seed: 7).run(steps: 1500)
            return agent
        }
        let fromStore = try run(capacity: 20_000)
        let fromTrace = try run(capacity: 5)  // shorter than an episode: every start is evicted
        #expect(fromStore.memory.episodesFromStore > 0 && fromStore.memory.episodesFromTrace == 0)
        #expect(fromTrace.memory.episodesFromTrace > 0 && fromTrace.memory.episodesFromStore == 0)
        for action in 0..<4 {
            let a = fromStore.tables[action]
            let b = fromTrace.tables[action]
            #expect(a.count == b.count)
            #expect(
                (0..<a.count).map { a.key(at: $0) + a.value(at: $0) }
                    == (0..<b.count).map { b.key(at: $0) + b.value(at: $0) })
        }
    }

    @Test func mfecReachesTheGoalInFewerStepsThanDQNWithTheSameBudget() throws {
        let budget = 4000
        let threshold = 0.6  // the goal within about 13 of the 30 steps
        let mfec = try stepsToReach(
            threshold, agent: Self.mfec(seed: 2), environment: Self.environment, seed: 2, budget: budget)
        let size = try Self.environment().observationSpace.flatCount
        let dqn = DQN(
            observationSize: size, actions: 4, configuration: .gridWorldRoom(totalSteps: budget),
            replay: ReplayStore(
                schema: ReplaySchema(observationSize: size, action: .discrete), capacity: 20_000, eviction: .fifo,
                seed: 2),
            seed: 2)
        let dqnSteps = try stepsToReach(threshold, agent: dqn, environment: Self.environment, seed: 2, budget: budget)
        let reached = try #require(mfec, "MFEC never reached \(threshold) within \(budget) steps")
        #expect(
            reached < (dqnSteps ?? budget + 1), "MFEC \(reached) steps, DQN \(dqnSteps.map(String.init) ?? "never")")
    }

    @Test func aSavedAgentActsLikeTheOriginal() throws {
        let agent = try Self.mfec(seed: 3)
        try EnvironmentLoop(environment: Self.environment(), agent: agent, seed: 3).run(steps: 700)
        let directory = TemporaryDirectory("mfec-checkpoint")
        let file = try File.create(directory.file("agent.h5"))
        try agent.save(to: file.createGroup("mfec"))
        let copy = try Self.mfec(seed: 99)
        try copy.load(from: file.openGroup("mfec"))
        #expect(copy.tables.map(\.count) == agent.tables.map(\.count))
        let a = try EnvironmentLoop(environment: Self.environment(), agent: agent, seed: 8)
        let b = try EnvironmentLoop(environment: Self.environment(), agent: copy, seed: 8)
        try a.run(steps: 300)
        try b.run(steps: 300)
        #expect(copy.tables.map(\.count) == agent.tables.map(\.count))
        #expect(
            try evaluate(copy, in: Self.environment(), episodes: 3, seed: 5)
                == evaluate(agent, in: Self.environment(), episodes: 3, seed: 5))
    }
}

/// EMDQN: DQN whose Q-values are also pulled toward the best returns an episodic table per action has seen.
@Suite("DQN with an episodic bootstrap (EMDQN)")
struct EpisodicBootstrapTests {
    static func agent(seed: UInt64, weight: Float, budget: Int) throws -> DQN {
        let size = try MFECTests.environment().observationSpace.flatCount
        var configuration = DQNConfiguration.gridWorldRoom(totalSteps: budget)
        configuration.episodicWeight = weight
        return DQN(
            observationSize: size, actions: 4, configuration: configuration,
            replay: ReplayStore(
                schema: ReplaySchema(observationSize: size, action: .discrete), capacity: 20_000, eviction: .fifo,
                seed: seed),
            seed: seed)
    }

    @Test func theTablesFillAndTheAgentStillLearnsTheRoom() throws {
        let agent = try Self.agent(seed: 4, weight: 0.1, budget: 4000)
        let steps = try stepsToReach(0.6, agent: agent, environment: MFECTests.environment, seed: 4, budget: 4000)
        #expect(steps != nil, "EMDQN reaches the goal threshold within the budget")
        let entries = try #require(agent.episodic).stores.map(\.count).reduce(0, +)
        #expect(entries > 0)
        #expect(agent.retention().first?.entries == entries, "all entries belong to task 0")
        #expect(try Self.agent(seed: 4, weight: 0, budget: 4000).episodic == nil, "λ = 0: no memory")
    }

    @Test func theEpisodicTermChangesLearningAndACheckpointKeepsTheTables() throws {
        let plain = try Self.agent(seed: 5, weight: 0, budget: 2000)
        let bootstrapped = try Self.agent(seed: 5, weight: 1, budget: 2000)
        try EnvironmentLoop(environment: MFECTests.environment(), agent: plain, seed: 5).run(steps: 1500)
        try EnvironmentLoop(environment: MFECTests.environment(), agent: bootstrapped, seed: 5).run(steps: 1500)
        #expect(
            Array(plain.regularizedParameters.values) != Array(bootstrapped.regularizedParameters.values),
            "the episodic term moved the weights")
        let directory = TemporaryDirectory("emdqn-checkpoint")
        let file = try File.create(directory.file("agent.h5"))
        try bootstrapped.save(to: file.createGroup("dqn"))
        let copy = try Self.agent(seed: 99, weight: 1, budget: 2000)
        try copy.load(from: file.openGroup("dqn"))
        #expect(copy.episodic!.stores.map(\.count) == bootstrapped.episodic!.stores.map(\.count))
        #expect(copy.retention() == bootstrapped.retention(), "the same entries and held-out states")
    }
}
