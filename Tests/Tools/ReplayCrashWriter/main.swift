// Inserts a deterministic stream into a persisted replay store and commits at random until killed; the replay
// crash tests SIGKILL it at random moments.
//
// usage: ReplayCrashWriter DIRECTORY SEED EVICTION(fifo|reservoir|balanced)
// stdout: "ready" once the store exists, then "committed N" after each commit of N transitions.
import Foundation
import LifelongTestSupport
import Replay

let arguments = CommandLine.arguments
guard arguments.count == 4, let seed = UInt64(arguments[2]),
    let eviction = ["fifo": EvictionPolicy.fifo, "reservoir": .reservoir, "balanced": .balanced][arguments[3]]
else {
    FileHandle.standardError.write(Data("usage: ReplayCrashWriter DIRECTORY SEED fifo|reservoir|balanced\n".utf8))
    exit(2)
}
var random = SplitMix64(seed: seed)
do {
    let store = try ReplayStore.create(
        at: arguments[1], schema: testSchema, capacity: 500, eviction: eviction, seed: seed, priorityExponent: 0.6)
    FileHandle.standardOutput.write(Data("ready\n".utf8))
    var index = 0
    let started = Date()
    while index < 2_000_000 && Date().timeIntervalSince(started) < 60 {
        for _ in 0..<Int.random(in: 1...200, using: &random) {
            store.insert(streamTransition(index, tasks: 3, perTask: 5000))
            index += 1
        }
        if Int.random(in: 0..<3, using: &random) == 0 {
            try store.commit()
            FileHandle.standardOutput.write(Data("committed \(store.inserted)\n".utf8))
        }
    }
} catch {
    FileHandle.standardError.write(Data("ReplayCrashWriter: \(error)\n".utf8))
    exit(1)
}
