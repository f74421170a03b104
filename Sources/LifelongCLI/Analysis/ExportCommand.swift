import Analysis
import ArgumentParser
import Foundation
import Replay

/// `lifelong export notebook|csv|minari`: a run's data in the form another tool wants.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export runs as a Jupyter notebook, tidy CSV files, or a Minari dataset.",
        subcommands: [NotebookExportCommand.self, CSVExportCommand.self, MinariExportCommand.self]
    )
}

struct NotebookExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notebook",
        abstract: "Write a ready Jupyter notebook that plots the given runs (run directories or merged sweep files).",
        discussion: """
            The notebook imports notebooks-export/lifelong_analysis.py (h5py, pandas, matplotlib) and plots learning
            curves, the performance matrix, forgetting and transfer, IQM across seeds with confidence intervals,
            world-model error and memory retention. Paths in it are relative to the notebook. Example:
              lifelong export notebook runs/quickstart        (writes notebooks-export/quickstart.ipynb)
              jupyter nbconvert --to notebook --execute notebooks-export/quickstart.ipynb
            """
    )

    @Argument(help: "Run directories or merged sweep files (`lifelong merge`).")
    var inputs: [String]

    @Option(help: "The notebook to write (default: notebooks-export/<first run>.ipynb in the Lifelong checkout).")
    var out: String?

    @Option(help: "The directory holding lifelong_analysis.py (default: the checkout's notebooks-export).")
    var module: String?

    @Option(help: "A directory of `lifelong reference` runs, for forward transfer.")
    var reference: String?

    @Flag(help: "Replace an existing notebook.")
    var force = false

    func run() throws {
        guard
            let moduleDirectory = module
                ?? checkoutDirectory(holding: "notebooks-export/" + NotebookExport.moduleFile)
                .map({ $0 + "/notebooks-export" })
        else {
            printError(
                "error: cannot find notebooks-export/\(NotebookExport.moduleFile) above this directory or the "
                    + "lifelong executable; run from the Lifelong checkout or pass --module DIR.")
            throw ExitCode(2)
        }
        let name = URL(fileURLWithPath: inputs.first ?? "runs").standardizedFileURL.deletingPathExtension()
            .lastPathComponent
        let path = out ?? moduleDirectory + "/" + name + ".ipynb"
        try withInputErrors {
            try NotebookExport.write(
                inputs: inputs, to: path, moduleDirectory: moduleDirectory, reference: reference, overwrite: force)
        }
        print("wrote \(path); run it with: jupyter nbconvert --to notebook --execute \(path)")
    }
}

struct CSVExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csv",
        abstract: "Write a run's metrics, evaluations, performance matrix, blocks and tasks as tidy CSV files.",
        discussion: """
            Files: metrics.csv (step, wall_time, task, task_name, key, value), evaluations.csv (one row per
            evaluation episode), performance_matrix.csv (block, trained, one column per task), blocks.csv, tasks.csv.
            Example:
              lifelong export csv runs/quickstart     (writes runs/quickstart/csv/*.csv)
            """
    )

    @Argument(help: "The run directory.")
    var directory: String

    @Option(help: "The directory to write (default: RUN_DIR/csv).")
    var out: String?

    func run() throws {
        let run = try withInputErrors { try RunAnalysis(directory: directory) }
        let files = try CSVExport.write(run, to: out ?? directory + "/csv")
        print("wrote " + files.joined(separator: ", "))
    }
}

struct MinariExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minari",
        abstract: "Write one task's complete episodes from a run's replay log as a Minari dataset.",
        discussion: """
            Reads the run's persisted step log (replay/), so every complete episode of the task is exported, also
            those the store evicted. Load it with MINARI_DATASETS_PATH=ROOT and minari.load_dataset(ID). Example:
              lifelong export minari runs/quickstart --task goal-left
            """
    )

    @Argument(help: "The run directory.")
    var directory: String

    @Option(help: "The task, by name or index.")
    var task: String

    @Option(help: "The Minari datasets root (default: RUN_DIR/minari).")
    var out: String?

    @Option(help: "The dataset id, namespace/name-vN (default: lifelong/<run>-<task>-v0).")
    var id: String?

    func run() throws {
        let run = try withInputErrors { try RunAnalysis(directory: directory) }
        let names = run.contents.tasks.map { $0.name.string }
        guard let index = names.firstIndex(of: task) ?? Int(task).flatMap({ names.indices.contains($0) ? $0 : nil })
        else {
            printError(
                "error: --task \(task): no such task in \(directory); its tasks: \(names.joined(separator: ", ")).")
            throw ExitCode(2)
        }
        let datasetID = id ?? "lifelong/\(slug(run.id))-\(slug(names[index]))-v0"
        guard datasetID.wholeMatch(of: /[A-Za-z0-9_\-]+\/[A-Za-z0-9_\-]+-v[0-9]+/) != nil else {
            printError("error: --id \(datasetID): Minari ids look like namespace/name-v0 (letters, digits, - and _).")
            throw ExitCode(2)
        }
        guard FileManager.default.fileExists(atPath: directory + "/replay/steps.h5") else {
            printError("error: \(directory)/replay holds no replay log; only `lifelong run` runs keep one.")
            throw ExitCode(2)
        }
        let store = try ReplayStore.open(directory + "/replay")
        let root = out ?? directory + "/minari"
        let episodes: Int
        do {
            episodes = try store.exportMinari(task: Int32(index), root: root, id: datasetID)
        } catch let error as ReplayError {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        print(
            "wrote \(episodes) episodes of \(names[index]) to \(root)/\(datasetID); load with "
                + "MINARI_DATASETS_PATH=\(root) and minari.load_dataset(\"\(datasetID)\")")
    }

    func slug(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
    }
}
