import Continual
import Foundation
public import HDF5

/// `lifelong merge`: one HDF5 file over many run logs, for analysing a sweep as one — without copying any data.
///
/// Layout (schema `lifelong.sweep`, version 1):
/// - `/runs`: a small real table, one row per run: `index`, `id`, `path` (the run directory relative to the merged
///   file's directory), `name`, `strategy`, `agent`, `seed`, `status`, `step`, `blocks_done`, `evaluations`,
///   `curriculum_hash` (FNV-1a of the curriculum without its agent seed and output, so the seeds of one
///   configuration share it);
/// - `/logs/<id>`: an external link to the root of each run's `log.h5` (h5py follows it);
/// - `/stacked/eval/after_block` [runs, blocks, tasks], `/stacked/eval/returns` [runs, evaluations, tasks,
///   episodes], `/stacked/eval/steps` [runs, evaluations]: virtual datasets over the runs' committed rows, NaN
///   (−1 for steps) where a run has fewer rows than the longest. Made only when every run evaluates the same
///   number of tasks and episodes; otherwise the root attribute `stacked` says why not.
///
/// Every path stored is relative, so the merged file moves with the runs (keep it beside or above them; libhdf5
/// resolves relative link and virtual-source paths against the merged file's directory). Readers need HDF5 ≥ 1.10.
///
/// ```swift
/// let runs = try RunAnalysis.load(["sweep/seed-1", "sweep/seed-2"])
/// try SweepMerge.write(runs, to: "sweep/sweep.h5")
/// ```
public enum SweepMerge {
    public struct RunRow: CompoundRow {
        public var index: Int32
        public var id: FixedString<64>
        public var path: FixedString<256>
        public var name: FixedString<64>
        public var strategy: FixedString<32>
        public var agent: FixedString<16>
        public var seed: Int64
        public var status: FixedString<16>
        public var step: Int64
        public var blocksDone: Int32
        public var evaluations: Int32
        public var curriculumHash: FixedString<16>

        public static let fields: [CompoundField<RunRow>] = [
            .init("index", \.index), .init("id", \.id), .init("path", \.path), .init("name", \.name),
            .init("strategy", \.strategy), .init("agent", \.agent), .init("seed", \.seed), .init("status", \.status),
            .init("step", \.step), .init("blocks_done", \.blocksDone), .init("evaluations", \.evaluations),
            .init("curriculum_hash", \.curriculumHash),
        ]
    }

    /// Writes the merged file atomically (a temporary file renamed into place); an existing file is replaced
    /// only with `overwrite`.
    /// - Returns: whether the evaluation datasets were stacked.
    @discardableResult
    public static func write(_ runs: [RunAnalysis], to path: String, overwrite: Bool = false) throws -> Bool {
        guard !runs.isEmpty else { throw AnalysisError("no runs to merge; name at least one run directory.") }
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            throw AnalysisError("\(path) already exists; pass --force to replace it or choose another --out.")
        }
        let base = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        let relative = runs.map { relativePath($0.directory, from: base) }
        for (run, path) in zip(runs, relative) where path.utf8.count > 255 || run.id.utf8.count > 64 {
            throw AnalysisError("\(run.directory): its path or id is too long for the merge table (255 / 64 bytes).")
        }
        let first = runs[0].contents
        let stackable = runs.allSatisfy {
            $0.contents.evaluatedTasks.count == first.evaluatedTasks.count
                && $0.contents.episodesPerEvaluation == first.episodesPerEvaluation
        }
        let file = try File.createAtomically(path, overwrite: overwrite, format: .latest) { file in
            try file.setAttribute("schema", "lifelong.sweep")
            try file.setAttribute("schema_version", Int64(1))
            try file.setAttribute("runs", Int64(runs.count))
            let rows = zip(runs, relative).enumerated().map { index, pair in
                let (run, path) = pair
                return RunRow(
                    index: Int32(index), id: FixedString(run.id), path: FixedString(path), name: FixedString(run.name),
                    strategy: FixedString(run.strategy), agent: FixedString(run.agent), seed: run.seed,
                    status: FixedString(run.status), step: Int64(run.step),
                    blocksDone: Int32(run.contents.afterBlock.count),
                    evaluations: Int32(run.contents.evaluationSteps.count),
                    curriculumHash: FixedString(configurationHash(run.contents.attributes["curriculum"] ?? run.name)))
            }
            try file.createDataset("runs", of: RunRow.self, shape: [rows.count]).write(rows)
            for (run, path) in zip(runs, relative) {
                try file.createExternalLink("logs/" + run.id, file: path + "/log.h5", object: "/")
            }
            guard stackable else {
                try file.setAttribute(
                    "stacked",
                    "not made: the runs evaluate different numbers of tasks or episodes; read each run under /logs")
                return
            }
            try file.setAttribute("stacked", "/stacked/eval: one row per run of /runs, NaN (steps: -1) past its rows")
            let tasks = first.evaluatedTasks.count
            let episodes = first.episodesPerEvaluation
            let blocks = runs.map { $0.contents.afterBlock.count }
            let evaluations = runs.map(\.contents.completeEvaluations)
            func sources(_ dataset: String, rows: [Int], rest: [Int]) -> [VirtualSource] {
                zip(relative, rows).enumerated().map { index, pair in
                    VirtualSource(file: pair.0 + "/log.h5", dataset: dataset, shape: [pair.1] + rest, index: index)
                }
            }
            try file.createVirtualDataset(
                "stacked/eval/after_block", of: Double.self, shape: [runs.count, blocks.max() ?? 0, tasks],
                fill: .nan, sources: sources("/eval/after_block", rows: blocks, rest: [tasks]))
            try file.createVirtualDataset(
                "stacked/eval/returns", of: Double.self,
                shape: [runs.count, evaluations.max() ?? 0, tasks, episodes], fill: .nan,
                sources: sources("/eval/returns", rows: evaluations, rest: [tasks, episodes]))
            try file.createVirtualDataset(
                "stacked/eval/steps", of: Int64.self, shape: [runs.count, evaluations.max() ?? 0], fill: -1,
                sources: sources("/eval/steps", rows: evaluations, rest: []))
        }
        try file.close()
        return stackable
    }

    /// The fingerprint of a run's configuration: its curriculum without the agent seed and the output directory
    /// (compact, members in order), so the seeds of one configuration share it however the seed was given.
    static func configurationHash(_ curriculum: String) -> String {
        guard let node = try? JSONNode.parse(curriculum) else { return Fingerprint.fnv1a(curriculum) }
        return Fingerprint.fnv1a(node.removing(["seeds", "agent"]).removing(["output"]).jsonText(compact: true))
    }
}
