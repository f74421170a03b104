public import WorldModel

/// An agent with a learned world model, which the scheduler asks for the model's prediction error at every
/// evaluation and logs per task as `worldmodel/one_step_mse`, `worldmodel/one_step_nll`,
/// `worldmodel/<k>_step_mse` and `worldmodel/<k>_step_nll` (docs/world-model.md).
public protocol WorldModelAgent: Agent {
    /// Per task with held-out data: the model's one-step and k-step errors (empty before its first fit).
    func modelErrors() -> [ModelError]
}
