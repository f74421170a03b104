import Foundation
import HDF5

/// Offline-RL exports of one task's experience, from the persisted step log (the whole stream, so episodes are
/// complete even where the store itself kept only some of their steps).
extension ReplayStore {
    /// Writes the complete episodes of `task` as a Minari dataset that `minari.load_dataset(id)` reads:
    /// `root/<id>/data/main_data.hdf5` (a group `episode_i` per episode with `observations` [T+1], `actions`,
    /// `rewards`, `terminations`, `truncations` [T]) and `metadata.json`. Set `MINARI_DATASETS_PATH` to `root`.
    ///
    /// - Parameters:
    ///   - id: Minari's `namespace/name-vN`, e.g. `lifelong/cartpole-heavy-v0`.
    ///   - actionCount: the number of discrete actions (default: one more than the largest action seen).
    /// - Returns: the number of episodes written. Episodes still running at the last commit are left out.
    @discardableResult
    public func exportMinari(task: Int32, root: String, id: String, actionCount: Int? = nil) throws -> Int {
        let episodes = try completeEpisodes(of: task)
        let directory = root + "/" + id + "/data"
        guard !FileManager.default.fileExists(atPath: directory + "/metadata.json") else {
            throw ReplayError("\(directory) already holds a Minari dataset; remove it or choose another id")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let discrete = schema.action == .discrete
        var largestAction = 0
        var totalSteps = 0
        try File.writeAtomically(directory + "/main_data.hdf5", overwrite: true, format: .earliest) { file in
            for (index, rows) in episodes.enumerated() {
                let group = try file.createGroup("episode_\(index)")
                try group.setAttribute("id", Int64(index))
                try group.setAttribute("total_steps", Int64(rows.count))
                let observations = rows.flatMap(\.observation) + (rows.last?.nextObservation ?? [])
                try writeObservations(observations, named: "observations", rows: rows.count + 1, in: group)
                if discrete {
                    let actions = rows.map { Int64($0.action[0]) }
                    largestAction = max(largestAction, Int(actions.max() ?? 0))
                    try group.createDataset("actions", of: Int64.self, shape: [rows.count]).write(actions)
                } else {
                    try group.createDataset("actions", of: Float.self, shape: [rows.count, schema.actionSize])
                        .write(rows.flatMap(\.action))
                }
                try group.createDataset("rewards", of: Double.self, shape: [rows.count]).write(
                    rows.map { Double($0.reward) })
                try group.createDataset("terminations", of: Bool.self, shape: [rows.count]).write(
                    rows.map(\.terminated))
                try group.createDataset("truncations", of: Bool.self, shape: [rows.count]).write(rows.map(\.truncated))
                totalSteps += rows.count
            }
        }
        let observationSpace: String
        if schema.observationType == .uint8 {
            observationSpace =
                #"{"type": "Box", "dtype": "uint8", "shape": [\#(schema.observationSize)], "low": ["#
                + [String](repeating: "0", count: schema.observationSize).joined(separator: ", ") + #"], "high": ["#
                + [String](repeating: "255", count: schema.observationSize).joined(separator: ", ") + "]}"
        } else {
            let unbounded = [String](repeating: "Infinity", count: schema.observationSize)
            observationSpace =
                #"{"type": "Box", "dtype": "float32", "shape": [\#(schema.observationSize)], "low": [-"#
                + unbounded.joined(separator: ", -") + #"], "high": ["# + unbounded.joined(separator: ", ") + "]}"
        }
        let actionSpace: String
        if discrete {
            actionSpace =
                #"{"type": "Discrete", "dtype": "int64", "start": 0, "n": \#(actionCount ?? largestAction + 1)}"#
        } else {
            let bound = [String](repeating: "Infinity", count: schema.actionSize)
            actionSpace =
                #"{"type": "Box", "dtype": "float32", "shape": [\#(schema.actionSize)], "low": [-"#
                + bound.joined(separator: ", -") + #"], "high": ["# + bound.joined(separator: ", ") + "]}"
        }
        // Python's json reads Infinity; the spaces are JSON strings inside the metadata, as Minari stores them.
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        let metadata = """
            {"dataset_id": \(quoted(id)), "minari_version": "0.5.3", "data_format": "hdf5", \
            "total_episodes": \(episodes.count), "total_steps": \(totalSteps), \
            "observation_space": \(quoted(observationSpace)), "action_space": \(quoted(actionSpace)), \
            "algorithm_name": "lifelong replay export", "requirements": []}
            """
        try DurableFile.replace(directory + "/metadata.json", with: Data(metadata.utf8))
        return episodes.count
    }

    /// Writes the complete episodes of `task` as one flat D4RL-style file: `observations`, `actions`, `rewards`,
    /// `next_observations`, `terminals`, `timeouts` [N, …], plus `infos/episode` and `infos/step`.
    @discardableResult
    public func exportD4RL(task: Int32, path: String) throws -> Int {
        let rows = try completeEpisodes(of: task).flatMap { $0 }
        try File.writeAtomically(path, format: .earliest) { file in
            let options = DatasetOptions(compression: .deflate(level: 4))
            try writeObservations(
                rows.flatMap(\.observation), named: "observations", rows: rows.count, in: file, options)
            try writeObservations(
                rows.flatMap(\.nextObservation), named: "next_observations", rows: rows.count, in: file, options)
            try file.createDataset("actions", of: Float.self, shape: [rows.count, schema.actionSize], options: options)
                .write(rows.flatMap(\.action))
            try file.createDataset("rewards", of: Float.self, shape: [rows.count], options: options).write(
                rows.map(\.reward))
            try file.createDataset("terminals", of: Bool.self, shape: [rows.count], options: options).write(
                rows.map(\.terminated))
            try file.createDataset("timeouts", of: Bool.self, shape: [rows.count], options: options).write(
                rows.map(\.truncated))
            try file.createDataset("infos/episode", of: Int64.self, shape: [rows.count], options: options).write(
                rows.map(\.episode))
            try file.createDataset("infos/step", of: Int32.self, shape: [rows.count], options: options).write(
                rows.map(\.step))
        }
        return rows.count
    }

    /// Writes observation values as a [rows, observation size] dataset of the schema's stored type.
    private func writeObservations(
        _ values: [Float], named name: String, rows: Int, in container: some Container,
        _ options: DatasetOptions = .init()
    ) throws {
        let shape = [rows, schema.observationSize]
        switch schema.observationType {
        case .float32:
            try container.createDataset(name, of: Float.self, shape: shape, options: options).write(values)
        case .uint8:
            try container.createDataset(name, of: UInt8.self, shape: shape, options: options)
                .write(schema.encode(values))
        }
    }

    /// The committed episodes of `task` that start at step 0 and end (terminated or truncated), in stream order.
    private func completeEpisodes(of task: Int32) throws -> [[Transition]] {
        guard let log = persistence?.log else {
            throw ReplayError("exports read the step log; create the store with ReplayStore.create and commit first")
        }
        try log.appendPending()
        let rows = log.appendedRows
        let tasks = try log.task.read(rows: 0..<rows)
        let selected = tasks.indices.filter { tasks[$0] == task }.map { Int64($0) }
        var episodes: [[Transition]] = []
        var open: [Int64: [Transition]] = [:]
        for transition in try log.transitions(at: selected) {
            if transition.isFirst { open[transition.episode] = [] }
            guard var steps = open[transition.episode], steps.count == Int(transition.step) else {
                open[transition.episode] = nil  // a fragment (its start came before a task switch or is missing)
                continue
            }
            steps.append(transition)
            if transition.isLast {
                episodes.append(steps)
                open[transition.episode] = nil
            } else {
                open[transition.episode] = steps
            }
        }
        return episodes
    }
}
