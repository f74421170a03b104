/// Array-returning forms of `reset` and `step`, for scripts and tests; training loops use the buffer forms.
extension Environment {
    /// Starts an episode and returns its first observation.
    public func reset(seed: UInt64? = nil) throws -> [Float] {
        try [Float](unsafeUninitializedCapacity: observationSpace.flatCount) { buffer, count in
            try reset(seed: seed, observation: buffer)
            count = observationSpace.flatCount
        }
    }

    /// Takes one step and returns the next observation with reward and end flags.
    public func step(_ action: Action) throws -> (observation: [Float], outcome: StepOutcome) {
        var outcome = StepOutcome(reward: 0, terminated: false, truncated: false)
        let observation = try [Float](unsafeUninitializedCapacity: observationSpace.flatCount) { buffer, count in
            outcome = try step(action, observation: buffer)
            count = observationSpace.flatCount
        }
        return (observation, outcome)
    }

    /// One step with a continuous action given as an array.
    public func step(continuous values: [Float]) throws -> (observation: [Float], outcome: StepOutcome) {
        try values.withUnsafeBufferPointer { try step(.continuous($0)) }
    }

    /// The observation of the current state.
    public var observation: [Float] {
        [Float](unsafeUninitializedCapacity: observationSpace.flatCount) { buffer, count in
            observe(into: buffer)
            count = observationSpace.flatCount
        }
    }
}
