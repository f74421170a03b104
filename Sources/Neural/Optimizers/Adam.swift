import CKernels
import Foundation

/// Adam (Kingma & Ba), with PyTorch's defaults and update rule; `weightDecay: .decoupled(λ)` makes it AdamW.
///
/// ```swift
/// let optimizer = Adam(store: store, learningRate: 2.3e-3)
/// graph.backward(loss)
/// store.clipGradientNorm(10)
/// optimizer.step()
/// ```
public final class Adam: Optimizer {
    public enum WeightDecay: Sendable, Equatable {
        case none
        /// λ·θ added to the gradient (PyTorch `Adam(weight_decay=λ)`).
        case l2(Float)
        /// θ ← θ − lr·λ·θ before the Adam update (PyTorch `AdamW`).
        case decoupled(Float)
    }

    public let store: ParameterStore
    public var learningRate: Float
    public var schedule: LearningRateSchedule?
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: WeightDecay
    public private(set) var stepCount = 0
    /// With a lane, a large store's update runs in two halves at once — the same numbers, since each value's update
    /// reads only its own gradient and moments. Worth it where the weights are read on both threads next anyway
    /// (SAC's critics); where one thread owns them, the cache lines crossing cores can cost more than it saves.
    public var lane: Lane?
    private let firstMoment: FlatBuffer
    private let secondMoment: FlatBuffer

    public init(
        store: ParameterStore, learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: WeightDecay = .none, schedule: LearningRateSchedule? = nil
    ) {
        self.store = store
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.schedule = schedule
        firstMoment = FlatBuffer(count: store.count)
        secondMoment = FlatBuffer(count: store.count)
    }

    /// AdamW: Adam with decoupled weight decay (PyTorch's default λ = 0.01).
    public static func adamW(store: ParameterStore, learningRate: Float = 1e-3, weightDecay: Float = 0.01) -> Adam {
        Adam(store: store, learningRate: learningRate, weightDecay: .decoupled(weightDecay))
    }

    public func step() {
        applySchedule()
        stepCount += 1
        let count = store.count
        let theta = store.values.baseAddress!
        let g = store.gradients.baseAddress!
        let correction1 = 1 - pow(beta1, Float(stepCount))
        let correction2 = 1 - pow(beta2, Float(stepCount))
        let stepSize = learningRate / correction1
        let inverseRoot2 = 1 / correction2.squareRoot()
        var l2: Float = 0
        switch weightDecay {
        case .none: break
        case .l2(let lambda): l2 = lambda
        case .decoupled(let lambda):
            let shrink = 1 - learningRate * lambda
            for i in 0..<count { theta[i] *= shrink }
        }
        let (m, v) = (firstMoment.pointer, secondMoment.pointer)
        let (beta1, beta2, epsilon) = (beta1, beta2, epsilon)
        func update(_ range: Range<Int>) {
            let start = range.lowerBound
            lk_adam(
                range.count, theta + start, g + start, m + start, v + start, beta1, beta2, stepSize, inverseRoot2,
                epsilon, l2)
        }
        guard let lane, count >= Self.laneSize else { return update(0..<count) }
        let half = count / 2 / 16 * 16
        lane.run {
            update(0..<half)
        } alongside: {
            update(half..<count)
        }
    }

    /// Values from which `lane` splits an update (~10 µs of work).
    static let laneSize = 1 << 15

    public var stateBuffers: [(name: String, values: UnsafeMutableBufferPointer<Float>)] {
        [("first_moment", firstMoment.values), ("second_moment", secondMoment.values)]
    }

    public func restore(stepCount: Int) { self.stepCount = stepCount }
}
