import Agents
import Environments
import HDF5
import Replay
import Testing

// The example of docs/agents.md, compiled and run.
final class RandomAgent: Agent {
    let replay: ReplayStore
    private var random: RandomStream
    private let actions: Int

    init(replay: ReplayStore, actions: Int, seed: UInt64) {
        self.replay = replay
        self.actions = actions
        random = RandomStream(seed: seed).derived("random-agent")
    }

    func act(_ observation: [Float], mode: ActMode) -> Action { .discrete(random.index(below: actions)) }
    func observe(_ transition: Transition) { replay.insert(transition) }
    func learn() throws {}
    func save(to group: Group) throws {
        try group.setAttribute("random", [random.state.0, random.state.1, random.state.2, random.state.3])
    }
    func load(from group: Group) throws {
        let words = try group.attribute("random", as: [UInt64].self)
        random = RandomStream(state: (words[0], words[1], words[2], words[3]))
    }
}

@Test func theDocumentedRandomAgentRunsInTheLoopAndFillsTheSharedStore() throws {
    let replay = ReplayStore(
        schema: ReplaySchema(observationSize: 4, action: .discrete), capacity: 1000, eviction: .fifo, seed: 1)
    let loop = try EnvironmentLoop(
        environment: EnvironmentRegistry.make("CartPole-v1"), agent: RandomAgent(replay: replay, actions: 2, seed: 2),
        seed: 3)
    try loop.run(steps: 500)
    #expect(replay.inserted == 500)
    // A random policy on CartPole averages about 22 steps per episode.
    let mean = loop.returns.reduce(0, +) / Double(loop.returns.count)
    #expect(mean > 10 && mean < 40, "mean return \(mean)")
}
