/// Continual-learning metrics, pure functions of the raw evaluation data in the log (docs/curriculum.md,
/// "Metrics"; definitions from the GEM / Continual World conventions).
///
/// With R = `/eval/after_block` (B blocks × T evaluated tasks) and bⱼ the last block before the final one that
/// trained task j:
/// - forgetting_j = R[bⱼ, j] − R[B−1, j] (positive = forgot); undefined when no block before the last trained j;
/// - average performance = meanⱼ R[B−1, j];
/// - backward transfer = −mean forgetting over the tasks with a forgetting value that the final block does not
///   train (Lopez-Paz & Ranzato's BWT);
/// - AUC_j = the mean evaluation return of task j over the evaluations made while the first block training j ran
///   (Continual World's area under the curve inside the task's window).
///
/// ```swift
/// let metrics = ContinualMetrics(afterBlock: [[10, 0], [2, 9]], trainedTasks: [[0], [1]])
/// metrics.forgetting           // [8, nil]
/// metrics.averagePerformance   // 5.5
/// metrics.backwardTransfer     // −8
/// ```
public struct ContinualMetrics: Sendable, Equatable, Codable {
    /// Per evaluated task; `nil` where undefined.
    public var forgetting: [Double?]
    /// R[bⱼ, j]: task j's mean return at the end of the last block before the final one that trained it.
    public var lastTrainedReturn: [Double?]
    /// R[B−1, j]: each task's mean return at the end.
    public var finalReturn: [Double]
    public var averagePerformance: Double?
    public var backwardTransfer: Double?
    /// Per evaluated task; `nil` when no evaluation fell inside the first block training it.
    public var areaUnderCurve: [Double?]

    /// - Parameters:
    ///   - afterBlock: R, one row per finished block, one column per evaluated task.
    ///   - trainedTasks: for each block, the columns (evaluated-task positions) it trained.
    ///   - evaluations: optional per-evaluation mean returns [evaluations][tasks] with the block each ran in,
    ///     for the AUC.
    public init(
        afterBlock: [[Double]], trainedTasks: [[Int]],
        evaluations: (means: [[Double]], blocks: [Int])? = nil
    ) {
        let columns = afterBlock.first?.count ?? 0
        let last = afterBlock.count - 1
        let trainedValue: [Double?] = (0..<columns).map { column in
            guard last >= 1,
                let trained = (0..<last).last(where: { trainedTasks[$0].contains(column) })
            else { return nil }
            return afterBlock[trained][column]
        }
        let forgetting = (0..<columns).map { column in trainedValue[column].map { $0 - afterBlock[last][column] } }
        self.forgetting = forgetting
        lastTrainedReturn = trainedValue
        finalReturn = last >= 0 ? afterBlock[last] : []
        averagePerformance = last >= 0 ? afterBlock[last].reduce(0, +) / Double(max(columns, 1)) : nil
        let finalTasks = last >= 0 ? trainedTasks[last] : []
        let counted = (0..<columns).compactMap { column in
            finalTasks.contains(column) ? nil : forgetting[column]
        }
        backwardTransfer = counted.isEmpty ? nil : -counted.reduce(0, +) / Double(counted.count)
        areaUnderCurve = (0..<columns).map { column in
            guard let evaluations else { return nil }
            guard let first = trainedTasks.firstIndex(where: { $0.contains(column) }) else { return nil }
            let inside = zip(evaluations.means, evaluations.blocks).filter { $0.1 == first }
            guard !inside.isEmpty else { return nil }
            return inside.map { $0.0[column] }.reduce(0, +) / Double(inside.count)
        }
    }

    /// The mean of the defined forgetting values.
    public var meanForgetting: Double? {
        let defined = forgetting.compactMap { $0 }
        return defined.isEmpty ? nil : defined.reduce(0, +) / Double(defined.count)
    }
}
