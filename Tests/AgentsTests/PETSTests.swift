import Agents
import Environments
import HDF5
import LifelongTestSupport
import Replay
import Testing
import WorldModel

/// PETS: it solves continuous CartPole from a handful of trials with a small ensemble (planning in float32 or bf16),
/// plans discrete actions, and resumes from a checkpoint exactly.
@Suite("PETS")
struct PETSTests {
    static var small: PETSConfiguration {
        var configuration = PETSConfiguration()
        configuration.members = 5
        configuration.elites = 3
        configuration.hiddenLayers = [64, 64]
        configuration.modelLearningRate = 2e-3
        configuration.modelBatchSize = 64
        configuration.maximumEpochs = 30
        configuration.population = 100
        configuration.iterations = 3
        configuration.particles = 10
        configuration.randomSteps = 200
        configuration.trainEvery = 200
        return configuration
    }

    static func agent(
        _ environment: String, configuration: PETSConfiguration = small, seed: UInt64, replay: ReplayStore? = nil
    ) throws -> PETS {
        let env = try EnvironmentRegistry.make(environment, parameters: ["max_episode_steps": 200])
        let size = env.observationSpace.flatCount
        let schema: ReplaySchema
        if case .box(let low, _, _) = env.actionSpace {
            schema = ReplaySchema(observationSize: size, action: .continuous(size: low.count))
        } else {
            schema = ReplaySchema(observationSize: size, action: .discrete)
        }
        return try PETS(
            observationSize: size, actionSpace: env.actionSpace, configuration: configuration,
            known: KnownModelFunctions.classicControl(environment),
            replay: replay ?? ReplayStore(schema: schema, capacity: 50_000, eviction: .fifo, seed: seed), seed: seed)
    }

    /// Planning in bf16 (where the CPU has it) learns the same.
    @Test(arguments: PredictionPrecision.allCases.filter { $0.unavailability == nil })
    func petsBalancesContinuousCartPoleWithinAFewTrials(planning precision: PredictionPrecision) throws {
        var configuration = Self.small
        configuration.planningPrecision = precision
        let agent = try Self.agent("CartPoleContinuous-v0", configuration: configuration, seed: 1)
        let loop = try EnvironmentLoop(
            environment: EnvironmentRegistry.make("CartPoleContinuous-v0"), agent: agent, seed: 1)
        // One random trial, then two planned ones with a fit before each; a fourth only if needed.
        var returns: [Double] = []
        try loop.run(steps: 600)
        for _ in 0..<2 {
            returns.append(
                try evaluate(agent, in: EnvironmentRegistry.make("CartPoleContinuous-v0"), episodes: 1, seed: 9))
            if returns.last! >= 190 { break }
            try loop.run(steps: 200)
        }
        #expect(returns.max()! >= 190, "greedy returns after trials 3 and 4: \(returns)")
        let errors = agent.modelErrors()
        #expect(errors.first?.task == 0 && errors.first.map { $0.oneStepMSE < 0.01 } == true, "\(errors)")
    }

    @Test func petsPlansDiscreteActionsWithTheCategoricalCEM() throws {
        let agent = try Self.agent("CartPole-v1", seed: 2)
        let environment = { try EnvironmentRegistry.make("CartPole-v1", parameters: ["max_episode_steps": 200]) }
        try EnvironmentLoop(environment: environment(), agent: agent, seed: 2).run(steps: 600)
        let greedy = try evaluate(agent, in: environment(), episodes: 1, seed: 9)
        // A random policy lasts about 22 steps.
        #expect(greedy >= 150, "greedy return after two planned trials: \(greedy)")
        #expect(agent.model.inputSize == 4 + 2, "the action enters the model one-hot")
    }

    @Test func aSavedAgentWithItsReplayStoreContinuesExactly() throws {
        let directory = TemporaryDirectory("pets-checkpoint")
        var configuration = Self.small
        configuration.trainEvery = 100
        configuration.population = 40
        configuration.particles = 5
        let schema = ReplaySchema(observationSize: 4, action: .continuous(size: 1))
        let agent = try Self.agent(
            "CartPoleContinuous-v0", configuration: configuration, seed: 3,
            replay: ReplayStore.create(
                at: directory.file("replay"), schema: schema, capacity: 10_000, eviction: .fifo, seed: 3))
        let environment = { try EnvironmentRegistry.make("CartPoleContinuous-v0") }
        try EnvironmentLoop(environment: environment(), agent: agent, seed: 3).run(steps: 250)
        _ = try evaluate(agent, in: environment(), episodes: 1, seed: 4)  // moves the evaluation planner
        try agent.replay.commit()
        let file = try File.create(directory.file("agent.h5"))
        try agent.save(to: file.createGroup("pets"))
        let copy = try Self.agent(
            "CartPoleContinuous-v0", configuration: configuration, seed: 99,
            replay: ReplayStore.open(directory.file("replay")))
        try copy.load(from: file.openGroup("pets"))
        for learner in [agent, copy] {
            try EnvironmentLoop(environment: environment(), agent: learner, seed: 5).run(steps: 120)
        }
        #expect(copy.model.fits == agent.model.fits && agent.model.fits == 2)
        #expect(Array(copy.model.parameters.values) == Array(agent.model.parameters.values))
        #expect(
            try evaluate(copy, in: environment(), episodes: 1, seed: 6)
                == evaluate(agent, in: environment(), episodes: 1, seed: 6))
        #expect(copy.modelErrors() == agent.modelErrors())
    }

    @Test func badSettingsAreNamed() throws {
        var configuration = Self.small
        configuration.planner = "ilqr"
        #expect {
            try Self.agent("CartPoleContinuous-v0", configuration: configuration, seed: 1)
        } throws: { "\($0)".contains("planner must be \"cem\" or \"mppi\"; got \"ilqr\"") }
        // A misspelt precision or propagation by name (as a curriculum or --config gives it) lists the names.
        #expect {
            try HyperParameters.merge(["planningPrecision": "bf16"], into: PETSConfiguration())
        } throws: {
            "\($0)".contains("\"planningPrecision\" has the wrong type (\"bf16\" is not one of float32, bfloat16)")
        }
        #expect {
            try HyperParameters.merge(["propagation": "ts2"], into: PETSConfiguration())
        } throws: { "\($0)".contains("\"ts2\" is not one of ts1, tsInfinity") }
        #expect(
            try HyperParameters.merge(["planningPrecision": "float32"], into: PETSConfiguration()).planningPrecision
                == .float32)
    }
}
