import Environments
import LifelongTestSupport
import Testing

@Suite("Grid-world rules")
struct GridWorldTests {
    /// A grid from text with the defaults for everything else.
    func grid(_ layout: String, _ extra: [String: ParameterValue] = [:], id: String = "GridWorld-v0") throws
        -> any Environment
    {
        try EnvironmentRegistry.make(id, parameters: extra.merging(["layout": .string(layout)]) { $1 })
    }

    func move(_ env: any Environment, _ moves: [Int]) throws -> [StepOutcome] {
        try moves.map { try env.step(.discrete($0)).outcome }
    }

    func position(_ env: any Environment) -> (Int, Int) { (Int(env.state[0]), Int(env.state[1])) }

    // up 0, right 1, down 2, left 3
    @Test func wallsBlockMoves() throws {
        let env = try grid("#####/#S.G#/#####")
        _ = try env.reset(seed: 0)
        _ = try move(env, [0, 3, 2])
        #expect(position(env) == (1, 1))
    }

    @Test func theGoalEndsTheEpisodeWithMiniGridsReward() throws {
        let env = try grid("#####/#S.G#/#####", ["reward_scale": 2, "max_episode_steps": 10])
        _ = try env.reset(seed: 0)
        let outcomes = try move(env, [1, 1])
        #expect(outcomes[0] == StepOutcome(reward: 0, terminated: false, truncated: false))
        #expect(outcomes[1].terminated && abs(outcomes[1].reward - 2 * (1 - 0.9 * 2 / 10)) < 1e-12)
    }

    @Test func lavaEndsTheEpisodeWithNoReward() throws {
        let env = try grid("######/#SL.G#/#....#/######")
        _ = try env.reset(seed: 0)
        #expect(try move(env, [1]) == [StepOutcome(reward: 0, terminated: true, truncated: false)])
    }

    @Test func aLockedDoorOpensOnlyWithTheKeyAndStaysOpen() throws {
        let env = try grid("#######/#SD.KG#/#.....#/#######")
        _ = try env.reset(seed: 0)
        _ = try move(env, [1])
        #expect(position(env) == (1, 1), "no key: the door blocks")
        let keyed = try grid("#######/#SKD.G#/#######")
        var observation = try keyed.reset(seed: 0)
        #expect(observation[2] == 0)
        _ = try move(keyed, [1])
        observation = keyed.observation
        #expect(observation[2] == 1, "the key is picked up")
        _ = try move(keyed, [1, 3, 1])
        #expect(position(keyed) == (3, 1), "with the key the door opens and stays open")
        #expect(try move(keyed, [1, 1]).last?.terminated == true)
    }

    @Test func slipsHappenAtTheirProbability() throws {
        let env = try grid("#########/#S......#/#.......#/#.....G.#/#########", ["slip_probability": 0.3])
        var slipped = 0
        _ = try env.reset(seed: 42)
        for _ in 0..<4000 {
            try env.setState([4, 2, 0, 0] + Array(env.state.dropFirst(4)))
            _ = try move(env, [0])
            if position(env) != (4, 1) { slipped += 1 }
        }
        // A slip picks one of four moves, one of them "up" again: the position differs with probability 0.3 × 3/4.
        #expect(abs(Double(slipped) / 4000 - 0.225) < 0.03, "\(slipped) of 4000")
    }

    @Test func theViewRadiusShowsOnlyTheCellsAroundTheAgent() throws {
        let full = try grid("#####/#S.G#/#####")
        #expect(full.observationSpace.flatCount == 3 + 15)
        let partial = try grid("#####/#S.G#/#####", ["view_radius": 1])
        #expect(partial.observationSpace.flatCount == 3 + 9)
        let view = Array(try partial.reset(seed: 0).dropFirst(3))
        let wall = Float(1) / 6
        #expect(view == [wall, wall, wall, wall, 0, 0, wall, wall, wall])
    }

    @Test func goalAndStartCanBeMovedForGoalSwitches() throws {
        let env = try EnvironmentRegistry.make(
            "GridWorld-v0", parameters: ["width": 6, "height": 6, "goal_x": 1, "goal_y": 4, "start_x": 4, "start_y": 1])
        _ = try env.reset(seed: 0)
        #expect(position(env) == (4, 1))
        #expect(try move(env, [3, 3, 3, 2, 2, 2]).last?.terminated == true)
        let error = #expect(throws: EnvironmentError.self) {
            try EnvironmentRegistry.make("GridWorld-v0", parameters: ["goal_x": 0, "goal_y": 3])
        }
        #expect(error?.description.contains("goal (0, 3) is not a free cell") == true)
    }

    @Test(arguments: ["GridWorld-v0", "FourRooms-v0", "KeyDoor-v0", "LavaCrossing-v0"])
    func proceduralLayoutsFollowTheirSeedAndAreSolvable(id: String) throws {
        func layout(_ seed: Int) throws -> GridLayout {
            let env = try EnvironmentRegistry.make(
                id, parameters: ["layout_seed": .number(Double(seed)), "width": 9, "height": 9])
            return try #require(((env as? TimeLimit)?.inner as? GridWorld)?.layout)
        }
        #expect(try layout(3) == layout(3))
        var distinct = Set<String>()
        for seed in 0..<60 {
            let grid = try layout(seed)
            #expect(grid.isSolvable, "\(id) seed \(seed): \(grid.text)")
            distinct.insert(grid.text)
        }
        #expect(id == "GridWorld-v0" ? distinct.count == 1 : distinct.count > 5)
    }

    @Test func badLayoutsNameTheProblem() {
        for (layout, message) in [
            ("###/#S#", "needs at least 3 rows"), ("####/#S.G#/####", "rows of different lengths"),
            ("#####/#S.X#/#####", "has \"X\" at row 1, column 3"), ("#####/#..G#/#####", "exactly one start"),
            ("#####/#S#G#/#####", "no goal can be reached"),
        ] {
            let error = #expect(throws: EnvironmentError.self) {
                try EnvironmentRegistry.make("GridWorld-v0", parameters: ["layout": .string(layout)])
            }
            #expect(error?.description.contains(message) == true, "\(layout): \(error?.description ?? "")")
        }
    }

    @Test func theTimeLimitTruncatesAndStateRoundTrips() throws {
        let env = try grid("#######/#S...G#/#######", ["max_episode_steps": 3])
        _ = try env.reset(seed: 0)
        let outcomes = try move(env, [0, 0, 0])
        #expect(outcomes.map(\.truncated) == [false, false, true])
        let saved = env.snapshot()
        _ = try move(env, [1])
        try env.restore(saved)
        #expect(position(env) == (1, 1))
    }
}
