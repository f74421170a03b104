import Testing

@testable import Neural

/// `MLP.inputGradient` — a backward pass over a few listed rows of a batch — must give `Graph.backward`'s numbers for
/// those rows, bit for bit, and leave the other rows alone.
@Suite("An MLP's input gradient at listed rows")
struct InputGradientTests {
    /// A critic-shaped MLP (4 inputs, two hidden layers of 256, one output) at a batch of 256 rows.
    struct Fixture {
        let store = ParameterStore()
        let net: MLP
        let batch = randomTensor([256, 4], seed: 42)
        let seeds = randomTensor([256, 1], seed: 43)

        init() {
            var random = RandomStream(seed: 41)
            net = MLP([4, 256, 256, 1], activation: .relu, store: store, random: &random)
        }

        /// `Graph.backward` through the whole batch, with `seeds` zeroed outside `rows`.
        func wholeBatchGradient(rows: [Int32], precision: MatmulPrecision) -> [Float] {
            let graph = Graph()
            graph.matmulPrecision = precision
            let x = graph.input(batch, requiresGradient: true)
            let output = net(x)
            var seed = [Float](repeating: 0, count: 256)
            for row in rows { seed[Int(row)] = seeds.scalars[Int(row)] }
            seed.withUnsafeBufferPointer { graph.backward(output, seed: $0) }
            return Array(graph.gradient(of: x)!)
        }

        /// `inputGradient` at `rows` over a gradient buffer filled with 7s.
        func listedRowsGradient(rows: [Int32], precision: MatmulPrecision) -> [Float] {
            let graph = Graph()
            graph.matmulPrecision = precision
            let pass = net.pass(graph.input(batch))
            var gradient = [Float](repeating: 7, count: 256 * 4)
            rows.withUnsafeBufferPointer { listed in
                seeds.scalars.withUnsafeBufferPointer { seeds in
                    gradient.withUnsafeMutableBufferPointer {
                        net.inputGradient(
                            of: pass, rows: listed, seeds: seeds.baseAddress!, into: $0.baseAddress!,
                            workspace: InputGradientWorkspace())
                    }
                }
            }
            return gradient
        }
    }

    static let precisions: [MatmulPrecision] = MatmulPrecision.bfloat16IsAvailable ? [.float32, .bfloat16] : [.float32]

    @Test(arguments: precisions)
    func listedRowsGetTheWholeBatchBackwardNumbersBitForBit(precision: MatmulPrecision) {
        let fixture = Fixture()
        // Every third row, then a single row and a run of rows: the products see different row counts.
        let cases: [[Int32]] = [stride(from: 1, to: 256, by: 3).map(Int32.init), [200], (40..<168).map(Int32.init)]
        for rows in cases {
            let whole = fixture.wholeBatchGradient(rows: rows, precision: precision)
            let listed = fixture.listedRowsGradient(rows: rows, precision: precision)
            let isListed = Set(rows)
            var mismatches = 0
            for row in 0..<256 {
                for column in 0..<4 {
                    let index = row * 4 + column
                    let expected: Float = isListed.contains(Int32(row)) ? whole[index] : 7
                    if listed[index] != expected { mismatches += 1 }
                }
            }
            #expect(mismatches == 0, "\(rows.count) rows listed, \(precision)")
            #expect(rows.contains { whole[Int($0) * 4] != 0 })
        }
    }

    @Test func aPassRecordsTheSameValuesAsTheMLP() {
        let fixture = Fixture()
        let graph = Graph()
        let pass = fixture.net.pass(graph.input(fixture.batch))
        let plain = fixture.net(graph.input(fixture.batch))
        #expect(Array(pass.output.values) == Array(plain.values))
    }

    @Test func noListedRowsWritesNothing() {
        let fixture = Fixture()
        #expect(fixture.listedRowsGradient(rows: [], precision: .float32) == [Float](repeating: 7, count: 1024))
    }
}
