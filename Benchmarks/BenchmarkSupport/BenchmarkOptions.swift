public import ArgumentParser
import Foundation

/// The `--peer PYTHON` option every benchmark with a Python peer takes; without it, only Lifelong's side runs.
///
/// ```swift
/// struct Options: ParsableCommand {
///     @OptionGroup var peerOption: PeerOption
/// }
/// let peer = Options.parseOrExit().peerOption.peer
/// ```
public struct PeerOption: ParsableArguments, Sendable {
    @Option(
        help: ArgumentHelp(
            "The Python interpreter with the peer's packages (make bench-venv: .venv/bin/python); without it, the "
                + "peer is not run.", valueName: "python"))
    public var peer: String?

    public init() {}

    public func validate() throws {
        if let peer, !FileManager.default.isExecutableFile(atPath: peer) {
            throw ValidationError(
                "--peer \(peer): no executable there — run `make bench-venv` and pass .venv/bin/python, or leave "
                    + "--peer out to run Lifelong's side only")
        }
    }
}

/// Throws a `ValidationError` naming `option` unless `value` ≥ `minimum` (counts of seeds, steps, repeats…).
public func requireAtLeast(_ minimum: Int, _ value: Int, for option: String) throws {
    if value < minimum { throw ValidationError("\(option) \(value): must be at least \(minimum)") }
}
