import HDF5

/// The evaluation datasets of a run log — what a resumed run must reproduce bit for bit.
public struct RecordedEvaluations: Equatable, Sendable {
    public var afterBlock: [Double]
    public var returns: [Double]
    public var steps: [Int64]
    public var blocks: [Int32]

    /// Reads `RUN_DIR/log.h5` (SWMR, so also while a run writes it).
    public init(runDirectory directory: String) throws {
        let file = try File.open(directory + "/log.h5", mode: .readSWMR)
        afterBlock = try file.openDataset("eval/after_block", as: Double.self).readAll()
        returns = try file.openDataset("eval/returns", as: Double.self).readAll()
        steps = try file.openDataset("eval/steps", as: Int64.self).readAll()
        blocks = try file.openDataset("eval/block", as: Int32.self).readAll()
    }
}
