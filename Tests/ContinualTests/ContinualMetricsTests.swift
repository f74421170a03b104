import Continual
import Testing

/// The metrics against values computed by hand from the definitions in docs/curriculum.md.
@Suite struct ContinualMetricsTests {
    @Test func forgettingAveragePerformanceAndBackwardTransferMatchHandComputedValues() {
        // Blocks: A, B, A, C over tasks A, B, C (columns 0, 1, 2).
        let matrix: [[Double]] = [
            [90, 10, 5],
            [30, 80, 8],
            [85, 40, 6],
            [20, 15, 70],
        ]
        let metrics = ContinualMetrics(afterBlock: matrix, trainedTasks: [[0], [1], [0], [2]])
        // A: last trained before the final block in block 2 → 85 − 20; B: block 1 → 80 − 15; C: only in the last.
        #expect(metrics.forgetting[0] == 65)
        #expect(metrics.forgetting[1] == 65)
        #expect(metrics.forgetting[2] == nil)
        #expect(metrics.averagePerformance == 35)
        #expect(metrics.backwardTransfer == -65)
        #expect(metrics.meanForgetting == 65)
    }

    @Test func aTaskTrainedAgainInTheFinalBlockCountsInForgettingButNotInBackwardTransfer() {
        let matrix: [[Double]] = [[10, 0], [2, 9], [12, 3]]
        let metrics = ContinualMetrics(afterBlock: matrix, trainedTasks: [[0], [1], [0]])
        #expect(metrics.forgetting[0] == -2)  // 10 − 12: it came back
        #expect(metrics.forgetting[1] == 6)
        #expect(metrics.backwardTransfer == -6)
        #expect(metrics.averagePerformance == 7.5)
    }

    @Test func oneBlockHasNoForgettingAndTheAreaUnderTheCurveAveragesTheTrainingWindow() {
        let metrics = ContinualMetrics(
            afterBlock: [[4, 1]], trainedTasks: [[0]],
            evaluations: (means: [[0, 0], [2, 1], [4, 1]], blocks: [-1, 0, 0]))
        #expect(metrics.forgetting == [nil, nil])
        #expect(metrics.backwardTransfer == nil)
        #expect(metrics.areaUnderCurve[0] == 3)
        #expect(metrics.areaUnderCurve[1] == nil)
    }
}
