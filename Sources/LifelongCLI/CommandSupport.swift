import Analysis
import ArgumentParser
import Continual
import Foundation
import Sweeps

/// Runs a step whose input errors (bad run directories, sweep files, curricula, sweep directories) print their
/// message and exit with status 2; other errors propagate (status 1).
func withInputErrors<Result>(_ body: () throws -> Result) throws -> Result {
    do {
        return try body()
    } catch let error as AnalysisError {
        printError("error: \(error)")
        throw ExitCode(2)
    } catch let error as SweepFailure {
        printError("error: \(error)")
        throw ExitCode(2)
    } catch let error as SweepError {
        printError("\(error)")
        throw ExitCode(2)
    } catch let error as CurriculumError {
        printError("\(error)")
        throw ExitCode(2)
    }
}

/// The directory that `name` (a path relative to the Lifelong checkout, e.g. `notebooks-export`) is in: found by
/// walking up from the current directory, then from the executable's (`.build/release/lifelong`).
func checkoutDirectory(holding name: String) -> String? {
    let starts = [
        FileManager.default.currentDirectoryPath,
        URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.deletingLastPathComponent().path,
    ]
    for start in starts {
        var url = URL(fileURLWithPath: start).standardizedFileURL
        while true {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path) { return url.path }
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { break }
            url = parent
        }
    }
    return nil
}
