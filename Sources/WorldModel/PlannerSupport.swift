/// The middle of the box [lower, upper] for every step of a `horizon`-step plan ([horizon × lower.count]).
func midpoints(lower: [Float], upper: [Float], horizon: Int) -> [Float] {
    (0..<(horizon * lower.count)).map { (lower[$0 % lower.count] + upper[$0 % lower.count]) / 2 }
}

/// Orders the candidates best score first (ties by index) into `order`, after replacing NaN scores by −1e-10 as
/// mbrl-lib does.
func rank(_ scores: inout [Float], into order: inout [Int]) {
    for index in scores.indices where scores[index].isNaN { scores[index] = -1e-10 }
    for index in order.indices { order[index] = index }
    order.sort { (scores[$0], -$0) > (scores[$1], -$1) }
}
