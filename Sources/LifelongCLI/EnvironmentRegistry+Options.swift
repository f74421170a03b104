import ArgumentParser
import Environments

extension EnvironmentRegistry {
    /// Builds `id` with `parametersJSON` for a command, blaming the option the user should fix:
    /// `--env` for an unknown id, `--params` for anything wrong with the parameters.
    static func makeForCommand(_ id: String, parametersJSON: String) throws -> any Environment {
        do {
            return try make(id, parametersJSON: parametersJSON)
        } catch let error as EnvironmentError {
            throw ValidationError("\(error.kind == .unknownEnvironment ? "--env" : "--params"): \(error)")
        }
    }
}
