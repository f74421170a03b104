import Foundation
import HDF5

/// `lifelong export notebook`: a ready Jupyter notebook over given runs (run directories or merged sweep files)
/// that plots them with `notebooks-export/lifelong_analysis.py` — learning curves with task boundaries shaded,
/// the performance matrix, forgetting and transfer, aggregates across seeds with confidence intervals, world-model
/// error and memory retention.
///
/// Paths inside the notebook are relative to the notebook's directory, so the notebook, the runs and the analysis
/// module can move together.
///
/// ```swift
/// try NotebookExport.write(inputs: ["runs/seed-1", "runs/seed-2"], to: "notebooks-export/seeds.ipynb",
///                          moduleDirectory: "notebooks-export")
/// ```
public enum NotebookExport {
    /// The file the notebooks import, found in `moduleDirectory`.
    public static let moduleFile = "lifelong_analysis.py"

    /// Checks the inputs (each a run directory with a `log.h5` or a merged sweep file) and writes the notebook
    /// atomically. An existing notebook is replaced only with `overwrite`.
    public static func write(
        inputs: [String], to path: String, moduleDirectory: String, reference: String? = nil, overwrite: Bool = false
    ) throws {
        guard !inputs.isEmpty else { throw AnalysisError("no runs given; name run directories or merged sweep files.") }
        guard FileManager.default.fileExists(atPath: moduleDirectory + "/" + moduleFile) else {
            throw AnalysisError("\(moduleDirectory) holds no \(moduleFile); point --module at notebooks-export/.")
        }
        guard path.hasSuffix(".ipynb") else { throw AnalysisError("--out \(path): a notebook's name ends in .ipynb.") }
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            throw AnalysisError("\(path) already exists; pass --force to replace it or choose another --out.")
        }
        for input in inputs { try checkInput(input) }
        let base = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        let runs = inputs.map { relativePath($0, from: base) }
        let module = relativePath(moduleDirectory, from: base)
        let notebook = document(runs: runs, module: module, reference: reference.map { relativePath($0, from: base) })
        let data = try JSONSerialization.data(
            withJSONObject: notebook, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try DurableFile.replace(path, with: data)
    }

    static func checkInput(_ input: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
            throw AnalysisError("\(input): no such run directory or sweep file.")
        }
        if isDirectory.boolValue {
            guard FileManager.default.fileExists(atPath: input + "/log.h5") else {
                throw AnalysisError("\(input) holds no run log (no log.h5); give directories made by `lifelong run`.")
            }
            return
        }
        let schema = try? File.open(input, mode: .readOnly).attribute("schema", as: String.self)
        guard schema == "lifelong.sweep" else {
            throw AnalysisError("\(input) is not a merged sweep file (`lifelong merge`) nor a run directory.")
        }
    }

    static func document(runs: [String], module: String, reference: String?) -> [String: Any] {
        let list = runs.map { "    \(pythonString($0))," }.joined(separator: "\n")
        let cells: [(String, String)] = [
            (
                "markdown",
                """
                # Lifelong runs

                Written by `lifelong export notebook`. Edit `RUNS` to add runs (run directories or merged sweep \
                files from `lifelong merge`); paths are relative to this notebook. Metric definitions: \
                docs/curriculum.md ("Metrics"); the reader: `\(module)/\(moduleFile)`.
                """
            ),
            (
                "code",
                """
                %matplotlib inline
                import sys
                sys.path.insert(0, \(pythonString(module)))
                import matplotlib.pyplot as plt
                import lifelong_analysis as la

                RUNS = [
                \(list)
                ]
                REFERENCE = \(reference.map(pythonString) ?? "None")  # `lifelong reference` runs, for forward transfer
                runs = la.load(RUNS)
                curricula, groups = {}, {}  # runs by curriculum; by curriculum and strategy
                for run in runs:
                    curricula.setdefault(run.name, []).append(run)
                    groups.setdefault(f"{run.name} · {run.strategy}", []).append(run)
                la.summary(runs)
                """
            ),
            (
                "markdown",
                "## Learning curves\nPer curriculum and strategy: mean evaluation return per task (band: min–max across runs); blocks shaded and labelled by the task they train."
            ),
            (
                "code",
                perGroup(
                    "la.plot_learning_curves(group, ax=ax)", size: "9, 3.5", title: #"f"{name} ({len(group)} runs)""#)
            ),
            (
                "markdown",
                "## Performance matrix\nR[block, task]: each task's mean evaluation return at the end of each block, averaged over a strategy's runs."
            ),
            ("code", perGroup("la.plot_performance_matrix(group, ax=ax)", size: "7, 4", title: "name")),
            (
                "markdown",
                "## Forgetting and transfer\nForgetting per task (mean, whiskers min–max over runs); forward transfer when `REFERENCE` names reference runs."
            ),
            (
                "code",
                perGroup(
                    "la.plot_forgetting_transfer(group, reference=REFERENCE, ax=ax)", size: "7, 3.5",
                    title: #"name + " — " + ax.get_title()"#)
            ),
            (
                "markdown",
                "## Across seeds\nPer curriculum, each strategy's interquartile mean over runs × tasks with 95% stratified-bootstrap confidence intervals (rliable's estimators)."
            ),
            (
                "code",
                perGroup(
                    #"la.plot_aggregate(group, by="strategy", score="final_return", ax=ax)"#, size: "7, 2.5",
                    title: "name", over: "curricula",
                    first: #"display(la.aggregate(group, by="strategy", score="final_return"))"#)
            ),
            (
                "markdown",
                "## World-model error\nPrediction error on each task's held-out data over time (`worldmodel/*` metrics)."
            ),
            ("code", figure("la.plot_world_model_error(runs, ax=ax)")),
            (
                "markdown",
                "## Memory retention\nEpisodic-memory entries surviving and value error per task (`memory/*` metrics)."
            ),
            ("code", figure("la.plot_memory_retention(runs, ax=ax)")),
        ]
        return [
            "cells": cells.enumerated().map { index, cell in
                var object: [String: Any] = [
                    "cell_type": cell.0, "id": "cell-\(index)", "metadata": [String: Any](),
                    "source": sourceLines(cell.1),
                ]
                if cell.0 == "code" {
                    object["execution_count"] = NSNull()
                    object["outputs"] = [Any]()
                }
                return object
            },
            "metadata": [
                "kernelspec": ["display_name": "Python 3", "language": "python", "name": "python3"],
                "language_info": ["name": "python"],
            ],
            "nbformat": 4, "nbformat_minor": 5,
        ]
    }

    /// A cell drawing one figure per group of runs (`groups`: per curriculum and strategy; `curricula`).
    static func perGroup(
        _ plot: String, size: String, title: String, over: String = "groups", first: String? = nil
    ) -> String {
        (["for name, group in \(over).items():"] + (first.map { ["    " + $0] } ?? [])
            + ["    " + figure(plot, size: size, title: title).replacingOccurrences(of: "\n", with: "\n    ")])
            .joined(separator: "\n")
    }

    /// A cell drawing one figure of all runs.
    static func figure(_ plot: String, size: String = "9, 3.5", title: String? = nil) -> String {
        let lines = ["fig, ax = plt.subplots(figsize=(\(size)), layout=\"constrained\")", plot]
        return (lines + (title.map { ["ax.set_title(\($0), loc=\"left\")"] } ?? []) + ["plt.show()"])
            .joined(separator: "\n")
    }

    /// nbformat stores a cell's source as lines that keep their newline.
    static func sourceLines(_ text: String) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return lines.enumerated().map { $0 < lines.count - 1 ? $1 + "\n" : $1 }
    }

    /// A Python string literal for a path.
    static func pythonString(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
