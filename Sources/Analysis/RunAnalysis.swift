public import Continual
import Foundation
public import RunLog

/// One run as the analysis commands see it: its log as of the last commit, the continual-learning metrics, and
/// an id that is unique among the runs analysed together.
///
/// ```swift
/// let runs = try RunAnalysis.load(["runs/seed-1", "runs/seed-2"])
/// print(runs.map(\.id), runs[0].metrics.averagePerformance ?? .nan)
/// ```
public struct RunAnalysis {
    /// Unique among the runs loaded together: the directory's name, or more of its path when names repeat.
    public var id: String
    /// As given.
    public var directory: String
    public var contents: RunLogContents
    public var metrics: ContinualMetrics

    /// The curriculum's name (or the environment for `lifelong train` runs).
    public var name: String { contents.attributes["name"] ?? contents.attributes["environment"] ?? id }
    public var strategy: String { contents.attributes["strategy"] ?? "none" }
    public var agent: String { contents.attributes["agent"] ?? "" }
    public var seed: Int64 { Int64(contents.attributes["agent_seed"] ?? contents.attributes["seed"] ?? "") ?? -1 }
    public var status: String { contents.status["status"] as? String ?? "unknown" }
    public var step: Int { contents.status["step"] as? Int ?? Int(contents.evaluationSteps.last ?? 0) }
    /// Names of the evaluated tasks, in column order.
    public var evaluatedNames: [String] { contents.evaluatedTasks.map { contents.tasks[$0].name.string } }

    /// Reads one run directory (`includingMetrics: false` skips the `/metrics` rows, which the metrics here do
    /// not need).
    public init(directory: String, id: String? = nil, includingMetrics: Bool = true) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw AnalysisError(
                "\(directory): no such run directory; give directories made by `lifelong run` or `train`.")
        }
        guard FileManager.default.fileExists(atPath: directory + "/log.h5") else {
            throw AnalysisError(
                "\(directory) holds no run log (no log.h5); give directories made by `lifelong run` or `train`.")
        }
        self.directory = directory
        self.id = id ?? URL(fileURLWithPath: directory).standardizedFileURL.lastPathComponent
        contents = try RunLogContents.read(directory: directory, includingMetrics: includingMetrics)
        let columns = contents.evaluatedTasks
        metrics = ContinualMetrics(
            afterBlock: contents.afterBlock,
            trainedTasks: contents.trainedTasks.prefix(contents.afterBlock.count).map { trained in
                trained.compactMap { columns.firstIndex(of: $0) }
            },
            evaluations: (contents.evaluationMeans, contents.evaluationBlocks.map { Int($0) }))
    }

    /// Reads run directories, giving each an id unique among them (`seed-1`, or `a-seed-1` and `b-seed-1` when two
    /// directories share a name). A directory given twice is an error.
    public static func load(_ directories: [String]) throws -> [RunAnalysis] {
        guard !directories.isEmpty else { throw AnalysisError("no run directories given; name at least one.") }
        let absolute = directories.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        if let repeated = absolute.firstIndex(where: { path in absolute.filter { $0 == path }.count > 1 }) {
            throw AnalysisError("\(directories[repeated]) is given more than once; name each run once.")
        }
        let ids = uniqueIDs(absolute)
        return try zip(directories, ids).map { try RunAnalysis(directory: $0, id: $1) }
    }

    /// The shortest path suffixes (components joined by `-`) that tell the paths apart.
    static func uniqueIDs(_ paths: [String]) -> [String] {
        let components = paths.map { $0.split(separator: "/").map(String.init) }
        var depth = 1
        while true {
            let ids = components.map { $0.suffix(depth).joined(separator: "-") }
            if Set(ids).count == ids.count || depth > (components.map(\.count).max() ?? 0) {
                return Set(ids).count == ids.count ? ids : ids.enumerated().map { "\($1)-\($0)" }
            }
            depth += 1
        }
    }
}

/// `path` relative to the directory `base` (both made absolute first), with `..` where needed.
func relativePath(_ path: String, from base: String) -> String {
    let target = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
    let origin = URL(fileURLWithPath: base).standardizedFileURL.pathComponents
    var shared = 0
    while shared < min(target.count, origin.count) && target[shared] == origin[shared] { shared += 1 }
    let parts = Array(repeating: "..", count: origin.count - shared) + target[shared...]
    return parts.isEmpty ? "." : parts.joined(separator: "/")
}
