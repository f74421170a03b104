import Foundation

extension Curriculum {
    /// The single-task curriculum behind task `task`'s reference curve: the same agent and hyper-parameters and
    /// seeds, the task alone for the budget of the first block that trains it, fine-tuning, and the same
    /// evaluation schedule on that task only. `lifelong reference` runs one per evaluated task.
    ///
    /// ```swift
    /// let reference = try curriculum.referenceCurriculum(task: 1)
    /// _ = try Scheduler.start(reference, directory: "refs/heavy-pole", provenance: [:]).run(shouldStop: { false })
    /// ```
    public func referenceCurriculum(task: Int) throws -> Curriculum {
        guard let block = blocks.first(where: { $0.trainedTasks.contains(task) }) else {
            throw ContinualError("task \"\(tasks[task].name)\" is never trained, so it has no reference curve")
        }
        var object = (try? JSONNode.parse(text).foundationValue as? [String: Any]) ?? [:]
        let definition = tasks[task]
        object["name"] = "\(name)-reference-\(definition.name)"
        object["families"] = nil
        object["task_free"] = nil
        object["output"] = nil
        object["tasks"] = [
            definition.name: [
                "env": definition.environment, "params": Scheduler.parametersObject(definition.parameters),
            ]
        ]
        var budget: [String: Any] = ["task": definition.name]
        switch block.budget {
        case .steps(let steps): budget["steps"] = steps
        case .episodes(let episodes): budget["episodes"] = episodes
        }
        object["schedule"] = [budget]
        object["strategy"] = ["name": "finetune"]
        var evaluation = object["evaluation"] as? [String: Any] ?? [:]
        evaluation["tasks"] = [definition.name]
        object["evaluation"] = evaluation
        var seeds = object["seeds"] as? [String: Any] ?? [:]
        seeds["agent"] = agentSeed
        object["seeds"] = seeds
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        return try Curriculum.parse(String(decoding: data, as: UTF8.self), file: "reference of \(definition.name)")
    }
}

/// A single-task reference learner's curve for one task, from the run `lifelong reference` made for it.
public struct ReferenceCurve: Sendable, Equatable {
    /// The mean evaluation return over the evaluations made while it trained (its area under the curve).
    public var areaUnderCurve: Double
    /// Its mean evaluation return at the end of training.
    public var finalReturn: Double

    public init(areaUnderCurve: Double, finalReturn: Double) {
        self.areaUnderCurve = areaUnderCurve
        self.finalReturn = finalReturn
    }
}

/// Forward transfer and normalised scores against reference curves (Continual World's definitions, with returns
/// normalised so that the untrained agent scores 0 and the reference learner's final return scores 1).
///
/// With p̃ = (p − random_j) / (reference final_j − random_j):
/// - forward transfer_j = (AUC̃_j − AUC̃ʳᵉᶠ_j) / (1 − AUC̃ʳᵉᶠ_j), AUC_j taken over the first block training j;
/// - raw forward transfer_j = AUC_j − AUCʳᵉᶠ_j, in returns;
/// - normalised average performance = mean_j p̃(R[B−1, j]).
public struct TransferMetrics: Sendable, Equatable, Codable {
    public var forwardTransfer: [Double?]
    public var rawForwardTransfer: [Double?]
    public var normalizedAveragePerformance: Double?

    /// - Parameters:
    ///   - areaUnderCurve: AUC_j of the continual run (`ContinualMetrics.areaUnderCurve`).
    ///   - random: each task's mean return before training (the evaluation at step 0).
    ///   - finalReturn: R[B−1, j].
    ///   - references: each task's reference curve, `nil` where there is none.
    public init(areaUnderCurve: [Double?], random: [Double], finalReturn: [Double], references: [ReferenceCurve?]) {
        var forward: [Double?] = []
        var raw: [Double?] = []
        var normalized: [Double] = []
        for column in areaUnderCurve.indices {
            guard let reference = references[column] else {
                forward.append(nil)
                raw.append(nil)
                continue
            }
            let scale = reference.finalReturn - random[column]
            func normalize(_ value: Double) -> Double? { abs(scale) > 1e-12 ? (value - random[column]) / scale : nil }
            if column < finalReturn.count, let value = normalize(finalReturn[column]) { normalized.append(value) }
            guard let auc = areaUnderCurve[column] else {
                forward.append(nil)
                raw.append(nil)
                continue
            }
            raw.append(auc - reference.areaUnderCurve)
            if let ours = normalize(auc), let theirs = normalize(reference.areaUnderCurve), abs(1 - theirs) > 1e-12 {
                forward.append((ours - theirs) / (1 - theirs))
            } else {
                forward.append(nil)
            }
        }
        forwardTransfer = forward
        rawForwardTransfer = raw
        normalizedAveragePerformance =
            normalized.count == areaUnderCurve.count && !normalized.isEmpty
            ? normalized.reduce(0, +) / Double(normalized.count) : nil
    }
}
