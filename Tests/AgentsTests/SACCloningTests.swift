import Agents
import Environments
import Foundation
import Replay
import Testing

/// CLEAR's cloning terms in SAC: what is recorded with each transition, and that the terms pull the policy back
/// toward the recorded one.
@Suite struct SACCloningTests {
    func makeAgent(policyCloning: Float, valueCloning: Float, seed: UInt64 = 1) throws -> (SAC, ReplayStore) {
        var configuration = SACConfiguration()
        configuration.hiddenLayers = [32, 32]
        configuration.batchSize = 32
        configuration.learningStarts = 200
        configuration.policyCloning = policyCloning
        configuration.valueCloning = valueCloning
        let environment = try EnvironmentRegistry.make("Pendulum-v1")
        let replay = ReplayStore(
            schema: SAC.replaySchema(observationSize: 3, actionSize: 1, configuration: configuration),
            capacity: 10_000, eviction: .fifo, seed: seed)
        let agent = SAC(
            observationSize: 3, actionSpace: environment.actionSpace, configuration: configuration, replay: replay,
            seed: seed)
        try EnvironmentLoop(environment: environment, agent: agent, seed: seed).run(steps: 400)
        return (agent, replay)
    }

    @Test func eachTransitionRecordsTheCollectingPolicyAndItsValueValidOnlyOnceLearningStarts() throws {
        let (_, replay) = try makeAgent(policyCloning: 0.01, valueCloning: 0.005)
        #expect(replay.schema.extraColumns == ["behaviour": 3, "behaviour_value": 1])
        let early = replay.transition(at: 10).extras
        let late = replay.transition(at: 350).extras
        #expect(early["behaviour"]?[2] == 0)  // uniform warm-up actions: nothing to clone
        #expect(late["behaviour"]?[2] == 1)
        #expect(late["behaviour_value"]?[0] != 0)
        #expect((late["behaviour"]?[1] ?? 9).magnitude <= 20)  // a clamped log-std
    }

    @Test func strongPolicyCloningKeepsThePolicyCloserToTheOneThatCollected() throws {
        // Train on, then measure how far the policy's mean moved from what was recorded on the last steps.
        func drift(_ weight: Float) throws -> Float {
            let (agent, replay) = try makeAgent(policyCloning: weight, valueCloning: 0)
            var total: Float = 0
            for slot in 300..<400 {
                let transition = replay.transition(at: slot)
                guard case .continuous(let action) = agent.act(transition.observation, mode: .evaluate) else {
                    return .infinity
                }
                // Evaluate mode returns tanh(mean), scaled to ±2; compare with the recorded mean the same way.
                let recorded = 2 * Float(tanh(Double(transition.extras["behaviour"]![0])))
                total += abs(action[0] - recorded)
            }
            return total / 100
        }
        #expect(try drift(10) < drift(1e-9))  // (a weight near 0 keeps the recorded columns)
    }
}
