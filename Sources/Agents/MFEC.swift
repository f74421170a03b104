public import Environments
public import EpisodicMemory
import Foundation
public import HDF5
import Randomness
public import Replay

/// Model-free episodic control (Blundell et al., 2016): one episodic table per action maps state keys to the best
/// discounted return seen from there; the agent acts greedily on those estimates.
///
/// - act: Q(s, a) = the stored value when s is in table a, else the mean of its k nearest keys' values; an action
///   whose table holds k entries or fewer counts as +∞ (try it). Ties are broken at random while exploring, by index
///   while evaluating; ε-greedy on top.
/// - observe: the step goes into the shared replay store, and into the current episode's trace; at the episode's
///   end its discounted returns are written into the tables with the max rule (`EpisodicTables`).
/// - learn: nothing (the tables are the learning).
///
/// ```swift
/// let agent = try MFEC(observationSize: 4, actions: 2, configuration: MFECConfiguration(), replay: replay, seed: 1)
/// ```
public final class MFEC: EpisodicMemoryAgent {
    public let replay: ReplayStore
    public let configuration: MFECConfiguration
    public let actions: Int
    public let memory: EpisodicTables
    var exploration: RandomStream

    /// One table per action.
    public var tables: [EpisodicStore] { memory.stores }
    public var keySize: Int { memory.keySize }

    public init(
        observationSize: Int, actions: Int, configuration: MFECConfiguration, replay: ReplayStore, seed: UInt64
    ) throws {
        guard configuration.k >= 1, configuration.capacityPerAction >= 1, configuration.projection >= 0 else {
            throw MemoryError("MFECConfiguration: k and capacityPerAction must be ≥ 1 and projection ≥ 0")
        }
        self.replay = replay
        self.configuration = configuration
        self.actions = actions
        let streams = RandomStream(seed: seed)
        memory = try EpisodicTables(
            observationSize: observationSize, actions: actions, projection: configuration.projection,
            capacity: configuration.capacityPerAction, gamma: configuration.gamma, eviction: .leastRecentlyUpdated,
            stream: streams.derived("mfec/memory"))
        exploration = streams.derived("mfec/explore")
    }

    public func act(_ observation: [Float], mode: ActMode) -> Action {
        if mode == .explore && exploration.uniformDouble() < configuration.epsilon {
            return .discrete(exploration.index(below: actions))
        }
        observation.withUnsafeBufferPointer { memory.makeKey($0) }
        let q = (0..<actions).map { memory.value(action: $0, k: configuration.k) ?? .infinity }
        let best = q.max()!
        let ties = q.indices.filter { q[$0] == best }
        // Evaluation breaks ties by index, so it never draws from training's stream.
        if ties.count == 1 || mode == .evaluate { return .discrete(ties[0]) }
        return .discrete(ties[exploration.index(below: ties.count)])
    }

    public func observe(_ transition: Transition) {
        memory.record(transition, slot: replay.insert(transition), from: replay)
    }

    public func retention() -> [MemoryRetention] { memory.retention(k: configuration.k) }

    public func learn() throws {}

    public func taskBoundary(from previous: Int32?, to next: Int32) { memory.clearTrace(task: next) }

    public func save(to group: Group) throws {
        try memory.save(to: group.createGroup("memory"))
        try group.setAttribute(
            "exploration_random", [exploration.state.0, exploration.state.1, exploration.state.2, exploration.state.3])
    }

    public func load(from group: Group) throws {
        try memory.load(from: group.openGroup("memory"))
        let words = try group.attribute("exploration_random", as: [UInt64].self)
        exploration = RandomStream(state: (words[0], words[1], words[2], words[3]))
    }
}
