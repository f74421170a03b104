import CBLAS
public import Randomness

/// A fixed Gaussian random projection from observations to keys (MFEC's key function): entries N(0, 1/outputSize),
/// so squared distances are preserved in expectation (Johnson–Lindenstrauss). Rows project in one `sgemm`.
///
/// ```swift
/// let projection = RandomProjection(inputSize: 84 * 84, outputSize: 64, stream: RandomStream(seed: 1))
/// let key = projection.project(observation)
/// ```
public struct RandomProjection: Sendable {
    public let inputSize: Int
    public let outputSize: Int
    /// [outputSize × inputSize], row-major.
    public let matrix: [Float]

    public init(inputSize: Int, outputSize: Int, stream: RandomStream) {
        var stream = stream
        let scale = 1 / Float(outputSize).squareRoot()
        self.inputSize = inputSize
        self.outputSize = outputSize
        matrix = (0..<inputSize * outputSize).map { _ in stream.normal() * scale }
    }

    /// Projects `rows` inputs ([rows × inputSize]) into `output` ([rows × outputSize]).
    public func project(_ inputs: UnsafeBufferPointer<Float>, rows: Int, into output: UnsafeMutableBufferPointer<Float>)
    {
        precondition(inputs.count >= rows * inputSize && output.count >= rows * outputSize, "sizes do not match")
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outputSize), Int32(inputSize), 1,
            inputs.baseAddress!, Int32(inputSize), matrix, Int32(inputSize), 0, output.baseAddress!, Int32(outputSize))
    }

    /// One input's key (allocates).
    public func project(_ input: [Float]) -> [Float] {
        var output = [Float](repeating: 0, count: outputSize)
        input.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { project(input, rows: 1, into: $0) }
        }
        return output
    }
}
