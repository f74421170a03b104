import CKernels

/// The arithmetic of `ProbabilisticEnsemble.predict`'s hidden-to-hidden products.
///
/// `.bfloat16` rounds those products' operands (weights and activations) to bfloat16 and accumulates in float32
/// with AVX512_BF16's dot-product instruction — twice the multiply-adds per instruction of float32. The first
/// layer (the normalised inputs), the output layer (means and log-variances) and everything outside the products
/// stay float32. Only planning uses it; training and the model-error metrics are always float32.
///
/// ```swift
/// var configuration = PETSConfiguration()
/// configuration.planningPrecision = .bfloat16   // where PredictionPrecision.bfloat16IsAvailable
/// ```
public enum PredictionPrecision: String, Codable, Sendable, CaseIterable {
    case float32
    case bfloat16

    public init(from decoder: any Decoder) throws { self = try decodeNamedCase(Self.self, from: decoder) }

    /// Whether this CPU runs `.bfloat16` (it has AVX512_BF16).
    public static var bfloat16IsAvailable: Bool { lk_bf16_available() != 0 }

    /// Why `self` cannot run here, naming the fix, or nil when it can.
    public var unavailability: String? {
        guard self == .bfloat16, !Self.bfloat16IsAvailable else { return nil }
        return "bfloat16 prediction needs a CPU with AVX512_BF16 (this one has none); use \"float32\""
    }
}

/// The hidden-to-hidden layers' weights of every member as bf16 in `lk_bf16_pack`'s layout, packed when the
/// weights changed since (a fit, a load or `weightsDidChange()`).
final class PackedBFloat16Weights: @unchecked Sendable {
    /// Per layer (nil where the layer stays float32): all members' packed matrices, `stride` values apart.
    var layers: [UnsafeMutablePointer<UInt16>?] = []
    var strides: [Int] = []
    var version = -1

    deinit { for layer in layers { layer?.deallocate() } }
}

extension ProbabilisticEnsemble {
    /// Whether `predict` at `.bfloat16` computes layer `index` in bf16: hidden-to-hidden layers only.
    func usesBFloat16(layer index: Int) -> Bool { index > 0 && index < network.layers.count - 1 }

    /// Call after changing `parameters` by hand (fits and loads do it themselves), so a bf16 prediction repacks.
    public func weightsDidChange() { weightsVersion += 1 }

    /// The packed bf16 weights of the current parameters (packed again only when they changed).
    func packedBFloat16Weights() -> PackedBFloat16Weights {
        let packed = bfloat16Weights
        guard packed.version != weightsVersion else { return packed }
        for layer in packed.layers { layer?.deallocate() }
        packed.layers = []
        packed.strides = []
        let values = parameters.values.baseAddress!
        var inputs = inputSize
        for (index, layer) in network.layers.enumerated() {
            let outputs = layer.weight.shape[2]
            defer { inputs = outputs }
            guard usesBFloat16(layer: index) else {
                packed.layers.append(nil)
                packed.strides.append(0)
                continue
            }
            let stride = lk_bf16_packed_count(inputs, outputs)
            let buffer = UnsafeMutablePointer<UInt16>.allocate(capacity: stride * configuration.members)
            for member in 0..<configuration.members {
                lk_bf16_pack(
                    inputs, outputs, values + layer.weight.offset + member * inputs * outputs, outputs,
                    buffer + member * stride)
            }
            packed.layers.append(buffer)
            packed.strides.append(stride)
        }
        packed.version = weightsVersion
        return packed
    }
}
