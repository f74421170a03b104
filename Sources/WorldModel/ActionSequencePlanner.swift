public import Randomness

/// What PETS asks of a planner: the best action sequence it can find for an objective, a warm start it keeps
/// between calls, and state to checkpoint. CEM, MPPI and the categorical CEM conform; a new planner conforms the
/// same way (docs/world-model.md).
public protocol ActionSequencePlanner: AnyObject {
    /// Steps planned ahead.
    var horizon: Int { get }
    /// The best sequence found, [horizon × action width] (a discrete planner returns action indices).
    func plan(_ objective: SequenceObjective) -> [Float]
    /// Forgets the warm start (an episode ends).
    func reset()
    /// The warm start and the random stream, for checkpoints.
    var warmStart: [Float] { get }
    var randomStream: RandomStream { get }
    func restore(warmStart: [Float], stream: RandomStream) throws
}

extension CEMPlanner: ActionSequencePlanner {
    public var horizon: Int { configuration.horizon }
    public var warmStart: [Float] { mean }
    public var randomStream: RandomStream { stream }
    public func restore(warmStart: [Float], stream: RandomStream) throws {
        guard warmStart.count == mean.count else { throw WorldModelError("the saved CEM plan has another shape") }
        mean = warmStart
        self.stream = stream
    }
}

extension MPPIPlanner: ActionSequencePlanner {
    public var horizon: Int { configuration.horizon }
    public var warmStart: [Float] { mean }
    public var randomStream: RandomStream { stream }
    public func restore(warmStart: [Float], stream: RandomStream) throws {
        guard warmStart.count == mean.count else { throw WorldModelError("the saved MPPI plan has another shape") }
        mean = warmStart
        self.stream = stream
    }
}

extension CategoricalCEMPlanner: ActionSequencePlanner {
    public var horizon: Int { configuration.horizon }
    public var warmStart: [Float] { probabilities }
    public var randomStream: RandomStream { stream }
    public func restore(warmStart: [Float], stream: RandomStream) throws {
        guard warmStart.count == probabilities.count else {
            throw WorldModelError("the saved categorical plan has another shape")
        }
        probabilities = warmStart
        self.stream = stream
    }
}
