/// A differentiable function of one variable whose weights live in a `ParameterStore`.
public protocol Layer {
    func callAsFunction(_ input: Variable) -> Variable
}

/// Elementwise nonlinearities for layers.
public enum Activation: String, Sendable, Codable, CaseIterable {
    case identity, relu, tanh, sigmoid, silu, elu, softplus

    /// Applies the activation (records nothing for `identity`).
    public func callAsFunction(_ x: Variable) -> Variable {
        switch self {
        case .identity: return x
        case .relu: return x.relu()
        case .tanh: return x.tanh()
        case .sigmoid: return x.sigmoid()
        case .silu: return x.silu()
        case .elu: return x.elu()
        case .softplus: return x.softplus()
        }
    }
}

extension ParameterStore {
    /// `base`, or `base_1`, `base_2`, … if a parameter group of that name exists: deterministic unique names.
    func uniqueScope(_ base: String) -> String {
        func taken(_ scope: String) -> Bool { parameters.contains { $0.name.hasPrefix(scope + "/") } }
        guard taken(base) else { return base }
        var suffix = 1
        while taken("\(base)_\(suffix)") { suffix += 1 }
        return "\(base)_\(suffix)"
    }
}
