import Randomness
import Replay
import WorldModel

/// A known 2-D linear system s′ = A s + B a + ε (ε ~ N(0, noise²)), reward −‖s′‖², used to check that the ensemble
/// learns dynamics it can be compared against.
struct LinearSystem {
    var a: [Float] = [0.9, 0.2, -0.1, 0.95]
    var b: [Float] = [0.0, 0.5]
    var noise: Float = 0.01

    /// The noise-free next state.
    func mean(_ s: [Float], _ action: Float) -> [Float] {
        [a[0] * s[0] + a[1] * s[1] + b[0] * action, a[2] * s[0] + a[3] * s[1] + b[1] * action]
    }

    static func reward(_ next: [Float]) -> Float { -(next[0] * next[0] + next[1] * next[1]) }

    /// `episodes` episodes of `length` random-action steps from random starts, tagged `task`.
    func fill(_ replay: ReplayStore, episodes: Int, length: Int, task: Int32 = 0, seed: UInt64) {
        var random = RandomStream(seed: seed)
        for episode in 0..<episodes {
            var s: [Float] = [random.uniform(-1, 1), random.uniform(-1, 1)]
            for step in 0..<length {
                let action = random.uniform(-1, 1)
                let clean = mean(s, action)
                let next = [clean[0] + noise * random.normal(), clean[1] + noise * random.normal()]
                replay.insert(
                    Transition(
                        observation: s, action: [action], reward: Self.reward(next), nextObservation: next,
                        truncated: step == length - 1, task: task, episode: Int64(episode), step: Int32(step)))
                s = next
            }
        }
    }

    static func replay(capacity: Int = 100_000) -> ReplayStore {
        ReplayStore(
            schema: ReplaySchema(observationSize: 2, action: .continuous(size: 1)), capacity: capacity,
            eviction: .fifo, seed: 1)
    }

    /// A small ensemble that fits this system in seconds.
    static var smallEnsemble: EnsembleConfiguration {
        var configuration = EnsembleConfiguration()
        configuration.members = 5
        configuration.elites = 3
        configuration.hiddenLayers = [64, 64]
        configuration.learningRate = 2e-3
        configuration.batchSize = 64
        configuration.maximumEpochs = 40
        return configuration
    }
}
