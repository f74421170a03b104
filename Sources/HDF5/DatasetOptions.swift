/// How a new dataset is stored.
///
/// ```swift
/// // A log table: compressed, checksummed, 4096 rows per chunk.
/// let options = DatasetOptions(chunkRows: 4096, compression: .deflate(level: 4), checksum: true)
/// ```
public struct DatasetOptions: Sendable, Equatable {
    /// Byte-shuffle then deflate (gzip). Every HDF5 reader has deflate; LZF and other plugins are not used
    /// because readers outside h5py lack them.
    public enum Compression: Sendable, Equatable {
        case none
        /// Shuffle + deflate at `level` 1 (fast) … 9 (small). Level 4 suits logs and integer/bool columns.
        case deflate(level: Int)
    }

    /// Rows per chunk. `nil` chooses about 64 KiB per chunk for chunked datasets (appendable or compressed)
    /// and a contiguous layout otherwise.
    public var chunkRows: Int?
    public var compression: Compression
    /// Fletcher-32 checksum per chunk, so a damaged chunk is an error instead of wrong numbers.
    public var checksum: Bool

    public init(chunkRows: Int? = nil, compression: Compression = .none, checksum: Bool = false) {
        self.chunkRows = chunkRows
        self.compression = compression
        self.checksum = checksum
    }

    /// Bytes aimed at per chunk when `chunkRows` is `nil`: in the 64 KiB – 1 MiB range that appends and random
    /// batch reads both like (docs/hdf5.md).
    static let targetChunkBytes = 64 * 1024

    func chunkRows(rowBytes: Int) -> Int {
        chunkRows ?? max(1, Self.targetChunkBytes / max(1, rowBytes))
    }
}

/// How `String` values are stored.
public enum StringStorage: Sendable, Equatable {
    /// Any length (h5py reads `str` objects with `.asstr()`, bytes otherwise).
    case variableLength
    /// At most `bytes` bytes of UTF-8 each, NUL-padded (numpy `S<bytes>`). Longer text is an error, not cut.
    case fixedLength(bytes: Int)
}
