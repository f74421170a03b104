import CKernels
import Foundation
import HDF5
import LifelongTestSupport
import Randomness
import Testing
import WorldModel

/// bf16 planning: the packed product equals the float32 product of the bf16-rounded operands, and an ensemble
/// predicting in bf16 stays close to its float32 predictions, whatever the thread count, after loads and fits.
@Suite("bfloat16 prediction", .enabled(if: PredictionPrecision.bfloat16IsAvailable, "needs AVX512_BF16"))
struct BFloat16Tests {
    /// Round to nearest even at bf16, as the conversion instructions do.
    static func rounded(_ value: Float) -> Float {
        let bits = value.bitPattern
        return Float(bitPattern: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000)
    }

    @Test(arguments: [(13, 33, 41), (16, 200, 200), (9, 64, 40), (8, 7, 8), (24, 2, 97)])
    func thePackedProductIsTheProductOfTheRoundedOperands(_ shape: (Int, Int, Int)) {
        let (m, k, n) = shape
        var random = RandomStream(seed: UInt64(m * 1000 + k * 10 + n))
        let a = (0..<(m * k)).map { _ in random.uniform(-2, 2) }
        let w = (0..<(k * n)).map { _ in random.uniform(-1, 1) }
        let bias = (0..<n).map { _ in random.uniform(-1, 1) }
        let lda = (k + 1) / 2 * 2
        var half = [UInt16](repeating: 0xFFFF, count: m * lda)
        var packed = [UInt16](repeating: 0xFFFF, count: lk_bf16_packed_count(k, n))
        var c = [Float](repeating: .nan, count: m * n)
        lk_bf16_pack(k, n, w, n, &packed)
        lk_bf16_convert(m, k, a, k, &half, lda)
        lk_bf16_gemm(m, n, k, half, lda, packed, bias, &c, n)
        var worst = 0.0
        for row in 0..<m {
            for column in 0..<n {
                var exact = Double(bias[column])
                var magnitude = abs(exact)
                for index in 0..<k {
                    let term = Double(Self.rounded(a[row * k + index])) * Double(Self.rounded(w[index * n + column]))
                    exact += term
                    magnitude += abs(term)
                }
                worst = max(worst, abs(Double(c[row * n + column]) - exact) / magnitude)
            }
        }
        // Only float32 accumulation error is left.
        #expect(worst < 1e-6, "worst relative error \(worst)")
    }

    @Test func bf16PredictionsStayCloseToFloat32AndDoNotDependOnTheThreadCount() throws {
        let (model, _, _) = try EnsembleTests.trained(seed: 3)
        var random = RandomStream(seed: 4)
        let members = [0, 1, 2, 3, 4]
        let rows = 300  // a full 256-row item and a partial one
        let inputs = (0..<(members.count * rows * 3)).map { _ in random.uniform(-0.8, 0.8) }
        let exact = EnsembleTests.predictions(model, members: members, rows: rows, inputs: inputs, precision: .float32)
        let half = EnsembleTests.predictions(model, members: members, rows: rows, inputs: inputs, precision: .bfloat16)
        func rms(_ x: [Float], _ y: [Float]) -> Float {
            (zip(x, y).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Float(x.count)).squareRoot()
        }
        let meanError = rms(exact.mean, half.mean)
        let largestMeanError = zip(exact.mean, half.mean).map { abs($0 - $1) }.max()!
        let logVarianceError = rms(exact.logVariance, half.logVariance)
        // Δs spans about ±0.5 and the fitted model's RMSE is up to 0.01 (EnsembleTests): bf16 adds far less.
        #expect(
            meanError < 1e-3 && largestMeanError < 1e-2,
            "mean differences: RMS \(meanError), largest \(largestMeanError)")
        #expect(logVarianceError < 0.05, "log-variance difference RMS \(logVarianceError)")
        #expect(half.mean != exact.mean, "bf16 should round somewhere")
        for threads in [2, 3] {
            let parallel = EnsembleTests.predictions(
                model, members: members, rows: rows, inputs: inputs, threads: threads, precision: .bfloat16)
            #expect(parallel.mean == half.mean && parallel.logVariance == half.logVariance)
        }
    }

    @Test func bf16WeightsAreRepackedAfterALoadAndAFit() throws {
        let (first, _, replay) = try EnsembleTests.trained(seed: 6)
        let (second, _, _) = try EnsembleTests.trained(seed: 7)
        let inputs: [Float] = (0..<(3 * 5 * 3)).map { Float($0 % 7) / 7 - 0.4 }
        func bf16(_ model: ProbabilisticEnsemble) -> [Float] {
            EnsembleTests.predictions(model, members: [0, 1, 2], rows: 5, inputs: inputs, precision: .bfloat16).mean
        }
        let before = bf16(first)
        let directory = TemporaryDirectory("bf16-repack")
        let file = try File.create(directory.file("model.h5"))
        try second.save(to: file.createGroup("model"))
        try first.load(from: file.openGroup("model"))
        #expect(bf16(first) == bf16(second) && bf16(first) != before)
        _ = try first.fit(
            TransitionDataset(replay: replay, actions: .continuous(1), configuration: first.configuration))
        let refitted = bf16(first)
        #expect(refitted != bf16(second))
        // Weights edited by hand: repacked once told.
        first.parameters.values[first.parameters.values.count / 2] += 1
        first.weightsDidChange()
        #expect(bf16(first) != refitted)
    }
}
