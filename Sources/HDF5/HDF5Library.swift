import CHDF5
import Foundation

/// Process-wide facts about, and access to, the HDF5 C library.
///
/// Debian's libhdf5 is built thread-safe: every C call takes one global recursive lock. The wrapper adds its
/// own process-wide recursive lock around operations that take several C calls (append = extend + select +
/// write; commit = flush + write + flush + fsync), so each wrapper call is atomic with respect to the others.
/// Objects may therefore be used from several threads; calls simply run one at a time.
///
/// ```swift
/// print(HDF5Library.version)          // "1.10.8"
/// print(HDF5Library.openObjectCount)  // 0 once every File, Group and Dataset is released
/// ```
public enum HDF5Library {
    /// The libhdf5 version in use, e.g. `"1.10.8"`.
    public static var version: String {
        _ = initialized
        var major: UInt32 = 0
        var minor: UInt32 = 0
        var release: UInt32 = 0
        H5get_libversion(&major, &minor, &release)
        return "\(major).\(minor).\(release)"
    }

    /// Whether libhdf5 was built with its thread-safety lock.
    public static var isThreadSafe: Bool {
        _ = initialized
        var threadSafe: hbool_t = false
        H5is_library_threadsafe(&threadSafe)
        return threadSafe
    }

    /// How many HDF5 objects (files, groups, datasets, datatypes, attributes) are open in this process.
    /// Tests use it to prove that handles are released.
    public static var openObjectCount: Int {
        withLibrary {
            Int(H5Fget_obj_count(hid_t(shim_H5F_OBJ_ALL()), shim_H5F_OBJ_ALL()))
        }
    }

    /// Runs `body` under the wrapper's process-wide lock, with HDF5's automatic error printing turned off on
    /// this thread (the error stack and its printing are per thread in libhdf5).
    static func withLibrary<T>(_ body: () throws -> T) rethrows -> T {
        _ = initialized
        lock.lock()
        defer { lock.unlock() }
        silenceErrorPrintingOnThisThread()
        return try body()
    }

    private static let lock = NSRecursiveLock()

    private static let initialized: Bool = {
        H5open()
        return true
    }()

    /// A thread-specific marker that records whether this thread's automatic error printing is already off.
    private static let silencedKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    private static func silenceErrorPrintingOnThisThread() {
        guard pthread_getspecific(silencedKey) == nil else { return }
        H5Eset_auto2(shim_H5E_DEFAULT(), nil, nil)
        pthread_setspecific(silencedKey, UnsafeRawPointer(bitPattern: 1))
    }
}
