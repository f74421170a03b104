// make bench-overhead: what the scheduler and its logging cost on top of the learning they drive. The same DQN
// (same seed, same hyper-parameters) trains for the same number of CartPole steps twice: once in a bare
// `EnvironmentLoop` over an in-memory replay store, once as a one-task curriculum run by the `Scheduler` — with the
// persisted replay store, the HDF5 run log (episode metrics, events), its checkpoints (the default schedule, or
// every `--checkpoint` steps) and the two evaluations every run makes (before training and at the end). The median
// ratio over `--repeats` rounds, run alternately, is the overhead; the target is ≤ 3%. A run's fixed costs
// (creating its files, two checkpoints) weigh less the longer it is, so short `--steps` overstate it.
// The options are in Options.swift (`--help`).
import Agents
import BenchmarkSupport
import Continual
import Environments
import Foundation
import Replay

let options = Options.parseOrExit()
let steps = options.steps
let repeats = options.repeats
/// Checkpoint every N steps; by default the curriculum default (every 5 minutes: here, at the start and the end).
let checkpointInterval = options.checkpoint
let hyperparameters = #"{"hiddenLayers": [64, 64], "trainFrequency": 4, "learningStarts": 1000, "batchSize": 64}"#
let curriculumText = """
    {"name": "overhead", "seeds": {"agent": 1, "curriculum": 1},
     "tasks": {"default": {"env": "CartPole-v1"}},
     "schedule": [{"task": "default", "steps": \(steps)}],
     "evaluation": {"every_steps": \(steps * 10), "episodes": 1},
     "agent": {"policy": "dqn", "hyperparameters": \(hyperparameters), "replay": {"capacity": 100000}},
     \(checkpointInterval.map { #""checkpoint": {"every_steps": \#($0)},"# } ?? "")
     "output": "unused"}
    """
let curriculum = try Curriculum.parse(curriculumText, file: "overhead.json")

/// The bare loop; with `persisted`, over a replay store persisted in HDF5 as the scheduler's is.
func bareLoop(persisted: Bool = false) throws -> Double {
    var configuration = try HyperParameters.merge(
        try JSONSerialization.jsonObject(with: Data(hyperparameters.utf8)) as? [String: Any] ?? [:],
        into: DQNConfiguration())
    configuration.totalSteps = steps
    let schema = ReplaySchema(observationSize: 4, action: .discrete)
    let directory = NSTemporaryDirectory() + "lifelong-overhead-replay-\(getpid())"
    try? FileManager.default.removeItem(atPath: directory)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let replay =
        persisted
        ? try ReplayStore.create(at: directory, schema: schema, capacity: 100_000, eviction: .fifo, seed: 1)
        : ReplayStore(schema: schema, capacity: 100_000, eviction: .fifo, seed: 1)
    let agent = DQN(observationSize: 4, actions: 2, configuration: configuration, replay: replay, seed: 1)
    let start = now()
    try EnvironmentLoop(environment: EnvironmentRegistry.make("CartPole-v1"), agent: agent, seed: 1).run(steps: steps)
    return now() - start
}

func scheduled() throws -> Double {
    let directory = NSTemporaryDirectory() + "lifelong-overhead-\(getpid())"
    try? FileManager.default.removeItem(atPath: directory)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let start = now()
    let scheduler = try Scheduler.start(curriculum, directory: directory, provenance: [:])
    _ = try scheduler.run(shouldStop: { false })
    return now() - start
}

var ratios: [Double] = []
var replayRatios: [Double] = []
var bare: [Double] = []
var full: [Double] = []
for index in 0..<repeats {
    let loopSeconds = try bareLoop()
    let persistedSeconds = try bareLoop(persisted: true)
    let schedulerSeconds = try scheduled()
    bare.append(loopSeconds)
    full.append(schedulerSeconds)
    ratios.append(schedulerSeconds / loopSeconds)
    replayRatios.append(persistedSeconds / loopSeconds)
    print(
        String(
            format: "round %d: bare loop %.2f s, with the replay store persisted %.2f s, scheduler %.2f s (%+.1f%%)",
            index + 1, loopSeconds, persistedSeconds, schedulerSeconds, (schedulerSeconds / loopSeconds - 1) * 100))
}
print(
    String(
        format: "of which the persisted replay store: %+.1f%% (median)",
        (replayRatios.sorted()[replayRatios.count / 2] - 1) * 100))
let medianRatio = ratios.sorted()[ratios.count / 2]
print(
    String(
        format: "SUMMARY scheduler+logging overhead %+.1f%% (median of %d pairs; bare %.2f s, scheduled %.2f s, "
            + "%d steps, checkpoints %@) target ≤ 3%%", (medianRatio - 1) * 100, repeats,
        bare.sorted()[bare.count / 2], full.sorted()[full.count / 2], steps,
        checkpointInterval.map { "every \($0) steps" } ?? "every 5 minutes"))
