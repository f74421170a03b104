import CKernels

/// A second thread for the independent halves of one learning update — fork/join at the scale of a single
/// matrix product (tens of microseconds), where a thread pool's wake-up would cost as much as the work.
///
/// `run(_:alongside:)` runs one closure on the helper thread and the other on the caller, and returns when both
/// are done. Each half must touch memory the other does not write; BLAS calls inside them should be
/// single-threaded (`BLAS.threadCount` 1, the default). The numbers do not depend on the lane: each product is
/// the same call, on another core.
///
/// ```swift
/// let lane = Lane()
/// graph.lane = lane  // backward computes each large layer's two gradients at once
/// lane.run { onlineForward() } alongside: { targetForward() }
/// ```
///
/// The helper spins briefly after each task (so the next one starts at once) and then sleeps; a lane is used by
/// one thread at a time, and not from inside one of its own `run` calls (one task is in flight at a time).
public final class Lane {
    private let handle: OpaquePointer

    /// Starts the helper thread.
    public init() {
        guard let handle = lk_lane_create() else { preconditionFailure("Lane: cannot start a thread") }
        self.handle = handle
    }

    /// Runs `local` on this thread and `remote` on the helper, returning when both have finished.
    public func run(_ local: () -> Void, alongside remote: () -> Void) {
        withoutActuallyEscaping(remote) { remote in
            var task = remote
            withUnsafeMutablePointer(to: &task) { pointer in
                lk_lane_post(handle, { $0!.assumingMemoryBound(to: (() -> Void).self).pointee() }, pointer)
                local()
                lk_lane_wait(handle)
            }
        }
    }

    deinit { lk_lane_destroy(handle) }
}
