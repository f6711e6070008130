import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// POLLRDHUP (peer closed its writing side) from <poll.h>; Glibc hides it behind _GNU_SOURCE.
#if os(Linux)
    let pollReadHangUp: Int16 = 0x2000
#endif

#if canImport(Glibc)
    private let systemClose = Glibc.close
    private let systemRead = Glibc.read
    private let systemShutdown = Glibc.shutdown
#elseif canImport(Musl)
    private let systemClose = Musl.close
    private let systemRead = Musl.read
    private let systemShutdown = Musl.shutdown
#elseif canImport(Darwin)
    private let systemClose = Darwin.close
    private let systemRead = Darwin.read
    private let systemShutdown = Darwin.shutdown
#endif

/// An owned TCP socket descriptor (habit: NIO `BaseSocket`).
///
/// The descriptor is closed exactly once, by `close()`; `deinit` asserts that happened so a leaked descriptor shows up
/// in debug builds instead of as a slow `EMFILE` in production. `shutdown()` may be called from another thread to
/// wake a blocked reader (used for forced shutdown); `close()` only by the owner.
public final class Socket: @unchecked Sendable {
    private let descriptor: Int32
    /// Whether `close()` ran; held around shutdown(2) too, so it never reaches a descriptor number reused after close.
    private let isClosed = Mutex(false)

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        let closed = isClosed.withLock { $0 }
        assert(closed, "Socket \(descriptor) leaked: deinit without close()")
        if !closed { _ = systemClose(descriptor) }
    }

    /// Runs `body` with the raw descriptor; the socket must still be open.
    func withDescriptor<T>(_ body: (Int32) throws(SyscallError) -> T) throws(SyscallError) -> T {
        precondition(isClosed.withLock { !$0 }, "use of a closed Socket")
        return try body(descriptor)
    }

    public func close() {
        let wasOpen = isClosed.withLock { isClosed in
            defer { isClosed = true }
            return !isClosed
        }
        guard wasOpen else { return }
        // close(2) must not be retried on EINTR on Linux: the descriptor is already released (man 2 close).
        _ = systemClose(descriptor)
    }

    /// Stops both directions without releasing the descriptor, waking any thread blocked in poll/read on it.
    public func shutdown() {
        isClosed.withLock { isClosed in
            if !isClosed { _ = systemShutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }

    /// Closes the sending side only (FIN), so the peer sees the end of the response while we can still read.
    func shutdownWrite() {
        isClosed.withLock { isClosed in
            if !isClosed { _ = systemShutdown(descriptor, Int32(SHUT_WR)) }
        }
    }

    // MARK: Options

    func setOption(_ level: Int32, _ name: Int32, _ value: Int32) throws(SyscallError) {
        var value = value
        try withDescriptor { (fd) throws(SyscallError) in
            _ = try Syscall.blocking("setsockopt") {
                setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
            }
        }
    }

    // MARK: I/O

    /// True when the peer has closed its sending side (FIN seen) or the connection is gone, even if unread bytes
    /// remain: POLLRDHUP (Linux) reports the FIN independently of pending data, which matters for pipelined input.
    public func peerHasClosed() -> Bool {
        (try? withDescriptor { (fd) throws(SyscallError) -> Bool in
            #if os(Linux)
                let events = Int16(POLLIN) | pollReadHangUp
            #else
                let events = Int16(POLLIN)
            #endif
            var pfd = pollfd(fd: fd, events: events, revents: 0)
            let ready = try Syscall.blocking("poll") { poll(&pfd, 1, 0) }
            guard ready > 0 else { return false }
            #if os(Linux)
                return pfd.revents & (pollReadHangUp | Int16(POLLHUP) | Int16(POLLERR)) != 0
            #else
                return pfd.revents & (Int16(POLLHUP) | Int16(POLLERR)) != 0
            #endif
        }) ?? true
    }

    /// True when bytes (or a FIN) are waiting to be read.
    func hasPendingInput() -> Bool {
        (try? withDescriptor { (fd) throws(SyscallError) -> Bool in
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            return try Syscall.blocking("poll") { poll(&pfd, 1, 0) } > 0
        }) ?? false
    }

    // MARK: Non-blocking I/O (the event loop's side)

    /// Puts the descriptor in O_NONBLOCK mode: reads and writes return `.wouldBlock` instead of waiting.
    func setNonBlocking() throws(SyscallError) {
        try withDescriptor { (fd) throws(SyscallError) in
            let flags = try Syscall.blocking("fcntl") { fcntl(fd, F_GETFL) }
            _ = try Syscall.blocking("fcntl") { fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
        }
    }

    /// Reads into `buffer` without waiting: the byte count (0 at end of stream), or `.wouldBlock`.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SyscallError) -> SyscallResult<Int> {
        try withDescriptor { (fd) throws(SyscallError) in
            try Syscall.syscall("read") { systemRead(fd, buffer.baseAddress, buffer.count) }
        }
    }

    /// Sends what the kernel takes now: the count written, or `.wouldBlock` when the send buffer is full.
    func write(_ bytes: ArraySlice<UInt8>) throws(SyscallError) -> SyscallResult<Int> {
        try withDescriptor { (fd) throws(SyscallError) in
            try bytes.withUnsafeBytes { raw in
                Result { () throws(SyscallError) in
                    // MSG_NOSIGNAL: a peer that went away must give EPIPE, not kill the process with SIGPIPE.
                    try Syscall.syscall("send") { send(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL)) }
                }
            }.get()
        }
    }
}
