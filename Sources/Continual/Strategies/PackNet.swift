public import Agents
public import HDF5
import Neural

/// PackNet (Mallya & Lazebnik, 2018), as Continual World adapts it to RL: each task owns a share of the
/// network's weights. When a task is left, the weights still free are pruned by magnitude — the largest
/// 1/(tasks not yet left) of them become the task's, the rest are zeroed and stay free for later tasks — and from
/// then on the task's weights are frozen (their gradients zeroed; the optimizer is reset at every boundary so no
/// momentum moves them). Biases and other one-dimensional parameters belong to the first task. Evaluating task j
/// uses only the weights of j and of the tasks left before it; the task being trained uses every weight.
///
/// Each task must be trained in one block (the curriculum validator checks), and the network is pruned without
/// a retraining phase after pruning (Continual World retrains for a tenth of each task's budget).
public final class PackNet: ContinualStrategy, ParameterPenalty {
    public let name = "packnet"
    /// Tasks the curriculum trains (each task's share is 1/(tasks not yet left) of the free weights).
    public let taskCount: Int
    /// For every value of the regularised parameters: the position, in the order tasks were left, of the task
    /// that owns it, or −1 while free.
    public private(set) var ownerOrder: [Int32] = []
    /// The tasks left so far, in order.
    public private(set) var leftTasks: [Int32] = []
    /// The full parameters while a masked evaluation runs.
    private var unmasked: [Float] = []

    public init(taskCount: Int) { self.taskCount = taskCount }

    public func taskBoundary(agent: any Agent, finished: Int32?, next: Int32) throws {
        guard let learner = agent as? any RegularizableAgent else { return }
        let store = learner.regularizedParameters
        if ownerOrder.isEmpty { ownerOrder = [Int32](repeating: -1, count: store.count) }
        if let finished, !leftTasks.contains(finished) { prune(store, for: finished) }
        learner.resetOptimizerState()
        learner.penalty = self
    }

    /// Gives `task` the largest of the free weights, 1/(tasks not yet left) of them, and zeroes the rest.
    func prune(_ store: ParameterStore, for task: Int32) {
        let order = Int32(leftTasks.count)
        let values = store.values
        var free: [Int] = []
        for parameter in store.parameters {
            let range = parameter.offset..<parameter.offset + parameter.shape.count
            for index in range where ownerOrder[index] < 0 {
                if parameter.shape.rank >= 2 {
                    free.append(index)
                } else {
                    ownerOrder[index] = order  // biases: the first task's, frozen from here on
                }
            }
        }
        let share = max(1, taskCount - leftTasks.count)
        let kept = free.count / share
        // Largest magnitudes first; ties by position, so pruning is deterministic.
        free.sort { abs(values[$0]) != abs(values[$1]) ? abs(values[$0]) > abs(values[$1]) : $0 < $1 }
        for index in free[..<kept] { ownerOrder[index] = order }
        if share > 1 { for index in free[kept...] { values[index] = 0 } }
        leftTasks.append(task)
    }

    /// Freezes the weights of the tasks already left (their gradients are zeroed); no penalty.
    public func addGradient(values: UnsafeMutableBufferPointer<Float>, gradients: UnsafeMutableBufferPointer<Float>)
        -> Double
    {
        ownerOrder.withUnsafeBufferPointer { owners in
            for index in 0..<gradients.count where owners[index] >= 0 { gradients[index] = 0 }
        }
        return 0
    }

    public func willEvaluate(task: Int32, agent: any Agent) {
        guard let position = leftTasks.firstIndex(of: task),
            let store = (agent as? any RegularizableAgent)?.regularizedParameters
        else { return }  // the task in training (or not yet trained) uses every weight
        unmasked = store.snapshot()
        let values = store.values
        for index in 0..<values.count where ownerOrder[index] < 0 || ownerOrder[index] > Int32(position) {
            values[index] = 0
        }
    }

    public func didEvaluate(agent: any Agent) {
        guard !unmasked.isEmpty, let store = (agent as? any RegularizableAgent)?.regularizedParameters else { return }
        store.load(unmasked)
        unmasked = []
    }

    public func save(to group: Group) throws {
        if !leftTasks.isEmpty { try group.setAttribute("left_tasks", leftTasks.map(Int64.init)) }
        if !ownerOrder.isEmpty {
            try group.createDataset("owner_order", of: Int32.self, shape: [ownerOrder.count]).write(ownerOrder)
        }
    }

    public func load(from group: Group, agent: any Agent) throws {
        leftTasks =
            group.hasAttribute("left_tasks")
            ? try group.attribute("left_tasks", as: [Int64].self).map { Int32($0) } : []
        if group.contains("owner_order") {
            ownerOrder = try group.openDataset("owner_order", as: Int32.self).readAll()
            (agent as? any RegularizableAgent)?.penalty = self
        }
    }
}
