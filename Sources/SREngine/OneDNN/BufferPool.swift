import Synchronization

/// Recycles the 64-byte aligned buffers of `FeatureMap`s. Every layer of a forward pass writes a new map, and maps of
/// a few megabytes and more come from mmap in glibc, so without recycling each layer pays fresh page faults on its
/// whole output (the previous profile put that near 10% of the SRResNet x4 forward). A freed buffer is kept for the
/// next map of the same byte count; the same shapes recur layer after layer and call after call.
/// Memory bound: at most `perSize` buffers of one size and `byteLimit` bytes in all stay cached; anything beyond is
/// freed at once.
final class BufferPool: Sendable {
    /// A buffer address; only the pool (under its lock) and the one map holding it touch it.
    private struct Buffer: @unchecked Sendable { let pointer: UnsafeMutableRawPointer }

    private struct State {
        var free: [Int: [Buffer]] = [:]
        var cachedBytes = 0
    }

    static let shared = BufferPool(perSize: 4, byteLimit: 512 << 20)
    static let alignment = 64

    private let perSize: Int
    private let byteLimit: Int
    private let state = Mutex(State())

    init(perSize: Int, byteLimit: Int) {
        self.perSize = perSize
        self.byteLimit = byteLimit
    }

    /// An uninitialised buffer of `byteCount` bytes (at least 1), 64-byte aligned.
    func take(_ byteCount: Int) -> UnsafeMutableRawPointer {
        let size = max(1, byteCount)
        let reused = state.withLock { s -> UnsafeMutableRawPointer? in
            guard let buffer = s.free[size]?.popLast() else { return nil }
            s.cachedBytes -= size
            return buffer.pointer
        }
        return reused ?? .allocate(byteCount: size, alignment: Self.alignment)
    }

    /// Hands back a buffer from `take(byteCount)`; the caller must not use it afterwards.
    func give(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        let size = max(1, byteCount)
        let kept = state.withLock { s -> Bool in
            guard s.free[size, default: []].count < perSize, s.cachedBytes + size <= byteLimit else { return false }
            s.free[size, default: []].append(Buffer(pointer: pointer))
            s.cachedBytes += size
            return true
        }
        if !kept { pointer.deallocate() }
    }

    /// Bytes held for reuse (for tests and metrics).
    var cachedBytes: Int { state.withLock { $0.cachedBytes } }
}
