import Foundation
import RunLog

/// What CLI tests do with curricula again and again: write one, read a run's metric rows, stop a run with SIGTERM and
/// resume it.
public enum CurriculumRuns {
    /// Writes `text` as `name` in `directory` and returns its path.
    public static func write(_ text: String, in directory: TemporaryDirectory, name: String) throws -> String {
        let path = directory.file(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The `/metrics` rows of `run` whose key starts with `prefix`, each as "step task key value".
    public static func metricRows(_ run: String, prefix: String) throws -> [String] {
        try RunLogContents.read(directory: run).metrics.filter { $0.key.string.hasPrefix(prefix) }.map {
            "\($0.step) \($0.task) \($0.key.string) \($0.value)"
        }
    }

    /// Runs `curriculum` into `out` with `lifelong`, sends SIGTERM once a line containing `afterLine` appears, then
    /// resumes the run: the stopped run's transcript and the resume's result.
    public static func stopAndResume(
        _ lifelong: String, curriculum: String, out: String, afterLine: String
    ) throws -> (stopped: String, resumed: ProcessResult) {
        let stopped = try ProcessRunner.runAndKill(
            lifelong, ["run", curriculum, "--out", out], afterMicroseconds: 0, afterLine: afterLine, signal: SIGTERM)
        return (stopped, try ProcessRunner.run(lifelong, ["resume", out]))
    }

    /// A small DQN for the tiny maze (`TestCurricula.tinyMaze`), as the agent object's JSON without its closing
    /// brace, so a test can add keys (`episodic_memory`, `world_model`) before closing it.
    public static let tinyDQNOpen = """
        {"policy": "dqn", "hyperparameters": {"learningRate": 0.001, "gamma": 0.9, "batchSize": 16,
            "learningStarts": 100, "trainFrequency": 1, "targetUpdateInterval": 100, "hiddenLayers": [16]},
            "replay": {"capacity": 1000}
        """
}
