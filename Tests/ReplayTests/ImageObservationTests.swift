import HDF5
import LifelongTestSupport
import Replay
import Testing

@Suite("Byte observations (84×84 frames)")
struct ImageObservationTests {
    static let schema = ReplaySchema(observationSize: 84 * 84, observationType: .uint8, action: .discrete)

    /// A frame whose every pixel is a function of the stream position.
    static func frame(_ index: Int) -> [Float] { (0..<(84 * 84)).map { Float((index * 7 + $0) % 256) } }

    static func transition(_ index: Int) -> Transition {
        Transition(
            observation: frame(index), action: [Float(index % 4)], reward: Float(index),
            nextObservation: frame(index + 1),
            terminated: index % 20 == 19, episode: Int64(index / 20), step: Int32(index % 20))
    }

    @Test func framesAreStoredAsBytesAndComeBackExactly() throws {
        let store = ReplayStore(schema: Self.schema, capacity: 200, eviction: .fifo, seed: 1)
        for index in 0..<300 { store.insert(Self.transition(index)) }
        #expect(store.bytesPerTransition < 2 * 84 * 84 + 100, "a quarter of the Float32 size")
        var batch = ReplayBatch(schema: Self.schema, size: 64)
        try store.sample(into: &batch)
        #expect(batch.observations.isEmpty && batch.observationBytes.count == 64 * 2 * 84 * 84)
        for index in 0..<64 {
            let position = Int(store.streamPosition(ofSlot: Int(batch.slots[index])))
            let row = Array(batch.observationBytes[(index * 2 * 7056)..<((index + 1) * 2 * 7056)])
            #expect(row == (Self.frame(position) + Self.frame(position + 1)).map { UInt8($0) })
            #expect(batch.rewards[index] == Float(position) && batch.actions[index] == Float(position % 4))
        }
        let slot = Int(batch.slots[0])
        #expect(store.transition(at: slot).observation == Self.frame(Int(store.streamPosition(ofSlot: slot))))
        try store.sampleNStep(into: &batch, steps: 3, gamma: 0.5)
        let start = Int(store.streamPosition(ofSlot: Int(batch.slots[0])))
        let last = min(start + 2, start - start % 20 + 19)
        #expect(Array(batch.observationBytes[7056..<(2 * 7056)]) == Self.frame(last + 1).map { UInt8($0) })
    }

    @Test func aPersistedByteStoreReopensExactlyAndItsLogIsUInt8() throws {
        let directory = TemporaryDirectory("replay-images")
        let path = directory.file("replay")
        let store = try ReplayStore.create(at: path, schema: Self.schema, capacity: 50, eviction: .reservoir, seed: 2)
        for index in 0..<120 { store.insert(Self.transition(index)) }
        try store.commit()
        let reopened = try ReplayStore.open(path)
        #expect(reopened.count == 50)
        for slot in 0..<reopened.count {
            #expect(reopened.transition(at: slot).observation == store.transition(at: slot).observation)
        }
        let log = try File.open(path + "/steps.h5", mode: .readSWMR)
        #expect(log.isDataset("steps/observation"))
        #expect(try log.openDataset("steps/observation", as: UInt8.self).storedType == .unsignedInteger(bytes: 1))
    }
}
