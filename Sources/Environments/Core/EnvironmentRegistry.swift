import Foundation

/// What the registry knows about one environment id.
public struct EnvironmentSpecification: Sendable {
    public let id: String
    public let summary: String
    public let parameters: [ParameterSpecification]
    /// Gymnasium's default time limit; the parameter `max_episode_steps` overrides it.
    public let maxEpisodeSteps: Int
    /// Makes the environment from its resolved parameters and its time limit.
    let make: @Sendable (ParameterSet, Int) throws -> any Environment
}

/// Creates environments by id and a JSON parameter object, as curricula name them.
///
/// ```swift
/// let env = try EnvironmentRegistry.make("CartPole-v1", parameters: ["length": 0.75, "max_episode_steps": 200])
/// let same = try EnvironmentRegistry.make("CartPole-v1", parametersJSON: #"{"length": 0.75}"#)
/// ```
/// Unknown ids and parameters are errors that list the valid ones.
public enum EnvironmentRegistry {
    /// Every registered environment, in listing order.
    public static let specifications: [EnvironmentSpecification] = [
        EnvironmentSpecification(
            id: "CartPole-v1", summary: "balance a pole on a cart; push left or right",
            parameters: CartPole.specifications, maxEpisodeSteps: 500
        ) { parameters, _ in try CartPole(parameters: parameters) },
        EnvironmentSpecification(
            id: "CartPoleContinuous-v0",
            summary: "CartPole with force = action × force_mag, action in [−1, 1] (mbrl-lib)",
            parameters: CartPole.specifications, maxEpisodeSteps: 200
        ) { parameters, _ in try CartPole(parameters: parameters, continuous: true) },
        EnvironmentSpecification(
            id: "MountainCar-v0", summary: "drive an underpowered car up a hill; push left, none or right",
            parameters: MountainCar.discreteSpecifications, maxEpisodeSteps: 200
        ) { parameters, _ in try MountainCar(parameters: parameters, continuous: false) },
        EnvironmentSpecification(
            id: "MountainCarContinuous-v0", summary: "MountainCar with a continuous force in [−1, 1]",
            parameters: MountainCar.continuousSpecifications, maxEpisodeSteps: 999
        ) { parameters, _ in try MountainCar(parameters: parameters, continuous: true) },
        EnvironmentSpecification(
            id: "Acrobot-v1", summary: "swing a two-link arm above a bar by torquing the middle joint",
            parameters: Acrobot.specifications, maxEpisodeSteps: 500
        ) { parameters, _ in try Acrobot(parameters: parameters) },
        EnvironmentSpecification(
            id: "Pendulum-v1", summary: "swing a pendulum up and hold it, with a limited torque",
            parameters: Pendulum.specifications, maxEpisodeSteps: 200
        ) { parameters, _ in try Pendulum(parameters: parameters) },
        EnvironmentSpecification(
            id: "GridWorld-v0", summary: "an open room; reach the goal (MiniGrid-style rules)",
            parameters: GridWorld.specifications, maxEpisodeSteps: 196
        ) { try GridWorld(parameters: $0, family: .room, timeLimit: $1) },
        EnvironmentSpecification(
            id: "FourRooms-v0", summary: "four rooms joined by doorways placed from layout_seed",
            parameters: GridWorld.specifications, maxEpisodeSteps: 100
        ) { try GridWorld(parameters: $0, family: .fourRooms, timeLimit: $1) },
        EnvironmentSpecification(
            id: "KeyDoor-v0", summary: "pick up the key, open the locked door, reach the goal",
            parameters: GridWorld.specifications, maxEpisodeSteps: 490
        ) { try GridWorld(parameters: $0, family: .keyDoor, timeLimit: $1) },
        EnvironmentSpecification(
            id: "LavaCrossing-v0", summary: "cross a lava river through its one gap",
            parameters: GridWorld.specifications, maxEpisodeSteps: 196
        ) { try GridWorld(parameters: $0, family: .lavaCrossing, timeLimit: $1) },
    ]

    /// The parameter every environment takes besides its own.
    public static let timeLimitParameter = "max_episode_steps"

    /// The specification of `id`, or an error listing the known ids.
    public static func specification(_ id: String) throws -> EnvironmentSpecification {
        guard let specification = specifications.first(where: { $0.id == id }) else {
            let known = specifications.map(\.id).joined(separator: ", ")
            throw EnvironmentError(.unknownEnvironment, "unknown environment \"\(id)\"; known: \(known)")
        }
        return specification
    }

    /// Makes `id` with `parameters` (its own, plus `max_episode_steps`), wrapped in its time limit.
    public static func make(_ id: String, parameters: [String: ParameterValue] = [:]) throws -> any Environment {
        let specification = try specification(id)
        var own = parameters
        var limit = specification.maxEpisodeSteps
        if let given = own.removeValue(forKey: timeLimitParameter) {
            guard case .number(let steps) = given, steps >= 1, steps == steps.rounded(), steps < 1e9 else {
                throw EnvironmentError(
                    .invalidParameter,
                    "\(id): parameter \"\(timeLimitParameter)\" is \(given); expected a whole number ≥ 1")
            }
            limit = Int(steps)
        }
        let resolved = try ParameterSet(
            environment: id, specifications: specification.parameters, given: own)
        return TimeLimit(try specification.make(resolved, limit), maxEpisodeSteps: limit)
    }

    /// Makes `id` with parameters given as a JSON object (`{}` or empty for the defaults).
    public static func make(_ id: String, parametersJSON: String) throws -> any Environment {
        try make(id, parameters: parseParameters(parametersJSON, context: id))
    }

    /// Parses a JSON object of parameter values (numbers, booleans, strings).
    public static func parseParameters(_ json: String, context: String) throws -> [String: ParameterValue] {
        let trimmed = json.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return [:] }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(trimmed.utf8), options: [.fragmentsAllowed])
        } catch {
            throw EnvironmentError(.invalidParameter, "\(context): parameters are not valid JSON: \(trimmed)")
        }
        guard let dictionary = object as? [String: Any] else {
            throw EnvironmentError(
                .invalidParameter, "\(context): parameters must be a JSON object, e.g. {\"gravity\": 12}")
        }
        var values: [String: ParameterValue] = [:]
        for (name, raw) in dictionary {
            if let number = raw as? NSNumber {
                values[name] = isBoolean(number) ? .bool(number.boolValue) : .number(number.doubleValue)
            } else if let text = raw as? String {
                values[name] = .string(text)
            } else {
                throw EnvironmentError(
                    .invalidParameter, "\(context): parameter \"\(name)\" must be a number, a boolean or a string")
            }
        }
        return values
    }
}

/// Whether a number from `JSONSerialization` was a `true`/`false` literal (Foundation types those as char).
private func isBoolean(_ number: NSNumber) -> Bool {
    String(cString: number.objCType) == "c"
}
