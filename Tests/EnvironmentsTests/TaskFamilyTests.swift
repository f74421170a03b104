import Environments
import Testing

@Suite("Task families and drift")
struct TaskFamilyTests {
    let family: TaskFamily

    init() throws {
        family = try TaskFamily(
            environment: "CartPole-v1", fixed: ["force_mag": 12],
            ranges: ["length": 0.25...1.0, "masspole": 0.05...0.5])
    }

    @Test func aTaskIsAPointOfTheFamily() throws {
        #expect(
            try family.task(["length": 0.75, "masspole": 0.2]) == ["force_mag": 12, "length": 0.75, "masspole": 0.2])
        let fromFamily = try family.make(["length": 0.75, "masspole": 0.2])
        let direct = try EnvironmentRegistry.make(
            "CartPole-v1", parameters: ["force_mag": 12, "length": 0.75, "masspole": 0.2])
        try fromFamily.setState([0, 0, 0.1, 0])
        try direct.setState([0, 0, 0.1, 0])
        #expect(try fromFamily.step(.discrete(1)).observation == direct.step(.discrete(1)).observation)
    }

    @Test func pointsOutsideTheFamilyAreErrors() {
        let outside = #expect(throws: EnvironmentError.self) { try family.task(["length": 2, "masspole": 0.1]) }
        #expect(outside?.description.contains("length = 2.0 is outside its range 0.25...1.0") == true)
        let missing = #expect(throws: EnvironmentError.self) { try family.task(["length": 0.5]) }
        #expect(missing?.description.contains("no value for ranged parameter \"masspole\"") == true)
        let unknown = #expect(throws: EnvironmentError.self) {
            try TaskFamily(environment: "CartPole-v1", ranges: ["lenght": 0...1])
        }
        #expect(unknown?.description.contains("valid parameters: gravity") == true)
        #expect(throws: EnvironmentError.self) {
            try TaskFamily(environment: "CartPole-v1", ranges: ["kinematics_integrator": 0...1])
        }
    }

    @Test func samplesAreSeededAndInsideTheRanges() {
        var a = RandomStream(seed: 5)
        var b = RandomStream(seed: 5)
        for _ in 0..<100 {
            let task = family.sample(&a)
            #expect(task == family.sample(&b))
            guard case .number(let length)? = task["length"], case .number(let mass)? = task["masspole"] else {
                Issue.record("sampled \(task)")
                return
            }
            #expect((0.25...1).contains(length) && (0.05...0.5).contains(mass) && task["force_mag"] == 12)
        }
    }

    @Test func driftMovesParametersSmoothlyAndKeepsTheEpisodeGoing() throws {
        let drifting = try DriftingEnvironment(
            environment: "CartPole-v1", from: ["length": 0.5], to: ["length": 1.0], steps: 1000, interval: 10)
        #expect(drifting.parameters(atStep: 500) == ["length": 0.75])
        #expect(drifting.parameters(atStep: 5000) == ["length": 1.0])
        _ = try drifting.reset(seed: 1)
        for step in 0..<500 {
            if try drifting.step(.discrete(step % 2)).outcome.terminated { _ = try drifting.reset(seed: nil) }
        }
        // The next step runs with the parameters of step 500, from the same state.
        let twin = try EnvironmentRegistry.make("CartPole-v1", parameters: drifting.parameters(atStep: 500))
        try twin.restore(drifting.snapshot().withoutDriftCounter)
        #expect(try drifting.step(.discrete(1)).observation == twin.step(.discrete(1)).observation)
        let saved = drifting.snapshot()
        let after = try (0..<30).map { _ in try drifting.step(.discrete(0)).observation }
        let resumed = try DriftingEnvironment(
            environment: "CartPole-v1", from: ["length": 0.5], to: ["length": 1.0], steps: 1000, interval: 10)
        try resumed.restore(saved)
        #expect(try (0..<30).map { _ in try resumed.step(.discrete(0)).observation } == after)
    }
}

extension EnvironmentSnapshot {
    /// The snapshot of the environment inside a `DriftingEnvironment` (which appends its step counter).
    var withoutDriftCounter: EnvironmentSnapshot {
        var inner = self
        inner.state.removeLast()
        return inner
    }
}
