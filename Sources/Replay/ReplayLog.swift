import Foundation
import HDF5

/// The durable copy: `steps.h5`, one appendable dataset per column holding every transition ever inserted, in
/// stream order, under the commit protocol and in SWMR mode so h5py can read it live. Rows are buffered in RAM
/// and appended in batches.
final class ReplayLog {
    static let columns = [
        "observation", "next_observation", "action", "reward", "terminated", "truncated", "is_first", "is_last",
        "task", "episode", "step", "position",
    ]

    let file: File
    let path: String
    static let fileName = "steps.h5"
    let schema: ReplaySchema
    let observation: ObservationColumn
    let nextObservation: ObservationColumn
    let action: Dataset<Float>
    let reward: Dataset<Float>
    let terminated: Dataset<Bool>
    let truncated: Dataset<Bool>
    let isFirst: Dataset<Bool>
    let isLast: Dataset<Bool>
    let task: Dataset<Int32>
    let episode: Dataset<Int64>
    let step: Dataset<Int32>
    /// Each row's stream position: equal to its row number until a compaction drops evicted rows.
    let position: Dataset<Int64>
    let extras: [(name: String, dataset: Dataset<Float>)]
    /// Rows inserted but not yet appended.
    /// Rows recorded but not yet appended, column by column (appended as one batch per dataset).
    private var pending = PendingRows()
    static let batchRows = 4096

    /// Creates `steps.h5` in `directory` atomically, with its configuration as the root attribute `config`.
    static func create(directory: String, configuration: ReplayConfiguration, fileName: String = "steps.h5") throws
        -> ReplayLog
    {
        let path = directory + "/" + fileName
        let schema = configuration.schema
        let json = String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
        let file = try File.createAtomically(path) { file in
            try file.setAttribute("schema", "lifelong.replay")
            try file.setAttribute("schema_version", Int64(1))
            try file.setAttribute("config", json)
            let rowBytes = schema.observationType.size * schema.observationSize
            // About 256 KiB per chunk (at least 16 rows), whether a row is 16 bytes or an 84×84 frame.
            let wide = DatasetOptions(chunkRows: max(16, 262_144 / rowBytes))
            let narrow = DatasetOptions(chunkRows: 65_536)
            for name in ["steps/observation", "steps/next_observation"] {
                switch schema.observationType {
                case .float32:
                    _ = try file.createAppendableDataset(
                        name, of: Float.self, rowShape: [schema.observationSize], options: wide)
                case .uint8:
                    _ = try file.createAppendableDataset(
                        name, of: UInt8.self, rowShape: [schema.observationSize], options: wide)
                }
            }
            _ = try file.createAppendableDataset(
                "steps/action", of: Float.self, rowShape: [schema.actionSize], options: narrow)
            _ = try file.createAppendableDataset("steps/reward", of: Float.self, options: narrow)
            for name in ["terminated", "truncated", "is_first", "is_last"] {
                _ = try file.createAppendableDataset("steps/\(name)", of: Bool.self, options: narrow)
            }
            _ = try file.createAppendableDataset("steps/task", of: Int32.self, options: narrow)
            _ = try file.createAppendableDataset("steps/episode", of: Int64.self, options: narrow)
            _ = try file.createAppendableDataset("steps/step", of: Int32.self, options: narrow)
            _ = try file.createAppendableDataset("steps/position", of: Int64.self, options: narrow)
            for (name, _, width) in schema.extraLayout {
                _ = try file.createAppendableDataset(
                    "steps/extras/\(name)", of: Float.self, rowShape: [width], options: narrow)
            }
            try file.trackCommits(
                of: columns.map { "steps/\($0)" } + schema.extraLayout.map { "steps/extras/\($0.name)" })
        }
        let log = try ReplayLog(file: file, path: path, schema: schema)
        try file.startSWMRWrite()
        return log
    }

    /// Opens an existing `steps.h5` for appending after recovering it, and cuts it to `rows` committed rows.
    static func reopen(directory: String, schema: ReplaySchema, rows: Int64) throws -> ReplayLog {
        let path = directory + "/steps.h5"
        let file = try File.recover(path)
        let log = try ReplayLog(file: file, path: path, schema: schema)
        try log.truncate(to: rows)  // before SWMR, where extents may only grow
        try file.startSWMRWrite()
        return log
    }

    private init(file: File, path: String, schema: ReplaySchema) throws {
        self.file = file
        self.path = path
        self.schema = schema
        observation = try ObservationColumn(file: file, path: "steps/observation", schema: schema)
        nextObservation = try ObservationColumn(file: file, path: "steps/next_observation", schema: schema)
        action = try file.openDataset("steps/action", as: Float.self)
        reward = try file.openDataset("steps/reward", as: Float.self)
        terminated = try file.openDataset("steps/terminated", as: Bool.self)
        truncated = try file.openDataset("steps/truncated", as: Bool.self)
        isFirst = try file.openDataset("steps/is_first", as: Bool.self)
        isLast = try file.openDataset("steps/is_last", as: Bool.self)
        task = try file.openDataset("steps/task", as: Int32.self)
        episode = try file.openDataset("steps/episode", as: Int64.self)
        step = try file.openDataset("steps/step", as: Int32.self)
        position = try file.openDataset("steps/position", as: Int64.self)
        extras = try schema.extraLayout.map {
            ($0.name, try file.openDataset("steps/extras/\($0.name)", as: Float.self))
        }
    }

    var appendedRows: Int { reward.rowCount }

    func record(_ transition: Transition, position: Int64) throws {
        pending.position.append(position)
        pending.observation += transition.observation
        pending.nextObservation += transition.nextObservation
        pending.action += transition.action
        pending.reward.append(transition.reward)
        pending.terminated.append(transition.terminated)
        pending.truncated.append(transition.truncated)
        pending.isFirst.append(transition.isFirst)
        pending.isLast.append(transition.isLast)
        pending.task.append(transition.task)
        pending.episode.append(transition.episode)
        pending.step.append(transition.step)
        for (name, _, width) in schema.extraLayout {
            pending.extras[name, default: []] += transition.extras[name] ?? [Float](repeating: 0, count: width)
        }
        if pending.reward.count >= Self.batchRows { try appendPending() }
    }

    /// Appends every buffered row (not yet committed).
    func appendPending() throws {
        guard !pending.reward.isEmpty else { return }
        try observation.append(pending.observation)
        try nextObservation.append(pending.nextObservation)
        try action.append(contentsOf: pending.action)
        try reward.append(contentsOf: pending.reward)
        try terminated.append(contentsOf: pending.terminated)
        try truncated.append(contentsOf: pending.truncated)
        try isFirst.append(contentsOf: pending.isFirst)
        try isLast.append(contentsOf: pending.isLast)
        try task.append(contentsOf: pending.task)
        try episode.append(contentsOf: pending.episode)
        try step.append(contentsOf: pending.step)
        try position.append(contentsOf: pending.position)
        for (name, dataset) in extras { try dataset.append(contentsOf: pending.extras[name] ?? []) }
        pending.removeAll()
    }

    /// Appends what is buffered and makes it durable (the log's own commit record).
    func commit() throws {
        try appendPending()
        try file.commit()
    }

    /// Cuts every column back to the rows whose stream position is below `positions` (the store's last commit).
    /// Missing committed rows show up when the slots are read back (`transitions(atPositions:)`).
    private func truncate(to positions: Int64) throws {
        let stored = try position.readAll()
        let keep = Self.firstIndex(notBelow: positions, in: stored)
        guard keep < stored.count else { return }
        let count = keep
        try observation.resize(rows: count)
        try nextObservation.resize(rows: count)
        for dataset in [action, reward] { try dataset.resize(rows: count) }
        for dataset in [terminated, truncated, isFirst, isLast] { try dataset.resize(rows: count) }
        for dataset in [task, step] { try dataset.resize(rows: count) }
        for dataset in [episode, position] { try dataset.resize(rows: count) }
        for (_, dataset) in extras { try dataset.resize(rows: count) }
        try file.commit()
    }

    /// The number of leading values of the ascending `values` that are below `bound`.
    static func firstIndex(notBelow bound: Int64, in values: [Int64]) -> Int {
        var low = 0
        var high = values.count
        while low < high {
            let middle = (low + high) / 2
            if values[middle] < bound { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Reads the transitions at the given stream positions (any order; each must be in the log).
    func transitions(atPositions positions: [Int64]) throws -> [Transition] {
        let stored = try position.readAll()
        let rows = try positions.map { wanted -> Int64 in
            let row = Self.firstIndex(notBelow: wanted, in: stored)
            guard row < stored.count, stored[row] == wanted else {
                throw ReplayError("\(path): stream position \(wanted) is not in the step log")
            }
            return Int64(row)
        }
        return try transitions(at: rows)
    }

    /// Reads the transitions at log rows `rows` (any order).
    func transitions(at rows: [Int64]) throws -> [Transition] {
        let indices = rows.map { Int($0) }
        let size = schema.observationSize
        let actionSize = schema.actionSize
        let observations = try observation.read(rowIndices: indices)
        let nextObservations = try nextObservation.read(rowIndices: indices)
        let actions = try action.read(rowIndices: indices)
        let rewards = try reward.read(rowIndices: indices)
        let terminals = try terminated.read(rowIndices: indices)
        let truncations = try truncated.read(rowIndices: indices)
        let tasks = try task.read(rowIndices: indices)
        let episodes = try episode.read(rowIndices: indices)
        let steps = try step.read(rowIndices: indices)
        let extraValues = try extras.map { ($0.name, try $0.dataset.read(rowIndices: indices)) }
        return indices.indices.map { i in
            var values: [String: [Float]] = [:]
            for (name, column) in extraValues {
                let width = schema.extraColumns[name]!
                values[name] = Array(column[(i * width)..<((i + 1) * width)])
            }
            return Transition(
                observation: Array(observations[(i * size)..<((i + 1) * size)]),
                action: Array(actions[(i * actionSize)..<((i + 1) * actionSize)]), reward: rewards[i],
                nextObservation: Array(nextObservations[(i * size)..<((i + 1) * size)]), terminated: terminals[i],
                truncated: truncations[i], task: tasks[i], episode: episodes[i], step: steps[i], extras: values)
        }
    }
}

/// An observation dataset of the log, in the schema's stored type, exchanging Float32 values.
enum ObservationColumn {
    case float32(Dataset<Float>)
    case uint8(Dataset<UInt8>)

    init(file: File, path: String, schema: ReplaySchema) throws {
        switch schema.observationType {
        case .float32: self = .float32(try file.openDataset(path, as: Float.self))
        case .uint8: self = .uint8(try file.openDataset(path, as: UInt8.self))
        }
    }

    func append(_ values: [Float]) throws {
        switch self {
        case .float32(let dataset): try dataset.append(contentsOf: values)
        case .uint8(let dataset): try dataset.append(contentsOf: ReplaySchema.bytes(values))
        }
    }

    func read(rowIndices: [Int]) throws -> [Float] {
        switch self {
        case .float32(let dataset): return try dataset.read(rowIndices: rowIndices)
        case .uint8(let dataset): return try dataset.read(rowIndices: rowIndices).map(Float.init)
        }
    }

    func resize(rows: Int) throws {
        switch self {
        case .float32(let dataset): try dataset.resize(rows: rows)
        case .uint8(let dataset): try dataset.resize(rows: rows)
        }
    }
}

/// The log's buffered rows, one array per column; cleared keeping capacity, so buffering allocates nothing
/// once the first batch has been seen.
struct PendingRows {
    var observation: [Float] = []
    var nextObservation: [Float] = []
    var action: [Float] = []
    var reward: [Float] = []
    var terminated: [Bool] = []
    var truncated: [Bool] = []
    var isFirst: [Bool] = []
    var isLast: [Bool] = []
    var task: [Int32] = []
    var episode: [Int64] = []
    var step: [Int32] = []
    var position: [Int64] = []
    var extras: [String: [Float]] = [:]

    mutating func removeAll() {
        observation.removeAll(keepingCapacity: true)
        nextObservation.removeAll(keepingCapacity: true)
        action.removeAll(keepingCapacity: true)
        reward.removeAll(keepingCapacity: true)
        terminated.removeAll(keepingCapacity: true)
        truncated.removeAll(keepingCapacity: true)
        isFirst.removeAll(keepingCapacity: true)
        isLast.removeAll(keepingCapacity: true)
        task.removeAll(keepingCapacity: true)
        episode.removeAll(keepingCapacity: true)
        step.removeAll(keepingCapacity: true)
        position.removeAll(keepingCapacity: true)
        for name in extras.keys { extras[name]?.removeAll(keepingCapacity: true) }
    }
}
