import BenchmarkSupport
import Neural

/// `--breakdown`: times the phases of the MLP workloads separately (recording + forward, + backward, the
/// optimizer step), to see where a step's time goes before optimising it.
func printBreakdown() {
    for (sizes, batch) in [([4, 64, 64, 2], 64), ([4, 256, 256, 2], 256)] {
        let store = ParameterStore()
        var random = RandomStream(seed: 1)
        let net = MLP(sizes, activation: .relu, store: store, random: &random)
        let optimizer = Adam(store: store, learningRate: 1e-4)
        let graph = Graph()
        let input = benchmarkTensor([batch, sizes[0]], seed: 2)
        let target = benchmarkTensor([batch, sizes[sizes.count - 1]], seed: 3)
        func loss() -> Variable { graph.meanSquaredError(net(graph.input(input)), graph.input(target)) }
        let forward = medianSeconds {
            graph.reset()
            _ = loss()
        }
        let backward = medianSeconds {
            graph.reset()
            graph.backward(loss())
        }
        let step = medianSeconds { optimizer.step() }
        print(
            "\(sizes) / batch \(batch): forward \(microseconds(forward)), forward + backward \(microseconds(backward)), "
                + "Adam \(microseconds(step))")
    }
}

func microseconds(_ seconds: Double) -> String { String(format: "%.1f µs", seconds * 1e6) }
