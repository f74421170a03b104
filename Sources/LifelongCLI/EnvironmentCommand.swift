import ArgumentParser
import Environments
import Foundation

/// `lifelong env`: list the built-in environments, or roll one out from a given state.
struct EnvironmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "List environments, or roll one out from a given internal state.",
        subcommands: [List.self, Rollout.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every environment id with its spaces and parameters (with defaults).")

        func run() throws {
            for specification in EnvironmentRegistry.specifications {
                let environment = try EnvironmentRegistry.make(specification.id)
                print("\(specification.id) — \(specification.summary)")
                print("  observation: \(environment.observationSpace)")
                print("  action: \(environment.actionSpace)")
                print("  \(EnvironmentRegistry.timeLimitParameter) = \(specification.maxEpisodeSteps)  (time limit)")
                for parameter in specification.parameters {
                    let choices =
                        parameter.choices.isEmpty ? "" : " (one of \(parameter.choices.joined(separator: ", ")))"
                    print("  \(parameter.name) = \(parameter.defaultValue)  \(parameter.summary)\(choices)")
                }
            }
        }
    }

    struct Rollout: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the internal state, apply actions in order, print one JSON object per step.",
            discussion: """
                The state is the vector Gymnasium keeps in env.unwrapped.state. Output stops after the first step
                that terminates or truncates. Example:
                  lifelong env rollout --env CartPole-v1 --initial-state '[0, 0, 0.05, 0]' --actions '[1, 0, 1]'
                """
        )

        @Option(name: .customLong("env"), help: "Environment id (see `lifelong env list`).")
        var environment: String

        @Option(help: "Parameters as a JSON object, e.g. '{\"gravity\": 12}'.")
        var params = "{}"

        @Option(help: "The internal state as a JSON array of numbers.")
        var initialState: String

        @Option(
            help:
                "Actions as a JSON array: integers for discrete actions, numbers (or one-number arrays) for continuous ones."
        )
        var actions: String

        func run() throws {
            let env = try EnvironmentRegistry.makeForCommand(environment, parametersJSON: params)
            let state = try parseNumbers(initialState, option: "--initial-state")
            do {
                try env.setState(state)
            } catch let error as EnvironmentError {
                throw ValidationError("--initial-state: \(error)")
            }
            let steps = try parseActions(for: env)
            var observation = [Float](repeating: 0, count: env.observationSpace.flatCount)
            for action in steps {
                let outcome = try observation.withUnsafeMutableBufferPointer { buffer in
                    switch action {
                    case .discrete(let index): return try env.step(.discrete(index), observation: buffer)
                    case .continuous(let values):
                        return try values.withUnsafeBufferPointer { try env.step(.continuous($0), observation: buffer) }
                    }
                }
                let values = observation.map { "\(Double($0))" }.joined(separator: ", ")
                print(
                    "{\"obs\": [\(values)], \"reward\": \(outcome.reward), \"terminated\": \(outcome.terminated), "
                        + "\"truncated\": \(outcome.truncated)}")
                if outcome.terminated || outcome.truncated { break }
            }
        }

        enum ParsedAction {
            case discrete(Int)
            case continuous([Float])
        }

        private func parseActions(for env: any Environment) throws -> [ParsedAction] {
            guard let list = try? JSONSerialization.jsonObject(with: Data(actions.utf8)) as? [Any] else {
                throw ValidationError("--actions must be a JSON array, e.g. [0, 1, 1]; got \(actions)")
            }
            return try list.enumerated().map { index, raw in
                switch env.actionSpace {
                case .discrete(let count):
                    guard let number = raw as? NSNumber, number.doubleValue == number.doubleValue.rounded(),
                        (0..<count).contains(number.intValue)
                    else {
                        throw ValidationError(
                            "--actions[\(index)] is \(raw); \(env.id) takes an integer in 0..<\(count)")
                    }
                    return .discrete(number.intValue)
                case .box(let low, _, _):
                    let values = (raw as? [Any] ?? [raw]).compactMap { ($0 as? NSNumber)?.floatValue }
                    guard values.count == low.count else {
                        throw ValidationError(
                            "--actions[\(index)] is \(raw); \(env.id) takes \(low.count) number(s) per action")
                    }
                    return .continuous(values)
                case .multiDiscrete:
                    throw ValidationError("--actions: multi-discrete actions are not supported by rollout")
                }
            }
        }

        private func parseNumbers(_ text: String, option: String) throws -> [Double] {
            guard let list = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any],
                case let numbers = list.compactMap({ ($0 as? NSNumber)?.doubleValue }), numbers.count == list.count
            else {
                throw ValidationError("\(option) must be a JSON array of numbers, e.g. [0, 0, 0.05, 0]; got \(text)")
            }
            return numbers
        }
    }
}
