public import HDF5

/// One row of `/metrics`: the long format, so new metric names need no new datasets.
public struct MetricRow: CompoundRow, Sendable {
    public var step: Int64
    public var wallTime: Double
    public var task: Int32
    public var key: FixedString<48>
    public var value: Double

    public static let fields: [CompoundField<MetricRow>] = [
        .init("step", \.step), .init("wall_time", \.wallTime), .init("task", \.task), .init("key", \.key),
        .init("value", \.value),
    ]
}

/// One row of `/tasks`: a task of the curriculum (its index is its id everywhere else in the log).
public struct TaskRow: CompoundRow, Sendable {
    public var index: Int32
    public var name: FixedString<64>
    public var environment: FixedString<32>
    /// The environment parameters as a JSON object.
    public var parameters: FixedString<256>

    public init(index: Int32, name: String, environment: String, parameters: String) {
        self.index = index
        self.name = FixedString(name)
        self.environment = FixedString(environment)
        self.parameters = FixedString(parameters)
    }

    public static let fields: [CompoundField<TaskRow>] = [
        .init("index", \.index), .init("name", \.name), .init("environment", \.environment),
        .init("parameters", \.parameters),
    ]
}

/// One row of `/schedule/blocks`: a block of the expanded schedule.
public struct BlockRow: CompoundRow, Sendable {
    public var index: Int32
    /// `task`, `interleave` or `drift`.
    public var kind: FixedString<16>
    /// The trained tasks' indices, comma-separated.
    public var tasks: FixedString<64>
    /// The step budget, or −1 when the block counts episodes.
    public var budgetSteps: Int64
    /// The episode budget, or −1 when the block counts steps.
    public var budgetEpisodes: Int64
    /// Where in the curriculum the block came from.
    public var origin: FixedString<96>

    public init(index: Int32, kind: String, tasks: [Int], budgetSteps: Int64, budgetEpisodes: Int64, origin: String) {
        self.index = index
        self.kind = FixedString(kind)
        self.tasks = FixedString(tasks.map(String.init).joined(separator: ","))
        self.budgetSteps = budgetSteps
        self.budgetEpisodes = budgetEpisodes
        self.origin = FixedString(origin)
    }

    public static let fields: [CompoundField<BlockRow>] = [
        .init("index", \.index), .init("kind", \.kind), .init("tasks", \.tasks),
        .init("budget_steps", \.budgetSteps), .init("budget_episodes", \.budgetEpisodes), .init("origin", \.origin),
    ]
}

/// One row of `/schedule/progress`: a finished block and the steps it spanned (for shading task boundaries).
public struct BlockProgressRow: CompoundRow, Sendable {
    public var block: Int32
    public var startStep: Int64
    public var endStep: Int64

    public static let fields: [CompoundField<BlockProgressRow>] = [
        .init("block", \.block), .init("start_step", \.startStep), .init("end_step", \.endStep),
    ]
}

/// One row of `/events`: run started, block started, task boundary, checkpoint, interrupted, resumed, finished.
public struct EventRow: CompoundRow, Sendable {
    public var step: Int64
    public var wallTime: Double
    public var kind: FixedString<24>
    public var detail: FixedString<200>

    public static let fields: [CompoundField<EventRow>] = [
        .init("step", \.step), .init("wall_time", \.wallTime), .init("kind", \.kind), .init("detail", \.detail),
    ]
}

/// One row of `/checkpoints`: a complete checkpoint (written only after its directory was renamed into place).
public struct CheckpointRow: CompoundRow, Sendable {
    public var step: Int64
    public var wallTime: Double
    /// Relative to the run directory.
    public var path: FixedString<128>

    public static let fields: [CompoundField<CheckpointRow>] = [
        .init("step", \.step), .init("wall_time", \.wallTime), .init("path", \.path),
    ]
}
