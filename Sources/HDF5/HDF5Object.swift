import CHDF5

/// Anything in a file that has a path and carries attributes: `File` (the root group), `Group`, `Dataset`.
public class HDF5Object: @unchecked Sendable {
    /// The object's absolute path inside the file, e.g. `/eval/returns`.
    public let objectPath: String
    let handle: Handle
    private let owner: File?

    init(path: String, handle: Handle, file: File?) {
        self.objectPath = path
        self.handle = handle
        self.owner = file
    }

    /// The file this object lives in (a `File` is its own).
    public var file: File { owner ?? unsafeDowncast(self, to: File.self) }
}

extension HDF5Object {
    /// Throws unless new objects or attributes may be written now.
    func requireStructureWritable(_ operation: String, object: String) throws {
        if file.mode != .readWrite {
            throw HDF5Error(
                .notWritable, operation: operation, file: file.path, object: object,
                reason: "the file is open read-only. Open it with mode .readWrite.")
        }
        if file.isSWMRWriting {
            throw HDF5Error(
                .notWritable, operation: operation, file: file.path, object: object,
                reason: "the file is in SWMR write mode, where new objects and attributes would corrupt it. "
                    + "Create every group, dataset and attribute before startSWMRWrite().")
        }
    }

    /// The absolute path of `name` below this object.
    func absolutePath(_ name: String) -> String {
        if name.hasPrefix("/") { return name }
        return objectPath == "/" ? "/" + name : objectPath + "/" + name
    }
}
