import Continual
import Foundation
import LifelongTestSupport
import Testing

/// Curricula parse into the blocks they describe, and every mistake is reported with its JSON path and line.
@Suite struct CurriculumParsingTests {
    /// A curriculum of `tasks`, `schedule` and `extra` top-level members (JSON fragments).
    static func curriculum(schedule: String, extra: String = "") -> String {
        """
        {
          "name": "test",
          "seeds": {"agent": 3, "curriculum": 4},
          "families": {"poles": {"env": "CartPole-v1", "ranges": {"length": [0.25, 1.0]}}},
          "tasks": {
            "default": {"env": "CartPole-v1"},
            "heavy-pole": {"env": "CartPole-v1", "params": {"masspole": 0.5}},
            "long-pole": {"family": "poles", "point": {"length": 0.9}},
            "sampled": {"family": "poles", "sample": true}
          },
          "schedule": \(schedule),
          "agent": {"policy": "dqn", "hyperparameters": {"hiddenLayers": [16]}}\(extra)
        }
        """
    }

    func issues(_ text: String) -> [CurriculumIssue] {
        do {
            _ = try Curriculum.parse(text, file: "c.json")
            return []
        } catch {
            return error.issues
        }
    }

    @Test func repeatsExpandAndBlocksKeepTheirKindBudgetAndOrigin() throws {
        let text = Self.curriculum(
            schedule: """
                [
                  {"task": "default", "steps": 100},
                  {"repeat": 2, "blocks": [{"task": "heavy-pole", "episodes": 5}, {"task": "long-pole", "steps": 50}]},
                  {"interleave": ["default", "sampled"], "steps": 300, "switch_every_episodes": 2, "order": "random"},
                  {"drift": {"from": "default", "to": "long-pole"}, "steps": 400, "interval": 50}
                ]
                """)
        let curriculum = try Curriculum.parse(text, file: "c.json")
        #expect(curriculum.tasks.map(\.name) == ["default", "heavy-pole", "long-pole", "sampled"])
        #expect(curriculum.agentSeed == 3 && curriculum.curriculumSeed == 4)
        #expect(curriculum.blocks.count == 7)
        #expect(
            curriculum.blocks[1]
                == Block(kind: .task(1), budget: .episodes(5), origin: "schedule[1].blocks[0] (cycle 1 of 2)"))
        #expect(curriculum.blocks[4].origin == "schedule[1].blocks[1] (cycle 2 of 2)")
        #expect(curriculum.blocks[5].kind == .interleave([0, 3], switchEvery: 2, randomOrder: true))
        #expect(curriculum.blocks[6].kind == .drift(from: 0, to: 2, interval: 50))
        #expect(curriculum.totalSteps == nil)  // a block counts episodes
        #expect(curriculum.tasks[2].parameters["length"] == .number(0.9))
        if case .number(let length)? = curriculum.tasks[3].parameters["length"] {
            #expect((0.25...1.0).contains(length))
        } else {
            Issue.record("the sampled task has no length")
        }
        // Defaults: every task evaluated, fine-tuning, checkpoints every 5 minutes.
        #expect(curriculum.evaluation.tasks == [0, 1, 2, 3])
        #expect(curriculum.strategy == .fineTuning)
        #expect(curriculum.checkpointInterval == nil && curriculum.checkpointSeconds == 300)
    }

    @Test func anUnknownTaskIsReportedWithItsPathLineAndTheClosestName() {
        let text = Self.curriculum(schedule: #"[{"task": "default", "steps": 10}, {"task": "heavy-pol", "steps": 10}]"#)
        let found = issues(text)
        #expect(found.count == 1)
        #expect(found.first?.path == "schedule[1].task")
        #expect(found.first?.line == 11)
        #expect(found.first?.message == #"unknown task "heavy-pol"; known: default, heavy-pole, long-pole, sampled"#)
        #expect(found.first?.hint == #"did you mean "heavy-pole"?"#)
    }

    @Test func unknownKeysAreErrorsSoTyposNeverPassSilently() {
        let text = Self.curriculum(
            schedule: #"[{"task": "default", "stpes": 10}]"#,
            extra: #", "evaluaton": {"every_steps": 5}, "strategy": {"name": "ewc", "lamda": 2}"#)
        let found = issues(text)
        #expect(found.contains { $0.path == "evaluaton" && $0.hint == #"did you mean "evaluation"?"# })
        #expect(found.contains { $0.path == "schedule[0].stpes" && $0.hint == #"did you mean "steps"?"# })
        #expect(found.contains { $0.path == "strategy.lamda" && $0.hint == #"did you mean "lambda"?"# })
        #expect(found.contains { $0.path == "schedule[0]" && $0.message.contains("missing \"steps\" or \"episodes\"") })
    }

    @Test func badValuesNameTheirPlace() {
        let text = Self.curriculum(
            schedule: #"[{"task": "default", "steps": 0}, {"task": "default", "steps": 5, "episodes": 2}]"#,
            extra: #", "strategy": {"name": "pack-net"}"#)
        let found = issues(text)
        #expect(found.contains { $0.path == "schedule[0].steps" && $0.message == "must be at least 1; got 0" })
        #expect(found.contains { $0.path == "schedule[1]" && $0.message.contains("not both") })
        #expect(found.contains { $0.path == "strategy.name" && $0.hint == #"did you mean "packnet"?"# })
    }

    @Test func environmentParametersAndHyperParametersAreCheckedBeforeAnythingRuns() {
        let text = """
            {"name": "x", "tasks": {"a": {"env": "CartPole-v1", "params": {"gravty": 5}}},
             "schedule": [{"task": "a", "steps": 1}],
             "agent": {"policy": "sac", "hyperparameters": {"learning_rate": 0.1}}}
            """
        let found = issues(text)
        #expect(found.contains { $0.path == "tasks.a.params" && $0.message.contains(#"unknown parameter "gravty""#) })
        #expect(
            found.contains {
                $0.path == "agent.hyperparameters.learning_rate" && $0.hint == #"did you mean "learningRate"?"#
            })
        let wrongPolicy = """
            {"name": "x", "tasks": {"a": {"env": "CartPole-v1"}}, "schedule": [{"task": "a", "steps": 1}],
             "agent": {"policy": "sac"}}
            """
        #expect(issues(wrongPolicy).contains { $0.path == "agent.policy" && $0.message.contains("cannot act") })
    }

    @Test func learningThreadsBelowOneAreNamed() {
        let text = Self.curriculum(schedule: #"[{"task": "default", "steps": 10}]"#)
            .replacingOccurrences(of: #""hiddenLayers": [16]"#, with: #""learningThreads": 0"#)
        #expect(
            issues(text).contains {
                $0.path == "agent.hyperparameters.learningThreads" && $0.message.contains("at least 1; got 0")
            })
    }

    @Test func anUnknownMatmulPrecisionIsNamed() {
        let text = Self.curriculum(schedule: #"[{"task": "default", "steps": 10}]"#)
            .replacingOccurrences(of: #""policy": "dqn","#, with: #""policy": "sac","#)
            .replacingOccurrences(of: #""hiddenLayers": [16]"#, with: #""matmulPrecision": "float16""#)
        let found = issues(text)
        #expect(found.contains { $0.path.hasPrefix("agent.hyperparameters") && $0.message.contains("matmulPrecision") })
    }

    @Test func invalidJSONReportsTheLine() {
        let found = issues("{\n  \"name\": \"x\",\n  \"tasks\": {,}\n}")
        #expect(found.count == 1)
        #expect(found.first?.line == 3)
        #expect(found.first?.message.hasPrefix("not valid JSON") == true)
    }

    @Test func taskHeadsNeedDQNAndTaskIdentities() {
        let free = Self.curriculum(schedule: #"[{"task": "default", "steps": 10}]"#, extra: #", "task_free": true"#)
            .replacingOccurrences(of: #""policy": "dqn","#, with: #""policy": "dqn", "task_heads": true,"#)
        #expect(issues(free).contains { $0.path == "agent.task_heads" && $0.message.contains("task_free") })
        let direct = Self.curriculum(schedule: #"[{"task": "default", "steps": 10}]"#)
            .replacingOccurrences(of: #""hiddenLayers": [16]"#, with: #""hiddenLayers": [16], "taskHeads": 4"#)
        #expect(issues(direct).contains { $0.path == "agent.hyperparameters.taskHeads" })
    }

    @Test func cloningIsForActorCritics() {
        let text = Self.curriculum(
            schedule: #"[{"task": "default", "steps": 10}]"#,
            extra: #", "strategy": {"name": "replay", "cloning": true}"#)
        #expect(issues(text).contains { $0.path == "strategy" && $0.message.contains("actor-critics") })
    }

    @Test func taskFreeRunsRejectStrategiesThatNeedBoundaries() {
        let text = Self.curriculum(
            schedule: #"[{"task": "default", "steps": 10}]"#, extra: #", "task_free": true, "strategy": {"name": "l2"}"#
        )
        #expect(issues(text).contains { $0.path == "strategy" && $0.message.contains("task_free") })
    }

    @Test func everyShippedCurriculumValidates() throws {
        let directory = TestEnvironment.packageRoot + "/experiments"
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter {
            $0.hasSuffix(".json") && !$0.hasSuffix(".schema.json")
        }
        #expect(files.contains("quickstart.json"))
        for file in files {
            #expect(throws: Never.self, "\(file)") { _ = try Curriculum.load(directory + "/" + file) }
        }
    }
}

/// The published JSON Schema (for editors) agrees with the validator on the shipped curricula and on typos.
@Suite struct CurriculumSchemaTests {
    @Test func theSchemaAcceptsEveryShippedCurriculumAndRejectsAnUnknownKey() throws {
        guard TestEnvironment.interopEnabled else { return }
        let script = """
            import json, pathlib, sys, jsonschema
            root = pathlib.Path(sys.argv[1])
            schema = json.loads((root / "curriculum.schema.json").read_text())
            jsonschema.Draft202012Validator.check_schema(schema)
            validator = jsonschema.Draft202012Validator(schema)
            files = sorted(p for p in root.glob("*.json") if not p.name.endswith(".schema.json"))
            for path in files:
                errors = list(validator.iter_errors(json.loads(path.read_text())))
                assert not errors, (path.name, [e.message for e in errors])
            typo = json.loads((root / "quickstart.json").read_text())
            typo["schedule"][0]["stpes"] = 10
            assert list(validator.iter_errors(typo)), "a typo passed the schema"
            print(len(files))
            """
        let result = try TestEnvironment.runPython(code: script, [TestEnvironment.packageRoot + "/experiments"])
        #expect(
            result.status == 0 && Int(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= 6,
            "\(result.transcript)")
    }
}
