import Analysis
import Continual
import Foundation
import HDF5

/// A sweep on disk: the plan's runs and their state, shared by every backend.
///
/// ```
/// SWEEP_DIR/
///   sweep.json            the sweep file as given
///   manifest.json         one entry per run: index, id, curriculum file, overrides (written last: the sentinel)
///   curricula/ID.json     each run's complete curriculum
///   runs/ID/              each run's directory (`lifelong run` layout)
///   logs/ID.log           each run's output, appended per attempt
///   state/ID.json, .lock  the last attempt (status, exit, pid, host, backend, attempts); a lock held while it runs
///   sweep.h5, sweep.ipynb the merged file and its notebook (`lifelong sweep merge`, or at the end)
/// ```
public final class SweepDirectory: Sendable {
    public let path: String
    public let name: String
    public let entries: [Entry]

    public struct Entry: Codable, Sendable, Equatable {
        public var index: Int
        public var id: String
        /// Relative to the sweep directory.
        public var curriculum: String
        public var overrides: [[String]]
    }

    struct Manifest: Codable {
        var schema = "lifelong.sweep-manifest"
        var version = 1
        var name: String
        var runs: [Entry]
    }

    init(path: String, name: String, entries: [Entry]) {
        self.path = path
        self.name = name
        self.entries = entries
    }

    /// Creates the sweep directory for `plan` at `path`, or checks that an existing one holds the same runs (so
    /// running a sweep again continues it).
    public static func prepare(_ plan: SweepPlan, at path: String) throws -> SweepDirectory {
        let entries = plan.runs.map {
            Entry(index: $0.index, id: $0.id, curriculum: "curricula/\($0.id).json", overrides: $0.overrides)
        }
        let manager = FileManager.default
        if manager.fileExists(atPath: path + "/manifest.json") {
            let existing = try open(path)
            for run in plan.runs {
                let file = path + "/curricula/\(run.id).json"
                let text = manager.contents(atPath: file).map { String(decoding: $0, as: UTF8.self) }
                guard existing.entries.contains(where: { $0.id == run.id }), text == run.curriculum else {
                    throw SweepFailure(
                        "\(path) holds another sweep (run \(run.id) is new or its curriculum changed); give this "
                            + "sweep another \"output\" (or --out), or remove \(path)")
                }
            }
            guard existing.entries.count == entries.count else {
                throw SweepFailure(
                    "\(path) holds another sweep (\(existing.entries.count) runs, this one has \(entries.count)); "
                        + "give this sweep another \"output\" (or --out), or remove \(path)")
            }
            return existing
        }
        if manager.fileExists(atPath: path),
            let contents = try? manager.contentsOfDirectory(atPath: path), !contents.isEmpty
        {
            throw SweepFailure("\(path) exists and is not a sweep directory; choose another \"output\" (or --out)")
        }
        for folder in ["curricula", "runs", "logs", "state"] {
            try manager.createDirectory(atPath: path + "/" + folder, withIntermediateDirectories: true)
        }
        try DurableFile.replace(path + "/sweep.json", with: manager.contents(atPath: plan.spec.file) ?? Data())
        for run in plan.runs {
            try DurableFile.replace(path + "/curricula/\(run.id).json", with: Data(run.curriculum.utf8))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try DurableFile.replace(
            path + "/manifest.json", with: try encoder.encode(Manifest(name: plan.spec.name, runs: entries)))
        return SweepDirectory(path: path, name: plan.spec.name, entries: entries)
    }

    /// Opens a prepared sweep directory.
    public static func open(_ path: String) throws -> SweepDirectory {
        guard let data = FileManager.default.contents(atPath: path + "/manifest.json") else {
            throw SweepFailure(
                "\(path) is not a sweep directory (no manifest.json); start one with `lifelong sweep SPEC`")
        }
        let manifest = try JSONDecoder().decode(Manifest.self, from: data)
        guard manifest.schema == "lifelong.sweep-manifest" else {
            throw SweepFailure("\(path)/manifest.json is not a Lifelong sweep manifest")
        }
        return SweepDirectory(path: path, name: manifest.name, entries: manifest.runs)
    }

    public func runDirectory(_ entry: Entry) -> String { path + "/runs/" + entry.id }
    public func curriculumFile(_ entry: Entry) -> String { path + "/" + entry.curriculum }
    public func logFile(_ entry: Entry) -> String { path + "/logs/\(entry.id).log" }
    func stateFile(_ entry: Entry) -> String { path + "/state/\(entry.id).json" }
    func lockFile(_ entry: Entry) -> String { path + "/state/\(entry.id).lock" }

    /// The entry at `index`, or an error naming the valid range.
    public func entry(_ index: Int) throws -> Entry {
        guard entries.indices.contains(index) else {
            throw SweepFailure("--index \(index): the sweep in \(path) has runs 0…\(entries.count - 1)")
        }
        return entries[index]
    }

    // MARK: - Merge

    /// Merges every run that has a log into `sweep.h5` and writes `sweep.ipynb` over it (when the analysis module
    /// directory is known). Both are derived data and replaced each time.
    /// - Returns: the runs merged.
    @discardableResult
    public func merge(moduleDirectory: String?) throws -> Int {
        let directories = entries.map(runDirectory).filter {
            FileManager.default.fileExists(atPath: $0 + "/log.h5")
        }
        guard !directories.isEmpty else { throw SweepFailure("no run in \(path) has a log yet; nothing to merge") }
        let runs = try RunAnalysis.load(directories)
        try SweepMerge.write(runs, to: path + "/sweep.h5", overwrite: true)
        if let moduleDirectory {
            try NotebookExport.write(
                inputs: [path + "/sweep.h5"], to: path + "/sweep.ipynb", moduleDirectory: moduleDirectory,
                overwrite: true)
        }
        return runs.count
    }
}
