import CKernels

/// How a graph's large layer products are computed: in float32, or with bfloat16 operands accumulated in float32
/// (`VDPBF16PS`, twice the multiply-adds of a float32 FMA per instruction) — PyTorch's
/// `set_float32_matmul_precision("medium")`, JAX's default matmul precision on TPUs.
///
/// At `.bfloat16` the hidden-to-hidden layers of `linear` (both sides at least 32 wide, at least
/// `Graph.laneProductSize` multiply-adds) round their operands — activations, weights, output gradients — to
/// bfloat16 (8 significant bits) for their forward product, input gradient and weight gradient; everything else
/// (first and last layers, elementwise work, the weights the optimizer keeps, the sums) stays float32. It changes
/// the numbers, so it is an opt-in, and only on CPUs with AVX512_BF16.
///
/// ```swift
/// if MatmulPrecision.bfloat16IsAvailable { graph.matmulPrecision = .bfloat16 }
/// ```
public enum MatmulPrecision: String, Codable, Sendable, CaseIterable {
    case float32
    case bfloat16

    /// Whether this CPU runs `.bfloat16` (it has AVX512_BF16).
    public static var bfloat16IsAvailable: Bool { lk_bf16_available() != 0 }

    /// Why this precision cannot run here, or `nil` when it can.
    public var unavailability: String? {
        guard self == .bfloat16, !Self.bfloat16IsAvailable else { return nil }
        return "bfloat16 matrix products need a CPU with AVX512_BF16 (this one has none); use \"float32\""
    }
}
