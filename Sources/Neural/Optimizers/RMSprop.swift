/// RMSprop with PyTorch's rule and defaults (α 0.99, ε 1e-8 added outside the square root), optional momentum
/// and centring.
public final class RMSprop: Optimizer {
    public let store: ParameterStore
    public var learningRate: Float
    public var schedule: LearningRateSchedule?
    public let alpha: Float
    public let epsilon: Float
    public let momentum: Float
    public let centered: Bool
    public private(set) var stepCount = 0
    private let squareAverage: FlatBuffer
    private let gradientAverage: FlatBuffer
    private let buffer: FlatBuffer

    public init(
        store: ParameterStore, learningRate: Float = 1e-2, alpha: Float = 0.99, epsilon: Float = 1e-8,
        momentum: Float = 0, centered: Bool = false, schedule: LearningRateSchedule? = nil
    ) {
        self.store = store
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.centered = centered
        self.schedule = schedule
        squareAverage = FlatBuffer(count: store.count)
        gradientAverage = FlatBuffer(count: store.count)
        buffer = FlatBuffer(count: store.count)
    }

    public func step() {
        applySchedule()
        let theta = store.values.baseAddress!
        let g = store.gradients.baseAddress!
        let square = squareAverage.pointer
        let mean = gradientAverage.pointer
        let velocity = buffer.pointer
        for i in 0..<store.count {
            square[i] = alpha * square[i] + (1 - alpha) * g[i] * g[i]
            var denominator = square[i]
            if centered {
                mean[i] = alpha * mean[i] + (1 - alpha) * g[i]
                denominator -= mean[i] * mean[i]
            }
            denominator = denominator.squareRoot() + epsilon
            if momentum > 0 {
                velocity[i] = momentum * velocity[i] + g[i] / denominator
                theta[i] -= learningRate * velocity[i]
            } else {
                theta[i] -= learningRate * g[i] / denominator
            }
            g[i] = 0
        }
        stepCount += 1
    }

    public var stateBuffers: [(name: String, values: UnsafeMutableBufferPointer<Float>)] {
        [
            ("square_average", squareAverage.values), ("gradient_average", gradientAverage.values),
            ("momentum", buffer.values),
        ]
    }

    public func restore(stepCount: Int) { self.stepCount = stepCount }
}
