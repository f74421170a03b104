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
            case .dqn:
                report(try HyperParameters.merge(hyperparameters, into: DQNConfiguration()).invalidSettings, node)
            case .sac:
                report(try HyperParameters.merge(hyperparameters, into: SACConfiguration()).invalidSettings, node)
            case .mfec: _ = try HyperParameters.merge(hyperparameters, into: MFECConfiguration())
            case .nec: _ = try HyperParameters.merge(hyperparameters, into: NECConfiguration())
            case .pets:
                let configuration = try HyperParameters.merge(hyperparameters, into: PETSConfiguration())
                if let problem = configuration.problems.first { fail(node["hyperparameters"] ?? node, problem) }
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
            case (.dqn, .discrete), (.sac, .box), (.mfec, .discrete), (.nec, .discrete), (.pets, .discrete),
                (.pets, .box):
                break
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
            if let first = tasks.first, case .box = first.actionSpace {
                fail(
                    given,
                    "episodic_memory keeps one table per action; \(first.definition.environment) has continuous actions",
                    hint: "drop \"episodic_memory\", or train on a task with discrete actions")
            }
            if [.mfec, .nec].contains(policy) {
                fail(
                    given,
                    "\(policy.rawValue) is an episodic memory itself; a second one beside it measures nothing new",
                    hint: "drop \"episodic_memory\", or use it with dqn or sac")
            }
        }
        var worldModel: WorldModelSpecification?
        if let given = node["world_model"], !given.isNull {
            worldModel = readWorldModel(given)
            if policy == .pets {
                fail(
                    given, "pets plans with a world model of its own; a second one beside it measures nothing new",
                    hint: "drop \"world_model\" (pets logs its model's error per task itself)")
            }
        }
        return AgentSpecification(
            policy: policy, hyperparametersJSON: json, replayCapacity: capacity, taskHeads: taskHeads,
            episodicMemory: memory, worldModel: worldModel)
    }

    /// `agent.world_model`: {"members", "elites", "hidden_layers", "learning_rate", "batch_size", "maximum_epochs",
    /// "first_fit", "fit_every", "error_horizon"}, all optional.
    mutating func readWorldModel(_ node: JSONNode) -> WorldModelSpecification? {
        let keys = [
            "members", "elites", "hidden_layers", "learning_rate", "batch_size", "maximum_epochs", "first_fit",
            "fit_every", "error_horizon",
        ]
        guard object(node, allowed: keys) != nil else { return nil }
        var model = WorldModelSpecification()
        model.members = integer(node["members"], minimum: 1) ?? model.members
        model.elites = integer(node["elites"], minimum: 1) ?? model.elites
        if let given = node["elites"], model.elites > model.members {
            fail(given, "elites (\(model.elites)) cannot exceed members (\(model.members))")
        }
        if let given = node["hidden_layers"] {
            if let layers = given.elements?.compactMap({ integer($0, minimum: 1) }),
                layers.count == given.elements?.count
            {
                model.hiddenLayers = layers
            } else if given.elements == nil {
                fail(given, "expected a list of layer widths such as [200, 200], found \(given.kindDescription)")
            }
        }
        if let given = node["learning_rate"], let rate = number(given, minimum: 0) {
            if rate > 0 { model.learningRate = rate } else { fail(given, "learning_rate must be positive") }
        }
        model.batchSize = integer(node["batch_size"], minimum: 1) ?? model.batchSize
        model.maximumEpochs = integer(node["maximum_epochs"], minimum: 1) ?? model.maximumEpochs
        model.firstFit = integer(node["first_fit"], minimum: 1) ?? model.firstFit
        model.fitEvery = integer(node["fit_every"], minimum: 1) ?? model.fitEvery
        model.errorHorizon = integer(node["error_horizon"], minimum: 1) ?? model.errorHorizon
        return model
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

    /// Each invalid setting at its key under the agent's hyper-parameters.
    private mutating func report(_ problems: [InvalidSetting], _ agent: JSONNode) {
        for problem in problems {
            fail(agent["hyperparameters"]?[problem.key] ?? agent, problem.message, hint: problem.hint)
        }
    }
}
