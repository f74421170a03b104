import Analysis
import Continual
import Foundation

/// A sweep expanded into runs: each with a stable, readable id and its complete curriculum (the base with the
/// overrides applied, the agent seed included), checked by the curriculum validator before anything runs.
///
/// ```swift
/// let plan = try SweepPlan(try SweepSpec.load("experiments/sweeps/quickstart-strategies.json"))
/// plan.runs.map(\.id)   // ["seed-1_strategy-finetune", "seed-1_strategy-replay", …]
/// ```
public struct SweepPlan: Sendable {
    public var spec: SweepSpec
    public var runs: [Run]

    public struct Run: Sendable, Equatable {
        public var index: Int
        /// Letters, digits, `-`, `_`, `.`; at most 64 characters; the run's directory name.
        public var id: String
        /// Each override's key and value as compact JSON, in the order applied.
        public var overrides: [[String]]
        /// The complete curriculum (JSON text) this run executes.
        public var curriculum: String
    }

    public init(_ spec: SweepSpec) throws {
        self.spec = spec
        var combinations: [[SweepSpec.Override]] = spec.variants.isEmpty ? [[]] : spec.variants
        for axis in spec.grid {
            combinations = combinations.flatMap { prefix in
                axis.values.map { prefix + [SweepSpec.Override(key: axis.key, target: axis.target, value: $0)] }
            }
        }
        var bases: [String: JSONNode] = [:]
        func base(_ path: String) throws -> JSONNode {
            if let node = bases[path] { return node }
            _ = try Curriculum.load(path)  // the base must be valid on its own; its own errors name its own file
            let text = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
            let node = try JSONNode.parse(text).removing(["output"]).removing(["$schema"])
            bases[path] = node
            return node
        }
        var reader = SpecReader(file: spec.file)
        let named = combinations.map { Self.id(for: $0) }
        // Ids that collide get a fingerprint of their overrides (identical overrides still collide: a repeat).
        let ids = zip(named, combinations).map { id, combination in
            named.filter { $0 == id }.count > 1
                ? Self.limit(id + "-" + fingerprint(Self.describe(combination).description)) : id
        }
        var runs: [Run] = []
        var reported = Set<String>()
        for (index, combination) in combinations.enumerated() {
            if let earlier = runs.firstIndex(where: { $0.id == ids[index] }) {
                reader.issue(
                    combination.last?.value ?? JSONNode(.null),
                    "this run repeats run \(runs[earlier].id): the same overrides twice")
                continue
            }
            var node = try base(
                combination.last(where: { $0.target == .curriculum }).flatMap { override in
                    if case .string(let path) = override.value.value { return reader.resolve(path) }
                    return nil
                } ?? spec.curriculum)
            for override in combination {
                do {
                    switch override.target {
                    case .seed: node = try node.setting(["seeds", "agent"], to: override.value)
                    case .curriculum: break
                    case .path(let components): node = try node.setting(components, to: override.value)
                    }
                } catch {
                    reader.issue(override.value, "\(override.key) cannot be set: \(error)")
                }
            }
            let text = node.jsonText() + "\n"
            do {
                _ = try Curriculum.parse(text, file: ids[index])
            } catch {
                for issue in error.issues {
                    // Blame the override that set (a parent of) the failing place, else the base curriculum.
                    let culprit = combination.last { override in
                        let dotted: String
                        switch override.target {
                        case .seed: dotted = "seeds.agent"
                        case .curriculum: return false
                        case .path(let components): dotted = components.joined(separator: ".")
                        }
                        // The override set the failing place, a parent of it, or (a typo in its path) a child.
                        return issue.path == dotted || issue.path.hasPrefix(dotted + ".")
                            || issue.path.hasPrefix(dotted + "[")
                            || (!issue.path.isEmpty && dotted.hasPrefix(issue.path + "."))
                    }
                    let key = "\(culprit?.value.path ?? "curriculum")|\(issue.path)|\(issue.message)"
                    guard reported.insert(key).inserted else { continue }
                    reader.issues.append(
                        CurriculumIssue(
                            path: culprit?.value.path ?? "curriculum",
                            line: culprit?.value.line ?? 1,
                            message: "run \(ids[index]): curriculum \(issue.path): \(issue.message)", hint: issue.hint))
                }
            }
            runs.append(Run(index: runs.count, id: ids[index], overrides: Self.describe(combination), curriculum: text))
        }
        if !reader.issues.isEmpty { throw SweepError(file: spec.file, issues: reader.issues) }
        self.runs = runs
    }

    static func describe(_ combination: [SweepSpec.Override]) -> [[String]] {
        combination.map { [$0.key, $0.value.jsonText(compact: true)] }
    }

    /// `seed-1_strategy-replay`: each override's last key component and a short form of its value.
    static func id(for combination: [SweepSpec.Override]) -> String {
        guard !combination.isEmpty else { return "run" }
        let parts = combination.map { override -> String in
            let key: String
            switch override.target {
            case .seed: key = "seed"
            case .curriculum: key = "curriculum"
            case .path(let components): key = components.last!
            }
            return key + "-" + short(override)
        }
        return limit(sanitize(parts.joined(separator: "_")))
    }

    static func short(_ override: SweepSpec.Override) -> String {
        switch override.value.value {
        case .string(let text):
            if override.target == .curriculum {
                return URL(fileURLWithPath: text).deletingPathExtension().lastPathComponent
            }
            return text
        case .number, .bool, .null: return override.value.jsonText(compact: true)
        case .object:
            for label in ["name", "policy"] {
                if case .string(let text)? = override.value[label]?.value { return text }
            }
            return fingerprint(override.value.jsonText(compact: true))
        case .array: return fingerprint(override.value.jsonText(compact: true))
        }
    }

    static func sanitize(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "-" })
    }

    static func limit(_ id: String) -> String {
        id.count <= 64 ? id : String(id.prefix(55)) + "-" + fingerprint(id)
    }
}

/// 8 hex digits of the FNV-1a fingerprint: short and stable, for ids.
func fingerprint(_ text: String) -> String { String(Fingerprint.fnv1a(text).prefix(8)) }
