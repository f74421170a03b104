public import Randomness
public import Replay

/// Model-generated experience an agent mixes into its updates (MBPO's model buffer): a replay store of imagined
/// transitions and the share of batches still drawn from real experience.
public struct Imagination {
    public let store: ReplayStore
    /// The probability that a batch comes from the real store (MBPO: 0.05; mbrl-lib: 0).
    public var realRatio: Double
    /// Draws the batch source.
    public var stream: RandomStream

    public init(store: ReplayStore, realRatio: Double, stream: RandomStream) {
        self.store = store
        self.realRatio = realRatio
        self.stream = stream
    }
}
