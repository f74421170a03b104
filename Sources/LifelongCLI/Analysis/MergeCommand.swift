import Analysis
import ArgumentParser
import Foundation

/// `lifelong merge RUN_DIR... --out FILE.h5`: one HDF5 file of links and virtual datasets over many run logs.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge run logs into one HDF5 file of external links and virtual datasets, without copying.",
        discussion: """
            The merged file holds /runs (one row per run: id, relative path, name, strategy, seed, status, …),
            /logs/<id> (external links to each log.h5) and /stacked/eval/{after_block,returns,steps} (virtual
            datasets, one row per run). Paths are relative: keep the file beside or above the runs and move them
            together. h5py ≥ 3 and pandas read it; so does notebooks-export/lifelong_analysis.py (la.load). Example:
              lifelong merge runs/sweep/*/ --out runs/sweep/sweep.h5
            """
    )

    @Argument(help: "Run directories.")
    var directories: [String]

    @Option(help: "The merged HDF5 file to write.")
    var out: String

    @Flag(help: "Replace an existing merged file.")
    var force = false

    func run() throws {
        let runs = try withInputErrors { try RunAnalysis.load(directories) }
        let stacked = try withInputErrors { try SweepMerge.write(runs, to: out, overwrite: force) }
        let unfinished = runs.filter { $0.status != "finished" }
        print(
            "wrote \(out): \(runs.count) runs linked\(stacked ? ", evaluations stacked" : " (evaluations not stacked: the runs evaluate different task or episode counts)")"
        )
        if !unfinished.isEmpty {
            print(
                "note: not finished (merged as of their last commit): "
                    + unfinished.map { "\($0.id) (\($0.status))" }.joined(separator: ", "))
        }
    }
}
