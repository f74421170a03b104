import HDF5

/// Per-column mean and standard deviation, fitted to data and applied as (x − μ) / σ (σ floored at 1e-6, as a
/// constant column would otherwise divide by zero).
public struct Normalizer: Equatable, Sendable {
    public private(set) var mean: [Float]
    public private(set) var deviation: [Float]

    /// The identity for `columns` columns.
    public init(columns: Int) {
        mean = [Float](repeating: 0, count: columns)
        deviation = [Float](repeating: 1, count: columns)
    }

    public var columns: Int { mean.count }

    /// Fits to `rows` rows of `data` (row-major, `columns` wide).
    public mutating func fit(_ data: UnsafeBufferPointer<Float>, rows: Int) {
        let columns = self.columns
        guard rows > 0 else { return }
        var sum = [Double](repeating: 0, count: columns)
        var squares = [Double](repeating: 0, count: columns)
        for row in 0..<rows {
            for column in 0..<columns {
                let value = Double(data[row * columns + column])
                sum[column] += value
                squares[column] += value * value
            }
        }
        for column in 0..<columns {
            let average = sum[column] / Double(rows)
            let variance = max(squares[column] / Double(rows) - average * average, 0)
            mean[column] = Float(average)
            deviation[column] = Float(max(variance.squareRoot(), 1e-6))
        }
    }

    /// Normalises `rows` rows in place.
    public func normalize(_ data: UnsafeMutablePointer<Float>, rows: Int) {
        let columns = self.columns
        for row in 0..<rows {
            for column in 0..<columns {
                data[row * columns + column] = (data[row * columns + column] - mean[column]) / deviation[column]
            }
        }
    }

    func save(to group: Group, name: String) throws {
        try group.createDataset("\(name)_mean", of: Float.self, shape: [columns]).write(mean)
        try group.createDataset("\(name)_deviation", of: Float.self, shape: [columns]).write(deviation)
    }

    mutating func load(from group: Group, name: String) throws {
        let loadedMean = try group.openDataset("\(name)_mean", as: Float.self).readAll()
        let loadedDeviation = try group.openDataset("\(name)_deviation", as: Float.self).readAll()
        guard loadedMean.count == columns, loadedDeviation.count == columns else {
            throw WorldModelError(
                "the checkpoint's \(name) normaliser holds \(loadedMean.count) columns; this model has \(columns) — "
                    + "it was saved by a model of other sizes")
        }
        mean = loadedMean
        deviation = loadedDeviation
    }
}
