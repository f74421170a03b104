import Neural

/// What one fit did.
public struct FitReport: Sendable, Equatable {
    /// Epochs run (early stopping may end the fit before `maximumEpochs`).
    public var epochs: Int
    /// Mean Gaussian NLL over the last epoch's batches (normalised targets).
    public var trainingLoss: Float
    /// Each member's validation MSE (normalised targets) at its best epoch.
    public var validationErrors: [Float]
    /// The members chosen as elites, best first.
    public var elites: [Int]
}

extension ProbabilisticEnsemble {
    /// Fits the ensemble to `data`: inputs and targets normalised afresh, each member trained on its own bootstrap
    /// resample of the training rows (drawn with replacement, reshuffled every epoch) with Adam on the Gaussian NLL;
    /// after each epoch every member's validation MSE is measured; the fit keeps the weights of the last epoch
    /// that improved some member by more than `improvementThreshold`, stops after `patience` epochs without such
    /// an improvement, and ranks members by validation error (the first `elites` predict).
    ///
    /// With no validation rows (a small store), members are validated on the training rows.
    @discardableResult
    public func fit(_ data: TransitionDataset) throws -> FitReport {
        defer { weightsVersion += 1 }  // the weights move (also when a fit throws part-way)
        precondition(
            data.inputSize == inputSize && data.targetSize == targetSize, "the dataset's sizes differ from the model's")
        guard !data.training.isEmpty else {
            throw WorldModelError(
                "the world model has no transitions to fit yet; fit after the replay store holds some")
        }
        let members = configuration.members
        // Normalisers from the training rows.
        var trainingInputs = [Float]()
        var trainingTargets = [Float]()
        trainingInputs.reserveCapacity(data.training.count * inputSize)
        trainingTargets.reserveCapacity(data.training.count * targetSize)
        for row in data.training {
            trainingInputs += data.inputs[row * inputSize..<(row + 1) * inputSize]
            trainingTargets += data.targets[row * targetSize..<(row + 1) * targetSize]
        }
        trainingInputs.withUnsafeBufferPointer { inputNormalizer.fit($0, rows: data.training.count) }
        trainingTargets.withUnsafeBufferPointer { targetNormalizer.fit($0, rows: data.training.count) }
        var normalisedInputs = data.inputs
        var normalisedTargets = data.targets
        normalisedInputs.withUnsafeMutableBufferPointer { inputNormalizer.normalize($0.baseAddress!, rows: data.count) }
        normalisedTargets.withUnsafeMutableBufferPointer {
            targetNormalizer.normalize($0.baseAddress!, rows: data.count)
        }
        let validationRows = data.validation.isEmpty ? data.training : data.validation
        // Per-member bootstrap resamples of the training rows.
        var resamples = (0..<members).map { _ in
            (0..<data.training.count).map { _ in data.training[training.index(below: data.training.count)] }
        }
        let batch = min(configuration.batchSize, data.training.count)
        let batches = (data.training.count + batch - 1) / batch
        var batchInputs = [Float](repeating: 0, count: members * batch * inputSize)
        var batchTargets = [Float](repeating: 0, count: members * batch * targetSize)
        var best = [Float](repeating: .infinity, count: members)
        var snapshot = Array(parameters.values)
        var sinceImprovement = 0
        var epochs = 0
        var lastLoss: Float = 0
        for _ in 0..<configuration.maximumEpochs {
            epochs += 1
            for member in 0..<members { shuffle(&resamples[member]) }
            var total: Float = 0
            for index in 0..<batches {
                let start = index * batch
                let size = min(batch, data.training.count - start)
                for member in 0..<members {
                    for place in 0..<size {
                        let row = resamples[member][start + place]
                        let inputBase = (member * size + place) * inputSize
                        let targetBase = (member * size + place) * targetSize
                        for column in 0..<inputSize {
                            batchInputs[inputBase + column] = normalisedInputs[row * inputSize + column]
                        }
                        for column in 0..<targetSize {
                            batchTargets[targetBase + column] = normalisedTargets[row * targetSize + column]
                        }
                    }
                }
                graph.reset()
                let x = batchInputs.withUnsafeBufferPointer {
                    graph.input(
                        UnsafeBufferPointer(rebasing: $0[0..<(members * size * inputSize)]),
                        shape: [members, size, inputSize])
                }
                let y = batchTargets.withUnsafeBufferPointer {
                    graph.input(
                        UnsafeBufferPointer(rebasing: $0[0..<(members * size * targetSize)]),
                        shape: [members * size, targetSize])
                }
                let (mean, logVariance) = forward(x)
                let loss = graph.gaussianNLL(mean: mean, logVariance: logVariance, target: y)
                guard loss.scalar.isFinite else {
                    throw WorldModelError(
                        "the world model's training loss became \(loss.scalar) in fit \(fits + 1), epoch \(epochs); "
                            + "lower its learning rate, or check the stored transitions for non-finite values")
                }
                total += loss.scalar
                graph.backward(loss)
                optimizer.step()
            }
            lastLoss = total / Float(batches)
            let errors = validationMSE(rows: validationRows, inputs: normalisedInputs, targets: normalisedTargets)
            var improved = false
            for member in 0..<members {
                let previous = best[member]
                if previous == .infinity
                    || (previous - errors[member]) / abs(previous) > Float(configuration.improvementThreshold)
                {
                    best[member] = errors[member]
                    improved = true
                }
            }
            if improved {
                for index in 0..<snapshot.count { snapshot[index] = parameters.values[index] }
                sinceImprovement = 0
            } else {
                sinceImprovement += 1
                if sinceImprovement >= configuration.patience { break }
            }
        }
        for index in 0..<snapshot.count { parameters.values[index] = snapshot[index] }
        // Rank on the kept weights.
        validationErrors = validationMSE(rows: validationRows, inputs: normalisedInputs, targets: normalisedTargets)
        ranking = (0..<members).sorted { (validationErrors[$0], $0) < (validationErrors[$1], $1) }
        fits += 1
        return FitReport(
            epochs: epochs, trainingLoss: lastLoss, validationErrors: validationErrors,
            elites: Array(ranking.prefix(configuration.elites)))
    }

    /// Fisher–Yates with the training stream.
    func shuffle(_ rows: inout [Int]) {
        guard rows.count > 1 else { return }
        for index in stride(from: rows.count - 1, to: 0, by: -1) {
            rows.swapAt(index, training.index(below: index + 1))
        }
    }

    /// Each member's mean squared error of its predicted mean on `rows` (normalised inputs and targets).
    func validationMSE(rows: [Int], inputs: [Float], targets: [Float]) -> [Float] {
        let members = configuration.members
        var errors = [Double](repeating: 0, count: members)
        let chunk = 1024
        var start = 0
        var block = [Float]()
        while start < rows.count {
            let size = min(chunk, rows.count - start)
            block.removeAll(keepingCapacity: true)
            for place in 0..<size {
                let row = rows[start + place]
                block += inputs[row * inputSize..<(row + 1) * inputSize]
            }
            graph.reset()
            let x = block.withUnsafeBufferPointer { graph.input($0, shape: [size, inputSize]) }
            let mean = forward(x).mean.values
            for member in 0..<members {
                for place in 0..<size {
                    let row = rows[start + place]
                    for column in 0..<targetSize {
                        let difference =
                            mean[(member * size + place) * targetSize + column] - targets[row * targetSize + column]
                        errors[member] += Double(difference * difference)
                    }
                }
            }
            start += size
        }
        let scale = 1 / Double(max(rows.count * targetSize, 1))
        return errors.map { Float($0 * scale) }
    }
}
