public import Replay

/// How actions enter the model's input: as they are (continuous), or one-hot over a discrete action count.
public enum ActionEncoding: Equatable, Sendable, Codable {
    case continuous(Int)
    case oneHot(Int)

    /// Input columns the encoding takes.
    public var width: Int {
        switch self {
        case .continuous(let size), .oneHot(let size): size
        }
    }

    /// Writes the encoding of `action` (as the replay store keeps it) into `output`.
    public func encode(_ action: UnsafeBufferPointer<Float>, into output: UnsafeMutablePointer<Float>) {
        switch self {
        case .continuous(let size):
            for index in 0..<size { output[index] = action[index] }
        case .oneHot(let count):
            for index in 0..<count { output[index] = 0 }
            output[min(max(Int(action[0]), 0), count - 1)] = 1
        }
    }
}

/// The model's training data read from the shared replay store: input rows (observation ‖ encoded action), target
/// rows (Δobservation, then reward and termination as the configuration learns them), each row's task, and the
/// validation split — every (1/validationRatio)-th transition of the stream, so a transition stays on its side of
/// the split as the store grows.
public struct TransitionDataset: Sendable {
    public let inputSize: Int
    public let targetSize: Int
    public private(set) var inputs: [Float] = []
    public private(set) var targets: [Float] = []
    public private(set) var tasks: [Int32] = []
    /// Row indices of the two sides of the split.
    public private(set) var training: [Int] = []
    public private(set) var validation: [Int] = []

    public var count: Int { tasks.count }

    /// Every transition `replay` holds (of `tasks` when given).
    public init(
        replay: ReplayStore, actions: ActionEncoding, configuration: EnsembleConfiguration,
        tasks only: Set<Int32>? = nil
    ) {
        let observationSize = replay.schema.observationSize
        inputSize = observationSize + actions.width
        targetSize =
            observationSize + (configuration.learnedReward ? 1 : 0) + (configuration.learnedTermination ? 1 : 0)
        let stride = configuration.validationRatio > 0 ? max(2, Int((1 / configuration.validationRatio).rounded())) : 0
        var input = [Float](repeating: 0, count: inputSize)
        var target = [Float](repeating: 0, count: targetSize)
        for slot in 0..<replay.count {
            let transition = replay.transition(at: slot)
            if let only, !only.contains(transition.task) { continue }
            for index in 0..<observationSize {
                input[index] = transition.observation[index]
                target[index] = transition.nextObservation[index] - transition.observation[index]
            }
            transition.action.withUnsafeBufferPointer { action in
                input.withUnsafeMutableBufferPointer { actions.encode(action, into: $0.baseAddress! + observationSize) }
            }
            var column = observationSize
            if configuration.learnedReward {
                target[column] = transition.reward
                column += 1
            }
            if configuration.learnedTermination { target[column] = transition.terminated ? 1 : 0 }
            let row = tasks.count
            inputs += input
            targets += target
            tasks.append(transition.task)
            if stride > 0 && replay.streamPosition(ofSlot: slot) % Int64(stride) == 0 {
                validation.append(row)
            } else {
                training.append(row)
            }
        }
    }
}
