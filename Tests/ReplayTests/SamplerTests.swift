import Foundation
import LifelongTestSupport
import Replay
import Testing

@Suite("Samplers draw with the right distributions")
struct SamplerTests {
    func filled(_ count: Int, eviction: EvictionPolicy = .fifo, priorities: Double? = nil) -> ReplayStore {
        let store = ReplayStore(
            schema: testSchema, capacity: count, eviction: eviction, seed: 9, priorityExponent: priorities)
        for index in 0..<count { store.insert(streamTransition(index)) }
        return store
    }

    @Test func uniformSamplingCoversEverySlotEqually() throws {
        let store = filled(100)
        var batch = ReplayBatch(schema: testSchema, size: 1000)
        var counts = [Int](repeating: 0, count: 100)
        for _ in 0..<100 {
            try store.sample(into: &batch)
            for slot in batch.slots { counts[Int(slot)] += 1 }
        }
        // 1,000 draws per slot expected; the standard deviation is about 31.
        #expect(counts.allSatisfy { abs($0 - 1000) < 160 }, "\(counts.min()!)…\(counts.max()!)")
        #expect(batch.observations[0] == Float(store.streamPosition(ofSlot: Int(batch.slots[0]))))
    }

    @Test func prioritizedSamplingFollowsPriorityToTheAlphaAndWeightsCorrect() throws {
        let store = filled(4, priorities: 0.5)
        store.updatePriorities(slots: [0, 1, 2, 3], priorities: [1, 4, 9, 16])
        var batch = ReplayBatch(schema: testSchema, size: 400)
        var counts = [Int](repeating: 0, count: 4)
        for _ in 0..<250 {
            try store.sample(into: &batch, using: .prioritized(beta: 1))
            for slot in batch.slots { counts[Int(slot)] += 1 }
        }
        // p^0.5 = 1, 2, 3, 4 → probabilities 0.1, 0.2, 0.3, 0.4 of 100,000 draws.
        for (slot, expected) in [10_000, 20_000, 30_000, 40_000].enumerated() {
            #expect(abs(counts[slot] - expected) < 800, "\(counts)")
        }
        // w_i = (N P_i)^-β / max_j w_j with β = 1: slot 0 has the largest weight (1), slot 3 a quarter of it.
        let weightOf = Dictionary(zip(batch.slots, batch.weights), uniquingKeysWith: { first, _ in first })
        #expect(abs((weightOf[3] ?? 0) - 0.25) < 1e-5 && abs((weightOf[0] ?? 0) - 1) < 1e-5)
    }

    @Test func newTransitionsGetTheLargestPrioritySeen() throws {
        let store = ReplayStore(schema: testSchema, capacity: 10, eviction: .fifo, seed: 9, priorityExponent: 1)
        for index in 0..<3 { store.insert(streamTransition(index)) }
        store.updatePriorities(slots: [0], priorities: [50])
        store.insert(streamTransition(3))
        var batch = ReplayBatch(schema: testSchema, size: 1000)
        try store.sample(into: &batch, using: .prioritized(beta: 0.4))
        let fourth = batch.slots.filter { $0 == 3 }.count
        #expect(abs(Double(fourth) / 1000 - 50.0 / 102) < 0.06)
    }

    @Test func taskBalancedSamplingEvensOutUnequalTasks() throws {
        let store = ReplayStore(schema: testSchema, capacity: 1000, eviction: .fifo, seed: 5)
        for index in 0..<1000 { store.insert(streamTransition(index, tasks: 2, perTask: 900)) }
        #expect(store.count(ofTask: 0) == 900 && store.count(ofTask: 1) == 100)
        var batch = ReplayBatch(schema: testSchema, size: 10_000)
        try store.sample(into: &batch, using: .taskBalanced)
        let second = batch.tasks.filter { $0 == 1 }.count
        #expect(abs(second - 5000) < 300)
    }

    @Test func recencySamplingHalvesTheOddsEveryHalfLife() throws {
        let store = ReplayStore(schema: testSchema, capacity: 500, eviction: .fifo, seed: 6)
        for index in 0..<1200 { store.insert(streamTransition(index)) }
        var batch = ReplayBatch(schema: testSchema, size: 50_000)
        try store.sample(into: &batch, using: .recency(halfLife: 20))
        let ages = batch.slots.map { 1199 - store.streamPosition(ofSlot: Int($0)) }
        let young = ages.filter { $0 < 20 }.count
        let older = ages.filter { $0 >= 20 && $0 < 40 }.count
        #expect(abs(Double(young) / Double(older) - 2) < 0.15, "\(young) vs \(older)")
        #expect(ages.allSatisfy { $0 >= 0 && $0 < 500 })
        let reservoir = filled(10, eviction: .reservoir)
        #expect(throws: ReplayError.self) { try reservoir.sample(into: &batch, using: .recency(halfLife: 5)) }
    }

    @Test func sequencesStayInsideOneEpisodeEvenWhenEpisodesInterleave() throws {
        let store = ReplayStore(schema: testSchema, capacity: 10_000, eviction: .fifo, seed: 7)
        // Two environments' episodes arrive interleaved, step by step.
        for step in 0..<40 {
            for copy in 0..<2 {
                let length = copy == 0 ? 10 : 7
                let episode = Int64(copy * 1000 + step / length)
                store.insert(
                    Transition(
                        observation: [Float(episode), Float(step % length), 0, 0], action: [0], reward: 1,
                        nextObservation: [0, 0, 0, 0], terminated: step % length == length - 1, episode: episode,
                        step: Int32(step % length)))
            }
        }
        let sequences = try store.sampleSequences(count: 500, length: 5)
        for sequence in sequences {
            let transitions = sequence.map { store.transition(at: $0) }
            #expect(Set(transitions.map(\.episode)).count == 1)
            #expect(transitions.map(\.step) == Array(transitions[0].step..<(transitions[0].step + 5)))
            #expect(!transitions.dropLast().contains { $0.terminated })
        }
        #expect(throws: ReplayError.self) { try store.sampleSequences(count: 1, length: 11, maximumAttempts: 50) }
    }

    @Test func nStepReturnsSumDiscountedRewardsAndStopAtTheEpisodeEnd() throws {
        let store = ReplayStore(schema: testSchema, capacity: 100, eviction: .fifo, seed: 8)
        // One episode of 4 steps with rewards 1, 2, 3, 4; the last step terminates.
        for step in 0..<4 {
            store.insert(
                Transition(
                    observation: [Float(step), 0, 0, 0], action: [0], reward: Float(step + 1),
                    nextObservation: [Float(step + 1), 0, 0, 0], terminated: step == 3, episode: 0, step: Int32(step)))
        }
        var batch = ReplayBatch(schema: testSchema, size: 400)
        try store.sampleNStep(into: &batch, steps: 3, gamma: 0.5)
        for index in 0..<batch.size {
            let start = Int(batch.observations[index * 4])
            // From step s: rewards r_s + ½ r_{s+1} + ¼ r_{s+2}, cut at the terminal step 3.
            let returns: [Float] = [2.75, 4.5, 5, 4]
            let discounts: [Float] = [0.125, 0.125, 0.25, 0.5]
            let terminals: [Float] = [0, 1, 1, 1]
            let nextStarts: [Float] = [3, 4, 4, 4]
            #expect(batch.rewards[index] == returns[start] && batch.discounts[index] == discounts[start])
            #expect(
                batch.terminals[index] == terminals[start] && batch.nextObservations[index * 4] == nextStarts[start])
        }
    }
}
