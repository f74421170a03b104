/// One problem in a curriculum: where (JSON path and line), what, and how to fix it.
public struct CurriculumIssue: Sendable, Equatable, CustomStringConvertible {
    /// The JSON path, e.g. `schedule[3].task`.
    public var path: String
    public var line: Int
    public var message: String
    public var hint: String?

    public init(path: String, line: Int, message: String, hint: String? = nil) {
        self.path = path
        self.line = line
        self.message = message
        self.hint = hint
    }

    public var description: String {
        (path.isEmpty ? "" : "\(path): ") + message + (hint.map { "\n    hint: \($0)" } ?? "")
    }
}

/// Every problem found in a curriculum file; nothing runs until there are none.
///
/// Printed one per line as `FILE:LINE: PATH: MESSAGE`, with a hint under it:
/// ```
/// experiments/typo.json:14: schedule[3].task: unknown task "heavy-pol"; known: default, heavy-pole, low-gravity
///     hint: did you mean "heavy-pole"?
/// ```
public struct CurriculumError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var issues: [CurriculumIssue]

    public var description: String {
        let lines = issues.map { "\(file):\($0.line): \($0)" }
        let count = issues.count == 1 ? "1 error" : "\(issues.count) errors"
        return "\(file): \(count) in the curriculum; nothing was run.\n" + lines.joined(separator: "\n")
    }
}

/// The closest of `candidates` to `word` by edit distance, when it is close enough to be a likely typo.
public func closest(to word: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(2, word.count / 3) ? best.0 : nil
}

/// Levenshtein distance.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    var current = previous
    for i in 1...a.count {
        current[0] = i
        for j in 1...max(b.count, 1) where !b.isEmpty {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
