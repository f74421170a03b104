import CKernels

/// The k nearest stored entries of each query: slots (−1 where the store holds fewer than k) and squared
/// distances, nearest first, `[queries × k]` each.
public struct Neighbours: Sendable {
    public var k: Int
    public var slots: [Int32]
    public var distances: [Float]

    public init(queries: Int = 0, k: Int = 0) {
        self.k = k
        slots = [Int32](repeating: -1, count: queries * k)
        distances = [Float](repeating: .infinity, count: queries * k)
    }
}

/// How neighbours' values combine into an estimate.
public enum MemoryKernel: Sendable, Equatable {
    /// The plain mean of the k values (MFEC).
    case mean
    /// Weights 1 / (d + δ) on squared distances d (NEC, δ = 1e-3).
    case inverseDistance(delta: Float)
}

extension EpisodicStore {
    /// The `k` nearest entries of each of `queryCount` queries (`queries`: [queryCount × keySize], row-major),
    /// written into `result` (resized when needed, so a caller can reuse one across calls).
    ///
    /// - Parameters:
    ///   - touch: count the neighbours as used (least-recently-used eviction keeps them longer).
    ///   - approximate: search the index's nearest cells only (after `buildIndex`; exact without an index).
    public func nearest(
        _ queries: UnsafeBufferPointer<Float>, queryCount: Int, k: Int, into result: inout Neighbours,
        touch: Bool = false, approximate: Bool = false
    ) {
        let size = configuration.keySize
        precondition(queries.count >= queryCount * size, "queries hold fewer than queryCount × keySize values")
        precondition(k >= 1, "k must be at least 1")
        if result.k != k || result.slots.count != queryCount * k { result = Neighbours(queries: queryCount, k: k) }
        clock += 1
        result.slots.withUnsafeMutableBufferPointer { slots in
            result.distances.withUnsafeMutableBufferPointer { distances in
                for index in 0..<slots.count {
                    slots[index] = -1
                    distances[index] = .infinity
                }
                guard count > 0, queryCount > 0 else { return }
                if approximate, let index {
                    let size = configuration.keySize
                    for query in 0..<queryCount {
                        let row = queries.baseAddress! + query * size
                        var norm: Float = 0
                        for dimension in 0..<size { norm += row[dimension] * row[dimension] }
                        index.search(
                            row, queryNorm: norm, k: k, slots: slots.baseAddress! + query * k,
                            distances: distances.baseAddress! + query * k)
                    }
                } else {
                    scan(queries, queryCount: queryCount, k: k, slots: slots, distances: distances)
                }
                for query in 0..<queryCount {
                    sortAscending(
                        slots: slots.baseAddress! + query * k, distances: distances.baseAddress! + query * k, k)
                }
            }
        }
        if touch {
            for slot in result.slots where slot >= 0 {
                used[Int(slot)] = clock
                self.touch(Int(slot))
            }
        }
    }

    /// One pass over the stored keys, a block at a time: the distance tile from the panel kernel, then a bounded
    /// max-heap per query (the root is the worst kept, so most keys cost a part of one vector comparison).
    private func scan(
        _ queries: UnsafeBufferPointer<Float>, queryCount: Int, k: Int, slots: UnsafeMutableBufferPointer<Int32>,
        distances: UnsafeMutableBufferPointer<Float>
    ) {
        let size = configuration.keySize
        let block = Self.block
        if tile.count < queryCount * block { tile = [Float](repeating: 0, count: queryCount * block) }
        if queryNorms.count < queryCount { queryNorms = [Float](repeating: 0, count: queryCount) }
        for query in 0..<queryCount {
            var norm: Float = 0
            for index in 0..<size { norm += queries[query * size + index] * queries[query * size + index] }
            queryNorms[query] = norm
        }
        var filled = [Int](repeating: 0, count: queryCount)
        panels.withUnsafeBufferPointer { panels in
            norms.withUnsafeBufferPointer { norms in
                tile.withUnsafeMutableBufferPointer { tile in
                    queryNorms.withUnsafeBufferPointer { queryNorms in
                        var start = 0
                        while start < count {
                            let rows = Swift.min(block, count - start)
                            let panelCount = (rows + 15) / 16
                            lk_l2_panels(
                                queryCount, size, queries.baseAddress!, queryNorms.baseAddress!, panelCount,
                                panels.baseAddress! + start * size, norms.baseAddress! + start, tile.baseAddress!,
                                panelCount * 16)
                            for query in 0..<queryCount {
                                let heapSlots = slots.baseAddress! + query * k
                                let heapDistances = distances.baseAddress! + query * k
                                let row = tile.baseAddress! + query * panelCount * 16
                                var kept = filled[query]
                                var worst = kept == k ? heapDistances[0] : .infinity
                                func keep(_ slot: Int32, _ distance: Float) {
                                    if kept < k {
                                        heapPush(heapSlots, heapDistances, &kept, slot, distance)
                                        if kept == k { worst = heapDistances[0] }
                                    } else {
                                        heapReplaceTop(heapSlots, heapDistances, k, slot, distance)
                                        worst = heapDistances[0]
                                    }
                                }
                                // Sixteen distances at a time; most chunks hold no distance below the worst kept
                                // one, so only a chunk with a winner goes through the scalar heap path.
                                var offset = 0
                                while offset + 16 <= rows {
                                    let chunk = UnsafeRawPointer(row + offset).loadUnaligned(as: SIMD16<Float>.self)
                                    if any(chunk .< SIMD16<Float>(repeating: worst)) {
                                        for lane in 0..<16 where chunk[lane] < worst {
                                            keep(Int32(start + offset + lane), Swift.max(0, chunk[lane]))
                                        }
                                    }
                                    offset += 16
                                }
                                while offset < rows {
                                    if row[offset] < worst { keep(Int32(start + offset), Swift.max(0, row[offset])) }
                                    offset += 1
                                }
                                filled[query] = kept
                            }
                            start += rows
                        }
                    }
                }
            }
        }
    }

    /// The value estimate of each query from its k nearest entries, into `estimates` ([queryCount × valueSize]).
    /// A query that is stored exactly gets that entry's value (the exact-match fast path).
    public func estimate(
        _ queries: UnsafeBufferPointer<Float>, queryCount: Int, k: Int, kernel: MemoryKernel,
        neighbours: inout Neighbours, into estimates: UnsafeMutableBufferPointer<Float>, touch: Bool = false
    ) {
        let size = configuration.keySize
        let width = configuration.valueSize
        nearest(queries, queryCount: queryCount, k: k, into: &neighbours, touch: touch)
        for query in 0..<queryCount {
            let output = estimates.baseAddress! + query * width
            for column in 0..<width { output[column] = 0 }
            let hit = exactMatch(UnsafeBufferPointer(rebasing: queries[query * size..<(query + 1) * size]))
            if let hit {
                for column in 0..<width { output[column] = values[hit * width + column] }
                continue
            }
            var total: Float = 0
            for neighbour in 0..<k {
                let slot = Int(neighbours.slots[query * k + neighbour])
                guard slot >= 0 else { break }
                let weight: Float
                switch kernel {
                case .mean: weight = 1
                case .inverseDistance(let delta): weight = 1 / (neighbours.distances[query * k + neighbour] + delta)
                }
                total += weight
                for column in 0..<width { output[column] += weight * values[slot * width + column] }
            }
            if total > 0 { for column in 0..<width { output[column] /= total } }
        }
    }

    /// One query's estimate (allocates; for tests and examples — agents use the batched form).
    public func estimate(_ query: [Float], k: Int, kernel: MemoryKernel) -> [Float] {
        var neighbours = Neighbours()
        var output = [Float](repeating: 0, count: configuration.valueSize)
        query.withUnsafeBufferPointer { query in
            output.withUnsafeMutableBufferPointer { output in
                estimate(query, queryCount: 1, k: k, kernel: kernel, neighbours: &neighbours, into: output)
            }
        }
        return output
    }
}

// MARK: - The bounded max-heap (root = the largest kept distance)

@inline(__always)
func heapPush(
    _ slots: UnsafeMutablePointer<Int32>, _ distances: UnsafeMutablePointer<Float>, _ kept: inout Int, _ slot: Int32,
    _ distance: Float
) {
    var child = kept
    kept += 1
    while child > 0 {
        let parent = (child - 1) / 2
        guard distances[parent] < distance else { break }
        slots[child] = slots[parent]
        distances[child] = distances[parent]
        child = parent
    }
    slots[child] = slot
    distances[child] = distance
}

@inline(__always)
func heapReplaceTop(
    _ slots: UnsafeMutablePointer<Int32>, _ distances: UnsafeMutablePointer<Float>, _ k: Int, _ slot: Int32,
    _ distance: Float
) {
    var parent = 0
    while true {
        let left = 2 * parent + 1
        guard left < k else { break }
        var larger = left
        if left + 1 < k && distances[left + 1] > distances[left] { larger = left + 1 }
        guard distances[larger] > distance else { break }
        slots[parent] = slots[larger]
        distances[parent] = distances[larger]
        parent = larger
    }
    slots[parent] = slot
    distances[parent] = distance
}

/// Orders a query's kept neighbours nearest first (ties by slot); empty places (−1, ∞) stay last.
func sortAscending(slots: UnsafeMutablePointer<Int32>, distances: UnsafeMutablePointer<Float>, _ k: Int) {
    for i in 1..<max(k, 1) {
        let (slot, distance) = (slots[i], distances[i])
        var j = i - 1
        while j >= 0 && (distances[j] > distance || (distances[j] == distance && slots[j] > slot && slot >= 0)) {
            slots[j + 1] = slots[j]
            distances[j + 1] = distances[j]
            j -= 1
        }
        slots[j + 1] = slot
        distances[j + 1] = distance
    }
}
