import CHDF5
import Glibc

/// The operating-system side of an open file: its sec2 descriptor and the lock libhdf5 holds on it.
///
/// libhdf5 opens files without close-on-exec and locks them with `flock`, which belongs to the open file
/// description, not to the descriptor. A process that another thread spawns while a file is open (Foundation's
/// `Process` closes the descriptors it saw a moment before spawning, not ones opened meanwhile) inherits the
/// description, and with it the lock: after this process closes the file, the child still holds it, and the next
/// writer — `File.recover` after a crash, say — is refused with "unable to lock the file" until the child exits.
/// So every file is marked close-on-exec as soon as it is open, and the lock is released explicitly when the last
/// identifier of a file closes.
enum FileDescriptor {
    /// The descriptor of an open file (every `File` uses the sec2 driver), or `nil` when libhdf5 gives none.
    static func of(_ file: hid_t) -> Int32? {
        var raw: UnsafeMutableRawPointer?
        guard H5Fget_vfd_handle(file, shim_H5P_DEFAULT(), &raw) >= 0, let raw else { return nil }
        return raw.load(as: Int32.self)
    }

    /// Keeps processes spawned from now on from inheriting the file. Call it under the library lock, right after
    /// the file is opened or created.
    static func closeOnExec(_ file: hid_t) {
        guard let descriptor = of(file) else { return }
        _ = shim_set_close_on_exec(descriptor)
    }

    /// Closes a file identifier like `H5Fclose`; when it is the last open object of its file, releases the file's
    /// lock after the close, so a copy of the description that a child inherited does not keep the file locked.
    ///
    /// The lock is released only once libhdf5 has finished writing and closed its descriptor: a duplicate kept for
    /// the moment holds the description (and the lock) until then.
    static func closeReleasingLock(_ file: hid_t) -> herr_t {
        guard H5Fget_obj_count(file, shim_H5F_OBJ_ALL()) == 1, let descriptor = of(file) else {
            return H5Fclose(file)
        }
        let duplicate = shim_duplicate_close_on_exec(descriptor)
        let status = H5Fclose(file)
        if duplicate >= 0 {
            _ = flock(duplicate, LOCK_UN)
            _ = Glibc.close(duplicate)
        }
        return status
    }
}
