public import Neural
public import Replay

/// A penalty on a learner's parameters that a continual-learning strategy adds to the learner's loss — L2 to
/// earlier parameters, EWC's Fisher-weighted version. The learner calls it after back-propagating its own loss
/// and before clipping and the optimizer step, so the penalty's gradient goes through the same update.
///
/// ```swift
/// final class Anchor: ParameterPenalty {
///     var anchor: [Float]
///     init(anchor: [Float]) { self.anchor = anchor }
///     func addGradient(values: UnsafeMutableBufferPointer<Float>, gradients: UnsafeMutableBufferPointer<Float>)
///         -> Double {
///         var penalty = 0.0
///         for i in 0..<values.count {
///             let d = values[i] - anchor[i]
///             gradients[i] += d
///             penalty += Double(d * d) / 2
///         }
///         return penalty
///     }
/// }
/// dqn.penalty = Anchor(anchor: dqn.regularizedParameters.snapshot())
/// ```
public protocol ParameterPenalty: AnyObject {
    /// Adds ∂penalty/∂θ to `gradients` (the layout of `values`) and returns the penalty's value.
    func addGradient(values: UnsafeMutableBufferPointer<Float>, gradients: UnsafeMutableBufferPointer<Float>) -> Double
}

/// A strategy that projects every update's gradient so it does not increase the loss on earlier tasks (A-GEM,
/// Chaudhry et al., 2019): with g the gradient on the learner's batch and g_ref the gradient on a reference batch
/// of earlier tasks, g ← g − (g·g_ref / g_ref·g_ref)·g_ref whenever g·g_ref < 0.
public protocol GradientProjection: AnyObject {
    /// How the learner draws its own batches (the current task), or `nil` for its usual sampling.
    var batchSampling: SamplingStrategy? { get }
    /// How reference batches are drawn (earlier tasks), or `nil` while there is nothing to protect.
    var referenceSampling: SamplingStrategy? { get }
}

/// A-GEM's projection: `gradient` projected in place so that it no longer points against `reference`; returns
/// whether it had to (the two conflicted).
@discardableResult
public func projectGradient(
    _ gradient: UnsafeMutableBufferPointer<Float>, against reference: UnsafeBufferPointer<Float>
) -> Bool {
    var dot: Float = 0
    var norm: Float = 0
    for index in 0..<gradient.count {
        dot += gradient[index] * reference[index]
        norm += reference[index] * reference[index]
    }
    guard dot < 0, norm > 0 else { return false }
    let scale = dot / norm
    for index in 0..<gradient.count { gradient[index] -= scale * reference[index] }
    return true
}

/// An agent with task-specific output heads: `activeTask` picks the head that acts. The continual-learning
/// scheduler sets it when training enters a task and around each task's evaluation.
public protocol TaskConditionedAgent: Agent {
    var activeTask: Int32 { get set }
}

/// An agent whose parameters continual-learning strategies can regularise.
public protocol RegularizableAgent: Agent {
    /// The parameters a penalty applies to (DQN: the online Q-network; SAC: the actor, as Continual World's
    /// default regularises only the actor).
    var regularizedParameters: ParameterStore { get }
    /// The penalty added at every update, or `nil`.
    var penalty: (any ParameterPenalty)? { get set }
    /// The projection applied to every update's gradient, or `nil` (agents that cannot project keep `nil`).
    var projection: (any GradientProjection)? { get set }
    /// The diagonal of the empirical Fisher information of `regularizedParameters`: the mean, over `samples`
    /// transitions of `task` drawn from the replay store, of the squared gradient of the agent's loss on each one.
    /// Returns zeros when the store holds nothing of `task`.
    func fisherDiagonal(task: Int32, samples: Int) throws -> [Float]
    /// Resets the optimizer state of `regularizedParameters` (PackNet, at task boundaries).
    func resetOptimizerState()
}

/// The skeleton of a diagonal Fisher estimate: `samples` transitions of `task`, drawn one at a time from `replay`;
/// for each, `each` back-propagates into `store` and calls `accumulate(weight)` to add weight·(gradient)². Returns
/// the mean over the samples (zeros when the store holds nothing of `task`) and leaves the gradients zeroed.
func meanSquaredGradients(
    of store: ParameterStore, replay: ReplayStore, task: Int32, samples: Int,
    each: (_ transition: ReplayBatch, _ accumulate: (Float) -> Void) throws -> Void
) throws -> [Float] {
    var fisher = [Float](repeating: 0, count: store.count)
    guard replay.count(ofTask: task) > 0, samples > 0 else { return fisher }
    var single = ReplayBatch(schema: replay.schema, size: 1)
    for _ in 0..<samples {
        try replay.sample(into: &single, using: .task(task))
        try each(single) { weight in
            let gradients = store.gradients
            for index in 0..<fisher.count { fisher[index] += weight * gradients[index] * gradients[index] }
        }
    }
    store.zeroGradients()
    let scale = 1 / Float(samples)
    for index in 0..<fisher.count { fisher[index] *= scale }
    return fisher
}

extension ParameterPenalty {
    /// Adds the penalty's gradient to `store`'s gradients; a non-finite penalty stops the learner with a message
    /// naming it (`learner`), the update and the step.
    func apply(to store: ParameterStore, learner: String, update: Int, step: Int) throws {
        let value = addGradient(values: store.values, gradients: store.gradients)
        guard value.isFinite else {
            throw AgentError(
                "\(learner): the continual-learning penalty became \(value) at update \(update) (step \(step)); "
                    + "lower the strategy's lambda")
        }
    }
}
