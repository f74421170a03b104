import Agents
import Environments
import Foundation

extension Curriculum {
    /// The top-level keys a curriculum may have (anything else is an error, so typos never pass silently).
    static let topLevelKeys = [
        "$schema", "name", "seeds", "families", "tasks", "schedule", "task_free", "evaluation", "agent", "strategy",
        "checkpoint", "output",
    ]

    /// Parses and validates a curriculum. Every problem found is reported at once, each with its JSON path,
    /// line and a hint; environments are built once to check their parameters.
    public static func parse(_ text: String, file: String) throws(CurriculumError) -> Curriculum {
        let root: JSONNode
        do {
            root = try JSONNode.parse(text)
        } catch {
            throw CurriculumError(
                file: file,
                issues: [
                    CurriculumIssue(
                        path: "", line: error.line, message: "not valid JSON: \(error)",
                        hint: "check the brackets, quotes and commas near line \(error.line)")
                ])
        }
        var reader = CurriculumReader()
        let curriculum = reader.read(root, text: text)
        if let curriculum, reader.issues.isEmpty { return curriculum }
        throw CurriculumError(
            file: file,
            issues: reader.issues.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }
                .map(\.element))
    }

    /// Reads and validates the curriculum file at `path`.
    public static func load(_ path: String) throws -> Curriculum {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CurriculumError(
                file: path,
                issues: [
                    CurriculumIssue(
                        path: "", line: 0, message: "cannot read the file (\(error.localizedDescription))",
                        hint: "check the path")
                ])
        }
        return try parse(text, file: path)
    }
}

/// Walks the JSON tree, collecting issues instead of stopping at the first.
struct CurriculumReader {
    var issues: [CurriculumIssue] = []
    /// Every task name the curriculum declares, valid or not (so a broken task is reported once, where it is).
    var declaredTasks: [String] = []

    mutating func fail(_ node: JSONNode, _ message: String, hint: String? = nil) {
        issues.append(CurriculumIssue(path: node.path, line: node.line, message: message, hint: hint))
    }

    mutating func fail(at parent: JSONNode, key: String, _ message: String, hint: String? = nil) {
        let path = parent.path.isEmpty ? key : "\(parent.path).\(key)"
        issues.append(CurriculumIssue(path: path, line: parent.line, message: message, hint: hint))
    }

    // MARK: Typed access

    /// The object's members, after reporting unknown and missing keys.
    mutating func object(_ node: JSONNode, allowed: [String], required: [String] = []) -> JSONNode? {
        guard let members = node.members else {
            fail(node, "expected an object, found \(node.kindDescription)")
            return nil
        }
        for (key, child) in members where !allowed.contains(key) {
            fail(
                child, "unknown key \"\(key)\"; allowed here: " + allowed.joined(separator: ", "),
                hint: closest(to: key, in: allowed).map { "did you mean \"\($0)\"?" } ?? "remove it")
        }
        for key in required where node[key] == nil {
            fail(at: node, key: key, "missing required key \"\(key)\"")
        }
        return node
    }

    mutating func string(_ node: JSONNode?) -> String? {
        guard let node else { return nil }
        if case .string(let text) = node.value { return text }
        fail(node, "expected a string, found \(node.kindDescription)")
        return nil
    }

    mutating func bool(_ node: JSONNode?) -> Bool? {
        guard let node else { return nil }
        if case .bool(let flag) = node.value { return flag }
        fail(node, "expected true or false, found \(node.kindDescription)")
        return nil
    }

    mutating func number(_ node: JSONNode?, minimum: Double? = nil) -> Double? {
        guard let node else { return nil }
        guard case .number(let value) = node.value else {
            fail(node, "expected a number, found \(node.kindDescription)")
            return nil
        }
        if let minimum, value < minimum {
            fail(node, "must be at least \(minimum); got \(value)")
            return nil
        }
        return value
    }

    mutating func integer(_ node: JSONNode?, minimum: Int) -> Int? {
        guard let node else { return nil }
        guard case .number(let value) = node.value, value == value.rounded(), abs(value) < 1e15 else {
            fail(
                node,
                "expected a whole number, found \(node.kindDescription == "a number" ? "a fraction" : node.kindDescription)"
            )
            return nil
        }
        guard Int(value) >= minimum else {
            fail(node, "must be at least \(minimum); got \(Int(value))")
            return nil
        }
        return Int(value)
    }

    mutating func parameters(_ node: JSONNode?) -> [String: ParameterValue]? {
        guard let node else { return [:] }
        guard let members = node.members else {
            fail(node, "expected an object of parameter values, found \(node.kindDescription)")
            return nil
        }
        var values: [String: ParameterValue] = [:]
        for (key, child) in members {
            switch child.value {
            case .number(let number): values[key] = .number(number)
            case .bool(let flag): values[key] = .bool(flag)
            case .string(let text): values[key] = .string(text)
            default: fail(child, "a parameter value must be a number, a boolean or a string")
            }
        }
        return values
    }

    // MARK: The curriculum

    mutating func read(_ root: JSONNode, text: String) -> Curriculum? {
        guard
            object(
                root, allowed: Curriculum.topLevelKeys, required: ["name", "tasks", "schedule", "agent"]) != nil
        else { return nil }
        let name = string(root["name"]) ?? "run"
        var agentSeed: UInt64 = 0
        var curriculumSeed: UInt64 = 0
        if let seeds = root["seeds"], object(seeds, allowed: ["agent", "curriculum"]) != nil {
            agentSeed = UInt64(integer(seeds["agent"], minimum: 0) ?? 0)
            curriculumSeed = UInt64(integer(seeds["curriculum"], minimum: 0) ?? 0)
        }
        let families = readFamilies(root["families"])
        let tasks = readTasks(root["tasks"], families: families, seed: curriculumSeed)
        let names = tasks.map(\.definition.name)
        var blocks: [Block] = []
        if let schedule = root["schedule"] {
            blocks = readSchedule(schedule, tasks: tasks.map(\.definition), repeats: [])
            if blocks.isEmpty, case .array = schedule.value { fail(schedule, "the schedule has no blocks") }
        }
        let taskFree = bool(root["task_free"]) ?? false
        let evaluation = readEvaluation(root["evaluation"], taskNames: names)
        let agent = readAgent(root["agent"], tasks: tasks)
        let strategy = readStrategy(root["strategy"])
        var checkpointInterval: Int?
        var checkpointSeconds: Double? = 300
        if let checkpoint = root["checkpoint"], object(checkpoint, allowed: ["every_steps", "every_minutes"]) != nil {
            checkpointInterval = integer(checkpoint["every_steps"], minimum: 1)
            checkpointSeconds = number(checkpoint["every_minutes"], minimum: 0.01).map { $0 * 60 }
            if checkpoint["every_steps"] == nil && checkpoint["every_minutes"] == nil {
                fail(
                    checkpoint, "give \"every_steps\", \"every_minutes\" or both",
                    hint: "or drop \"checkpoint\" for every 5 minutes")
            }
        }
        let output = string(root["output"])
        guard let evaluation, let agent, let strategy else { return nil }
        if strategy == .packnet {
            let trained = blocks.flatMap(\.trainedTasks)
            if blocks.contains(where: { if case .task = $0.kind { false } else { true } })
                || Set(trained).count != trained.count
            {
                fail(
                    root["strategy"]!,
                    "packnet needs each task trained in one block of its own (no repeats, "
                        + "interleaving or drift): a task's weights are frozen once it is left",
                    hint: "use ewc, l2, agem or replay for this schedule")
            }
        }
        if taskFree, agent.taskHeads {
            fail(
                root["agent"]!["task_heads"]!, "task-specific heads need task identities, and task_free withholds them",
                hint: "drop \"task_heads\" or \"task_free\"")
        }
        if taskFree, [.l2, .ewc, .agem, .packnet].contains(where: { $0 == strategy.kind }) {
            fail(
                root["strategy"]!, "\(strategy.name) acts at task boundaries, and task_free withholds them",
                hint: "use \"replay\" for task-free runs, or drop \"task_free\"")
        }
        if agent.policy == .mfec, strategy != .fineTuning {
            fail(
                root["strategy"]!,
                "mfec learns by writing finished episodes into its tables; \(strategy.name) changes gradients or "
                    + "replay, which it does not use",
                hint: "use \"finetune\"")
        }
        if [.nec, .pets].contains(agent.policy),
            [.l2, .ewc, .agem, .packnet].contains(where: { $0 == strategy.kind })
                || { if case .replay(_, _, true) = strategy { true } else { false } }()
        {
            let learner =
                agent.policy == .nec
                ? "nec's dictionaries are written, not regularised" : "pets plans; it has no policy network"
            fail(
                root["strategy"]!,
                "\(learner); \(strategy.name) acts on a policy network's parameters or gradients",
                hint:
                    "use \"finetune\", or \"replay\" (it keeps earlier tasks in the store \(agent.policy.rawValue) learns from)"
            )
        }
        if agent.policy == .sac, strategy == .agem {
            fail(root["strategy"]!, "agem projects DQN's gradients; SAC does not support it yet", hint: "use ewc or l2")
        }
        if agent.policy == .dqn, case .replay(_, _, true) = strategy {
            fail(
                root["strategy"]!, "CLEAR's cloning terms are for actor-critics (sac); DQN has no policy to clone",
                hint: "drop \"cloning\"")
        }
        if agent.policy == .sac, case .replay(_, true, _) = strategy {
            fail(root["strategy"]!, "task-balanced sampling is not available for sac yet", hint: "use \"uniform\"")
        }
        return Curriculum(
            name: name, agentSeed: agentSeed, curriculumSeed: curriculumSeed, tasks: tasks.map(\.definition),
            blocks: blocks, announcesBoundaries: !taskFree, evaluation: evaluation, agent: agent, strategy: strategy,
            checkpointInterval: checkpointInterval, checkpointSeconds: checkpointSeconds, output: output, text: text)
    }

    mutating func readFamilies(_ node: JSONNode?) -> [String: TaskFamily] {
        guard let node, let members = node.members else {
            if let node { fail(node, "expected an object of families by name, found \(node.kindDescription)") }
            return [:]
        }
        var families: [String: TaskFamily] = [:]
        for (name, family) in members {
            guard object(family, allowed: ["env", "fixed", "ranges"], required: ["env", "ranges"]) != nil,
                let environment = string(family["env"])
            else { continue }
            let fixed = parameters(family["fixed"]) ?? [:]
            var ranges: [String: ClosedRange<Double>] = [:]
            for (parameter, range) in family["ranges"]?.members ?? [] {
                guard case .array(let bounds) = range.value, bounds.count == 2,
                    let low = number(bounds[0]), let high = number(bounds[1]), low <= high
                else {
                    fail(range, "a range is [low, high] with low ≤ high")
                    continue
                }
                ranges[parameter] = low...high
            }
            do {
                families[name] = try TaskFamily(environment: environment, fixed: fixed, ranges: ranges)
            } catch {
                fail(family, "\(error)", hint: "see `lifelong env list` for the parameters of \(environment)")
            }
        }
        return families
    }

    /// A task and the environment built from it (to check spaces against the agent).
    struct CheckedTask {
        var definition: TaskDefinition
        var node: JSONNode
        var observationSpace: Space
        var actionSpace: Space
    }

    mutating func readTasks(_ node: JSONNode?, families: [String: TaskFamily], seed: UInt64) -> [CheckedTask] {
        guard let node else { return [] }
        guard let members = node.members, !members.isEmpty else {
            fail(node, "expected a non-empty object of tasks by name, e.g. {\"default\": {\"env\": \"CartPole-v1\"}}")
            return []
        }
        var random = RandomStream(seed: seed).derived("curriculum/families")
        var tasks: [CheckedTask] = []
        declaredTasks = members.map(\.key)
        for (name, task) in members {
            guard object(task, allowed: ["env", "params", "family", "point", "sample"]) != nil else { continue }
            var environment: String?
            var values: [String: ParameterValue]?
            if let familyName = string(task["family"]) {
                guard let family = families[familyName] else {
                    fail(
                        task["family"]!,
                        "unknown family \"\(familyName)\"; known: "
                            + (families.keys.sorted().joined(separator: ", ").nilIfEmpty ?? "none"),
                        hint: closest(to: familyName, in: Array(families.keys)).map { "did you mean \"\($0)\"?" }
                            ?? "define it under \"families\"")
                    continue
                }
                if task["env"] != nil || task["params"] != nil {
                    fail(task, "a task is either {env, params} or {family, point | sample}, not both")
                }
                environment = family.environment
                if bool(task["sample"]) == true {
                    values = family.sample(&random)
                } else if let point = task["point"] {
                    var coordinates: [String: Double] = [:]
                    for (key, value) in point.members ?? [] { coordinates[key] = number(value) }
                    do {
                        values = try family.task(coordinates)
                    } catch {
                        fail(point, "\(error)")
                    }
                } else {
                    fail(task, "a family task needs \"point\" (parameter values) or \"sample\": true")
                }
            } else if let id = string(task["env"]) {
                environment = id
                values = parameters(task["params"])
            } else if task["env"] == nil {
                fail(task, "a task needs \"env\" (an environment id) or \"family\"", hint: "see `lifelong env list`")
            }
            guard let environment, let values else { continue }
            do {
                let made = try EnvironmentRegistry.make(environment, parameters: values)
                tasks.append(
                    CheckedTask(
                        definition: TaskDefinition(name: name, environment: environment, parameters: values),
                        node: task, observationSpace: made.observationSpace, actionSpace: made.actionSpace))
            } catch {
                let place = task["params"] ?? task["env"] ?? task
                fail(place, "\(error)", hint: "see `lifelong env list` for ids and parameters")
            }
        }
        if let first = tasks.first {
            for other in tasks.dropFirst()
            where other.observationSpace.flatCount != first.observationSpace.flatCount
                || other.actionSpace != first.actionSpace
            {
                fail(
                    other.node,
                    "task \"\(other.definition.name)\" has \(other.observationSpace.flatCount) observation values and "
                        + "\(other.actionSpace) actions, but \"\(first.definition.name)\" has "
                        + "\(first.observationSpace.flatCount) and \(first.actionSpace); one agent learns every task",
                    hint: "use tasks of one environment family, or the same grid size")
            }
        }
        return tasks
    }

    mutating func taskIndex(_ node: JSONNode?, tasks: [TaskDefinition]) -> Int? {
        guard let node, let name = string(node) else { return nil }
        if let index = tasks.firstIndex(where: { $0.name == name }) { return index }
        let known = declaredTasks.isEmpty ? tasks.map(\.name) : declaredTasks
        if known.contains(name) { return nil }  // declared but invalid: reported at its definition
        fail(
            node, "unknown task \"\(name)\"; known: " + known.joined(separator: ", "),
            hint: closest(to: name, in: known).map { "did you mean \"\($0)\"?" } ?? "define it under \"tasks\"")
        return nil
    }

    mutating func budget(_ block: JSONNode, stepsOnly: Bool = false) -> Block.Budget? {
        let steps = integer(block["steps"], minimum: 1)
        let episodes = stepsOnly ? nil : integer(block["episodes"], minimum: 1)
        switch (block["steps"], block["episodes"]) {
        case (nil, nil):
            fail(block, stepsOnly ? "missing \"steps\" (the block's budget)" : "missing \"steps\" or \"episodes\"")
        case (.some, .some):
            fail(block, "give \"steps\" or \"episodes\", not both")
        default: break
        }
        if let steps { return .steps(steps) }
        if let episodes { return .episodes(episodes) }
        return nil
    }

    mutating func readSchedule(_ node: JSONNode, tasks: [TaskDefinition], repeats: [(Int, Int)]) -> [Block] {
        guard case .array(let entries) = node.value else {
            fail(node, "expected an array of blocks, found \(node.kindDescription)")
            return []
        }
        var blocks: [Block] = []
        let cycle = repeats.map { " (cycle \($0.0 + 1) of \($0.1))" }.joined()
        for entry in entries {
            guard let members = entry.members else {
                fail(entry, "expected a block object, found \(entry.kindDescription)")
                continue
            }
            let keys = Set(members.map(\.key))
            if keys.contains("repeat") {
                guard object(entry, allowed: ["repeat", "blocks"], required: ["repeat", "blocks"]) != nil,
                    let count = integer(entry["repeat"], minimum: 1), let inner = entry["blocks"]
                else { continue }
                for cycleIndex in 0..<count {
                    let expanded = readSchedule(inner, tasks: tasks, repeats: repeats + [(cycleIndex, count)])
                    if cycleIndex > 0 && expanded.isEmpty { break }  // errors were reported on the first pass
                    blocks += expanded
                    if !issues.isEmpty && cycleIndex == 0 { break }
                }
            } else if keys.contains("interleave") {
                guard
                    object(
                        entry, allowed: ["interleave", "steps", "episodes", "switch_every_episodes", "order"])
                        != nil
                else { continue }
                let list: [Int]
                var resolved = false  // every name is a task (the errors are reported where they are)
                if case .array(let names) = entry["interleave"]!.value, names.count >= 2 {
                    list = names.compactMap { taskIndex($0, tasks: tasks) }
                    resolved = list.count == names.count
                } else {
                    fail(entry["interleave"]!, "expected an array of at least two task names")
                    list = []
                }
                let every = entry["switch_every_episodes"].map { integer($0, minimum: 1) ?? 1 } ?? 1
                var random = false
                if let order = entry["order"], let text = string(order) {
                    if text == "random" {
                        random = true
                    } else if text != "cycle" {
                        fail(order, "unknown order \"\(text)\"; known: cycle, random")
                    }
                }
                if let budget = budget(entry), resolved {
                    blocks.append(
                        Block(
                            kind: .interleave(list, switchEvery: every, randomOrder: random), budget: budget,
                            origin: entry.path + cycle))
                }
            } else if keys.contains("drift") {
                guard object(entry, allowed: ["drift", "steps", "interval"]) != nil,
                    let drift = entry["drift"],
                    object(drift, allowed: ["from", "to"], required: ["from", "to"]) != nil
                else { continue }
                let from = taskIndex(drift["from"], tasks: tasks)
                let to = taskIndex(drift["to"], tasks: tasks)
                let interval = entry["interval"].map { integer($0, minimum: 1) ?? 100 } ?? 100
                let budget = budget(entry, stepsOnly: true)
                guard let from, let to, let budget else { continue }
                if tasks[from].environment != tasks[to].environment {
                    fail(
                        drift,
                        "a drift moves parameters within one environment; \"\(tasks[from].name)\" is "
                            + "\(tasks[from].environment) and \"\(tasks[to].name)\" is \(tasks[to].environment)")
                    continue
                }
                blocks.append(
                    Block(
                        kind: .drift(from: from, to: to, interval: interval), budget: budget, origin: entry.path + cycle
                    ))
            } else {
                guard object(entry, allowed: ["task", "steps", "episodes"], required: ["task"]) != nil else { continue }
                let task = taskIndex(entry["task"], tasks: tasks)
                if let budget = budget(entry), let task {
                    blocks.append(Block(kind: .task(task), budget: budget, origin: entry.path + cycle))
                }
            }
        }
        return blocks
    }

    mutating func readEvaluation(_ node: JSONNode?, taskNames: [String]) -> EvaluationSchedule? {
        var schedule = EvaluationSchedule(
            interval: 10_000, episodes: 10, tasks: Array(taskNames.indices), seed: 1_000_000)
        guard let node else { return schedule }
        guard object(node, allowed: ["every_steps", "episodes", "tasks", "seed"]) != nil else { return nil }
        schedule.interval = integer(node["every_steps"], minimum: 1) ?? schedule.interval
        schedule.episodes = integer(node["episodes"], minimum: 1) ?? schedule.episodes
        schedule.seed = UInt64(integer(node["seed"], minimum: 0) ?? Int(schedule.seed))
        if let list = node["tasks"] {
            if case .string("all") = list.value {
                return schedule
            }
            guard case .array(let items) = list.value, !items.isEmpty else {
                fail(list, "expected \"all\" or a non-empty array of task names")
                return schedule
            }
            let definitions = taskNames.map { TaskDefinition(name: $0, environment: "", parameters: [:]) }
            schedule.tasks = items.compactMap { taskIndex($0, tasks: definitions) }
        }
        return schedule
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
