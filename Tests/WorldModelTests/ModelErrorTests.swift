import HDF5
import LifelongTestSupport
import Randomness
import Replay
import Testing
import WorldModel

/// The world model's own forgetting: held-out sequences per task, and errors that say which task the model knows.
@Suite("Model error tracking")
struct ModelErrorTests {
    static func tracker(_ configuration: EnsembleConfiguration) -> ModelErrorTracker {
        ModelErrorTracker(
            horizon: 5, observationSize: 2, actions: .continuous(1), actionWidth: 1, configuration: configuration,
            stream: RandomStream(seed: 1))
    }

    @Test func aModelFittedOnOneTaskIsAccurateThereAndWrongOnAnotherSystem() throws {
        let configuration = LinearSystem.smallEnsemble
        let replay = LinearSystem.replay()
        let tracker = Self.tracker(configuration)
        let first = LinearSystem()
        var second = LinearSystem()
        second.a = [0.5, -0.4, 0.4, 0.5]  // a rotation-like system the model never sees
        first.fill(replay, episodes: 40, length: 50, task: 0, seed: 1)
        let other = LinearSystem.replay()
        second.fill(other, episodes: 10, length: 50, task: 1, seed: 2)
        for store in [replay, other] {
            for slot in 0..<store.count {
                tracker.observe(store.transition(at: slot), position: store.streamPosition(ofSlot: slot))
            }
        }
        #expect(tracker.tasks == [0, 1])
        let model = try ProbabilisticEnsemble(observationSize: 2, actionSize: 1, configuration: configuration, seed: 1)
        #expect(tracker.measure(model).isEmpty, "nothing to say before the first fit")
        try model.fit(TransitionDataset(replay: replay, actions: .continuous(1), configuration: configuration))
        let errors = tracker.measure(model)
        #expect(errors.map(\.task) == [0, 1])
        let known = errors[0]
        let unknown = errors[1]
        #expect(known.samples > 50 && unknown.samples > 10)
        #expect(known.oneStepMSE < 1e-3, "\(known)")
        #expect(unknown.oneStepMSE > 10 * known.oneStepMSE, "\(unknown) vs \(known)")
        #expect(unknown.horizonMSE > known.horizonMSE && known.horizonMSE >= known.oneStepMSE * 0.5)
        #expect(unknown.oneStepNLL > known.oneStepNLL)
        // The tracker's state survives a checkpoint.
        let directory = TemporaryDirectory("tracker")
        let file = try File.create(directory.file("t.h5"))
        try tracker.save(to: file.createGroup("tracker"))
        let copy = Self.tracker(configuration)
        try copy.load(from: file.openGroup("tracker"))
        #expect(copy.measure(model) == errors)
    }

    @Test func onlyHeldOutStartsAndWholeWindowsWithinAnEpisodeAreKept() throws {
        let configuration = LinearSystem.smallEnsemble
        let replay = LinearSystem.replay()
        // Episodes of 4 steps are shorter than the 5-step window: nothing can be held out.
        LinearSystem().fill(replay, episodes: 30, length: 4, seed: 3)
        let tracker = Self.tracker(configuration)
        for slot in 0..<replay.count {
            tracker.observe(replay.transition(at: slot), position: replay.streamPosition(ofSlot: slot))
        }
        #expect(tracker.tasks.isEmpty)
    }
}
