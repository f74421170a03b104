/// Stochastic gradient descent with optional momentum (PyTorch's rule: v ← μv + g; θ ← θ − lr·v, or with
/// Nesterov θ ← θ − lr·(g + μv)) and L2 weight decay.
public final class SGD: Optimizer {
    public let store: ParameterStore
    public var learningRate: Float
    public var schedule: LearningRateSchedule?
    public let momentum: Float
    public let nesterov: Bool
    public let weightDecay: Float
    public private(set) var stepCount = 0
    private let velocity: FlatBuffer

    public init(
        store: ParameterStore, learningRate: Float, momentum: Float = 0, nesterov: Bool = false,
        weightDecay: Float = 0, schedule: LearningRateSchedule? = nil
    ) {
        self.store = store
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.schedule = schedule
        velocity = FlatBuffer(count: store.count)
    }

    public func step() {
        applySchedule()
        let theta = store.values.baseAddress!
        let g = store.gradients.baseAddress!
        let v = velocity.pointer
        let first = stepCount == 0
        for i in 0..<store.count {
            let gradient = g[i] + weightDecay * theta[i]
            if momentum == 0 {
                theta[i] -= learningRate * gradient
            } else {
                v[i] = first ? gradient : momentum * v[i] + gradient
                theta[i] -= learningRate * (nesterov ? gradient + momentum * v[i] : v[i])
            }
            g[i] = 0
        }
        stepCount += 1
    }

    public var stateBuffers: [(name: String, values: UnsafeMutableBufferPointer<Float>)] {
        [("velocity", velocity.values)]
    }

    public func restore(stepCount: Int) { self.stepCount = stepCount }
}
