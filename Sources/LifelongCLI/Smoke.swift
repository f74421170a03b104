import ArgumentParser
import Foundation
import HDF5

/// Writes a small HDF5 run file through the commit protocol and reads every value back: the end-to-end check
/// that the native libraries, the wrapper and the disk work on this machine. `make run` runs it until the
/// continual-learning scheduler exists.
struct Smoke: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an HDF5 file through the commit protocol and read it back.",
        discussion: """
            The file holds a step table (observations, rewards, episode ids) and a compound metrics table, as a
            run log will. Open it with h5py:
              python3 -c "import h5py; f = h5py.File('runs/smoke.h5'); print(list(f['steps']))"
            """
    )

    @Option(help: "Where to write the file (parent directories are created; an existing file is replaced).")
    var out = "runs/smoke.h5"

    @Option(help: "How many steps to write.")
    var steps = 1000

    func validate() throws {
        guard steps >= 1 && steps <= 10_000_000 else {
            throw ValidationError("--steps must be between 1 and 10000000; got \(steps).")
        }
        guard !out.isEmpty, !out.hasSuffix("/") else {
            throw ValidationError("--out must name a file, e.g. runs/smoke.h5; got '\(out)'.")
        }
    }

    func run() throws {
        let parent = (out as NSString).deletingLastPathComponent
        if !parent.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw SmokeFailure(
                    message: "cannot create the directory '\(parent)' for --out: \(error.localizedDescription)")
            }
        }
        let content = SmokeContent(steps: steps)
        let record = try write(content)
        try verify(content)
        let open = HDF5Library.openObjectCount
        print(
            "Wrote \(out) with libhdf5 \(HDF5Library.version): \(steps) steps, \(content.metrics.count) metric rows, ",
            terminator: "")
        print("commit generation \(record.generation).")
        print("Read it back: every value matches. Open HDF5 objects after closing: \(open).")
        guard open == 0 else { throw SmokeFailure(message: "\(open) HDF5 objects were left open") }
    }

    private func write(_ content: SmokeContent) throws -> CommitRecord {
        let file = try File.createAtomically(out, overwrite: true) { file in
            try file.setAttribute("schema", "lifelong.smoke")
            try file.setAttribute("schema_version", Int64(1))
            try file.setAttribute("lifelong_version", Lifelong.version)
            try file.setAttribute("libhdf5_version", HDF5Library.version)
            _ = try file.createAppendableDataset("steps/observation", of: Float.self, rowShape: [4])
            _ = try file.createAppendableDataset("steps/reward", of: Float.self)
            _ = try file.createAppendableDataset("steps/episode_id", of: Int64.self)
            _ = try file.createAppendableDataset(
                "metrics", of: SmokeMetric.self, options: DatasetOptions(compression: .deflate(level: 4)))
            try file.trackCommits(of: ["steps/observation", "steps/reward", "steps/episode_id", "metrics"])
        }
        try file.openDataset("steps/observation", as: Float.self).append(contentsOf: content.observations)
        try file.openDataset("steps/reward", as: Float.self).append(contentsOf: content.rewards)
        try file.openDataset("steps/episode_id", as: Int64.self).append(contentsOf: content.episodeIDs)
        try file.openDataset("metrics", as: SmokeMetric.self).append(contentsOf: content.metrics)
        return try file.commit()
    }

    private func verify(_ content: SmokeContent) throws {
        let file = try File.open(out)
        guard try file.attribute("schema", as: String.self) == "lifelong.smoke" else {
            throw SmokeFailure(message: "the schema attribute did not read back")
        }
        let checks: [(String, Bool)] = [
            (
                "steps/observation",
                try file.openDataset("steps/observation", as: Float.self).readAll() == content.observations
            ),
            ("steps/reward", try file.openDataset("steps/reward", as: Float.self).readAll() == content.rewards),
            (
                "steps/episode_id",
                try file.openDataset("steps/episode_id", as: Int64.self).readAll() == content.episodeIDs
            ),
            ("metrics", try file.openDataset("metrics", as: SmokeMetric.self).readAll() == content.metrics),
        ]
        if let failed = checks.first(where: { !$0.1 }) {
            throw SmokeFailure(message: "dataset \(failed.0) did not read back as written")
        }
    }
}

/// A row of the smoke file's metrics table.
struct SmokeMetric: CompoundRow, Equatable {
    var step: Int64
    var key: FixedString<16>
    var value: Double

    static let fields: [CompoundField<SmokeMetric>] = [
        .init("step", \.step), .init("key", \.key), .init("value", \.value),
    ]
}

/// Deterministic content for the smoke file: episodes of 50 steps with a CartPole-shaped observation.
struct SmokeContent {
    let observations: [Float]
    let rewards: [Float]
    let episodeIDs: [Int64]
    let metrics: [SmokeMetric]

    init(steps: Int) {
        observations = (0..<steps).flatMap { step in
            let t = Float(step % 50) * 0.02
            return [t, 1 - t, -t / 2, t * t]
        }
        rewards = (0..<steps).map { $0 % 50 == 49 ? 0 : 1 }
        episodeIDs = (0..<steps).map { Int64($0 / 50) }
        metrics = stride(from: 0, to: steps, by: max(1, steps / 10)).map {
            SmokeMetric(step: Int64($0), key: "episodic_return", value: Double($0 % 50 + 1))
        }
    }
}

struct SmokeFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { "smoke check failed: \(message)" }
}
