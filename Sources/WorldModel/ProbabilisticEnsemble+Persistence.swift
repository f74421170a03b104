public import HDF5
import Randomness

extension ProbabilisticEnsemble {
    /// Writes the weights (`parameters/values`, readable by h5py), the optimizer's moments, the normalisers,
    /// the member ranking and validation errors, the fit count and the training stream.
    public func save(to group: Group) throws {
        try parameters.save(to: group.createGroup("parameters"))
        try optimizer.save(to: group.createGroup("optimizer"))
        try inputNormalizer.save(to: group, name: "input")
        try targetNormalizer.save(to: group, name: "target")
        try group.createDataset("ranking", of: Int64.self, shape: [ranking.count]).write(ranking.map { Int64($0) })
        try group.createDataset("validation_errors", of: Float.self, shape: [validationErrors.count])
            .write(validationErrors)
        try group.setAttribute("fits", Int64(fits))
        try group.setAttribute(
            "training_random", [training.state.0, training.state.1, training.state.2, training.state.3])
    }

    /// Restores what `save` wrote; the model must have the same sizes and configuration.
    public func load(from group: Group) throws {
        try parameters.load(from: group.openGroup("parameters"))
        try optimizer.load(from: group.openGroup("optimizer"))
        try inputNormalizer.load(from: group, name: "input")
        try targetNormalizer.load(from: group, name: "target")
        let loadedRanking = try group.openDataset("ranking", as: Int64.self).readAll().map { Int($0) }
        guard loadedRanking.count == configuration.members else {
            throw WorldModelError(
                "the checkpoint's world model has \(loadedRanking.count) members; this one has \(configuration.members)"
            )
        }
        ranking = loadedRanking
        validationErrors = try group.openDataset("validation_errors", as: Float.self).readAll()
        fits = Int(try group.attribute("fits", as: Int64.self))
        let words = try group.attribute("training_random", as: [UInt64].self)
        training = RandomStream(state: (words[0], words[1], words[2], words[3]))
        weightsVersion += 1
    }
}
