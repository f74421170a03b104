import CBLAS
import Foundation

/// The BLAS library behind every matrix product: which OpenBLAS kernel runs, on how many threads.
///
/// Lifelong defaults to one BLAS thread per process, because many runs share a machine and small matrix
/// products get slower with threads. Set `LIFELONG_BLAS_THREADS` (or call `BLAS.setThreads`) to change it.
/// Run logs record `BLAS.summary`: results are not bitwise identical across kernels.
///
/// ```swift
/// print(BLAS.summary)  // "OpenBLAS Haswell, 1 thread (OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64)"
/// ```
public enum BLAS {
    /// The kernel OpenBLAS chose (or was forced to by `OPENBLAS_CORETYPE`), e.g. `"Haswell"`, `"Zen"`, `"Cooperlake"`.
    public static var coreName: String {
        configure()
        return openblas_get_corename().map { String(cString: $0) } ?? "unknown"
    }

    /// OpenBLAS's build configuration string.
    public static var buildConfiguration: String {
        configure()
        return openblas_get_config().map { String(cString: $0) } ?? "unknown"
    }

    /// Threads OpenBLAS uses for one call.
    public static var threadCount: Int {
        configure()
        return Int(openblas_get_num_threads())
    }

    /// A one-line description for logs.
    public static var summary: String {
        "OpenBLAS \(coreName), \(threadCount) thread\(threadCount == 1 ? "" : "s") (\(buildConfiguration))"
    }

    /// Sets the number of threads OpenBLAS uses from now on.
    public static func setThreads(_ count: Int) {
        configure()
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// Applies the default thread count once: `LIFELONG_BLAS_THREADS` if set, else 1.
    static func configure() { _ = configured }

    private static let configured: Bool = {
        let requested = ProcessInfo.processInfo.environment["LIFELONG_BLAS_THREADS"].flatMap { Int($0) } ?? 1
        openblas_set_num_threads(Int32(max(1, requested)))
        warmUpBuffers()
        return true
    }()

    /// One 512³ product on each of two threads at once, before any other product.
    ///
    /// Why: with OpenBLAS 0.3.21's Zen kernel (an AMD EPYC build machine), products of DQN's size (64 × 256 × 256)
    /// ran at 10 GFLOP/s instead of 34 for as long as the packing buffer's pages beyond the ones such a product
    /// writes were unmapped: once a large product had written them — or a mere read of the buffer's first
    /// megabyte had mapped them — the same product ran at the peak, and discarding the pages (`MADV_DONTNEED`)
    /// made it slow again (measured in C, outside Lifelong). The kernel's prefetches running into unmapped pages,
    /// each a page walk that finds nothing, is the likely cost. Each thread calling at the same time takes a buffer
    /// of its own, so two are mapped, for the learning lane's second thread (with one product on one thread, DQN
    /// case (a)'s first 10k steps took 6.1 s instead of 3.5 s). Costs about 10 ms of one core per thread, once per
    /// process; the numbers of later products are unchanged.
    private static func warmUpBuffers() {
        let size = 512
        /// Zeroed operands for one product; kept apart from the product so both threads start it at once.
        @Sendable func operands() -> UnsafeMutablePointer<Float> {
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 3 * size * size)
            scratch.initialize(repeating: 0, count: 3 * size * size)
            return scratch
        }
        @Sendable func product(_ scratch: UnsafeMutablePointer<Float>) {
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(size), Int32(size), Int32(size), 1, scratch,
                Int32(size), scratch + size * size, Int32(size), 0, scratch + 2 * size * size, Int32(size))
        }
        // A rendezvous, so that the two ~10 ms products overlap and OpenBLAS hands each a buffer of its own.
        let ready = DispatchSemaphore(value: 0)
        let go = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        Thread {
            let scratch = operands()
            defer { scratch.deallocate() }
            ready.signal()
            go.wait()
            product(scratch)
            finished.signal()
        }.start()
        let scratch = operands()
        defer { scratch.deallocate() }
        ready.wait()
        go.signal()
        product(scratch)
        finished.wait()
    }

    /// C ← α·op(A)·op(B) + β·C for row-major matrices: op(A) is m×k, op(B) is k×n, C is m×n.
    @inline(__always)
    static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
