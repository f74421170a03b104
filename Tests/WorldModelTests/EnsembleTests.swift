import CKernels
import Foundation
import HDF5
import LifelongTestSupport
import Randomness
import Replay
import Testing
import WorldModel

/// The probabilistic ensemble: it learns a known system, ranks its members, keeps held-out data out of training,
/// and comes back from a checkpoint predicting the same.
@Suite("Probabilistic ensemble")
struct EnsembleTests {
    static func trained(seed: UInt64 = 1) throws -> (ProbabilisticEnsemble, FitReport, ReplayStore) {
        let replay = LinearSystem.replay()
        LinearSystem().fill(replay, episodes: 40, length: 50, seed: seed)
        let model = try ProbabilisticEnsemble(
            observationSize: 2, actionSize: 1, configuration: LinearSystem.smallEnsemble, seed: seed)
        let report = try model.fit(
            TransitionDataset(replay: replay, actions: .continuous(1), configuration: model.configuration))
        return (model, report, replay)
    }

    /// The elites' mean prediction of (Δs, r) and their mean predicted log-variance of Δs at `inputs` rows.
    static func predict(_ model: ProbabilisticEnsemble, _ inputs: [[Float]]) -> (mean: [[Float]], logVariance: Float) {
        let elites = Array(model.elites)
        let n = inputs.count
        let flat = elites.flatMap { _ in inputs.flatMap { $0 } }
        var mean = [Float](repeating: 0, count: elites.count * n * model.targetSize)
        var logVariance = mean
        model.predict(
            members: elites, rows: n, inputs: flat, mean: &mean, logVariance: &logVariance,
            scratch: PredictionScratch())
        var averaged = [[Float]](repeating: [Float](repeating: 0, count: model.targetSize), count: n)
        var totalLogVariance: Float = 0
        for group in elites.indices {
            for row in 0..<n {
                for column in 0..<model.targetSize {
                    averaged[row][column] += mean[(group * n + row) * model.targetSize + column] / Float(elites.count)
                }
                for column in 0..<2 { totalLogVariance += logVariance[(group * n + row) * model.targetSize + column] }
            }
        }
        return (averaged, totalLogVariance / Float(elites.count * n * 2))
    }

    /// `predict`'s raw output: member `members[g]`'s means and log-variances for rows `g·rows ..< (g + 1)·rows`.
    static func predictions(
        _ model: ProbabilisticEnsemble, members: [Int], rows: Int, inputs: [Float], threads: Int = 1,
        precision: PredictionPrecision = .float32
    ) -> (mean: [Float], logVariance: [Float]) {
        var mean = [Float](repeating: 0, count: members.count * rows * model.targetSize)
        var logVariance = mean
        model.predict(
            members: members, rows: rows, inputs: inputs, mean: &mean, logVariance: &logVariance,
            scratch: PredictionScratch(), threads: threads, precision: precision)
        return (mean, logVariance)
    }

    @Test func theEnsembleLearnsAKnownLinearSystemAndItsNoise() throws {
        let (model, report, _) = try Self.trained()
        #expect(report.epochs >= 1 && report.epochs <= LinearSystem.smallEnsemble.maximumEpochs)
        #expect(report.elites == Array(model.ranking.prefix(3)))
        #expect(
            report.elites.map { report.validationErrors[$0] }
                == report.elites.map { report.validationErrors[$0] }.sorted())
        var random = RandomStream(seed: 77)
        let system = LinearSystem()
        let inputs = (0..<200).map { _ in [random.uniform(-0.8, 0.8), random.uniform(-0.8, 0.8), random.uniform(-1, 1)]
        }
        let (predicted, logVariance) = Self.predict(model, inputs)
        var squares: Float = 0
        var rewardError: Float = 0
        for (row, input) in inputs.enumerated() {
            let truth = system.mean([input[0], input[1]], input[2])
            squares +=
                pow(predicted[row][0] - (truth[0] - input[0]), 2) + pow(predicted[row][1] - (truth[1] - input[1]), 2)
            rewardError += abs(predicted[row][2] - LinearSystem.reward(truth))
        }
        let rmse = (squares / Float(2 * inputs.count)).squareRoot()
        // Δs spans about ±0.5; the noise is 0.01.
        #expect(rmse < 0.01, "Δs RMSE \(rmse)")
        #expect(rewardError / Float(inputs.count) < 0.03, "reward error \(rewardError / Float(inputs.count))")
        // The predicted spread approaches the noise's log-variance (log 1e-4 ≈ −9.2) from above.
        #expect(logVariance < -7.5, "mean predicted log-variance \(logVariance)")
    }

    @Test func predictionsDoNotDependOnTheThreadCount() throws {
        let (model, _, _) = try Self.trained(seed: 5)
        var random = RandomStream(seed: 6)
        let members = [0, 2, 4]
        let rows = 37  // not a multiple of the thread counts: uneven slices
        let inputs = (0..<(members.count * rows * 3)).map { _ in random.uniform(-1, 1) }
        func run(_ threads: Int) -> [Float] {
            let (mean, logVariance) = Self.predictions(
                model, members: members, rows: rows, inputs: inputs, threads: threads)
            return mean + logVariance
        }
        let single = run(1)
        #expect(run(2) == single && run(3) == single && run(8) == single)
    }

    @Test func theVectorSoftBoundFollowsPETSFormula() {
        func softplus(_ x: Double) -> Double { max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))) }
        let inputs = (0...4000).map { Float($0) / 50 - 40 }
        var bounded = [Float](repeating: .nan, count: inputs.count)
        lk_soft_bound(inputs.count, inputs, -10, 0.5, &bounded)
        let worst = zip(inputs, bounded).map { x, y in
            abs(Double(y) - (-10 + softplus(0.5 - softplus(0.5 - Double(x)) + 10)))
        }.max()!
        #expect(worst < 2e-6, "largest error \(worst)")
    }

    @Test func everyFifthTransitionOfTheStreamIsHeldOutOfTraining() throws {
        let replay = LinearSystem.replay()
        LinearSystem().fill(replay, episodes: 2, length: 50, seed: 3)
        let data = TransitionDataset(
            replay: replay, actions: .continuous(1), configuration: LinearSystem.smallEnsemble)
        #expect(data.count == 100 && data.validation.count == 20 && data.training.count == 80)
        #expect(data.validation.allSatisfy { replay.streamPosition(ofSlot: $0) % 5 == 0 })
        // The targets are the change of the observation, then the reward.
        let first = replay.transition(at: 0)
        #expect(
            Array(data.targets[0..<3]) == [
                first.nextObservation[0] - first.observation[0], first.nextObservation[1] - first.observation[1],
                first.reward,
            ])
    }

    @Test func aSavedEnsemblePredictsTheSameAfterLoading() throws {
        let (model, _, _) = try Self.trained(seed: 2)
        let directory = TemporaryDirectory("ensemble-checkpoint")
        let file = try File.create(directory.file("model.h5"))
        try model.save(to: file.createGroup("model"))
        let copy = try ProbabilisticEnsemble(
            observationSize: 2, actionSize: 1, configuration: LinearSystem.smallEnsemble, seed: 99)
        try copy.load(from: file.openGroup("model"))
        #expect(copy.ranking == model.ranking && copy.fits == 1)
        let inputs: [[Float]] = [[0.1, -0.2, 0.5], [0.7, 0.3, -1]]
        #expect(Self.predict(copy, inputs).mean == Self.predict(model, inputs).mean)
        let other = try ProbabilisticEnsemble(
            observationSize: 3, actionSize: 1, configuration: LinearSystem.smallEnsemble, seed: 1)
        #expect(throws: (any Error).self) { try other.load(from: file.openGroup("model")) }
    }

    @Test func badSettingsAndAnEmptyStoreAreClearErrors() throws {
        var configuration = EnsembleConfiguration()
        configuration.elites = 9
        #expect(throws: WorldModelError.self) {
            try ProbabilisticEnsemble(observationSize: 2, actionSize: 1, configuration: configuration, seed: 1)
        }
        let model = try ProbabilisticEnsemble(
            observationSize: 2, actionSize: 1, configuration: LinearSystem.smallEnsemble, seed: 1)
        do {
            try model.fit(
                TransitionDataset(
                    replay: LinearSystem.replay(), actions: .continuous(1), configuration: model.configuration))
            Issue.record("fitting on an empty store should fail")
        } catch let error as WorldModelError {
            #expect(error.description.contains("no transitions to fit yet"))
        }
    }
}
