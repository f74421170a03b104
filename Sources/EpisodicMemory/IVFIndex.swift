import CBLAS
import CKernels
import Randomness

/// An inverted-file index over an episodic store's keys, for memories past ~100k entries: k-means cells; a search
/// scans only the `probes` cells whose centroids are nearest the query. Each cell keeps its members' keys in panels
/// of 16 (like the store), so a scan runs the same SIMD kernel. Kept current on every write of the store; its
/// recall against the exact search is measured in tests and `make bench-memory`.
///
/// ```swift
/// try store.buildIndex(cells: 1024, probes: 16, stream: RandomStream(seed: 1))
/// store.nearest(queries, queryCount: 32, k: 50, into: &neighbours, approximate: true)
/// ```
public final class IVFIndex {
    public let keySize: Int
    public let cellCount: Int
    /// Cells scanned per query: more finds more true neighbours, slower.
    public var probes: Int
    /// [cells × keySize] and their squared norms.
    var centroids: [Float]
    var centroidNorms: [Float]
    /// The centroids again in panels of 16 (padded), so distances to all of them take one kernel call.
    var centroidPanels: [Float] = []
    var cells: [Cell]
    /// Per store slot: its cell (−1: none) and position there.
    var cellOf: [Int32]
    var positionOf: [Int32]
    /// Scratch: distances to centroids, the chosen cells, one cell's distance tile.
    var centroidDistances: [Float] = []
    var chosen: [Int32] = []
    var chosenDistances: [Float] = []
    var tile: [Float] = []

    struct Cell {
        var slots: [Int32] = []
        /// Panel layout: [panel][dimension][lane].
        var panels: [Float] = []
        var norms: [Float] = []

        /// Adds a member at the end; returns its position.
        mutating func append(slot: Int32, key: UnsafePointer<Float>, norm: Float, keySize: Int) -> Int {
            let position = slots.count
            if position % 16 == 0 {
                panels += [Float](repeating: 0, count: 16 * keySize)
                norms += [Float](repeating: 0, count: 16)
            }
            let base = (position / 16) * 16 * keySize + position % 16
            for index in 0..<keySize { panels[base + index * 16] = key[index] }
            norms[position] = norm
            slots.append(slot)
            return position
        }

        /// Removes the member at `position`, moving the last member into its place; returns the moved slot.
        mutating func remove(at position: Int, keySize: Int) -> Int32? {
            let last = slots.count - 1
            var moved: Int32?
            if position != last {
                let from = (last / 16) * 16 * keySize + last % 16
                let to = (position / 16) * 16 * keySize + position % 16
                for index in 0..<keySize { panels[to + index * 16] = panels[from + index * 16] }
                norms[position] = norms[last]
                slots[position] = slots[last]
                moved = slots[last]
            }
            slots.removeLast()
            if slots.count % 16 == 0 {
                panels.removeLast(16 * keySize)
                norms.removeLast(16)
            }
            return moved
        }
    }

    /// Trains `cells` centroids by k-means (Lloyd, `iterations` rounds, seeded initial picks) on `sample` keys
    /// ([sampleCount × keySize]), for a store of `capacity` slots.
    init(
        keySize: Int, cells: Int, probes: Int, capacity: Int, sample: UnsafeBufferPointer<Float>, sampleCount: Int,
        iterations: Int, stream: RandomStream
    ) {
        self.keySize = keySize
        cellCount = cells
        self.probes = probes
        var stream = stream
        centroids = [Float](repeating: 0, count: cells * keySize)
        for cell in 0..<cells {
            let row = sampleCount > 0 ? stream.index(below: sampleCount) : 0
            for index in 0..<keySize where sampleCount > 0 {
                centroids[cell * keySize + index] = sample[row * keySize + index]
            }
        }
        centroidNorms = [Float](repeating: 0, count: (cells + 15) / 16 * 16)
        self.cells = Array(repeating: Cell(), count: cells)
        cellOf = [Int32](repeating: -1, count: capacity)
        positionOf = [Int32](repeating: -1, count: capacity)
        var assignment = [Int32](repeating: 0, count: sampleCount)
        var products = [Float](repeating: 0, count: 0)
        for _ in 0..<iterations where sampleCount > 0 {
            updateNorms()
            // Assign every sample to its nearest centroid: one sgemm per chunk of samples.
            let chunk = 4096
            products = [Float](repeating: 0, count: chunk * cells)
            var start = 0
            while start < sampleCount {
                let rows = min(chunk, sampleCount - start)
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(cells), Int32(keySize), 1,
                    sample.baseAddress! + start * keySize, Int32(keySize), centroids, Int32(keySize), 0, &products,
                    Int32(cells))
                for row in 0..<rows {
                    var best = 0
                    var bestDistance = Float.infinity
                    for cell in 0..<cells {
                        let distance = centroidNorms[cell] - 2 * products[row * cells + cell]
                        if distance < bestDistance {
                            bestDistance = distance
                            best = cell
                        }
                    }
                    assignment[start + row] = Int32(best)
                }
                start += rows
            }
            // Move each centroid to its members' mean (an empty cell keeps its place).
            var sums = [Float](repeating: 0, count: cells * keySize)
            var counts = [Int](repeating: 0, count: cells)
            for row in 0..<sampleCount {
                let cell = Int(assignment[row])
                counts[cell] += 1
                for index in 0..<keySize { sums[cell * keySize + index] += sample[row * keySize + index] }
            }
            for cell in 0..<cells where counts[cell] > 0 {
                for index in 0..<keySize {
                    centroids[cell * keySize + index] = sums[cell * keySize + index] / Float(counts[cell])
                }
            }
        }
        updateNorms()
    }

    /// An index over given centroids ([cells × keySize]) — a saved index restored without training.
    init(keySize: Int, centroids: [Float], probes: Int, capacity: Int) {
        self.keySize = keySize
        cellCount = centroids.count / keySize
        self.probes = probes
        self.centroids = centroids
        centroidNorms = [Float](repeating: 0, count: (cellCount + 15) / 16 * 16)
        cells = Array(repeating: Cell(), count: cellCount)
        cellOf = [Int32](repeating: -1, count: capacity)
        positionOf = [Int32](repeating: -1, count: capacity)
        updateNorms()
    }

    private func updateNorms() {
        let padded = (cellCount + 15) / 16 * 16
        if centroidNorms.count < padded { centroidNorms = [Float](repeating: 0, count: padded) }
        centroidPanels = [Float](repeating: 0, count: padded * keySize)
        for cell in 0..<cellCount {
            var norm: Float = 0
            for index in 0..<keySize {
                let value = centroids[cell * keySize + index]
                norm += value * value
                centroidPanels[(cell / 16) * 16 * keySize + index * 16 + cell % 16] = value
            }
            centroidNorms[cell] = norm
        }
    }

    /// Squared distances from a key to every centroid, into `centroidDistances`.
    func distancesToCentroids(_ key: UnsafePointer<Float>) {
        let padded = (cellCount + 15) / 16 * 16
        if centroidDistances.count < padded { centroidDistances = [Float](repeating: 0, count: padded) }
        var norm: Float = 0
        for index in 0..<keySize { norm += key[index] * key[index] }
        lk_l2_panels(1, keySize, key, &norm, padded / 16, centroidPanels, centroidNorms, &centroidDistances, padded)
    }

    /// The nearest centroid of a key.
    func nearestCell(_ key: UnsafePointer<Float>) -> Int {
        distancesToCentroids(key)
        var best = 0
        for cell in 1..<cellCount where centroidDistances[cell] < centroidDistances[best] { best = cell }
        return best
    }

    /// Files `slot` (whose key and norm are given) in its nearest cell, leaving its previous cell.
    func set(slot: Int, key: UnsafePointer<Float>, norm: Float) {
        remove(slot: slot)
        let cellIndex = nearestCell(key)
        // Mutated in place through the array element: a local copy of the cell would copy its panels on write.
        let position = cells[cellIndex].append(slot: Int32(slot), key: key, norm: norm, keySize: keySize)
        cellOf[slot] = Int32(cellIndex)
        positionOf[slot] = Int32(position)
    }

    /// Takes `slot` out of its cell (the cell's last member moves into its place).
    func remove(slot: Int) {
        let cellIndex = Int(cellOf[slot])
        guard cellIndex >= 0 else { return }
        let position = Int(positionOf[slot])
        if let moved = cells[cellIndex].remove(at: position, keySize: keySize) {
            positionOf[Int(moved)] = Int32(position)
        }
        cellOf[slot] = -1
        positionOf[slot] = -1
    }

    /// One query's k nearest among the members of its `probes` nearest cells, into a heap (unsorted).
    func search(
        _ query: UnsafePointer<Float>, queryNorm: Float, k: Int, slots: UnsafeMutablePointer<Int32>,
        distances: UnsafeMutablePointer<Float>
    ) {
        distancesToCentroids(query)
        // The `probes` nearest cells, through the same bounded max-heap as the neighbours.
        let probeCount = min(probes, cellCount)
        if chosen.count != probeCount {
            chosen = [Int32](repeating: -1, count: probeCount)
            chosenDistances = [Float](repeating: .infinity, count: probeCount)
        }
        var picked = 0
        var farthest = Float.infinity
        chosen.withUnsafeMutableBufferPointer { chosen in
            chosenDistances.withUnsafeMutableBufferPointer { chosenDistances in
                for cell in 0..<cellCount where centroidDistances[cell] < farthest {
                    if picked < probeCount {
                        heapPush(
                            chosen.baseAddress!, chosenDistances.baseAddress!, &picked, Int32(cell),
                            centroidDistances[cell])
                        if picked == probeCount { farthest = chosenDistances[0] }
                    } else {
                        heapReplaceTop(
                            chosen.baseAddress!, chosenDistances.baseAddress!, probeCount, Int32(cell),
                            centroidDistances[cell])
                        farthest = chosenDistances[0]
                    }
                }
            }
        }
        var kept = 0
        var worst = Float.infinity
        var norm = queryNorm
        for cellIndex in chosen.prefix(picked) {
            let cell = cells[Int(cellIndex)]
            let count = cell.slots.count
            guard count > 0 else { continue }
            let panelCount = (count + 15) / 16
            if tile.count < panelCount * 16 { tile = [Float](repeating: 0, count: panelCount * 16) }
            cell.panels.withUnsafeBufferPointer { panels in
                cell.norms.withUnsafeBufferPointer { norms in
                    lk_l2_panels(
                        1, keySize, query, &norm, panelCount, panels.baseAddress!, norms.baseAddress!, &tile,
                        panelCount * 16)
                }
            }
            for position in 0..<count where tile[position] < worst {
                let distance = max(0, tile[position])
                if kept < k {
                    heapPush(slots, distances, &kept, cell.slots[position], distance)
                    if kept == k { worst = distances[0] }
                } else {
                    heapReplaceTop(slots, distances, k, cell.slots[position], distance)
                    worst = distances[0]
                }
            }
        }
    }
}
