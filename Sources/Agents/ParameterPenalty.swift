public import Neural

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

/// An agent whose parameters continual-learning strategies can regularise.
public protocol RegularizableAgent: Agent {
    /// The parameters a penalty applies to (DQN: the online Q-network; SAC: the actor, as Continual World's
    /// default regularises only the actor).
    var regularizedParameters: ParameterStore { get }
    /// The penalty added at every update, or `nil`.
    var penalty: (any ParameterPenalty)? { get set }
    /// The diagonal of the empirical Fisher information of `regularizedParameters`: the mean, over `samples`
    /// transitions of `task` drawn from the replay store, of the squared gradient of the agent's loss on each one.
    /// Returns zeros when the store holds nothing of `task`.
    func fisherDiagonal(task: Int32, samples: Int) throws -> [Float]
}
