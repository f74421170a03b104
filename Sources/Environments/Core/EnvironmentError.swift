/// Why an environment could not be made or driven; the message names the offending id, parameter or value
/// and lists what is valid.
public struct EnvironmentError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        case unknownEnvironment, unknownParameter, invalidParameter, invalidState, invalidAction
        /// A Gymnasium subprocess failed, died or did not answer in time.
        case bridge
    }
    public var kind: Kind
    public var description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
