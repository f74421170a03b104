import CBLAS
import CKernels
import Dispatch
import Foundation
public import Neural
import Randomness

/// A probabilistic ensemble dynamics model as in PETS and mbrl-lib: E MLP members, each mapping a normalised
/// (observation, action) to a Gaussian over the normalised target — the change of the observation, then the reward
/// and termination when learned — with a soft-bounded log-variance. Members are evaluated together, one batched
/// product per layer; the `elites` (lowest validation error) are the ones that predict when planning.
///
/// ```swift
/// let model = try ProbabilisticEnsemble(observationSize: 4, actionSize: 1, configuration: EnsembleConfiguration(),
///                                       seed: 1)
/// let report = try model.fit(TransitionDataset(replay: replay, actions: .continuous(1), configuration: model.configuration))
/// ```
/// Not for concurrent use; `predict`'s own worker threads only read it (hence `@unchecked Sendable`).
public final class ProbabilisticEnsemble: @unchecked Sendable {
    public let configuration: EnsembleConfiguration
    public let observationSize: Int
    public let actionSize: Int
    public let parameters = ParameterStore()
    /// Input normalisation (observation, action) and target normalisation, refitted at every `fit`.
    public internal(set) var inputNormalizer: Normalizer
    public internal(set) var targetNormalizer: Normalizer
    /// Member indices, best validation error first; the first `configuration.elites` predict.
    public internal(set) var ranking: [Int]
    /// Each member's validation MSE (normalised targets) after the latest fit.
    public internal(set) var validationErrors: [Float]
    /// Completed fits.
    public internal(set) var fits = 0
    let network: EnsembleMLP
    let optimizer: Adam
    let graph = Graph()
    var training: RandomStream
    /// Bumped whenever the weights change (fit, load), so the bf16 copies know to repack.
    var weightsVersion = 0
    let bfloat16Weights = PackedBFloat16Weights()

    public var inputSize: Int { observationSize + actionSize }
    /// Δobservation, then reward and termination when learned.
    public var targetSize: Int {
        observationSize + (configuration.learnedReward ? 1 : 0) + (configuration.learnedTermination ? 1 : 0)
    }
    public var elites: ArraySlice<Int> { ranking.prefix(configuration.elites) }
    /// The column of the reward in a target row, when learned.
    public var rewardColumn: Int? { configuration.learnedReward ? observationSize : nil }
    /// The column of the termination flag in a target row, when learned.
    public var terminationColumn: Int? {
        configuration.learnedTermination ? observationSize + (configuration.learnedReward ? 1 : 0) : nil
    }

    public init(
        observationSize: Int, actionSize: Int, configuration: EnsembleConfiguration, seed: UInt64
    ) throws {
        guard configuration.problems.isEmpty else {
            throw WorldModelError("EnsembleConfiguration: " + configuration.problems.joined(separator: "; "))
        }
        self.configuration = configuration
        self.observationSize = observationSize
        self.actionSize = actionSize
        let streams = RandomStream(seed: seed)
        var initialisation = streams.derived("ensemble/init")
        let targets =
            observationSize + (configuration.learnedReward ? 1 : 0) + (configuration.learnedTermination ? 1 : 0)
        network = EnsembleMLP(
            members: configuration.members, [observationSize + actionSize] + configuration.hiddenLayers + [2 * targets],
            activation: configuration.activation, store: parameters, random: &initialisation, name: "ensemble")
        optimizer = Adam(
            store: parameters, learningRate: configuration.learningRate,
            weightDecay: configuration.weightDecay > 0 ? .l2(configuration.weightDecay) : .none)
        training = streams.derived("ensemble/train")
        inputNormalizer = Normalizer(columns: observationSize + actionSize)
        targetNormalizer = Normalizer(columns: targets)
        ranking = Array(0..<configuration.members)
        validationErrors = [Float](repeating: .infinity, count: configuration.members)
    }

    // MARK: - The differentiable forward pass (training)

    /// Means and soft-bounded log-variances [E·B, targets] of normalised inputs [E, B, in] (each member its rows).
    func forward(_ inputs: Variable) -> (mean: Variable, logVariance: Variable) {
        let outputs = network(inputs)
        let width = targetSize
        let flat = outputs.reshaped([outputs.shape.count / (2 * width), 2 * width])
        let mean = graph.sliceColumns(flat, start: 0, count: width)
        let raw = graph.sliceColumns(flat, start: width, count: width)
        let lower = graph.input(
            Tensor(shape: [1, width], scalars: [Float](repeating: configuration.minimumLogVariance, count: width)))
        let upper = graph.input(
            Tensor(shape: [1, width], scalars: [Float](repeating: configuration.maximumLogVariance, count: width)))
        return (mean, graph.softBoundedLogVariance(raw, min: lower, max: upper))
    }

    // MARK: - Fast prediction (planning, imagination, error tracking)

    /// Predicts with the members in `members` (each a member index): member `members[g]` gets rows
    /// `g·rows ..< (g + 1)·rows` of `inputs` (raw observation ‖ action rows, `inputSize` wide) and writes the
    /// raw-scale Gaussian — mean and log-variance of (Δobservation, reward, termination) — into the same rows of
    /// `mean` and `logVariance` (`targetSize` wide). No graph: one sgemm per layer per member, SiLU through the
    /// SIMD kernel. With `threads` > 1 the members are spread over that many threads, each calling a
    /// single-threaded BLAS (the members' work is independent, so the numbers do not depend on the threads).
    /// At `.bfloat16` precision the hidden-to-hidden products run in bf16 (see `PredictionPrecision`; the caller
    /// checks `PredictionPrecision.bfloat16IsAvailable`).
    public func predict(
        members: [Int], rows: Int, inputs: UnsafePointer<Float>, mean: UnsafeMutablePointer<Float>,
        logVariance: UnsafeMutablePointer<Float>, scratch: PredictionScratch, threads: Int = 1,
        precision: PredictionPrecision = .float32
    ) {
        precondition(
            precision == .float32 || PredictionPrecision.bfloat16IsAvailable, "bfloat16 prediction needs AVX512_BF16")
        let packed = precision == .bfloat16 ? packedBFloat16Weights() : nil
        // Work items: each member's rows cut into slices of a fixed size, so every row goes through the same
        // products whatever the thread count (BLAS may round differently for other matrix shapes), dealt
        // round-robin to the threads. Raw pointers cross into the workers; each writes only its items' rows.
        let slice = Self.sliceRows
        let slices = (rows + slice - 1) / slice
        let items = members.count * slices
        let widest = max(configuration.hiddenLayers.max() ?? 0, 2 * targetSize, inputSize)
        let workers = max(1, min(threads, items))
        scratch.reserve(min(rows, slice) * widest, rows: min(rows, slice), workers: workers)
        let (input, meanOut, logVarianceOut) = (
            UInt(bitPattern: inputs), UInt(bitPattern: mean), UInt(bitPattern: logVariance)
        )
        @Sendable func run(_ item: Int, _ worker: Int) {
            let group = item / slices
            let start = (item % slices) * slice
            let count = min(slice, rows - start)
            let offset = group * rows + start
            forward(
                member: members[group], rows: count,
                inputs: UnsafePointer<Float>(bitPattern: input)! + offset * inputSize,
                mean: UnsafeMutablePointer<Float>(bitPattern: meanOut)! + offset * targetSize,
                logVariance: UnsafeMutablePointer<Float>(bitPattern: logVarianceOut)! + offset * targetSize,
                first: scratch.first[worker], second: scratch.second[worker], packed: packed,
                half: scratch.half[worker])
        }
        guard workers > 1 else {
            for item in 0..<items { run(item, 0) }
            return
        }
        let blasThreads = BLAS.threadCount
        if blasThreads > 1 { BLAS.setThreads(1) }
        defer { if blasThreads > 1 { BLAS.setThreads(blasThreads) } }
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for item in stride(from: worker, to: items, by: workers) { run(item, worker) }
        }
    }

    /// Rows per work item of `predict`.
    static let sliceRows = 256

    /// One member's forward pass over `rows` rows: `inputs`, `mean` and `logVariance` point at the first row.
    func forward(
        member: Int, rows: Int, inputs: UnsafePointer<Float>, mean: UnsafeMutablePointer<Float>,
        logVariance: UnsafeMutablePointer<Float>, first: UnsafeMutablePointer<Float>,
        second: UnsafeMutablePointer<Float>, packed: PackedBFloat16Weights? = nil,
        half: UnsafeMutablePointer<UInt16>? = nil
    ) {
        let width = targetSize
        let values = UnsafePointer(parameters.values.baseAddress!)
        // Normalised inputs into the first buffer.
        for row in 0..<rows {
            let source = inputs + row * inputSize
            for column in 0..<inputSize {
                first[row * inputSize + column] =
                    (source[column] - inputNormalizer.mean[column]) / inputNormalizer.deviation[column]
            }
        }
        var current = first
        var other = second
        var inputs = inputSize
        for (index, layer) in network.layers.enumerated() {
            let outputs = layer.weight.shape[2]
            let weight = values + layer.weight.offset + member * inputs * outputs
            let bias = values + layer.bias.offset + member * outputs
            if let packed, let half, let matrices = packed.layers[index] {
                let pairedInputs = (inputs + 1) / 2 * 2
                lk_bf16_convert(rows, inputs, current, inputs, half, pairedInputs)
                lk_bf16_gemm(
                    rows, outputs, inputs, half, pairedInputs, matrices + member * packed.strides[index], bias, other,
                    outputs)
            } else {
                for row in 0..<rows { (other + row * outputs).update(from: bias, count: outputs) }
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(outputs), Int32(inputs), 1,
                    current, Int32(inputs), weight, Int32(outputs), 1, other, Int32(outputs))
            }
            if index < network.layers.count - 1 { activate(other, count: rows * outputs) }
            swap(&current, &other)
            inputs = outputs
        }
        // current: [rows, 2·width] normalised means and raw log-variances; the log-variances are bounded in one
        // vector pass, then both are brought to the raw scale.
        for row in 0..<rows {
            (logVariance + row * width).update(from: current + row * 2 * width + width, count: width)
        }
        lk_soft_bound(
            rows * width, logVariance, configuration.minimumLogVariance, configuration.maximumLogVariance, logVariance)
        targetNormalizer.mean.withUnsafeBufferPointer { targetMean in
            targetNormalizer.deviation.withUnsafeBufferPointer { deviation in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: width) { logScale in
                    for column in 0..<width { logScale[column] = 2 * Foundation.log(deviation[column]) }
                    for row in 0..<rows {
                        let output = current + row * 2 * width
                        let target = row * width
                        for column in 0..<width {
                            mean[target + column] = output[column] * deviation[column] + targetMean[column]
                            logVariance[target + column] += logScale[column]
                        }
                    }
                }
            }
        }
    }

    func activate(_ values: UnsafeMutablePointer<Float>, count: Int) {
        switch configuration.activation {
        case .silu: lk_silu(count, values, values)
        case .relu: for index in 0..<count { values[index] = max(values[index], 0) }
        case .tanh: for index in 0..<count { values[index] = Foundation.tanh(values[index]) }
        case .identity: break
        case .sigmoid: lk_sigmoid(count, values, values)
        case .elu: for index in 0..<count where values[index] < 0 { values[index] = Foundation.expm1(values[index]) }
        case .softplus:
            for index in 0..<count {
                let x = values[index]
                values[index] = max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x)))
            }
        }
    }
}

/// Reusable buffers for `ProbabilisticEnsemble.predict` (one per caller; grown on demand): two float buffers
/// and one bf16 buffer (a layer's converted inputs) per worker thread.
public final class PredictionScratch: @unchecked Sendable {
    var first: [UnsafeMutablePointer<Float>] = []
    var second: [UnsafeMutablePointer<Float>] = []
    var half: [UnsafeMutablePointer<UInt16>] = []
    var capacity = 0

    public init() {}

    deinit { release() }

    func release() {
        for buffer in first + second { buffer.deallocate() }
        for buffer in half { buffer.deallocate() }
        first = []
        second = []
        half = []
    }

    /// `count` floats per buffer; the bf16 one gets a value more per row so rows can be padded to even widths.
    func reserve(_ count: Int, rows: Int, workers: Int) {
        guard capacity < count + rows || first.count < workers else { return }
        release()
        capacity = max(count + rows, capacity)
        first = (0..<workers).map { _ in .allocate(capacity: capacity) }
        second = (0..<workers).map { _ in .allocate(capacity: capacity) }
        half = (0..<workers).map { _ in .allocate(capacity: capacity) }
    }
}
