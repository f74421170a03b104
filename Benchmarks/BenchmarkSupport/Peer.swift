import Foundation

/// Runs a Python peer script from `Benchmarks/peers/` and returns the JSON object on its last line of output
/// (some peers' libraries log to standard output before it). Exits the benchmark with a message if it fails.
public func runPeer(python: String, script: String, arguments: [String]) throws -> [String: Any] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("peers/\(script)").path
    process.arguments = [path] + arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let last = Data((text.split(separator: "\n").last ?? "").utf8)
    guard process.terminationStatus == 0,
        let report = (try? JSONSerialization.jsonObject(with: last)) as? [String: Any]
    else {
        FileHandle.standardError.write(Data("the peer \(script) failed (exit \(process.terminationStatus))\n".utf8))
        exit(1)
    }
    return report
}
