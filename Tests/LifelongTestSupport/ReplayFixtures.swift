public import Replay

/// A CartPole-sized schema with one extra column.
public let testSchema = ReplaySchema(observationSize: 4, action: .discrete, extraColumns: ["value": 1])

/// The transition at stream position `index` of a deterministic stream of episodes of `length` steps, spread
/// over `tasks` tasks in blocks of `perTask` transitions. Every value is a function of `index`.
public func streamTransition(_ index: Int, length: Int = 10, tasks: Int = 1, perTask: Int = .max) -> Transition {
    let episodeIndex = index / length
    let step = index % length
    let value = Float(index)
    return Transition(
        observation: [value, value + 0.25, value + 0.5, value + 0.75], action: [Float(index % 2)], reward: value / 100,
        nextObservation: [value + 1, value + 1.25, value + 1.5, value + 1.75], terminated: step == length - 1,
        truncated: false, task: Int32(min(index / max(perTask, 1), tasks - 1)), episode: Int64(episodeIndex),
        step: Int32(step), extras: ["value": [value * 2]])
}
