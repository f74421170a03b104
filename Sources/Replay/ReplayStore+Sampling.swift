import Foundation

extension ReplayStore {
    /// Fills `batch` with `batch.size` transitions drawn by `strategy` from the sampling stream.
    public func sample(into batch: inout ReplayBatch, using strategy: SamplingStrategy = .uniform) throws {
        guard count > 0 else { throw ReplayError("cannot sample from an empty replay store") }
        for index in 0..<batch.size {
            let slot: Int
            switch strategy {
            case .uniform:
                slot = Int(samplingRandom.next() % UInt64(count))
            case .prioritized:
                guard priorityExponent != nil else {
                    throw ReplayError("prioritized sampling needs a store built with priorityExponent")
                }
                // Stratified: one draw from each of batch.size equal slices of the total mass.
                let segment = priorities.total / Double(batch.size)
                let mass = (Double(index) + samplingRandom.uniformDouble()) * segment
                slot = min(priorities.find(min(mass, priorities.total.nextDown)), count - 1)
            case .taskBalanced:
                let present = tasks
                let chosen = Int(present[Int(samplingRandom.next() % UInt64(present.count))])
                let slots = taskSlots[chosen]
                slot = Int(slots[Int(samplingRandom.next() % UInt64(slots.count))])
            case .recency(let halfLife):
                slot = try recentSlot(halfLife: halfLife)
            }
            copy(slot: slot, into: &batch, at: index)
        }
        if case .prioritized(let beta) = strategy {
            setImportanceWeights(&batch, beta: beta)
        } else {
            for index in 0..<batch.size { batch.weights[index] = 1 }
        }
    }

    /// Sets the priorities of sampled slots (e.g. to |TD error| + ε); new transitions get the largest seen.
    public func updatePriorities(slots: [Int32], priorities newPriorities: [Float]) {
        guard let alpha = priorityExponent else { return }
        for (slot, priority) in zip(slots, newPriorities) {
            let value = max(Double(priority), 1e-12)
            maxPriority = max(maxPriority, value)
            priorities.set(Int(slot), pow(value, alpha))
        }
    }

    /// Fills `batch` with n-step transitions: reward Σₖ γᵏ rₜ₊ₖ over up to `steps` steps of the same episode
    /// (stopping at its end or where the store no longer holds the next step), the observation after the last
    /// step summed, `discounts` = γ^k, and `terminals` = 1 when the episode terminated within them.
    public func sampleNStep(
        into batch: inout ReplayBatch, steps: Int, gamma: Float, using strategy: SamplingStrategy = .uniform
    ) throws {
        try sample(into: &batch, using: strategy)
        let size = schema.observationSize
        for index in 0..<batch.size {
            var slot = Int(batch.slots[index])
            var total: Float = 0
            var discount: Float = 1
            var k = 0
            while true {
                total += discount * reward[slot]
                discount *= gamma
                k += 1
                if terminated[slot] || truncated[slot] || k == steps { break }
                guard let following = successor(ofSlot: slot) else { break }
                slot = following
            }
            batch.rewards[index] = total
            batch.discounts[index] = discount
            batch.terminals[index] = terminated[slot] ? 1 : 0
            batch.nextObservations.withUnsafeMutableBufferPointer {
                ($0.baseAddress! + index * size).update(from: nextObservation.row(slot), count: size)
            }
        }
    }

    /// `count` sequences of `length` consecutive steps of one episode each (never crossing an episode boundary),
    /// as slot lists; `nil` when no stored stretch is that long. Starts are drawn uniformly among stored slots
    /// and redrawn until a long-enough stretch follows.
    public func sampleSequences(count sequences: Int, length: Int, maximumAttempts: Int = 10_000) throws -> [[Int]] {
        guard count > 0 else { throw ReplayError("cannot sample from an empty replay store") }
        var result: [[Int]] = []
        var attempts = 0
        while result.count < sequences {
            attempts += 1
            guard attempts <= maximumAttempts * sequences else {
                throw ReplayError("no run of \(length) consecutive steps of one episode found in \(count) transitions")
            }
            var slot = Int(samplingRandom.next() % UInt64(self.count))
            var sequence = [slot]
            while sequence.count < length, !(terminated[slot] || truncated[slot]),
                let following = successor(ofSlot: slot)
            {
                slot = following
                sequence.append(slot)
            }
            if sequence.count == length { result.append(sequence) }
        }
        return result
    }

    private func recentSlot(halfLife: Double) throws -> Int {
        guard eviction == .fifo || eviction == .keepEverything else {
            throw ReplayError(
                "recency sampling needs a store whose slots are in insertion order (fifo or keepEverything)")
        }
        // Age with P(age) ∝ 2^(−age/halfLife), truncated to the stored range, by inverting the distribution.
        let decay = pow(2, -1 / halfLife)
        let u = samplingRandom.uniformDouble()
        let truncation = 1 - pow(decay, Double(count))
        let age = min(Int(log(1 - u * truncation) / log(decay)), count - 1)
        let newest = (eviction == .fifo && count == capacity) ? (cursor - 1 + count) % count : count - 1
        return (newest - age + count) % count
    }

    private func setImportanceWeights(_ batch: inout ReplayBatch, beta: Double) {
        let total = priorities.total
        var largest: Float = 0
        for index in 0..<batch.size {
            let probability = priorities.value(Int(batch.slots[index])) / total
            let weight = Float(pow(Double(count) * probability, -beta))
            batch.weights[index] = weight
            largest = max(largest, weight)
        }
        for index in 0..<batch.size { batch.weights[index] /= largest }
    }

    private func copy(slot: Int, into batch: inout ReplayBatch, at index: Int) {
        let size = schema.observationSize
        let actionSize = schema.actionSize
        let extraWidth = max(schema.extrasWidth, 1)
        batch.slots[index] = Int32(slot)
        batch.observations.withUnsafeMutableBufferPointer {
            ($0.baseAddress! + index * size).update(from: observation.row(slot), count: size)
        }
        batch.nextObservations.withUnsafeMutableBufferPointer {
            ($0.baseAddress! + index * size).update(from: nextObservation.row(slot), count: size)
        }
        batch.actions.withUnsafeMutableBufferPointer {
            ($0.baseAddress! + index * actionSize).update(from: action.row(slot), count: actionSize)
        }
        batch.extras.withUnsafeMutableBufferPointer {
            ($0.baseAddress! + index * extraWidth).update(from: extras.row(slot), count: extraWidth)
        }
        batch.rewards[index] = reward[slot]
        batch.terminals[index] = terminated[slot] ? 1 : 0
        batch.tasks[index] = task[slot]
        batch.discounts[index] = 1
    }
}
