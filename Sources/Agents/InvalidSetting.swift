import Neural

/// A setting an agent cannot run with, named by its hyper-parameter key, so that a curriculum's reader can point at
/// that key and `lifelong train --config` can report the same words.
///
/// ```swift
/// var configuration = SACConfiguration()
/// configuration.learningThreads = 0
/// configuration.invalidSettings.first?.message   // "learningThreads must be at least 1; got 0"
/// ```
public struct InvalidSetting: Equatable, Sendable {
    /// The hyper-parameter's key, e.g. `"learningThreads"`.
    public let key: String
    public let message: String
    /// How to fix it, when the message does not say.
    public let hint: String?

    /// What DQN and SAC check of their shared settings, `learningThreads` and `matmulPrecision`.
    static func ofLearner(threads: Int, precision: MatmulPrecision) -> [InvalidSetting] {
        [learningThreads(threads), matmulPrecision(precision)].compactMap { $0 }
    }

    /// DQN's and SAC's `learningThreads`: 1, or 2 and more (two threads; the numbers are the same either way).
    static func learningThreads(_ threads: Int) -> InvalidSetting? {
        guard threads < 1 else { return nil }
        return InvalidSetting(
            key: "learningThreads", message: "learningThreads must be at least 1; got \(threads)",
            hint: "1, or 2 to let an update use a second core")
    }

    /// DQN's and SAC's `matmulPrecision`: `bfloat16` only on a CPU that has it.
    static func matmulPrecision(_ precision: MatmulPrecision) -> InvalidSetting? {
        precision.unavailability.map { InvalidSetting(key: "matmulPrecision", message: $0, hint: nil) }
    }
}
