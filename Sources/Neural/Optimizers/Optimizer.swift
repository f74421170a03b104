import CBLAS
import Foundation

/// Updates the values of a `ParameterStore` from its gradients, then zeroes the gradients.
///
/// State (moments, step count) is kept in flat buffers in the store's layout, so an optimizer step is a few
/// vectorised loops and a checkpoint is a few datasets (`save(to:)`, `load(from:)`).
public protocol Optimizer: AnyObject {
    var store: ParameterStore { get }
    /// The learning rate of the next step (after `schedule`, when one is set).
    var learningRate: Float { get set }
    /// Sets `learningRate` before each step from the number of steps taken.
    var schedule: LearningRateSchedule? { get set }
    /// Steps taken so far.
    var stepCount: Int { get }
    /// Applies one update from `store.gradients` and zeroes them.
    func step()
    /// The flat state buffers by name, for checkpoints.
    var stateBuffers: [(name: String, values: UnsafeMutableBufferPointer<Float>)] { get }
    /// Restores `stepCount` (with state buffers restored through `stateBuffers`).
    func restore(stepCount: Int)
}

extension Optimizer {
    /// Applies the schedule for the coming step.
    func applySchedule() {
        if let schedule { learningRate = schedule.rate(at: stepCount) }
    }
}

/// Learning rate as a function of the optimizer step.
public enum LearningRateSchedule: Sendable, Equatable {
    case constant(Float)
    /// Linear from `start` to `end` over `steps`, then `end` (SB3's linear schedule).
    case linear(start: Float, end: Float, steps: Int)
    /// Cosine from `start` to `end` over `steps`, then `end`.
    case cosine(start: Float, end: Float, steps: Int)
    /// `start` multiplied by `factor` every `every` steps.
    case stepDecay(start: Float, factor: Float, every: Int)
    /// Linear warm-up from 0 over `steps`, then `then`.
    indirect case warmup(steps: Int, then: LearningRateSchedule)

    public func rate(at step: Int) -> Float {
        switch self {
        case .constant(let rate): return rate
        case .linear(let start, let end, let steps):
            let progress = Float(min(step, steps)) / Float(max(steps, 1))
            return start + (end - start) * progress
        case .cosine(let start, let end, let steps):
            let progress = Float(min(step, steps)) / Float(max(steps, 1))
            return end + (start - end) * 0.5 * (1 + cos(progress * .pi))
        case .stepDecay(let start, let factor, let every):
            return start * pow(factor, Float(step / max(every, 1)))
        case .warmup(let steps, let then):
            return step < steps ? then.rate(at: step) * Float(step + 1) / Float(steps) : then.rate(at: step)
        }
    }
}

extension ParameterStore {
    /// Scales all gradients so that their global L2 norm is at most `maxNorm`; returns the norm before
    /// clipping (SB3's and PyTorch's `clip_grad_norm_`).
    @discardableResult
    public func clipGradientNorm(_ maxNorm: Float) -> Float {
        // BLAS's dot and scale: a plain Swift loop is a scalar reduction (not vectorised), and cost as much as the
        // whole Adam step on DQN's 67k parameters.
        let g = gradients
        guard let base = g.baseAddress, g.count > 0 else { return 0 }
        let norm = cblas_sdot(Int32(g.count), base, 1, base, 1).squareRoot()
        if norm > maxNorm { cblas_sscal(Int32(g.count), maxNorm / (norm + 1e-6), base, 1) }
        return norm
    }
}

extension Optimizer {
    /// Forgets the optimizer's state (moments, step count), as at construction — e.g. at a task boundary, so that
    /// parameters a continual-learning strategy freezes are not moved by momentum from the last task.
    public func reset() {
        for (_, buffer) in stateBuffers { buffer.update(repeating: 0) }
        restore(stepCount: 0)
    }
}
