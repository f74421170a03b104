/// Model-free episodic control (Blundell et al., 2016) hyper-parameters, named as in the paper and the reference
/// code (`astier/model-free-episodic-control`).
public struct MFECConfiguration: Codable, Equatable, Sendable {
    /// Neighbours averaged for a state not stored exactly.
    public var k = 11
    /// Discount of the episode returns written at episode end (the paper uses 1).
    public var gamma: Float = 0.99
    /// ε-greedy exploration (MFEC explores mostly through actions whose table is too small to estimate).
    public var epsilon: Double = 0.005
    /// Entries per action table; least recently updated entries go first.
    public var capacityPerAction = 100_000
    /// Key size of a Gaussian random projection of the observation; 0 keys on the raw observation.
    public var projection = 0

    public init() {}
}
