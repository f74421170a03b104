import CHDF5

/// Owns one HDF5 identifier and closes it exactly once, on `close()` or when the last reference goes away.
final class Handle: @unchecked Sendable {
    enum Kind { case file, group, dataset, datatype, dataspace, attribute, propertyList }

    private(set) var id: hid_t
    let kind: Kind

    init(_ id: hid_t, _ kind: Kind) {
        self.id = id
        self.kind = kind
    }

    var isOpen: Bool { id >= 0 && HDF5Library.withLibrary { H5Iis_valid(id) > 0 } }

    /// Closes the identifier; a second call does nothing.
    func close() throws {
        guard id >= 0 else { return }
        let closing = id
        id = -1
        let status: herr_t = HDF5Library.withLibrary {
            guard H5Iis_valid(closing) > 0 else { return 0 }
            switch kind {
            case .file: return FileDescriptor.closeReleasingLock(closing)
            case .group: return H5Gclose(closing)
            case .dataset: return H5Dclose(closing)
            case .datatype: return H5Tclose(closing)
            case .dataspace: return H5Sclose(closing)
            case .attribute: return H5Aclose(closing)
            case .propertyList: return H5Pclose(closing)
            }
        }
        if status < 0 {
            throw HDF5Library.withLibrary { HDF5Error.fromStack(operation: "close \(kind) handle") }
        }
    }

    deinit {
        try? close()
    }
}

/// Creates a handle from an identifier returned by a C call, throwing with the HDF5 stack when it failed.
func makeHandle(
    _ id: hid_t, _ kind: Handle.Kind, _ operation: @autoclosure () -> String, file: String? = nil,
    object: String? = nil
) throws -> Handle {
    if id < 0 {
        throw HDF5Error.fromStack(operation: operation(), file: file, object: object)
    }
    return Handle(id, kind)
}
