/// A problem with the runs or paths given to an analysis command: the message names the path and the fix.
public struct AnalysisError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
