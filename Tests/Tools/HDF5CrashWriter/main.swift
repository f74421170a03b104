// Appends and commits to an HDF5 file in a loop until killed; the crash tests SIGKILL it at random moments.
//
// usage: HDF5CrashWriter FILE SEED SWMR(0|1) CHUNK_ROWS
// stdout: "ready" once the file exists, then "committed N" after each durable commit of N rows.
import Foundation
import HDF5
import LifelongTestSupport

let arguments = CommandLine.arguments
guard arguments.count == 5, let seed = UInt64(arguments[2]), let chunkRows = Int(arguments[4]) else {
    FileHandle.standardError.write(Data("usage: HDF5CrashWriter FILE SEED SWMR(0|1) CHUNK_ROWS\n".utf8))
    exit(2)
}
let path = arguments[1]
let swmr = arguments[3] == "1"
var random = SplitMix64(seed: seed)

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

do {
    let options = DatasetOptions(chunkRows: chunkRows)
    let file = try File.createAtomically(path) { file in
        _ = try file.createAppendableDataset("rows/index", of: Int64.self, options: options)
        _ = try file.createAppendableDataset("rows/observation", of: Float.self, rowShape: [3], options: options)
        _ = try file.createAppendableDataset("rows/record", of: CrashRow.self, options: options)
        try file.trackCommits(of: ["rows/index", "rows/observation", "rows/record"])
    }
    let index = try file.openDataset("rows/index", as: Int64.self)
    let observation = try file.openDataset("rows/observation", as: Float.self)
    let record = try file.openDataset("rows/record", as: CrashRow.self)
    if swmr { try file.startSWMRWrite() }
    say("ready")

    var rows = 0
    let started = Date()
    // Bounded so a writer that is never killed cannot fill the disk.
    while rows < 5_000_000 && Date().timeIntervalSince(started) < 60 {
        let batch = Int.random(in: 1...300, using: &random)
        let range = rows..<(rows + batch)
        try index.append(contentsOf: range.map { Int64($0) })
        try observation.append(contentsOf: range.flatMap { CrashRow.observation($0) })
        try record.append(contentsOf: range.map { CrashRow(index: $0) })
        rows += batch
        if Int.random(in: 0..<3, using: &random) == 0 {
            let committed = try file.commit()
            say("committed \(committed.rows["/rows/index"] ?? -1)")
        }
    }
} catch {
    FileHandle.standardError.write(Data("HDF5CrashWriter: \(error)\n".utf8))
    exit(1)
}
