public import Randomness

/// A family of tasks: a base environment, parameters fixed for the whole family, and ranges for the parameters
/// that vary. A task is a point in the ranges.
///
/// ```swift
/// let family = try TaskFamily(
///     environment: "CartPole-v1", fixed: ["force_mag": 10], ranges: ["length": 0.25...1.0, "masspole": 0.05...0.5])
/// let heavy = try family.make(["length": 0.5, "masspole": 0.4])
/// var random = RandomStream(seed: 3)
/// let sampled = try EnvironmentRegistry.make(family.environment, parameters: family.sample(&random))
/// ```
public struct TaskFamily: Sendable {
    public let environment: String
    public let fixed: [String: ParameterValue]
    public let ranges: [String: ClosedRange<Double>]

    /// Checks that every name is a parameter of `environment` and that ranges cover numbers.
    public init(
        environment: String, fixed: [String: ParameterValue] = [:], ranges: [String: ClosedRange<Double>]
    ) throws {
        let specification = try EnvironmentRegistry.specification(environment)
        let names = specification.parameters.map(\.name) + [EnvironmentRegistry.timeLimitParameter]
        for name in Array(fixed.keys) + Array(ranges.keys) where !names.contains(name) {
            throw EnvironmentError(
                .unknownParameter,
                "task family over \(environment): unknown parameter \"\(name)\"; valid parameters: "
                    + names.joined(separator: ", "))
        }
        for name in ranges.keys {
            guard case .number? = specification.parameters.first(where: { $0.name == name })?.defaultValue else {
                throw EnvironmentError(
                    .invalidParameter, "task family over \(environment): \"\(name)\" is not numeric, so it cannot range"
                )
            }
        }
        if let both = Set(fixed.keys).intersection(ranges.keys).first {
            throw EnvironmentError(
                .invalidParameter, "task family over \(environment): \"\(both)\" is both fixed and ranged")
        }
        self.environment = environment
        self.fixed = fixed
        self.ranges = ranges
    }

    /// The parameters of the task at `point` (one value per ranged parameter, inside its range).
    public func task(_ point: [String: Double]) throws -> [String: ParameterValue] {
        for name in ranges.keys where point[name] == nil {
            throw EnvironmentError(
                .invalidParameter, "task of \(environment): no value for ranged parameter \"\(name)\"")
        }
        var parameters = fixed
        for (name, value) in point {
            guard let range = ranges[name] else {
                throw EnvironmentError(
                    .invalidParameter,
                    "task of \(environment): \"\(name)\" is not a ranged parameter; ranged: "
                        + ranges.keys.sorted().joined(separator: ", "))
            }
            guard range.contains(value) else {
                throw EnvironmentError(
                    .invalidParameter, "task of \(environment): \(name) = \(value) is outside its range \(range)")
            }
            parameters[name] = .number(value)
        }
        return parameters
    }

    /// Makes the task at `point`.
    public func make(_ point: [String: Double]) throws -> any Environment {
        try EnvironmentRegistry.make(environment, parameters: task(point))
    }

    /// A task drawn uniformly from the ranges.
    public func sample(_ random: inout RandomStream) -> [String: ParameterValue] {
        var parameters = fixed
        for name in ranges.keys.sorted() {
            let range = ranges[name]!
            parameters[name] = .number(
                range.lowerBound + (range.upperBound - range.lowerBound) * random.uniformDouble())
        }
        return parameters
    }
}
