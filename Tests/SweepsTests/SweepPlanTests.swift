import Continual
import Foundation
import LifelongTestSupport
import Testing

@testable import Sweeps

/// Expanding sweep files into runs: ids, overrides, and errors that point into the sweep file.
@Suite("Sweep plans")
struct SweepPlanTests {
    let directory = TemporaryDirectory("sweep-plan")

    static let curriculum = """
        {
          "name": "plan-base",
          "seeds": {"agent": 7, "curriculum": 1},
          "tasks": {
            "b-task": {"env": "CartPole-v1"},
            "a-task": {"env": "CartPole-v1", "params": {"length": 1.0}}
          },
          "schedule": [{"task": "b-task", "steps": 100}, {"task": "a-task", "steps": 100}],
          "evaluation": {"every_steps": 50, "episodes": 1},
          "agent": {"policy": "dqn", "hyperparameters": {"hiddenLayers": [8]}},
          "strategy": {"name": "finetune"},
          "output": "runs/elsewhere"
        }
        """

    func plan(_ sweep: String) throws -> SweepPlan {
        try Self.curriculum.write(toFile: directory.file("base.json"), atomically: true, encoding: .utf8)
        try sweep.write(toFile: directory.file("sweep.json"), atomically: true, encoding: .utf8)
        return try SweepPlan(try SweepSpec.load(directory.file("sweep.json")))
    }

    func issues(_ sweep: String) -> [String] {
        do {
            _ = try plan(sweep)
            return []
        } catch let error as SweepError {
            return error.issues.map { "\($0.line): \($0)" }
        } catch {
            return ["\(error)"]
        }
    }

    @Test func theGridCrossesItsKeysInOrderAndIdsNameTheOverrides() throws {
        let plan = try plan(
            """
            {"name": "g", "curriculum": "base.json",
             "grid": {"strategy": [{"name": "finetune"}, {"name": "ewc", "lambda": 10}], "seed": [1, 2],
                      "agent.hyperparameters.learningRate": [0.001]}}
            """)
        #expect(
            plan.runs.map(\.id) == [
                "strategy-finetune_seed-1_learningRate-0.001", "strategy-finetune_seed-2_learningRate-0.001",
                "strategy-ewc_seed-1_learningRate-0.001", "strategy-ewc_seed-2_learningRate-0.001",
            ])
        let run = try Curriculum.parse(plan.runs[3].curriculum, file: "run")
        #expect(run.agentSeed == 2)
        #expect(run.strategy.name == "ewc")
        #expect(run.output == nil, "the sweep directory decides where runs go")
        #expect(run.tasks.map(\.name) == ["b-task", "a-task"], "task order (task indices) is kept")
        #expect(plan.runs[3].curriculum.contains("\"learningRate\": 0.001"))
    }

    @Test func variantsAreCrossedWithTheGridAndIdsStayUniqueWhenNamesRepeat() throws {
        let plan = try plan(
            """
            {"name": "v", "curriculum": "base.json",
             "runs": [{"strategy": {"name": "ewc", "lambda": 1}}, {"strategy": {"name": "ewc", "lambda": 100}}],
             "grid": {"seed": [3]}}
            """)
        #expect(plan.runs.count == 2)
        #expect(Set(plan.runs.map(\.id)).count == 2)
        #expect(plan.runs.allSatisfy { $0.id.hasPrefix("strategy-ewc_seed-3-") }, "\(plan.runs.map(\.id))")
    }

    @Test func anotherCurriculumIsNamedByItsFile() throws {
        try Self.curriculum.replacingOccurrences(of: "plan-base", with: "other")
            .write(toFile: directory.file("other.json"), atomically: true, encoding: .utf8)
        let plan = try plan(#"{"name": "c", "curriculum": "base.json", "grid": {"curriculum": ["other.json"]}}"#)
        #expect(plan.runs.map(\.id) == ["curriculum-other"])
        #expect(plan.runs[0].curriculum.contains("\"name\": \"other\""))
    }

    @Test func errorsNameTheSweepFilesLineAndPathWithAHint() {
        let found = issues(
            """
            {"name": "bad", "curriculum": "base.json",
             "grid": {"strategy": [{"name": "finetune"},
                                   {"name": "ewcc"}],
                      "seed": [1, -1]},
             "lokal": {"workers": 2}}
            """)
        #expect(
            found.contains { $0.hasPrefix("5: lokal: unknown key \"lokal\"") && $0.contains("did you mean \"local\"?") }
        )
        #expect(found.contains { $0.hasPrefix("4: grid.seed[1]: expected an integer ≥ 0, found -1") }, "\(found)")
        let typo = issues(
            """
            {"name": "bad", "curriculum": "base.json",
             "grid": {"strategy": [{"name": "finetune"},
                                   {"name": "ewcc"}]}}
            """)
        #expect(typo.count == 1, "\(typo)")
        #expect(
            typo.first?.hasPrefix("3: grid.strategy[1]: run strategy-ewcc: curriculum strategy.name: unknown") == true)
        #expect(typo.first?.contains("did you mean \"ewc\"?") == true, "\(typo)")
    }

    @Test func aSweepWithoutRunsOrWithARepeatedRunIsRefused() {
        #expect(
            issues(#"{"name": "x", "curriculum": "base.json"}"#).contains { $0.contains("needs \"grid\" or \"runs\"") })
        #expect(
            issues(#"{"name": "x", "curriculum": "base.json", "runs": [{"seed": 1}, {"seed": 1}]}"#)
                .contains { $0.contains("repeats run seed-1") })
        #expect(
            issues(#"{"name": "x", "curriculum": "missing.json", "grid": {"seed": [1]}}"#)
                .contains { $0.contains("no curriculum at missing.json") })
    }
}
