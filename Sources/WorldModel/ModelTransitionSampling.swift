import Foundation
import Randomness

/// One row's imagined transition from its elite's prediction: s′ = s + μ + σ·ε (one draw per observation column),
/// the reward from the known function or one more draw from the learned head, termination from the known function,
/// the learned head's mean past ½, or never. PETS' particles (`ModelRollout`) and MBPO's branched rollouts
/// (`ModelStep`) both step this way. `mean` and `logVariance` point at the row's prediction; `action` is what the
/// known reward takes.
@inline(__always)
func sampleTransition(
    observation: UnsafePointer<Float>, action: UnsafePointer<Float>, mean: UnsafePointer<Float>,
    logVariance: UnsafePointer<Float>, size: Int, rewardColumn: Int?, terminationColumn: Int?,
    known: KnownModelFunctions, next: UnsafeMutablePointer<Float>, random: inout RandomStream
) -> (reward: Float, terminated: Bool) {
    for column in 0..<size {
        let deviation = Foundation.exp(0.5 * logVariance[column])
        next[column] = observation[column] + mean[column] + deviation * random.normal()
    }
    let reward: Float
    if let function = known.reward {
        reward = function(observation, action, next)
    } else {
        let column = rewardColumn!
        reward = mean[column] + Foundation.exp(0.5 * logVariance[column]) * random.normal()
    }
    if let function = known.terminated { return (reward, function(next)) }
    if let terminationColumn { return (reward, mean[terminationColumn] > 0.5) }
    return (reward, false)
}
