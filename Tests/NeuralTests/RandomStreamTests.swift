import Neural
import Testing

@Suite("Seeded random streams")
struct RandomStreamTests {
    @Test func theSameSeedGivesTheSameNumbersAndNamesGiveIndependentStreams() {
        var a = RandomStream(seed: 42)
        var b = RandomStream(seed: 42)
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
        let run = RandomStream(seed: 42)
        var policy = run.derived("policy")
        var memory = run.derived("memory")
        #expect(policy.next() != memory.next())
        var again = run.derived("policy")
        var policyCopy = RandomStream(seed: 42).derived("policy")
        #expect(again.next() == policyCopy.next())
    }

    @Test func savedStateResumesTheStreamExactly() {
        var stream = RandomStream(seed: 7)
        for _ in 0..<10 { _ = stream.normal() }
        var resumed = RandomStream(state: stream.state)
        #expect((0..<10).map { _ in stream.uniform() } == (0..<10).map { _ in resumed.uniform() })
    }

    @Test func uniformAndNormalHaveTheRightMoments() {
        var stream = RandomStream(seed: 1)
        let n = 200_000
        let uniforms = (0..<n).map { _ in Double(stream.uniform()) }
        let normals = (0..<n).map { _ in Double(stream.normal()) }
        func moments(_ values: [Double]) -> (Double, Double) {
            let mean = values.reduce(0, +) / Double(values.count)
            return (mean, values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count))
        }
        let (uniformMean, uniformVariance) = moments(uniforms)
        let (normalMean, normalVariance) = moments(normals)
        // Standard errors at n = 200k: mean ±0.0007 (uniform), ±0.0023 (normal).
        #expect(abs(uniformMean - 0.5) < 0.003 && abs(uniformVariance - 1.0 / 12) < 0.002)
        #expect(abs(normalMean) < 0.01 && abs(normalVariance - 1) < 0.015)
        #expect(uniforms.allSatisfy { $0 >= 0 && $0 < 1 })
    }

    @Test func truncatedNormalStaysWithinTwoDeviations() {
        var stream = RandomStream(seed: 2)
        let values = (0..<10_000).map { _ in stream.truncatedNormal(mean: 1, standardDeviation: 0.5) }
        #expect(values.allSatisfy { $0 >= 0 && $0 <= 2 })
        #expect(values.contains { $0 < 0.1 } && values.contains { $0 > 1.9 })
    }

    @Test func categoricalFollowsItsWeights() {
        var stream = RandomStream(seed: 3)
        var counts = [0, 0, 0]
        let n = 60_000
        for _ in 0..<n { counts[stream.categorical([1, 2, 3])] += 1 }
        let expected = [n / 6, n / 3, n / 2]
        for (count, wanted) in zip(counts, expected) {
            #expect(abs(count - wanted) < 600, "\(counts)")  // about 5 standard errors
        }
    }

    @Test func orthogonalInitialisationGivesOrthonormalColumnsTimesTheGain() {
        var stream = RandomStream(seed: 4)
        var weights = [Float](repeating: 0, count: 8 * 3)
        weights.withUnsafeMutableBufferPointer {
            Initializer.orthogonal(gain: 2).fill($0, fanIn: 8, fanOut: 3, random: &stream)
        }
        for i in 0..<3 {
            for j in 0..<3 {
                let dot = (0..<8).reduce(Float(0)) { $0 + weights[$1 * 3 + i] * weights[$1 * 3 + j] }
                #expect(abs(dot - (i == j ? 4 : 0)) < 1e-4)
            }
        }
    }
}
