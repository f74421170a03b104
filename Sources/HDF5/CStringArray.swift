import Foundation

/// Passes `strings` to `body` as a buffer of NUL-terminated C string pointers (the memory form of HDF5
/// variable-length strings), freeing them afterwards.
func withCStringPointers<Result>(
    _ strings: [String], _ body: (UnsafeMutableRawBufferPointer) throws -> Result
) rethrows -> Result {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer {
        for pointer in pointers { free(pointer) }
    }
    return try pointers.withUnsafeMutableBytes(body)
}
