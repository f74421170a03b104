import BenchmarkSupport
import Neural

/// `--breakdown`: times the phases of the MLP workloads separately (recording + forward, + backward, the
/// optimizer step), to see where a step's time goes before optimising it.
func printBreakdown() {
    for (sizes, batch) in [([4, 64, 64, 2], 64), ([4, 256, 256, 2], 256)] {
        let regression = MLPRegression(sizes, batch: batch)
        let graph = regression.graph
        let forward = medianSeconds {
            graph.reset()
            _ = regression.loss()
        }
        let backward = medianSeconds {
            graph.reset()
            graph.backward(regression.loss())
        }
        let step = medianSeconds { regression.optimizer.step() }
        print(
            "\(sizes) / batch \(batch): forward \(microseconds(forward)), forward + backward \(microseconds(backward)), "
                + "Adam \(microseconds(step))")
    }
}

func microseconds(_ seconds: Double) -> String { String(format: "%.1f µs", seconds * 1e6) }
