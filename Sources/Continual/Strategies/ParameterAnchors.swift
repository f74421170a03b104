public import Agents
public import HDF5
import Neural

/// L2 and EWC: a quadratic pull toward parameters saved at task boundaries,
/// (λ/2)·Σₖ Σᵢ Fₖᵢ (θᵢ − θ*ₖᵢ)², with F ≡ 1 for L2 (Kirkpatrick et al., 2017; Schwarz et al., 2018 for the
/// online form). Each task left adds (left again, replaces) an anchor θ*ₖ and, for EWC, the diagonal empirical Fisher Fₖ of the
/// agent's loss on that task's transitions in the shared store. The online form keeps one anchor, the latest
/// parameters, with F ← γF + F_new. It becomes the agent's `penalty` at the first boundary.
public final class ParameterAnchors: ContinualStrategy, ParameterPenalty {
    public enum Weighting: Sendable {
        case uniform
        case fisher(samples: Int)
    }

    public let name: String
    public let lambda: Double
    public let weighting: Weighting
    /// Keep one running anchor (online EWC, and L2 to the latest parameters) rather than one per task.
    public let online: Bool
    public let decay: Double
    /// θ*ₖ and Fₖ (Fₖ empty for L2), one per task left (a task left again replaces its anchor).
    public internal(set) var anchors: [(values: [Float], importance: [Float])] = []
    /// The task of each anchor.
    var anchorTasks: [Int32] = []

    public init(name: String, lambda: Double, weighting: Weighting, online: Bool, decay: Double = 1) {
        self.name = name
        self.lambda = lambda
        self.weighting = weighting
        self.online = online
        self.decay = decay
    }

    public func taskBoundary(agent: any Agent, finished: Int32?, next: Int32) throws {
        guard let finished, let learner = agent as? any RegularizableAgent else { return }
        let values = learner.regularizedParameters.snapshot()
        var importance: [Float] = []
        if case .fisher(let samples) = weighting {
            importance = try learner.fisherDiagonal(task: finished, samples: samples)
        }
        if online, let previous = anchors.first {
            if !importance.isEmpty {
                for index in importance.indices { importance[index] += Float(decay) * previous.importance[index] }
            }
            anchors = [(values, importance)]
            anchorTasks = [finished]
        } else if let index = anchorTasks.firstIndex(of: finished) {
            anchors[index] = (values, importance)
        } else {
            anchors.append((values, importance))
            anchorTasks.append(finished)
        }
        learner.penalty = self
    }

    public func addGradient(values: UnsafeMutableBufferPointer<Float>, gradients: UnsafeMutableBufferPointer<Float>)
        -> Double
    {
        let scale = Float(lambda)
        var penalty = 0.0
        for anchor in anchors {
            anchor.values.withUnsafeBufferPointer { center in
                if anchor.importance.isEmpty {
                    var sum: Float = 0
                    for index in 0..<values.count {
                        let difference = values[index] - center[index]
                        gradients[index] += scale * difference
                        sum += difference * difference
                    }
                    penalty += 0.5 * Double(scale) * Double(sum)
                } else {
                    anchor.importance.withUnsafeBufferPointer { fisher in
                        var sum: Float = 0
                        for index in 0..<values.count {
                            let weighted = fisher[index] * (values[index] - center[index])
                            gradients[index] += scale * weighted
                            sum += weighted * (values[index] - center[index])
                        }
                        penalty += 0.5 * Double(scale) * Double(sum)
                    }
                }
            }
        }
        return penalty
    }

    public func save(to group: Group) throws {
        try group.setAttribute("anchors", Int64(anchors.count))
        try group.setAttribute("anchor_tasks", anchorTasks.map(Int64.init))
        for (index, anchor) in anchors.enumerated() {
            let values = try group.createDataset("anchor_\(index)/values", of: Float.self, shape: [anchor.values.count])
            try values.write(anchor.values)
            if !anchor.importance.isEmpty {
                let importance = try group.createDataset(
                    "anchor_\(index)/importance", of: Float.self, shape: [anchor.importance.count])
                try importance.write(anchor.importance)
            }
        }
    }

    public func load(from group: Group, agent: any Agent) throws {
        let count = Int(try group.attribute("anchors", as: Int64.self))
        anchorTasks = try group.attribute("anchor_tasks", as: [Int64].self).map { Int32($0) }
        anchors = try (0..<count).map { index in
            (
                try group.openDataset("anchor_\(index)/values", as: Float.self).readAll(),
                group.contains("anchor_\(index)/importance")
                    ? try group.openDataset("anchor_\(index)/importance", as: Float.self).readAll() : []
            )
        }
        if count > 0, let learner = agent as? any RegularizableAgent { learner.penalty = self }
    }
}
