import Foundation
import LifelongTestSupport
import Testing

@testable import Sweeps

/// The published JSON Schema (for editors) accepts the shipped sweeps, which the validator accepts too, and
/// rejects a typo.
@Suite("Sweep schema")
struct SweepSchemaTests {
    @Test func theSchemaAndTheValidatorAcceptEveryShippedSweepAndTheSchemaRejectsATypo() throws {
        let folder = TestEnvironment.packageRoot + "/experiments/sweeps"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }
        #expect(!files.isEmpty)
        for file in files {
            #expect(throws: Never.self, "\(file)") { _ = try SweepPlan(try SweepSpec.load(folder + "/" + file)) }
        }
        guard TestEnvironment.interopEnabled else { return }
        let script = """
            import json, pathlib, sys, jsonschema
            root = pathlib.Path(sys.argv[1])
            schema = json.loads((root / "sweep.schema.json").read_text())
            jsonschema.Draft202012Validator.check_schema(schema)
            validator = jsonschema.Draft202012Validator(schema)
            files = sorted((root / "sweeps").glob("*.json"))
            for path in files:
                errors = list(validator.iter_errors(json.loads(path.read_text())))
                assert not errors, (path.name, [e.message for e in errors])
            typo = json.loads(files[0].read_text())
            typo["lokal"] = {"workers": 2}
            assert list(validator.iter_errors(typo)), "a typo passed the schema"
            print(len(files))
            """
        let result = try TestEnvironment.runPython(code: script, [TestEnvironment.packageRoot + "/experiments"])
        #expect(result.status == 0 && result.standardOutput == "\(files.count)\n", "\(result.transcript)")
    }
}
