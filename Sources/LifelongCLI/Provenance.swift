import Foundation
import Neural

/// What a run log records about where its numbers came from: the Lifelong version and the git commit of the
/// checkout the executable was built in, the BLAS kernel and thread count, the host and the command line.
enum Provenance {
    /// The provenance attributes of a run started now.
    static func current() -> [String: String] {
        [
            "lifelong_version": Lifelong.version, "git_commit": gitCommit(), "blas": BLAS.summary,
            "host": ProcessInfo.processInfo.hostName, "command": CommandLine.arguments.joined(separator: " "),
        ]
    }

    /// The commit of the checkout holding this executable (`.build/<configuration>/lifelong` sits three levels
    /// below it), with `-dirty` when files differ from it, or why it is unknown.
    static func gitCommit() -> String {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: directory.appendingPathComponent(".git").path) {
            directory = directory.deletingLastPathComponent()
        }
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(".git").path),
            let commit = git(["rev-parse", "HEAD"], in: directory)
        else { return "unknown (the executable is not inside a git checkout)" }
        let dirty = git(["status", "--porcelain", "--untracked-files=no"], in: directory).map { !$0.isEmpty } ?? false
        return commit + (dirty ? "-dirty" : "")
    }

    private static func git(_ arguments: [String], in directory: URL) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
