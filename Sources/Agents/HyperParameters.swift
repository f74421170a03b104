import Foundation

/// Hyper-parameters given by name over a configuration's defaults — how `lifelong train --config` and a
/// curriculum's `agent.hyperparameters` set a `DQNConfiguration` or `SACConfiguration`.
///
/// ```swift
/// let configuration = try HyperParameters.merge(["learningRate": 0.001], into: DQNConfiguration())
/// ```
public enum HyperParameters {
    /// Why hyper-parameters could not be applied.
    public enum MergeError: Error, CustomStringConvertible, Sendable {
        /// A name the configuration does not have.
        case unknown(name: String, valid: [String])
        /// A value of the wrong type (`name` is the offending key when it can be told).
        case wrongType(name: String?, detail: String)

        public var description: String {
            switch self {
            case .unknown(let name, let valid):
                "unknown hyper-parameter \"\(name)\"; valid: " + valid.joined(separator: ", ")
            case .wrongType(let name, let detail):
                (name.map { "\"\($0)\" has the wrong type" } ?? "a value has the wrong type") + " (\(detail))"
            }
        }
    }

    /// The names a configuration takes, sorted.
    public static func names<Configuration: Encodable>(of defaults: Configuration) -> [String] {
        let object = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(defaults))) as? [String: Any]
        return (object ?? [:]).keys.sorted()
    }

    /// Decodes `given` over `defaults`: named keys replace defaults; an unknown key is an error listing the names.
    public static func merge<Configuration: Codable>(
        _ given: [String: Any], into defaults: Configuration
    ) throws(MergeError) -> Configuration {
        let base: [String: Any]
        do {
            base = try JSONSerialization.jsonObject(with: JSONEncoder().encode(defaults)) as? [String: Any] ?? [:]
        } catch {
            preconditionFailure("a configuration always encodes to a JSON object: \(error)")
        }
        if let unknown = given.keys.sorted().first(where: { base[$0] == nil }) {
            throw .unknown(name: unknown, valid: base.keys.sorted())
        }
        let merged = base.merging(given) { $1 }
        do {
            return try JSONDecoder().decode(Configuration.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch let error as DecodingError {
            switch error {
            case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
                throw .wrongType(name: context.codingPath.first?.stringValue, detail: "expected \(type)")
            case .dataCorrupted(let context):
                throw .wrongType(name: context.codingPath.first?.stringValue, detail: context.debugDescription)
            default:
                throw .wrongType(name: nil, detail: "\(error)")
            }
        } catch {
            throw .wrongType(name: nil, detail: "\(error)")
        }
    }
}
