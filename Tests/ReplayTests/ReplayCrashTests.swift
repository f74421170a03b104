import Foundation
import LifelongTestSupport
import Replay
import Testing

/// SIGKILL during appends and commits: the reopened store holds exactly the transitions of its last commit.
@Suite("Kill -9 leaves the replay store at its last commit")
struct ReplayCrashTests {
    static let trials = TestEnvironment.crashTrials(default: 21)

    @Test func theReopenedStoreHoldsExactlyTheLastCommit() throws {
        let directory = TemporaryDirectory("replay-crash")
        var random = SplitMix64(seed: 777)
        var recovered = 0
        for trial in 0..<Self.trials {
            let path = directory.file("trial-\(trial)")
            let eviction = ["fifo", "reservoir", "balanced"][trial % 3]
            // Odd trials time the kill from the store's "ready", even ones from the start (see the HDF5 crash test).
            let transcript = try ProcessRunner.runAndKill(
                TestEnvironment.product("ReplayCrashWriter"), [path, String(trial), eviction],
                afterMicroseconds: UInt32.random(in: 20_000...500_000, using: &random),
                afterLine: trial % 2 == 1 ? "ready" : nil)
            #expect(!transcript.contains("ReplayCrashWriter:"), "\(transcript)")
            let reported = ProcessRunner.lastCommit(in: transcript) ?? 0
            guard FileManager.default.fileExists(atPath: path + "/steps.h5") else {
                #expect(!transcript.contains("ready"), "the store vanished after it was created")
                continue
            }
            let store = try ReplayStore.open(path)
            #expect(store.inserted >= reported, "\(eviction): lost commits (\(store.inserted) < \(reported))")
            for slot in 0..<store.count {
                let position = Int(store.streamPosition(ofSlot: slot))
                let expected = streamTransition(position, tasks: 3, perTask: 5000)
                let actual = store.transition(at: slot)
                #expect(actual.observation == expected.observation && actual.task == expected.task, "slot \(slot)")
            }
            // It carries on: new transitions and commits.
            for index in 0..<10 { store.insert(streamTransition(Int(store.inserted) + index)) }
            try store.commit()
            #expect(try ReplayStore.open(path).inserted == store.inserted)
            if store.inserted > 0 { recovered += 1 }
        }
        #expect(recovered >= Self.trials / 4, "too few trials reached a commit: \(recovered)")
    }
}
