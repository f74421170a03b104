import Environments
import Foundation
import LifelongTestSupport
import Testing

/// Every classic-control environment against the real Gymnasium (from PyPI, in the test venv): the same initial
/// state and actions, every step compared — observation to 1e-6 relative, reward, terminated, truncated.
@Suite("Classic control matches Gymnasium step for step", .enabled(if: TestEnvironment.interopEnabled))
struct GymnasiumParityTests {
    struct Case: Encodable {
        var env: String
        var params: [String: ParameterJSON]
        var initialState: [Double]
        var actions: [Double]

        enum CodingKeys: String, CodingKey {
            case env, params, actions
            case initialState = "initial_state"
        }
    }

    /// A parameter value as JSON.
    enum ParameterJSON: Encodable {
        case number(Double)
        case bool(Bool)
        case string(String)
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .number(let value): try container.encode(value)
            case .bool(let value): try container.encode(value)
            case .string(let value): try container.encode(value)
            }
        }
        var value: ParameterValue {
            switch self {
            case .number(let value): return .number(value)
            case .bool(let value): return .bool(value)
            case .string(let value): return .string(value)
            }
        }
    }

    struct Step: Decodable, Equatable {
        var obs: [Double]
        var reward: Double
        var terminated: Bool
        var truncated: Bool
    }

    static func randomActions(_ count: Int, seed: UInt64, discrete: Int? = nil, range: ClosedRange<Double> = -1...1)
        -> [Double]
    {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            if let discrete { return Double(Int.random(in: 0..<discrete, using: &random)) }
            return Double(Float(Double.random(in: range, using: &random)))
        }
    }

    static let cases: [Case] = [
        Case(
            env: "CartPole-v1", params: [:], initialState: [0.01, -0.02, 0.03, 0.04],
            actions: randomActions(600, seed: 1, discrete: 2)),
        Case(env: "CartPole-v1", params: [:], initialState: [0, 0, 0, 0], actions: [Double](repeating: 1, count: 60)),
        Case(
            env: "CartPole-v1",
            params: [
                "gravity": .number(12), "length": .number(0.75), "masspole": .number(0.2), "force_mag": .number(15),
                "kinematics_integrator": .string("semi-implicit"), "sutton_barto_reward": .bool(true),
                "max_episode_steps": .number(30),
            ],
            initialState: [0.1, 0.2, -0.05, 0.1], actions: randomActions(100, seed: 2, discrete: 2)),
        Case(
            env: "CartPoleContinuous-v0", params: [:], initialState: [0.02, 0, -0.01, 0],
            actions: randomActions(300, seed: 3, range: -1.2...1.2)),
        Case(
            env: "MountainCar-v0", params: [:], initialState: [-0.5, 0],
            actions: randomActions(250, seed: 4, discrete: 3)),
        Case(
            env: "MountainCar-v0", params: [:], initialState: [0.4, 0.05], actions: [Double](repeating: 2, count: 20)),
        Case(
            env: "MountainCar-v0", params: ["gravity": .number(0.003), "force": .number(0.0015)],
            initialState: [-1.1, -0.06], actions: randomActions(250, seed: 5, discrete: 3)),
        Case(
            env: "MountainCarContinuous-v0", params: [:], initialState: [-0.55, 0],
            actions: randomActions(1100, seed: 6, range: -1.5...1.5)),
        Case(
            env: "MountainCarContinuous-v0", params: [:], initialState: [0.3, 0.06],
            actions: [Double](repeating: 1, count: 30)),
        Case(
            env: "MountainCarContinuous-v0", params: ["power": .number(0.002), "goal_position": .number(0.4)],
            initialState: [-1.15, -0.07], actions: randomActions(400, seed: 7)),
        Case(
            env: "Acrobot-v1", params: [:], initialState: [0.05, -0.03, 0.02, 0.01],
            actions: randomActions(600, seed: 8, discrete: 3)),
        Case(
            env: "Acrobot-v1",
            params: ["link_mass_1": .number(1.5), "link_length_1": .number(0.8), "book_or_nips": .string("nips")],
            initialState: [3.0, -2.0, 1, -3], actions: randomActions(600, seed: 9, discrete: 3)),
        Case(
            env: "Pendulum-v1", params: [:], initialState: [3.0, -0.5],
            actions: randomActions(250, seed: 10, range: -3...3)),
        Case(
            env: "Pendulum-v1", params: ["g": .number(9.81), "m": .number(1.2), "l": .number(0.9)],
            initialState: [-1.0, 7.5], actions: randomActions(250, seed: 11, range: -2.5...2.5)),
    ]

    /// Our side of a case, in the oracle's form.
    static func rollout(_ testCase: Case) throws -> [Step] {
        let env = try EnvironmentRegistry.make(testCase.env, parameters: testCase.params.mapValues(\.value))
        try env.setState(testCase.initialState)
        var steps: [Step] = []
        for action in testCase.actions {
            let (observation, outcome) =
                if case .discrete = env.actionSpace {
                    try env.step(.discrete(Int(action)))
                } else {
                    try env.step(continuous: [Float(action)])
                }
            steps.append(
                Step(
                    obs: observation.map(Double.init), reward: outcome.reward, terminated: outcome.terminated,
                    truncated: outcome.truncated))
            if outcome.terminated || outcome.truncated { break }
        }
        return steps
    }

    @Test func everyCaseMatchesGymnasium() throws {
        let directory = TemporaryDirectory("env-parity")
        let casesFile = directory.file("cases.json")
        try JSONEncoder().encode(Self.cases).write(to: URL(fileURLWithPath: casesFile))
        let oracle = try TestEnvironment.runPython("gymnasium_rollout.py", ["--batch", casesFile])
        try #require(oracle.status == 0, "\(oracle.transcript)")
        let lines = oracle.standardOutput.split(separator: "\n")
        try #require(lines.count == Self.cases.count)
        var ended: Set<String> = []
        for (testCase, line) in zip(Self.cases, lines) {
            let expected = try JSONDecoder().decode([Step].self, from: Data(line.utf8))
            let actual = try Self.rollout(testCase)
            let label = "\(testCase.env) \(testCase.params.keys.sorted()) from \(testCase.initialState)"
            #expect(actual.count == expected.count, "\(label): \(actual.count) steps, Gymnasium \(expected.count)")
            for (index, (mine, theirs)) in zip(actual, expected).enumerated() {
                let observationsMatch = zip(mine.obs, theirs.obs).allSatisfy { abs($0 - $1) <= 1e-6 * abs($1) + 1e-12 }
                #expect(observationsMatch, "\(label) step \(index): obs \(mine.obs), Gymnasium \(theirs.obs)")
                #expect(
                    abs(mine.reward - theirs.reward) <= 1e-9 * max(1, abs(theirs.reward)),
                    "\(label) step \(index): reward \(mine.reward), Gymnasium \(theirs.reward)")
                #expect(
                    mine.terminated == theirs.terminated && mine.truncated == theirs.truncated,
                    "\(label) step \(index): flags")
                if !(observationsMatch && mine.terminated == theirs.terminated) { break }
            }
            if let last = expected.last {
                ended.insert(last.terminated ? "terminated" : last.truncated ? "truncated" : "open")
            }
        }
        #expect(ended.isSuperset(of: ["terminated", "truncated"]), "the cases must cover both episode ends: \(ended)")
    }
}
