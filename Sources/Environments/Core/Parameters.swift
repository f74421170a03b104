/// A parameter value from a curriculum or the command line.
public enum ParameterValue: Equatable, Sendable, CustomStringConvertible {
    case number(Double)
    case bool(Bool)
    case string(String)

    public var description: String {
        switch self {
        case .number(let value): return value == value.rounded() && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
        case .bool(let value): return "\(value)"
        case .string(let value): return "\"\(value)\""
        }
    }
}

extension ParameterValue: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByStringLiteral
{
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(stringLiteral value: String) { self = .string(value) }
}

/// A named, documented parameter of an environment, with its default and, for strings, its choices.
public struct ParameterSpecification: Sendable {
    public var name: String
    public var defaultValue: ParameterValue
    public var summary: String
    public var choices: [String]

    public init(_ name: String, _ defaultValue: ParameterValue, _ summary: String, choices: [String] = []) {
        self.name = name
        self.defaultValue = defaultValue
        self.summary = summary
        self.choices = choices
    }
}

/// Resolved parameters: every specified name with its given or default value, checked once at construction
/// (environments copy them into stored properties; nothing is looked up while stepping).
public struct ParameterSet: Sendable {
    public let environment: String
    private let values: [String: ParameterValue]

    /// Checks `given` against `specifications`: unknown names and wrong kinds are errors that list what is valid.
    public init(environment: String, specifications: [ParameterSpecification], given: [String: ParameterValue]) throws {
        self.environment = environment
        var resolved: [String: ParameterValue] = [:]
        for specification in specifications { resolved[specification.name] = specification.defaultValue }
        for (name, value) in given.sorted(by: { $0.key < $1.key }) {
            guard let specification = specifications.first(where: { $0.name == name }) else {
                let valid = specifications.map(\.name).joined(separator: ", ")
                throw EnvironmentError(
                    .unknownParameter, "\(environment): unknown parameter \"\(name)\"; valid parameters: \(valid)")
            }
            let valid: Bool
            switch (specification.defaultValue, value) {
            case (.number, .number(let number)): valid = number.isFinite
            case (.bool, .bool): valid = true
            case (.string, .string(let text)):
                valid = specification.choices.isEmpty || specification.choices.contains(text)
            default: valid = false
            }
            if !valid {
                let expected: String
                switch specification.defaultValue {
                case .number: expected = "a finite number"
                case .bool: expected = "true or false"
                case .string:
                    expected =
                        specification.choices.isEmpty
                        ? "a string" : "one of " + specification.choices.map { "\"\($0)\"" }.joined(separator: ", ")
                }
                throw EnvironmentError(
                    .invalidParameter, "\(environment): parameter \"\(name)\" is \(value); expected \(expected)")
            }
            resolved[name] = value
        }
        values = resolved
    }

    public func number(_ name: String) -> Double {
        guard case .number(let value)? = values[name] else { preconditionFailure("no number parameter \(name)") }
        return value
    }

    public func bool(_ name: String) -> Bool {
        guard case .bool(let value)? = values[name] else { preconditionFailure("no bool parameter \(name)") }
        return value
    }

    public func string(_ name: String) -> String {
        guard case .string(let value)? = values[name] else { preconditionFailure("no string parameter \(name)") }
        return value
    }

    /// Requires `number(name)` to satisfy `condition`, else an error naming the parameter and the rule.
    public func require(_ name: String, _ rule: String, _ condition: (Double) -> Bool) throws {
        guard condition(number(name)) else {
            throw EnvironmentError(
                .invalidParameter, "\(environment): parameter \"\(name)\" is \(number(name)); it must be \(rule)")
        }
    }
}
