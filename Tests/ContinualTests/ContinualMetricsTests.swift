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

/// Forward transfer and normalised scores against reference curves, by hand.
@Suite struct TransferMetricsTests {
    @Test func forwardTransferNormalisesByTheUntrainedAgentAndTheReferenceLearner() {
        // Task 0: random 10, reference final 110 → p̃ = (p − 10)/100. AUC 60 → 0.5; reference AUC 50 → 0.4.
        // FT = (0.5 − 0.4)/(1 − 0.4) = 1/6. Task 1 has no reference.
        let transfer = TransferMetrics(
            areaUnderCurve: [60, 5], random: [10, 0], finalReturn: [90, 3],
            references: [ReferenceCurve(areaUnderCurve: 50, finalReturn: 110), nil])
        #expect(abs((transfer.forwardTransfer[0] ?? 0) - 1.0 / 6) < 1e-12)
        #expect(transfer.rawForwardTransfer[0] == 10)
        #expect(transfer.forwardTransfer[1] == nil && transfer.rawForwardTransfer[1] == nil)
        #expect(transfer.normalizedAveragePerformance == nil)  // task 1 cannot be normalised
        let both = TransferMetrics(
            areaUnderCurve: [60, 5], random: [10, 0], finalReturn: [90, 3],
            references: [
                ReferenceCurve(areaUnderCurve: 50, finalReturn: 110), ReferenceCurve(areaUnderCurve: 2, finalReturn: 4),
            ])
        #expect(both.normalizedAveragePerformance == (0.8 + 0.75) / 2)
    }
}
