public import Continual
import Foundation

/// A sweep file: a base curriculum and the overrides that expand it into runs, plus backend settings
/// (docs/sweeps.md, schema `experiments/sweep.schema.json`).
///
/// ```json
/// {
///   "name": "quickstart-strategies",
///   "curriculum": "../quickstart.json",
///   "grid": {"seed": [1, 2, 3], "strategy": [{"name": "finetune"}, {"name": "replay"}]}
/// }
/// ```
///
/// Override keys: `seed` (the agent seed), `curriculum` (another base file, relative to the sweep file), or a
/// dotted path into the curriculum (`strategy`, `agent.hyperparameters.learningRate`, `evaluation.episodes`) whose
/// value replaces what is there. `grid` crosses its keys (first key outermost); `runs` lists variants, each
/// crossed with the grid.
public struct SweepSpec: Sendable {
    public var name: String
    /// The sweep file as given.
    public var file: String
    /// The base curriculum, as a path usable from the current directory.
    public var curriculum: String
    /// The sweep directory (`output`, default `runs/sweeps/NAME`).
    public var output: String
    public var grid: [Override.Axis]
    public var variants: [[Override]]
    public var local: LocalOptions
    public var slurm: SlurmOptions
    public var ray: RayOptions

    /// One override: where it came from in the sweep file, and what it sets.
    public struct Override: Sendable {
        public enum Target: Sendable, Equatable {
            case seed
            case curriculum
            case path([String])
        }

        public var key: String
        public var target: Target
        public var value: JSONNode

        /// A grid key and its values.
        public struct Axis: Sendable {
            public var key: String
            public var target: Target
            public var values: [JSONNode]
        }
    }

    public struct LocalOptions: Sendable {
        /// Concurrent runs (default: one per core).
        public var workers: Int?
    }

    public struct SlurmOptions: Sendable {
        public var partition: String?
        public var account: String?
        public var time = "24:00:00"
        public var cpusPerTask = 1
        public var memory: String?
        /// The array's `%K`: at most K runs at once.
        public var maxParallel: Int?
        /// Seconds before the time limit at which the run is told to checkpoint and stop.
        public var signalSeconds = 120
        /// Lines run before `lifelong` in each array task (`module load …`).
        public var setup: [String] = []
        /// Extra `#SBATCH` options, e.g. `--qos=normal`.
        public var sbatch: [String] = []
    }

    public struct RayOptions: Sendable {
        /// A Ray cluster's address (`ray://host:10001` or `auto`); nil starts a local instance.
        public var address: String?
        public var cpusPerRun = 1
    }

    /// Only the backend settings (`local`, `slurm`, `ray`) of a sweep file — for a sweep directory's copy, whose
    /// relative curriculum paths no longer resolve.
    public static func backendOptions(_ file: String) throws -> (LocalOptions, SlurmOptions, RayOptions) {
        guard let data = FileManager.default.contents(atPath: file),
            let root = try? JSONNode.parse(String(decoding: data, as: UTF8.self))
        else { throw SweepFailure("\(file): cannot read the sweep file") }
        var reader = SpecReader(file: file)
        let options = reader.readOptions(root)
        if !reader.issues.isEmpty { throw SweepError(file: file, issues: reader.issues) }
        return options
    }

    static let topKeys = ["$schema", "name", "curriculum", "output", "grid", "runs", "local", "slurm", "ray"]

    /// Reads and checks a sweep file; every problem at once.
    public static func load(_ file: String) throws -> SweepSpec {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw SweepFailure("\(file): cannot read the sweep file (no such file?)")
        }
        let root: JSONNode
        do {
            root = try JSONNode.parse(String(decoding: data, as: UTF8.self))
        } catch {
            throw SweepError(
                file: file, issues: [CurriculumIssue(path: "", line: error.line, message: error.message, hint: nil)])
        }
        var reader = SpecReader(file: file)
        let spec = reader.read(root)
        if !reader.issues.isEmpty || spec == nil { throw SweepError(file: file, issues: reader.issues) }
        return spec!
    }
}

/// Collects issues while reading a sweep file.
struct SpecReader {
    let file: String
    var issues: [CurriculumIssue] = []
    var directory: String { URL(fileURLWithPath: file).deletingLastPathComponent().path }

    mutating func issue(_ node: JSONNode, _ message: String, hint: String? = nil) {
        issues.append(CurriculumIssue(path: node.path, line: node.line, message: message, hint: hint))
    }

    mutating func checkKeys(_ node: JSONNode, _ known: [String]) {
        for (key, child) in node.members ?? [] where !known.contains(key) {
            issue(
                child, "unknown key \"\(key)\"; known: \(known.filter { $0 != "$schema" }.joined(separator: ", "))",
                hint: closest(to: key, in: known).map { "did you mean \"\($0)\"?" })
        }
    }

    mutating func string(_ node: JSONNode?) -> String? {
        guard let node else { return nil }
        if case .string(let text) = node.value { return text }
        issue(node, "expected a string, found \(node.kindDescription)")
        return nil
    }

    mutating func integer(_ node: JSONNode?, minimum: Int) -> Int? {
        guard let node else { return nil }
        if case .number(let number) = node.value, number == number.rounded(), number >= Double(minimum),
            number < 1e15
        {
            return Int(number)
        }
        issue(node, "expected an integer ≥ \(minimum), found \(node.jsonText(compact: true))")
        return nil
    }

    mutating func strings(_ node: JSONNode?) -> [String] {
        guard let node else { return [] }
        guard case .array(let items) = node.value else {
            issue(node, "expected an array of strings, found \(node.kindDescription)")
            return []
        }
        return items.compactMap { string($0) }
    }

    mutating func read(_ root: JSONNode) -> SweepSpec? {
        guard root.members != nil else {
            issue(root, "a sweep file is a JSON object, found \(root.kindDescription)")
            return nil
        }
        checkKeys(root, SweepSpec.topKeys)
        let name = string(root["name"])
        if root["name"] == nil { issue(root, "missing \"name\"", hint: "name the sweep, e.g. \"name\": \"seeds\"") }
        if let name, name.isEmpty || name.contains(where: { !($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
            issue(root["name"]!, "the name \"\(name)\" must be letters, digits, '-', '_' or '.' (it names a directory)")
        }
        var curriculum: String?
        if let node = root["curriculum"], let path = string(node) {
            curriculum = resolve(path)
            if !FileManager.default.fileExists(atPath: curriculum!) {
                issue(node, "no curriculum at \(path) (looked at \(curriculum!)); paths are relative to the sweep file")
            }
        } else if root["curriculum"] == nil {
            issue(root, "missing \"curriculum\"", hint: "name the base curriculum, relative to this file")
        }
        let output = string(root["output"]) ?? "runs/sweeps/\(name ?? "sweep")"

        var grid: [SweepSpec.Override.Axis] = []
        if let node = root["grid"] {
            if let members = node.members {
                for (key, values) in members {
                    guard let target = target(key, at: values) else { continue }
                    guard case .array(let items) = values.value, !items.isEmpty else {
                        issue(
                            values,
                            "a grid key takes a non-empty array of values, found \(values.jsonText(compact: true))")
                        continue
                    }
                    for item in items { check(item, for: target) }
                    grid.append(.init(key: key, target: target, values: items))
                }
            } else {
                issue(node, "\"grid\" is an object of arrays, found \(node.kindDescription)")
            }
        }
        var variants: [[SweepSpec.Override]] = []
        if let node = root["runs"] {
            if case .array(let items) = node.value, !items.isEmpty {
                for item in items {
                    guard let members = item.members else {
                        issue(item, "each run is an object of overrides, found \(item.kindDescription)")
                        continue
                    }
                    variants.append(
                        members.compactMap { key, value in
                            guard let target = target(key, at: value) else { return nil }
                            check(value, for: target)
                            return SweepSpec.Override(key: key, target: target, value: value)
                        })
                }
            } else {
                issue(node, "\"runs\" is a non-empty array of override objects, found \(node.jsonText(compact: true))")
            }
        }
        if root["grid"] == nil && root["runs"] == nil {
            issue(root, "a sweep needs \"grid\" or \"runs\"", hint: "e.g. \"grid\": {\"seed\": [1, 2, 3]}")
        }
        let (local, slurm, ray) = readOptions(root)
        guard let name, let curriculum else { return nil }
        return SweepSpec(
            name: name, file: file, curriculum: curriculum, output: output, grid: grid, variants: variants,
            local: local, slurm: slurm, ray: ray)
    }

    mutating func readOptions(
        _ root: JSONNode
    ) -> (SweepSpec.LocalOptions, SweepSpec.SlurmOptions, SweepSpec.RayOptions) {
        var local = SweepSpec.LocalOptions()
        if let node = root["local"] {
            checkKeys(node, ["workers"])
            local.workers = integer(node["workers"], minimum: 1)
        }
        var slurm = SweepSpec.SlurmOptions()
        if let node = root["slurm"] {
            checkKeys(
                node,
                [
                    "partition", "account", "time", "cpus_per_task", "mem", "max_parallel", "signal_seconds",
                    "setup", "sbatch",
                ])
            slurm.partition = string(node["partition"])
            slurm.account = string(node["account"])
            slurm.time = string(node["time"]) ?? slurm.time
            slurm.cpusPerTask = integer(node["cpus_per_task"], minimum: 1) ?? slurm.cpusPerTask
            slurm.memory = string(node["mem"])
            slurm.maxParallel = integer(node["max_parallel"], minimum: 1)
            slurm.signalSeconds = integer(node["signal_seconds"], minimum: 10) ?? slurm.signalSeconds
            slurm.setup = strings(node["setup"])
            slurm.sbatch = strings(node["sbatch"])
            if let time = node["time"], slurm.time.wholeMatch(of: /([0-9]+-)?[0-9]+(:[0-9]{2}){0,2}/) == nil {
                issue(time, "\"\(slurm.time)\" is not a Slurm time limit", hint: "use D-HH:MM:SS, HH:MM:SS or minutes")
            }
        }
        var ray = SweepSpec.RayOptions()
        if let node = root["ray"] {
            checkKeys(node, ["address", "cpus_per_run"])
            ray.address = string(node["address"])
            ray.cpusPerRun = integer(node["cpus_per_run"], minimum: 1) ?? ray.cpusPerRun
        }
        return (local, slurm, ray)
    }

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: directory).appendingPathComponent(path).standardized.path
    }

    mutating func target(_ key: String, at node: JSONNode) -> SweepSpec.Override.Target? {
        switch key {
        case "seed": return .seed
        case "curriculum": return .curriculum
        default:
            let components = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard components.allSatisfy({ !$0.isEmpty }) else {
                issue(node, "\"\(key)\" is not a dotted curriculum path", hint: "e.g. agent.hyperparameters.gamma")
                return nil
            }
            if components == ["seeds", "agent"] {
                issue(node, "set the agent seed with the \"seed\" key", hint: "\"seed\": [1, 2, 3]")
                return nil
            }
            return .path(components)
        }
    }

    mutating func check(_ value: JSONNode, for target: SweepSpec.Override.Target) {
        switch target {
        case .seed: _ = integer(value, minimum: 0)
        case .curriculum:
            if let path = string(value), !FileManager.default.fileExists(atPath: resolve(path)) {
                issue(value, "no curriculum at \(path); paths are relative to the sweep file")
            }
        case .path: break  // checked when the curriculum is built (SweepPlan)
        }
    }
}
