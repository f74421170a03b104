import Environments
import Foundation
import LifelongTestSupport
import Testing

/// The bridge against real Gymnasium environments from PyPI (test venv): a classic-control one checked against
/// the built-in twin, a MiniGrid one played to its goal, and every failure mode ending in a bounded time.
@Suite("Gymnasium bridge", .enabled(if: TestEnvironment.interopEnabled))
struct GymnasiumBridgeTests {
    var python: String { TestEnvironment.python ?? "python3" }

    @Test func cartPoleThroughTheBridgeMatchesTheBuiltInStepForStep() throws {
        let bridged = try GymnasiumEnvironment("CartPole-v1", python: python)
        #expect(bridged.observationSpace.flatCount == 4 && bridged.actionSpace == .discrete(2))
        let first = try bridged.reset(seed: 3)
        #expect(first.count == 4 && first.allSatisfy { abs($0) <= 0.05 })
        let builtIn = try EnvironmentRegistry.make("CartPole-v1")
        let start: [Double] = [0.01, -0.02, 0.03, 0.04]
        try bridged.setState(start)
        try builtIn.setState(start)
        #expect(bridged.state == start)
        for step in 0..<40 {
            let action = Action.discrete(step % 3 == 0 ? 0 : 1)
            let (ours, ourOutcome) = try builtIn.step(action)
            let (theirs, theirOutcome) = try bridged.step(action)
            #expect(ours == theirs, "step \(step)")
            #expect(ourOutcome == theirOutcome, "step \(step)")
            if ourOutcome.terminated { break }
        }
    }

    @Test func pendulumTakesContinuousActions() throws {
        let env = try GymnasiumEnvironment("Pendulum-v1", kwargs: ["g": 9.81], python: python)
        #expect(env.actionSpace == .box(low: [-2], high: [2]))
        _ = try env.reset(seed: 1)
        let (observation, outcome) = try env.step(continuous: [1.5])
        #expect(observation.count == 3 && outcome.reward < 0 && !outcome.terminated)
    }

    @Test func aMiniGridRoomIsPlayedToItsGoal() throws {
        let env = try GymnasiumEnvironment("MiniGrid-Empty-5x5-v0", python: python)
        // image 7×7×3 plus the direction; the mission text is left out.
        #expect(env.observationSpace.flatCount == 7 * 7 * 3 + 1)
        #expect(env.actionSpace == .discrete(7))
        _ = try env.reset(seed: 1)
        // From (1, 1) facing east to the goal at (3, 3): forward, forward, turn right, forward, forward.
        var outcome = StepOutcome(reward: 0, terminated: false, truncated: false)
        for action in [2, 2, 1, 2, 2] { outcome = try env.step(.discrete(action)).outcome }
        #expect(outcome.terminated && outcome.reward > 0.5, "\(outcome)")
    }

    @Test func anUnknownIdIsAClearError() {
        let error = #expect(throws: EnvironmentError.self) { try GymnasiumEnvironment("NoSuchEnv-v9", python: python) }
        #expect(error?.kind == .bridge)
        #expect(error?.description.contains("NoSuchEnv-v9: Gymnasium could not make the environment") == true)
    }

    @Test func aHangingInterpreterFailsWithinItsTimeout() throws {
        let directory = TemporaryDirectory("bridge-hang")
        let script = directory.file("python")
        try "#!/bin/sh\nsleep 600\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let started = Date()
        let error = #expect(throws: EnvironmentError.self) {
            try GymnasiumEnvironment("CartPole-v1", python: script, timeout: 1)
        }
        #expect(Date().timeIntervalSince(started) < 10, "the timeout bounds the wait")
        #expect(error?.description.contains("did not start within 1.0 s") == true)
    }

    @Test func aSubprocessKilledMidRunIsReportedNotWaitedFor() throws {
        let env = try GymnasiumEnvironment("CartPole-v1", python: python, timeout: 20)
        _ = try env.reset(seed: 0)
        kill(env.processIdentifier, SIGKILL)
        let started = Date()
        let error = #expect(throws: EnvironmentError.self) { try env.step(.discrete(0)) }
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(error?.description.contains("CartPole-v1: the Python process") == true)
        #expect(throws: EnvironmentError.self) { try env.step(.discrete(0)) }
    }

    @Test func aMissingInterpreterIsAClearError() {
        let error = #expect(throws: EnvironmentError.self) {
            try GymnasiumEnvironment("CartPole-v1", python: "/nonexistent/python")
        }
        #expect(error?.description.contains("cannot start the Python interpreter /nonexistent/python") == true)
    }
}
