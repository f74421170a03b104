extension Dataset where Element: HDF5Element {
    /// Appends one value as one row (datasets whose rows hold one value, e.g. a reward column).
    public func append(_ value: Element) throws {
        try append(contentsOf: CollectionOfOne(value))
    }

    /// Appends whole rows given as a flat, row-major sequence of values.
    public func append(contentsOf values: some Collection<Element>) throws {
        let rows = try requireWholeRows(values.count, "append to dataset")
        let appended: Bool? = try values.withContiguousStorageIfAvailable { buffer in
            try appendRaw(rows: rows, values: buffer.baseAddress)
            return true
        }
        if appended == nil {
            let copy = Array(values)
            try copy.withUnsafeBufferPointer { try appendRaw(rows: rows, values: $0.baseAddress) }
        }
    }

    /// Every value, row-major.
    public func readAll() throws -> [Element] {
        try HDF5Library.withLibrary { try read(rows: 0..<(try shape[0])) }
    }

    /// The values of the rows in `rows`, row-major.
    public func read(rows: Range<Int>) throws -> [Element] {
        try [Element](unsafeUninitializedCapacity: max(0, rows.count) * valuesPerRow) { buffer, count in
            try transferRows(rows, values: buffer.baseAddress, write: false)
            count = rows.count * valuesPerRow
        }
    }

    /// Reads the rows in `rows` into `buffer` (which must hold exactly their values): no allocation.
    public func read(rows: Range<Int>, into buffer: UnsafeMutableBufferPointer<Element>) throws {
        guard buffer.count == rows.count * valuesPerRow else {
            throw error(
                .shapeMismatch, "read from dataset",
                "the buffer holds \(buffer.count) values; rows \(rows) have \(rows.count * valuesPerRow).")
        }
        try transferRows(rows, values: buffer.baseAddress, write: false)
    }

    /// The values of the given rows, in the order asked (repeats allowed), row-major.
    public func read(rowIndices: [Int]) throws -> [Element] {
        let (unique, positions) = Self.plan(rowIndices)
        let values = try [Element](unsafeUninitializedCapacity: unique.count * valuesPerRow) { buffer, count in
            try readRawRows(sortedUnique: unique, into: buffer.baseAddress)
            count = unique.count * valuesPerRow
        }
        if unique.count == rowIndices.count && positions.elementsEqual(positions.indices) { return values }
        var ordered: [Element] = []
        ordered.reserveCapacity(rowIndices.count * valuesPerRow)
        for position in positions {
            ordered.append(contentsOf: values[(position * valuesPerRow)..<((position + 1) * valuesPerRow)])
        }
        return ordered
    }

    /// Writes the whole dataset; `values` must fill its current shape exactly.
    public func write(_ values: [Element]) throws {
        let rows = try requireWholeRows(values.count, "write to dataset")
        let current = try shape[0]
        guard rows == current else {
            throw error(
                .shapeMismatch, "write to dataset",
                "\(rows) rows given; the dataset has \(current). Use overwrite(rowsStartingAt:with:) for part of it.")
        }
        try values.withUnsafeBufferPointer {
            try transferRows(0..<rows, values: UnsafeMutableRawPointer(mutating: $0.baseAddress), write: true)
        }
    }

    /// Overwrites existing rows from `start` on with `values` (whole rows, row-major).
    ///
    /// In files that must survive a kill, never overwrite committed rows: a chunk can reach the disk at any
    /// time, so an interrupted overwrite leaves a mix of old and new (docs/hdf5.md).
    public func overwrite(rowsStartingAt start: Int, with values: [Element]) throws {
        let rows = try requireWholeRows(values.count, "overwrite rows")
        try values.withUnsafeBufferPointer {
            try transferRows(
                start..<(start + rows), values: UnsafeMutableRawPointer(mutating: $0.baseAddress), write: true)
        }
    }
}
