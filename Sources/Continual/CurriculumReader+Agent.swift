import Agents
import Environments
import Foundation

/// The agent and strategy parts of a curriculum.
extension CurriculumReader {
    mutating func readAgent(_ node: JSONNode?, tasks: [CheckedTask]) -> AgentSpecification? {
        guard let node,
            object(
                node,
                allowed: ["policy", "hyperparameters", "replay", "task_heads", "world_model", "episodic_memory"],
                required: ["policy"]) != nil
        else { return nil }
        if let given = node["world_model"], case .null = given.value {
        } else if let given = node["world_model"] {
            fail(
                given, "this build of Lifelong has no world model yet",
                hint: "remove the key (or set it to null); it arrives with the WorldModel module")
        }
        guard let policyName = string(node["policy"]) else { return nil }
        guard let policy = AgentSpecification.Policy(rawValue: policyName) else {
            let known = AgentSpecification.Policy.allCases.map(\.rawValue)
            fail(
                node["policy"]!, "unknown policy \"\(policyName)\"; known: " + known.joined(separator: ", "),
                hint: closest(to: policyName, in: known).map { "did you mean \"\($0)\"?" })
            return nil
        }
        var capacity = 100_000
        if let replay = node["replay"], object(replay, allowed: ["capacity"]) != nil {
            capacity = integer(replay["capacity"], minimum: 1) ?? capacity
        }
        var hyperparameters: [String: Any] = [:]
        if let given = node["hyperparameters"] {
            if given.members == nil {
                fail(given, "expected an object of hyper-parameters by name, found \(given.kindDescription)")
            } else {
                hyperparameters = given.foundationValue as? [String: Any] ?? [:]
            }
        }
        do {
            switch policy {
            case .dqn: _ = try HyperParameters.merge(hyperparameters, into: DQNConfiguration())
            case .sac: _ = try HyperParameters.merge(hyperparameters, into: SACConfiguration())
            case .mfec: _ = try HyperParameters.merge(hyperparameters, into: MFECConfiguration())
            case .nec: _ = try HyperParameters.merge(hyperparameters, into: NECConfiguration())
            }
        } catch {
            var place = node["hyperparameters"] ?? node
            var hint = "names follow Stable-Baselines3's, in camelCase (docs/agents.md)"
            switch error {
            case .unknown(let name, let valid):
                place = node["hyperparameters"]?[name] ?? place
                hint = closest(to: name, in: valid).map { "did you mean \"\($0)\"?" } ?? hint
            case .wrongType(let name, _):
                place = name.flatMap { node["hyperparameters"]?[$0] } ?? place
            }
            fail(place, "\(error)", hint: hint)
        }
        let taskHeads = bool(node["task_heads"]) ?? false
        if hyperparameters["taskHeads"] != nil {
            fail(
                node["hyperparameters"]?["taskHeads"] ?? node, "the heads are set by \"task_heads\", one per task",
                hint: "use \"task_heads\": true in \"agent\"")
        }
        if taskHeads, policy != .dqn || hyperparameters["dueling"] as? Bool == true {
            fail(
                node["task_heads"]!, "task-specific heads are DQN's, without a dueling head",
                hint: "drop \"task_heads\"")
        }
        if let first = tasks.first {
            switch (policy, first.actionSpace) {
            case (.dqn, .discrete), (.sac, .box), (.mfec, .discrete), (.nec, .discrete): break
            default:
                fail(
                    node["policy"]!,
                    "\(policy.rawValue) cannot act in \(first.definition.environment)'s \(first.actionSpace) actions",
                    hint: policy == .sac ? "use \"dqn\" for discrete actions" : "use \"sac\" for continuous actions")
            }
            if case .box = first.observationSpace {
            } else {
                fail(
                    node["policy"]!,
                    "agents take box observations; \(first.definition.environment) has \(first.observationSpace)")
            }
        }
        let json =
            (try? JSONSerialization.data(withJSONObject: hyperparameters, options: [.sortedKeys]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        var memory: EpisodicMemorySpecification?
        if let given = node["episodic_memory"], !given.isNull {
            memory = readEpisodicMemory(given)
            if [.mfec, .nec].contains(policy) {
                fail(
                    given,
                    "\(policy.rawValue) is an episodic memory itself; a second one beside it measures nothing new",
                    hint: "drop \"episodic_memory\", or use it with dqn or sac")
            }
        }
        return AgentSpecification(
            policy: policy, hyperparametersJSON: json, replayCapacity: capacity, taskHeads: taskHeads,
            episodicMemory: memory)
    }

    /// `agent.episodic_memory`: {"key_size", "capacity", "k", "eviction", "gamma"}, all optional.
    mutating func readEpisodicMemory(_ node: JSONNode) -> EpisodicMemorySpecification? {
        guard object(node, allowed: ["key_size", "capacity", "k", "eviction", "gamma"]) != nil else { return nil }
        var memory = EpisodicMemorySpecification()
        memory.keySize = integer(node["key_size"], minimum: 0) ?? memory.keySize
        memory.capacity = integer(node["capacity"], minimum: 1) ?? memory.capacity
        memory.k = integer(node["k"], minimum: 1) ?? memory.k
        if let given = node["gamma"], let gamma = number(given, minimum: 0) {
            if gamma > 1 { fail(given, "gamma must be in [0, 1]; got \(gamma)") } else { memory.gamma = gamma }
        }
        if let given = node["eviction"], let name = string(given) {
            let known = EpisodicMemorySpecification.evictionNames.keys.sorted()
            if let eviction = EpisodicMemorySpecification.evictionNames[name] {
                memory.eviction = eviction
            } else {
                fail(
                    given, "unknown eviction \"\(name)\"; known: " + known.joined(separator: ", "),
                    hint: closest(to: name, in: known).map { "did you mean \"\($0)\"?" })
            }
        }
        return memory
    }

    mutating func readStrategy(_ node: JSONNode?) -> StrategySpecification? {
        guard let node else { return .fineTuning }
        let allowedByName: [String: [String]] = [
            "finetune": ["name"], "replay": ["name", "eviction", "sampling", "cloning"], "l2": ["name", "lambda"],
            "ewc": ["name", "lambda", "online", "decay", "fisher_samples"], "agem": ["name"], "packnet": ["name"],
        ]
        let known = ["finetune", "replay", "l2", "ewc", "agem", "packnet"]
        guard node.members != nil else {
            fail(node, "expected an object such as {\"name\": \"ewc\", \"lambda\": 100}, found \(node.kindDescription)")
            return nil
        }
        guard let nameNode = node["name"] else {
            fail(at: node, key: "name", "missing required key \"name\"; known: " + known.joined(separator: ", "))
            return nil
        }
        guard let name = string(nameNode) else { return nil }
        guard let allowed = allowedByName[name] else {
            fail(
                nameNode, "unknown strategy \"\(name)\"; known: " + known.joined(separator: ", "),
                hint: closest(to: name, in: known).map { "did you mean \"\($0)\"?" })
            return nil
        }
        for (key, child) in node.members ?? [] where !allowed.contains(key) {
            fail(
                child,
                "\"\(key)\" is not a setting of \(name); its settings: "
                    + (allowed.dropFirst().joined(separator: ", ").nilIfEmpty ?? "none"),
                hint: closest(to: key, in: Array(allowed.dropFirst())).map { "did you mean \"\($0)\"?" })
        }
        switch name {
        case "replay":
            var eviction = StrategySpecification.ReplayEviction.reservoir
            if let given = node["eviction"], let text = string(given) {
                if let value = StrategySpecification.ReplayEviction(rawValue: text) {
                    eviction = value
                } else {
                    fail(given, "unknown eviction \"\(text)\"; known: reservoir, balanced")
                }
            }
            var balanced = false
            if let given = node["sampling"], let text = string(given) {
                switch text {
                case "uniform": balanced = false
                case "task_balanced": balanced = true
                default: fail(given, "unknown sampling \"\(text)\"; known: uniform, task_balanced")
                }
            }
            return .replay(eviction: eviction, taskBalanced: balanced, cloning: bool(node["cloning"]) ?? false)
        case "l2":
            return .l2(lambda: number(node["lambda"], minimum: 0) ?? 1)
        case "agem":
            return .agem
        case "packnet":
            return .packnet
        case "ewc":
            return .ewc(
                lambda: number(node["lambda"], minimum: 0) ?? 100, online: bool(node["online"]) ?? false,
                decay: number(node["decay"], minimum: 0) ?? 1,
                fisherSamples: integer(node["fisher_samples"], minimum: 1) ?? 1000)
        default:
            return .fineTuning
        }
    }
}
