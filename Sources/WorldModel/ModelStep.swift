import Foundation
public import Randomness

/// One imagined step for a batch of states (MBPO's branched rollouts): the rows are dealt at random to the elites
/// (TS1), each next observation is sampled from its elite's Gaussian, the reward and termination come from the known
/// functions or the learned heads.
public final class ModelStep {
    public let model: ProbabilisticEnsemble
    public let actions: ActionEncoding
    public let known: KnownModelFunctions
    /// Maps a stored action (the policy's units) to the environment's, for the known reward (nil: the same).
    public let environmentAction: ((_ stored: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>) -> Void)?
    public var threads = 1
    public var stream: RandomStream
    let scratch = PredictionScratch()
    var order: [Int] = []
    var inputs: [Float] = []
    var means: [Float] = []
    var logVariances: [Float] = []
    var converted: [Float] = []

    public init(
        model: ProbabilisticEnsemble, actions: ActionEncoding, known: KnownModelFunctions,
        environmentAction: ((UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void)? = nil, stream: RandomStream
    ) {
        precondition(
            known.reward != nil || model.configuration.learnedReward,
            "the model learns no reward and no known reward function was given")
        self.model = model
        self.actions = actions
        self.known = known
        self.environmentAction = environmentAction
        self.stream = stream
    }

    /// Samples the next observation, reward and termination of `count` (observation, action) rows.
    public func sample(
        observations: UnsafeBufferPointer<Float>, actions stored: UnsafeBufferPointer<Float>, count: Int,
        next: UnsafeMutablePointer<Float>, rewards: UnsafeMutablePointer<Float>, terminated: UnsafeMutablePointer<Bool>
    ) {
        let size = model.observationSize
        let width = stored.count / max(count, 1)
        let elites = Array(model.elites)
        let perMember = (count + elites.count - 1) / elites.count
        let padded = perMember * elites.count
        if order.count != padded { order = [Int](repeating: 0, count: padded) }
        for place in 0..<padded { order[place] = place < count ? place : 0 }
        for index in stride(from: count - 1, to: 0, by: -1) { order.swapAt(index, stream.index(below: index + 1)) }
        if inputs.count < padded * model.inputSize {
            inputs = [Float](repeating: 0, count: padded * model.inputSize)
            means = [Float](repeating: 0, count: padded * model.targetSize)
            logVariances = means
        }
        if converted.count < width { converted = [Float](repeating: 0, count: width) }
        inputs.withUnsafeMutableBufferPointer { inputs in
            for place in 0..<padded {
                let row = order[place]
                let base = inputs.baseAddress! + place * model.inputSize
                for column in 0..<size { base[column] = observations[row * size + column] }
                actions.encode(
                    UnsafeBufferPointer(rebasing: stored[row * width..<(row + 1) * width]), into: base + size)
            }
        }
        inputs.withUnsafeBufferPointer { inputs in
            means.withUnsafeMutableBufferPointer { means in
                logVariances.withUnsafeMutableBufferPointer { logVariances in
                    model.predict(
                        members: elites, rows: perMember, inputs: inputs.baseAddress!, mean: means.baseAddress!,
                        logVariance: logVariances.baseAddress!, scratch: scratch, threads: threads)
                }
            }
        }
        let targets = model.targetSize
        let (rewardColumn, terminationColumn) = (model.rewardColumn, model.terminationColumn)
        var random = stream
        defer { stream = random }
        means.withUnsafeBufferPointer { means in
            logVariances.withUnsafeBufferPointer { logVariances in
                converted.withUnsafeMutableBufferPointer { converted in
                    for place in 0..<count {
                        let row = order[place]
                        var action = stored.baseAddress! + row * width
                        if known.reward != nil, let environmentAction {
                            environmentAction(action, converted.baseAddress!)
                            action = UnsafePointer(converted.baseAddress!)
                        }
                        (rewards[row], terminated[row]) = sampleTransition(
                            observation: observations.baseAddress! + row * size, action: action,
                            mean: means.baseAddress! + place * targets,
                            logVariance: logVariances.baseAddress! + place * targets, size: size,
                            rewardColumn: rewardColumn, terminationColumn: terminationColumn, known: known,
                            next: next + row * size, random: &random)
                    }
                }
            }
        }
    }
}
