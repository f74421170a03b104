import Foundation
import LifelongTestSupport
import Testing

@Suite("lifelong env list and rollout")
struct EnvironmentCommandTests {
    let lifelong = TestEnvironment.product("lifelong")

    @Test func listShowsEveryIdWithSpacesAndParameterDefaults() throws {
        let result = try ProcessRunner.run(lifelong, ["env", "list"])
        #expect(result.status == 0, "\(result.transcript)")
        for id in [
            "CartPole-v1", "CartPoleContinuous-v0", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1",
            "Pendulum-v1",
        ] {
            #expect(result.standardOutput.contains("\(id) — "))
        }
        #expect(result.standardOutput.contains("  action: Discrete(2)"))
        #expect(result.standardOutput.contains("  gravity = 9.8  gravitational acceleration"))
        #expect(result.standardOutput.contains("  max_episode_steps = 999  (time limit)"))
    }

    @Test(.enabled(if: TestEnvironment.interopEnabled))
    func rolloutPrintsExactlyWhatGymnasiumDoes() throws {
        let cases = [
            ("Acrobot-v1", "{\"link_mass_2\": 1.3}", "[0.1, -0.2, 0.3, 0.4]", "[0, 2, 1, 2, 2, 0, 1, 1, 0, 2]"),
            ("Pendulum-v1", "{}", "[1.0, -2.0]", "[0.5, -1.5, 2.5, [1.0]]"),
            ("CartPole-v1", "{\"max_episode_steps\": 3}", "[0, 0, 0.05, 0]", "[1, 0, 1, 1, 1]"),
        ]
        for (id, params, state, actions) in cases {
            let ours = try ProcessRunner.run(
                lifelong,
                ["env", "rollout", "--env", id, "--params", params, "--initial-state", state, "--actions", actions])
            #expect(ours.status == 0, "\(ours.transcript)")
            let normalised = actions.replacingOccurrences(of: "[1.0]", with: "1.0")
            let theirs = try TestEnvironment.runPython("gymnasium_rollout.py", [id, params, state, normalised])
            #expect(theirs.status == 0, "\(theirs.transcript)")
            let parse = { (text: String) throws -> [NSDictionary] in
                try text.split(separator: "\n").map {
                    try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? NSDictionary)
                }
            }
            #expect(
                try parse(ours.standardOutput) == parse(theirs.standardOutput),
                "\(id)\n\(ours.standardOutput)\n\(theirs.standardOutput)")
        }
    }

    @Test(arguments: [
        (["--env", "CartPole-v0", "--initial-state", "[0,0,0,0]", "--actions", "[0]"], "--env: unknown environment"),
        (
            [
                "--env", "CartPole-v1", "--params", "{\"gravty\": 1}", "--initial-state", "[0,0,0,0]", "--actions",
                "[0]",
            ], "--params:"
        ),
        (
            ["--env", "CartPole-v1", "--initial-state", "[0,0]", "--actions", "[0]"],
            "--initial-state: CartPole-v1: the state has 4 values"
        ),
        (
            ["--env", "CartPole-v1", "--initial-state", "zero", "--actions", "[0]"],
            "--initial-state must be a JSON array"
        ),
        (["--env", "CartPole-v1", "--initial-state", "[0,0,0,0]", "--actions", "[0, 2]"], "--actions[1] is 2"),
        (["--env", "CartPole-v1", "--initial-state", "[0,0,0,0]"], "--actions"),
    ])
    func badArgumentsExitWithStatus2AndNameTheArgument(arguments: [String], expected: String) throws {
        let result = try ProcessRunner.run(lifelong, ["env", "rollout"] + arguments)
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.standardError.contains(expected), "\(result.transcript)")
    }
}
