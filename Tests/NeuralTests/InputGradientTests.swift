import Testing

@testable import Neural

/// `MLP.inputGradient` — a backward pass over a few listed rows of a batch — must give `Graph.backward`'s numbers for
/// those rows and leave the other rows alone: bit for bit where the product's sums do not depend on its row count
/// (the bf16 kernel; OpenBLAS's SkylakeX sgemm), to float rounding where they do (OpenBLAS's Haswell and Zen sgemm).
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
    func listedRowsGetTheWholeBatchBackwardNumbers(precision: MatmulPrecision) {
        let fixture = Fixture()
        // Every third row, then a single row and a run of rows: the products see different row counts.
        let cases: [[Int32]] = [stride(from: 1, to: 256, by: 3).map(Int32.init), [200], (40..<168).map(Int32.init)]
        let bitForBit = precision == .bfloat16 || !Self.sgemmSumsDependOnRowCount(cases.map(\.count))
        for rows in cases {
            let whole = fixture.wholeBatchGradient(rows: rows, precision: precision)
            let listed = fixture.listedRowsGradient(rows: rows, precision: precision)
            let isListed = Set(rows)
            let scale = whole.map(abs).max()!
            var mismatches = 0
            var untouchedChanged = 0
            var worst: Float = 0
            for row in 0..<256 {
                for column in 0..<4 {
                    let index = row * 4 + column
                    guard isListed.contains(Int32(row)) else {
                        if listed[index] != 7 { untouchedChanged += 1 }
                        continue
                    }
                    if listed[index] != whole[index] { mismatches += 1 }
                    worst = max(worst, abs(listed[index] - whole[index]))
                }
            }
            #expect(untouchedChanged == 0, "rows not listed were written")
            if bitForBit {
                #expect(mismatches == 0, "\(rows.count) rows listed, \(precision)")
            } else {
                // Measured on Zen: at most 4e-7 of the largest gradient.
                #expect(worst <= 1e-5 * scale, "\(rows.count) rows listed: off by \(worst) at scale \(scale)")
            }
            #expect(rows.contains { whole[Int($0) * 4] != 0 })
        }
    }

    /// Whether this machine's sgemm sums dY · Wᵀ (the fixture's 256-wide layers) in another order for a few rows
    /// than for the whole batch of 256 — at least 8 rows, as `inputGradient` pads.
    static func sgemmSumsDependOnRowCount(_ counts: [Int]) -> Bool {
        let upstream = randomTensor([256, 256], seed: 7).scalars
        let weight = randomTensor([256, 256], seed: 8).scalars
        func product(rows: Int) -> [Float] {
            var result = [Float](repeating: 0, count: rows * 256)
            BLAS.sgemm(
                transposeA: false, transposeB: true, m: rows, n: 256, k: 256, a: upstream, lda: 256, b: weight,
                ldb: 256, beta: 0, c: &result, ldc: 256)
            return result
        }
        let whole = product(rows: 256)
        return counts.contains { count in
            let rows = max(count, MLP.minimumRows)
            return product(rows: rows) != Array(whole.prefix(rows * 256))
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
