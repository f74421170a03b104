public import Continual

/// Every problem found in a sweep file, printed as `FILE:LINE: PATH: MESSAGE` with a hint under it, like
/// curriculum errors; nothing runs until there are none.
public struct SweepError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var issues: [CurriculumIssue]

    public init(file: String, issues: [CurriculumIssue]) {
        self.file = file
        self.issues = issues
    }

    public var description: String {
        let lines = issues.map { "\(file):\($0.line): \($0)" }
        let count = issues.count == 1 ? "1 error" : "\(issues.count) errors"
        return "\(file): \(count) in the sweep; nothing was run.\n" + lines.joined(separator: "\n")
    }
}

/// A problem with a sweep directory or a backend (not with the sweep file): the message says what to do.
public struct SweepFailure: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
