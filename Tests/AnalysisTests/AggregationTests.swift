import Testing

@testable import Analysis

@Suite("Aggregation across seeds")
struct AggregationTests {
    @Test func theInterquartileMeanDropsAQuarterFromEachEnd() {
        #expect(Aggregation.interquartileMean([1, 2, 3, 4, 5, 6, 7, 8]) == 4.5)  // mean of 3…6
        #expect(Aggregation.interquartileMean([10, -100, 0, 1000, 5]) == 5)  // ⌊5/4⌋ = 1 from each end: 0, 5, 10
        #expect(Aggregation.interquartileMean([3]) == 3)
        #expect(Aggregation.interquartileMean([]).isNaN)
    }

    @Test func theBootstrapIntervalIsSeededAndBracketsTheEstimate() {
        let scores: [[Double]] = [
            [1, 0.5, 0.2], [0.8, 0.2, 0.4], [0.9, 0.4, 0.1], [0.3, 0.6, 0.7], [0.5, 0.5, 0.5],
        ]
        let first = Aggregation.interval(scores, repetitions: 500, seed: 7)
        let again = Aggregation.interval(scores, repetitions: 500, seed: 7)
        let other = Aggregation.interval(scores, repetitions: 500, seed: 8)
        #expect(first.estimate == again.estimate && first.low == again.low && first.high == again.high)
        #expect(first.low != other.low || first.high != other.high, "another seed draws other resamples")
        #expect(first.low <= first.estimate && first.estimate <= first.high)
        #expect(first.low >= 0.1 && first.high <= 1, "resampled IQMs stay within the scores")
    }

    @Test func identicalRunsHaveAZeroWidthInterval() {
        let interval = Aggregation.interval([[0.5, 1], [0.5, 1], [0.5, 1]], repetitions: 200)
        #expect(interval.low == interval.high && interval.estimate == 0.75)
    }

    @Test func quantilesInterpolateLikeNumpy() {
        #expect(Aggregation.quantile([0, 10, 20, 30], 0.5) == 15)
        #expect(abs(Aggregation.quantile([0, 10, 20, 30], 0.025) - 0.75) < 1e-12)
    }
}
