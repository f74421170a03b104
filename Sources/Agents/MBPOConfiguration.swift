import WorldModel

/// MBPO hyper-parameters (Janner et al., 2019; reference/algorithms.md §1.3), flat like PETS'. The policy's own
/// settings are a `SACConfiguration` beside it (MBPO's many updates per step: its `gradientSteps`).
public struct MBPOConfiguration: Codable, Equatable, Sendable, EnsembleHyperParameters {
    // The ensemble (learned reward where no known function is given).
    public var members = 7
    public var elites = 5
    public var hiddenLayers = [200, 200, 200, 200]
    public var modelLearningRate: Float = 1e-3
    public var modelWeightDecay: Float = 5e-5
    public var modelBatchSize = 256
    public var validationRatio = 0.2
    public var maximumEpochs = 25
    public var patience = 5
    /// The first fit after this many real steps, then one every `fitEvery` (MBPO's epoch length F).
    public var firstFit = 1000
    public var fitEvery = 250
    // Branched rollouts.
    /// Real states a rollout event starts from (MBPO: M = 400 per step × F).
    public var rolloutBatch = 10_000
    /// A rollout event after every fit and every `rolloutEvery` steps after.
    public var rolloutEvery = 250
    /// k(t) = clip(kMin + (t − tMin)/(tMax − tMin)·(kMax − kMin), kMin, kMax) over real steps t:
    /// [tMin, tMax, kMin, kMax] (MBPO's [e_min, e_max, k_min, k_max], in steps instead of epochs).
    public var rolloutSchedule = [1000, 15_000, 1, 1]
    /// Rollout events the model buffer keeps (its capacity: rolloutBatch × kMax × this).
    public var retainedRollouts = 4
    /// The probability that a policy update draws its batch from real experience (MBPO 0.05).
    public var realRatio = 0.05
    /// Open-loop steps of the `worldmodel/<k>_step_*` metrics.
    public var errorHorizon = 5

    public init() {}

    /// The rollout length after `step` real steps.
    public func rolloutLength(atStep step: Int) -> Int {
        let (start, end, shortest, longest) = (
            rolloutSchedule[0], rolloutSchedule[1], rolloutSchedule[2], rolloutSchedule[3]
        )
        guard end > start else { return longest }
        let fraction = Double(step - start) / Double(end - start)
        let length = Double(shortest) + fraction * Double(longest - shortest)
        return Int(min(max(length, Double(min(shortest, longest))), Double(max(shortest, longest))))
    }

    public var problems: [String] {
        var problems: [String] = []
        if rolloutSchedule.count != 4 || rolloutSchedule.dropFirst(2).contains(where: { $0 < 1 }) {
            problems.append("rolloutSchedule must be [tMin, tMax, kMin, kMax] with lengths ≥ 1; got \(rolloutSchedule)")
        }
        if rolloutBatch < 1 || rolloutEvery < 1 || retainedRollouts < 1 {
            problems.append("rolloutBatch, rolloutEvery and retainedRollouts must be at least 1")
        }
        if !(realRatio >= 0 && realRatio <= 1) { problems.append("realRatio must be in [0, 1]; got \(realRatio)") }
        if firstFit < 1 || fitEvery < 1 { problems.append("firstFit and fitEvery must be at least 1") }
        return problems + ensemble(knownReward: false, knownTermination: false).problems
    }
}
