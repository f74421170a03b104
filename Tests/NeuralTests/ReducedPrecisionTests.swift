import CKernels
import Neural
import Testing

/// `MatmulPrecision.bfloat16`: the kernels behind a layer's three bf16 products (forward, input gradient, weight
/// gradient) lay out and multiply exactly what they claim, and a bf16 graph's gradients stay within bf16 rounding
/// of the float32 ones.
@Suite("bfloat16 layer products", .enabled(if: MatmulPrecision.bfloat16IsAvailable, "needs AVX512_BF16"))
struct ReducedPrecisionTests {
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var random = RandomStream(seed: seed)
        return (0..<count).map { _ in random.uniform(-3, 3) }
    }

    /// The row-major transpose of a rows × columns matrix.
    static func transposed(_ x: [Float], rows: Int, columns: Int) -> [Float] {
        (0..<(rows * columns)).map { index in x[(index % rows) * columns + index / rows] }
    }

    @Test(arguments: [(256, 256), (5, 3), (17, 40), (1, 31), (48, 49), (33, 16)])
    func transposedPacksEqualPacksOfTheTranspose(_ shape: (Int, Int)) {
        let (k, n) = shape
        let w = Self.values(k * n, seed: UInt64(k * 100 + n))
        let count = lk_bf16_packed_count(k, n)
        var direct = [UInt16](repeating: 0xFFFF, count: count)
        var viaTranspose = [UInt16](repeating: 0xAAAA, count: count)
        lk_bf16_pack(k, n, w, n, &direct)
        lk_bf16_pack_transposed(k, n, Self.transposed(w, rows: k, columns: n), k, &viaTranspose)
        #expect(viaTranspose == direct)
    }

    @Test(arguments: [(256, 256), (7, 5), (33, 17), (5, 1), (16, 48), (40, 3)])
    func transposedConversionsEqualConversionsOfTheTranspose(_ shape: (Int, Int)) {
        let (m, k) = shape
        let x = Self.values(k * m, seed: UInt64(m * 100 + k))  // k × m
        let ldo = (k + 1) / 2 * 2
        var direct = [UInt16](repeating: 0xFFFF, count: m * ldo)
        var viaTranspose = [UInt16](repeating: 0xAAAA, count: m * ldo)
        lk_bf16_convert(m, k, Self.transposed(x, rows: k, columns: m), k, &direct, ldo)
        lk_bf16_convert_transposed(m, k, x, m, &viaTranspose, ldo)
        #expect(viaTranspose == direct)
    }

    /// Without a bias the product adds onto C: c = c₀ + a·B to float32 accumulation error.
    @Test func withoutABiasTheProductAccumulatesIntoTheOutput() {
        let (m, k, n) = (19, 37, 41)
        let a = Self.values(m * k, seed: 1)
        let w = Self.values(k * n, seed: 2)
        let start = Self.values(m * n, seed: 3)
        let lda = (k + 1) / 2 * 2
        var half = [UInt16](repeating: 0, count: m * lda)
        var packed = [UInt16](repeating: 0, count: lk_bf16_packed_count(k, n))
        lk_bf16_convert(m, k, a, k, &half, lda)
        lk_bf16_pack(k, n, w, n, &packed)
        var c = start
        lk_bf16_gemm(m, n, k, half, lda, packed, nil, &c, n)
        func rounded(_ value: Float) -> Double {
            let bits = value.bitPattern
            return Double(Float(bitPattern: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000))
        }
        var worst = 0.0
        for row in 0..<m {
            for column in 0..<n {
                var exact = Double(start[row * n + column])
                var magnitude = abs(exact)
                for index in 0..<k {
                    let term = rounded(a[row * k + index]) * rounded(w[index * n + column])
                    exact += term
                    magnitude += abs(term)
                }
                worst = max(worst, abs(Double(c[row * n + column]) - exact) / magnitude)
            }
        }
        #expect(worst < 1e-6)
    }

    /// A 32-256-256-8 MLP on 64 rows (its first two layers run in bf16): gradients of one MSE loss. tanh rather
    /// than ReLU: a ReLU unit whose input is within rounding of zero switches its whole gradient term off, which
    /// measures the activation's kink, not the products (11 of 16,384 such units moved the ReLU net's gradient by
    /// 4 %).
    func gradients(_ precision: MatmulPrecision, lane: Lane? = nil) -> [Float] {
        let store = ParameterStore()
        var random = RandomStream(seed: 21)
        let net = MLP([32, 256, 256, 8], activation: .tanh, store: store, random: &random)
        let graph = Graph()
        graph.matmulPrecision = precision
        graph.lane = lane
        let input = graph.input(Tensor(shape: [64, 32], scalars: Self.values(64 * 32, seed: 22)))
        let target = graph.input(Tensor(shape: [64, 8], scalars: Self.values(64 * 8, seed: 23)))
        graph.backward(graph.meanSquaredError(net(input), target))
        return Array(store.gradients)
    }

    @Test func aBFloat16GraphsGradientsAreWithinBFloat16RoundingOfFloat32() {
        let exact = gradients(.float32)
        let reduced = gradients(.bfloat16)
        let difference = zip(exact, reduced).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
        let size = exact.reduce(0.0) { $0 + Double($1) * Double($1) }
        let relative = (difference / size).squareRoot()
        // bf16 keeps 8 significant bits (relative rounding 2⁻⁹ ≈ 0.2 %); sums of hundreds of rounded terms average it.
        #expect(relative > 0, "the middle layer ran in bf16")
        #expect(relative < 1e-2, "relative gradient error \(relative)")
    }

    @Test func bFloat16GradientsDoNotDependOnTheLane() {
        #expect(gradients(.bfloat16, lane: Lane()) == gradients(.bfloat16))
    }
}
