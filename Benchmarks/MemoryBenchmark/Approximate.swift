import BenchmarkSupport
import Environments
import EpisodicMemory
import Foundation
import Randomness

/// The IVF index against the exact search on the same store: recall@k and queries per second (batch 32) over a
/// sweep of probes, on keys made from real environment states and on Gaussian keys.
enum Approximate {
    struct Point {
        var probes: Int
        var recall: Double
        var queriesPerSecond: Double
    }

    /// CartPole states from random play (4 values) projected to `dimension`-dim keys.
    static func environmentKeys(count: Int, dimension: Int) throws -> [Float] {
        let environment = try EnvironmentRegistry.make("CartPole-v1")
        let projection = RandomProjection(inputSize: 4, outputSize: dimension, stream: RandomStream(seed: 21))
        var random = RandomStream(seed: 22)
        var keys = [Float]()
        keys.reserveCapacity(count * dimension)
        var observation = try environment.reset(seed: 1)
        var episode: UInt64 = 1
        while keys.count < count * dimension {
            keys += projection.project(observation)
            let (next, outcome) = try environment.step(.discrete(random.index(below: 2)))
            observation = next
            if outcome.terminated || outcome.truncated {
                episode += 1
                observation = try environment.reset(seed: episode)
            }
        }
        return keys
    }

    /// A store of the first `size` keys; the exact neighbours and speed of `queries`; then the index's sweep.
    static func sweep(
        keys: [Float], queries: [Float], size: Int, dimension: Int, k: Int, cells: Int, probes: [Int]
    ) throws -> (exactQPS: Double, truth: [Int32], points: [Point]) {
        let store = try EpisodicStore(MemoryConfiguration(capacity: size, keySize: dimension))
        for row in 0..<size {
            store.write(key: Array(keys[row * dimension..<(row + 1) * dimension]), value: [0], task: 0)
        }
        let count = queries.count / dimension
        var exact = Neighbours()
        /// Median seconds to read all queries in batches of 32.
        func seconds(approximate: Bool, into result: inout Neighbours) -> Double {
            queries.withUnsafeBufferPointer { all in
                median(3) {
                    let start = now()
                    for batch in 0..<count / 32 {
                        store.nearest(
                            UnsafeBufferPointer(rebasing: all[batch * 32 * dimension..<(batch + 1) * 32 * dimension]),
                            queryCount: 32, k: k, into: &result, approximate: approximate)
                    }
                    return now() - start
                }
            }
        }
        let exactSeconds = seconds(approximate: false, into: &exact)
        queries.withUnsafeBufferPointer { store.nearest($0, queryCount: count, k: k, into: &exact) }
        try store.buildIndex(cells: cells, probes: 1, stream: RandomStream(seed: 7))
        var points: [Point] = []
        var approximate = Neighbours()
        for probe in probes {
            store.index!.probes = probe
            let elapsed = seconds(approximate: true, into: &approximate)
            queries.withUnsafeBufferPointer {
                store.nearest($0, queryCount: count, k: k, into: &approximate, approximate: true)
            }
            var found = 0
            for query in 0..<count {
                let truth = Set(exact.slots[query * k..<(query + 1) * k])
                found += approximate.slots[query * k..<(query + 1) * k].filter { truth.contains($0) }.count
            }
            points.append(
                Point(
                    probes: probe, recall: Double(found) / Double(count * k),
                    queriesPerSecond: Double(count / 32 * 32) / elapsed))
        }
        return (Double(count / 32 * 32) / exactSeconds, exact.slots, points)
    }

    static func printSweep(_ title: String, exactQPS: Double, points: [Point]) -> Point? {
        print(title + String(format: " — exact: %.0f q/s", exactQPS))
        print("  probes   recall@50   q/s      × exact")
        for point in points {
            print(
                String(
                    format: "  %6d   %9.4f   %6.0f   %6.1f×", point.probes, point.recall, point.queriesPerSecond,
                    point.queriesPerSecond / exactQPS))
        }
        return points.first { $0.recall >= 0.95 }
    }
}
