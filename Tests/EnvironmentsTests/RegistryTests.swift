import Environments
import Testing

@Suite("The registry makes environments by id and JSON parameters")
struct RegistryTests {
    @Test func anUnknownIdListsTheKnownOnes() {
        let error = #expect(throws: EnvironmentError.self) { try EnvironmentRegistry.make("CartPole-v0") }
        #expect(error?.kind == .unknownEnvironment)
        #expect(error?.description.contains("known: CartPole-v1, CartPoleContinuous-v0, MountainCar-v0") == true)
    }

    @Test func anUnknownParameterListsTheValidOnes() {
        let error = #expect(throws: EnvironmentError.self) {
            try EnvironmentRegistry.make("CartPole-v1", parameters: ["gravty": 12])
        }
        #expect(error?.kind == .unknownParameter)
        #expect(
            error?.description == "CartPole-v1: unknown parameter \"gravty\"; valid parameters: gravity, masscart, "
                + "masspole, length, force_mag, tau, theta_threshold_radians, x_threshold, kinematics_integrator, "
                + "sutton_barto_reward")
    }

    @Test func wrongKindsAndRangesAreRejectedWithTheRule() {
        let kind = #expect(throws: EnvironmentError.self) {
            try EnvironmentRegistry.make("CartPole-v1", parameters: ["gravity": "strong"])
        }
        #expect(kind?.description.contains("expected a finite number") == true)
        let choice = #expect(throws: EnvironmentError.self) {
            try EnvironmentRegistry.make("CartPole-v1", parameters: ["kinematics_integrator": "rk4"])
        }
        #expect(choice?.description.contains("one of \"euler\", \"semi-implicit\"") == true)
        let range = #expect(throws: EnvironmentError.self) {
            try EnvironmentRegistry.make("Pendulum-v1", parameters: ["m": -1])
        }
        #expect(range?.description.contains("must be greater than 0") == true)
        #expect(throws: EnvironmentError.self) {
            try EnvironmentRegistry.make("Pendulum-v1", parameters: ["max_episode_steps": 0.5])
        }
    }

    @Test func parametersParseFromJSON() throws {
        let env = try EnvironmentRegistry.make(
            "CartPole-v1", parametersJSON: #"{"length": 0.75, "sutton_barto_reward": true, "max_episode_steps": 3}"#)
        _ = try env.reset(seed: 1)
        var outcomes: [StepOutcome] = []
        for _ in 0..<3 { outcomes.append(try env.step(.discrete(0)).outcome) }
        #expect(outcomes.map(\.reward) == [0, 0, 0])
        #expect(outcomes.map(\.truncated) == [false, false, true])
        #expect(throws: EnvironmentError.self) { try EnvironmentRegistry.make("CartPole-v1", parametersJSON: "[1]") }
        #expect(throws: EnvironmentError.self) { try EnvironmentRegistry.make("CartPole-v1", parametersJSON: "{oops") }
    }

    @Test(arguments: EnvironmentRegistry.specifications.map(\.id))
    func everyEnvironmentHasGymnasiumsDefaultTimeLimit(id: String) throws {
        let env = try EnvironmentRegistry.make(id)
        let limit = try EnvironmentRegistry.specification(id).maxEpisodeSteps
        #expect((env as? TimeLimit)?.maxEpisodeSteps == limit)
        #expect(
            [
                "CartPole-v1": 500, "MountainCar-v0": 200, "MountainCarContinuous-v0": 999, "Acrobot-v1": 500,
                "Pendulum-v1": 200, "CartPoleContinuous-v0": 200, "GridWorld-v0": 196, "FourRooms-v0": 100,
                "KeyDoor-v0": 490, "LavaCrossing-v0": 196,
            ][id] == limit)
    }

    @Test func aWrongLengthStateNamesTheLayout() throws {
        let env = try EnvironmentRegistry.make("Acrobot-v1")
        let error = #expect(throws: EnvironmentError.self) { try env.setState([0, 0]) }
        #expect(
            error?.description == "Acrobot-v1: the state has 4 values (theta1, theta2, theta1_dot, theta2_dot); got 2")
    }
}

@Suite("Episodes, seeds and snapshots")
struct EpisodeTests {
    @Test(arguments: EnvironmentRegistry.specifications.map(\.id))
    func theSameSeedGivesTheSameEpisodeAndASnapshotResumesIt(id: String) throws {
        func actions(_ env: any Environment, _ step: Int) -> Action {
            if case .discrete(let count) = env.actionSpace { return .discrete(step % count) }
            return .discrete(0)
        }
        func run(_ env: any Environment, steps: Int) throws -> [[Float]] {
            try (0..<steps).map { step in
                if case .box = env.actionSpace { return try env.step(continuous: [Float(step % 3) - 1]).observation }
                return try env.step(actions(env, step)).observation
            }
        }
        let a = try EnvironmentRegistry.make(id)
        let b = try EnvironmentRegistry.make(id)
        #expect(try a.reset(seed: 7) == b.reset(seed: 7))
        let gridWorlds: Set = ["GridWorld-v0", "FourRooms-v0", "KeyDoor-v0", "LavaCrossing-v0"]
        if !gridWorlds.contains(id) {
            #expect(try a.reset(seed: 7) != a.reset(seed: 8), "classic-control starts are random")
        }
        _ = try a.reset(seed: 3)
        _ = try run(a, steps: 5)
        let snapshot = a.snapshot()
        let continued = try run(a, steps: 10)
        let restored = try EnvironmentRegistry.make(id)
        try restored.restore(snapshot)
        #expect(try run(restored, steps: 10) == continued)
        #expect((restored as? TimeLimit)?.elapsedSteps == 15)
    }

    @Test func resetObservationsStayWithinGymnasiumsRanges() throws {
        let cartPole = try EnvironmentRegistry.make("CartPole-v1")
        let acrobot = try EnvironmentRegistry.make("Acrobot-v1")
        let car = try EnvironmentRegistry.make("MountainCar-v0")
        for seed in 0..<200 as Range<UInt64> {
            #expect(try cartPole.reset(seed: seed).allSatisfy { abs($0) <= 0.05 })
            _ = try acrobot.reset(seed: seed)
            #expect(acrobot.state.allSatisfy { abs($0) <= 0.1 })
            let start = try car.reset(seed: seed)
            #expect(start[0] >= -0.6 && start[0] <= -0.4 && start[1] == 0)
        }
    }
}

@Suite("Vector stepping")
struct VectorEnvironmentTests {
    @Test func finishedCopiesResetOnTheirNextStepLikeGymnasium() throws {
        let envs = try VectorEnvironment(count: 3, seed: 10) {
            try EnvironmentRegistry.make("CartPole-v1", parameters: ["max_episode_steps": 4])
        }
        try envs.reset()
        let single = try EnvironmentRegistry.make("CartPole-v1", parameters: ["max_episode_steps": 4])
        #expect(try Array(envs.observations[4..<8]) == single.reset(seed: 11), "copy i is seeded seed + i")
        for _ in 0..<4 { try envs.step(discrete: [0, 1, 0]) }
        #expect(envs.truncated == [true, true, true])
        try envs.step(discrete: [1, 1, 1])  // resets instead of stepping
        #expect(envs.rewards == [0, 0, 0] && envs.truncated == [false, false, false])
        try envs.step(discrete: [1, 1, 1])
        #expect(envs.rewards == [1, 1, 1])
    }
}
