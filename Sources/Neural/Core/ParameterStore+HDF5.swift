public import HDF5

/// Saving and restoring parameters and optimizer state into an HDF5 group, for checkpoints.
///
/// Layout (readable with h5py): `GROUP/values` float32 [count]; attributes `names` (string array), `offsets`
/// (int64), `shapes` (int64, rank-padded to 3 per parameter), `ranks` (int64). An optimizer adds one float32
/// dataset per state buffer (e.g. `first_moment`) and the attribute `step_count`.
///
/// ```swift
/// let checkpoint = try File.create("checkpoint.h5")
/// try store.save(to: checkpoint.createGroup("policy"))
/// try optimizer.save(to: checkpoint.createGroup("policy_optimizer"))
/// // … later, into stores built the same way:
/// try store.load(from: File.open("checkpoint.h5").openGroup("policy"))
/// ```
extension ParameterStore {
    public func save(to group: Group) throws {
        let values = try group.createDataset("values", of: Float.self, shape: [count])
        try values.write(Array(self.values))
        try group.setAttribute("names", parameters.map(\.name))
        try group.setAttribute("offsets", parameters.map { Int64($0.offset) })
        try group.setAttribute("ranks", parameters.map { Int64($0.shape.rank) })
        try group.setAttribute(
            "shapes",
            parameters.flatMap { parameter in
                (0..<3).map { Int64($0 < parameter.shape.rank ? parameter.shape[$0] : 1) }
            })
    }

    /// Restores values saved by `save(to:)` into this store, which must have been built with the same layout.
    public func load(from group: Group) throws {
        let names = try group.attribute("names", as: [String].self)
        let ranks = try group.attribute("ranks", as: [Int64].self)
        let shapes = try group.attribute("shapes", as: [Int64].self)
        let saved = zip(names.indices, names).map { index, name in
            (name, Shape((0..<Int(ranks[index])).map { Int(shapes[3 * index + $0]) }))
        }
        let mine = parameters.map { ($0.name, $0.shape) }
        guard saved.count == mine.count, zip(saved, mine).allSatisfy({ $0.0 == $1.0 && $0.1 == $1.1 }) else {
            let difference = zip(saved, mine).first { $0.0 != $1.0 || $0.1 != $1.1 }
            let detail =
                difference.map { "saved \($0.0.0) \($0.0.1), this model \($0.1.0) \($0.1.1)" }
                ?? "saved \(saved.count) parameters, this model has \(mine.count)"
            throw HDF5Error(
                .shapeMismatch, operation: "load parameters", file: group.file.path, object: group.objectPath,
                reason: "the checkpoint's parameters differ from this model's (\(detail)). Build the model with the "
                    + "same configuration that wrote the checkpoint.")
        }
        load(try group.openDataset("values", as: Float.self).readAll())
    }
}

extension Optimizer {
    public func save(to group: Group) throws {
        try group.setAttribute("step_count", Int64(stepCount))
        try group.setAttribute("learning_rate", learningRate)
        for (name, values) in stateBuffers {
            try group.createDataset(name, of: Float.self, shape: [values.count]).write(Array(values))
        }
    }

    public func load(from group: Group) throws {
        for (name, values) in stateBuffers {
            let saved = try group.openDataset(name, as: Float.self).readAll()
            guard saved.count == values.count else {
                throw HDF5Error(
                    .shapeMismatch, operation: "load optimizer state", file: group.file.path,
                    object: group.objectPath + "/" + name,
                    reason: "\(saved.count) values saved for a store of \(values.count).")
            }
            _ = values.update(fromContentsOf: saved)
        }
        restore(stepCount: Int(try group.attribute("step_count", as: Int64.self)))
        learningRate = try group.attribute("learning_rate", as: Float.self)
    }
}
