/// Q(s, a) = V(s) + A(s, a) − mean_a A(s, a) from features [B, features] (Wang et al., 2016).
public struct DuelingHead: Layer {
    public let value: Linear
    public let advantage: Linear

    public init(
        features: Int, actions: Int, store: ParameterStore, random: inout RandomStream, name: String = "dueling"
    ) {
        let scope = store.uniqueScope(name)
        value = Linear(features, 1, store: store, random: &random, name: "\(scope)/value")
        advantage = Linear(features, actions, store: store, random: &random, name: "\(scope)/advantage")
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        let a = advantage(input)
        let meanAdvantage = a.sumAlongLastAxis() * (1 / Float(a.shape.columns))
        return a + (value(input) - meanAdvantage)
    }
}
