import ArgumentParser
import HDF5

struct Smoke: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "placeholder")
    func run() throws {}
}
