import LifelongTestSupport
import Replay
import Testing

@Suite("Capacity and eviction")
struct EvictionTests {
    @Test func fifoKeepsTheNewestTransitions() {
        let store = ReplayStore(schema: testSchema, capacity: 100, eviction: .fifo, seed: 1)
        for index in 0..<250 { store.insert(streamTransition(index)) }
        #expect(store.count == 100 && store.inserted == 250)
        let kept = Set((0..<store.count).map { store.streamPosition(ofSlot: $0) })
        #expect(kept == Set(150..<250))
        let slot = (0..<store.count).first { store.streamPosition(ofSlot: $0) == 200 }!
        #expect(store.transition(at: slot).observation == [200, 200.25, 200.5, 200.75])
        #expect(store.transition(at: slot).extras["value"] == [400])
    }

    @Test func reservoirKeepsAUniformSampleOfTheWholeStream() {
        let store = ReplayStore(schema: testSchema, capacity: 10_000, eviction: .reservoir, seed: 2)
        for index in 0..<100_000 { store.insert(streamTransition(index)) }
        #expect(store.count == 10_000)
        var bins = [Int](repeating: 0, count: 10)
        for slot in 0..<store.count { bins[Int(store.streamPosition(ofSlot: slot)) / 10_000] += 1 }
        // 1,000 expected per tenth of the stream; the standard deviation is about 30.
        #expect(bins.allSatisfy { abs($0 - 1000) < 150 }, "\(bins)")
        let again = ReplayStore(schema: testSchema, capacity: 10_000, eviction: .reservoir, seed: 2)
        for index in 0..<100_000 { again.insert(streamTransition(index)) }
        #expect(
            (0..<100).map { again.streamPosition(ofSlot: $0) } == (0..<100).map { store.streamPosition(ofSlot: $0) })
    }

    @Test func balancedEvictionGivesEveryTaskAnEqualShare() {
        let store = ReplayStore(schema: testSchema, capacity: 900, eviction: .balanced, seed: 3)
        for index in 0..<3000 { store.insert(streamTransition(index, tasks: 3, perTask: 1000)) }
        #expect(store.tasks == [0, 1, 2])
        #expect([0, 1, 2].map { store.count(ofTask: $0) } == [300, 300, 300])
        // Within a task the oldest leave first.
        let task0 = (0..<store.count).filter { store.transition(at: $0).task == 0 }.map {
            store.streamPosition(ofSlot: $0)
        }
        #expect(Set(task0) == Set(700..<1000))
    }

    @Test func keepEverythingGrows() {
        let store = ReplayStore(schema: testSchema, capacity: 10, eviction: .keepEverything, seed: 4)
        for index in 0..<100_000 { store.insert(streamTransition(index)) }
        #expect(store.count == 100_000 && store.capacity == nil)
        #expect(store.transition(at: 99_999).reward == 999.99)
    }
}
