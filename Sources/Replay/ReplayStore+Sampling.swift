import Foundation

extension ReplayStore {
    /// Fills `batch` with `batch.size` transitions drawn by `strategy` from the sampling stream.
    public func sample(into batch: inout ReplayBatch, using strategy: SamplingStrategy = .uniform) throws {
        guard count > 0 else { throw ReplayError("cannot sample from an empty replay store") }
        if case .prioritized = strategy, priorityExponent == nil {
            throw ReplayError("prioritized sampling needs a store built with priorityExponent")
        }
        if case .recency = strategy, !(eviction == .fifo || eviction == .keepEverything) {
            throw ReplayError(
                "recency sampling needs a store whose slots are in insertion order (fifo or keepEverything)")
        }
        if case .task(let task) = strategy, count(ofTask: task) == 0 {
            throw ReplayError("cannot sample task \(task): the store holds none of its transitions")
        }
        if case .otherTasks(let task) = strategy, !tasks.contains(where: { $0 != task }) {
            throw ReplayError("cannot sample tasks other than \(task): the store holds no other task's transitions")
        }
        // First every slot, with the stream and the store's state in locals (no per-draw access checks) …
        var random = samplingRandom
        let stored = count
        let size = batch.size
        batch.slots.withUnsafeMutableBufferPointer { slots in
            switch strategy {
            case .uniform:
                for index in 0..<size { slots[index] = Int32(random.index(below: stored)) }
            case .prioritized:
                // Stratified: one draw from each of `size` equal slices of the total mass.
                let tree = priorities
                let segment = tree.total / Double(size)
                let top = tree.largestMass
                for index in 0..<size {
                    let mass = (Double(index) + random.uniformDouble()) * segment
                    slots[index] = Int32(min(tree.find(min(mass, top)), stored - 1))
                }
            case .taskBalanced:
                let lists = taskSlots
                let present = lists.indices.filter { !lists[$0].isEmpty }
                for index in 0..<size {
                    let list = lists[present[random.index(below: present.count)]]
                    slots[index] = list[random.index(below: list.count)]
                }
            case .task(let task):
                let list = taskSlots[Int(task)]
                for index in 0..<size { slots[index] = list[random.index(below: list.count)] }
            case .otherTasks(let excluded):
                let lists = taskSlots
                let present = lists.indices.filter { !lists[$0].isEmpty && $0 != Int(excluded) }
                for index in 0..<size {
                    let list = lists[present[random.index(below: present.count)]]
                    slots[index] = list[random.index(below: list.count)]
                }
            case .recency(let halfLife):
                let decay = pow(2, -1 / halfLife)
                let truncation = 1 - pow(decay, Double(stored))
                let newest = (eviction == .fifo && stored == capacity) ? (cursor - 1 + stored) % stored : stored - 1
                for index in 0..<size {
                    // Age with P(age) ∝ 2^(−age/halfLife) on the stored range, by inverting the distribution.
                    let u = random.uniformDouble()
                    let age = min(Int(log(1 - u * truncation) / log(decay)), stored - 1)
                    slots[index] = Int32((newest - age + stored) % stored)
                }
            }
        }
        samplingRandom = random
        // … then each column gathered in one pass.
        gather(into: &batch)
        if case .prioritized(let beta) = strategy {
            setImportanceWeights(&batch, beta: beta)
        } else {
            batch.weights.withUnsafeMutableBufferPointer { $0.update(repeating: 1) }
        }
    }

    /// Sets the priorities of sampled slots (e.g. to |TD error| + ε); new transitions get the largest seen.
    public func updatePriorities(slots: [Int32], priorities newPriorities: [Float]) {
        guard let alpha = priorityExponent else { return }
        precondition(slots.count == newPriorities.count, "\(slots.count) slots for \(newPriorities.count) priorities")
        var largest = maxPriority
        for priority in newPriorities { largest = max(largest, Double(priority)) }
        setMaxPriority(largest)
        // The tree is moved out and back, so the updates run under one access and without a copy.
        var tree = SumTree(capacity: 1)
        swap(&tree, &priorities)
        slots.withUnsafeBufferPointer { slots in
            tree.set(slots) { pow(max(Double(newPriorities[$0]), 1e-12), alpha) }
        }
        swap(&tree, &priorities)
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
                total += discount * scalars[slot].reward
                discount *= gamma
                k += 1
                if scalars[slot].isLast || k == steps { break }
                guard let following = successor(ofSlot: slot) else { break }
                slot = following
            }
            batch.rewards[index] = total
            batch.discounts[index] = discount
            batch.terminals[index] = scalars[slot].terminated ? 1 : 0
            let stored = UnsafeRawPointer(observations.row(slot)) + size * schema.observationType.size
            if schema.observationType == .float32 {
                batch.nextObservations.withUnsafeMutableBufferPointer {
                    schema.decode(stored, count: size, into: $0.baseAddress! + index * size)
                }
            } else {
                batch.observationBytes.withUnsafeMutableBytes {
                    ($0.baseAddress! + (2 * index + 1) * size).copyMemory(from: stored, byteCount: size)
                }
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
            var slot = samplingRandom.index(below: self.count)
            var sequence = [slot]
            while sequence.count < length, !scalars[slot].isLast,
                let following = successor(ofSlot: slot)
            {
                slot = following
                sequence.append(slot)
            }
            if sequence.count == length { result.append(sequence) }
        }
        return result
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

    /// Copies the columns of `batch.slots` into the batch, column by column (many independent memory reads in
    /// flight at once, rather than one row's scattered fields at a time).
    private func gather(into batch: inout ReplayBatch) {
        let size = schema.observationSize
        let actionSize = schema.actionSize
        let extraWidth = schema.extrasWidth
        let count = batch.size
        let (observations, action, extras) = (self.observations, self.action, self.extras)
        let scalars = self.scalars.pointer
        batch.slots.withUnsafeBufferPointer { slots in
            if schema.observationType == .float32 {
                batch.observations.withUnsafeMutableBufferPointer { current in
                    batch.nextObservations.withUnsafeMutableBufferPointer { next in
                        for index in 0..<count {
                            let row = UnsafeRawPointer(observations.row(Int(slots[index])))
                            UnsafeMutableRawPointer(current.baseAddress! + index * size).copyMemory(
                                from: row, byteCount: 4 * size)
                            UnsafeMutableRawPointer(next.baseAddress! + index * size).copyMemory(
                                from: row + 4 * size, byteCount: 4 * size)
                        }
                    }
                }
            } else {
                // Images stay bytes: both frames of a row at once.
                batch.observationBytes.withUnsafeMutableBytes { out in
                    for index in 0..<count {
                        (out.baseAddress! + index * 2 * size).copyMemory(
                            from: observations.row(Int(slots[index])), byteCount: 2 * size)
                    }
                }
            }
            batch.actions.withUnsafeMutableBufferPointer { out in
                if actionSize == 1 {
                    for index in 0..<count { out[index] = scalars[Int(slots[index])].action }
                } else {
                    for index in 0..<count {
                        (out.baseAddress! + index * actionSize).update(
                            from: action.row(Int(slots[index])), count: actionSize)
                    }
                }
            }
            if extraWidth > 0 {
                batch.extras.withUnsafeMutableBufferPointer { out in
                    for index in 0..<count {
                        (out.baseAddress! + index * extraWidth).update(
                            from: extras.row(Int(slots[index])), count: extraWidth)
                    }
                }
            }
            batch.rewards.withUnsafeMutableBufferPointer { rewards in
                batch.terminals.withUnsafeMutableBufferPointer { terminals in
                    batch.tasks.withUnsafeMutableBufferPointer { tasks in
                        for index in 0..<count {
                            let step = scalars[Int(slots[index])]
                            rewards[index] = step.reward
                            terminals[index] = step.terminated ? 1 : 0
                            tasks[index] = step.task
                        }
                    }
                }
            }
            batch.discounts.withUnsafeMutableBufferPointer { $0.update(repeating: 1) }
        }
    }
}
