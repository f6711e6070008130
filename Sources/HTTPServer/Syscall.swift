#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed system call: the call's name and the `errno` it left, so a log line says exactly what failed.
public struct SyscallError: Error, Equatable, CustomStringConvertible {
    public let call: String
    public let errno: Int32

    public var description: String { "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))" }
}

/// What a non-blocking-capable call produced: a value, or EAGAIN/EWOULDBLOCK mapped to a case instead of an error.
enum SyscallResult<Value> {
    case done(Value)
    case wouldBlock
}

/// The one place this module calls into the C library for I/O (habit: NIO `System.swift`).
///
/// Every call goes through `syscall(_:_:)`, which retries on EINTR (a signal arrived; the call did nothing), maps
/// EAGAIN/EWOULDBLOCK to `.wouldBlock`, throws `SyscallError` for everything else, and stops the process on EBADF and
/// EFAULT: those mean this program used a closed descriptor or a bad pointer, a bug that must not be papered over
/// (continuing could read or write somebody else's descriptor).
enum Syscall {
    static func syscall<T: FixedWidthInteger>(
        _ name: String, _ body: () -> T
    ) throws(SyscallError) -> SyscallResult<T> {
        while true {
            let result = body()
            if result != -1 { return .done(result) }
            let code = errno
            switch code {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                return .wouldBlock
            case EBADF, EFAULT:
                preconditionFailure(
                    "\(name) failed with errno \(code): a programming error (bad descriptor or pointer)")
            default:
                throw SyscallError(call: name, errno: code)
            }
        }
    }

    /// For calls that cannot return EAGAIN (fcntl, setsockopt, poll with a timeout, bind): one that does is an error.
    static func blocking<T: FixedWidthInteger>(_ name: String, _ body: () -> T) throws(SyscallError) -> T {
        switch try syscall(name, body) {
        case .done(let value): return value
        case .wouldBlock: throw SyscallError(call: name, errno: EAGAIN)
        }
    }
}
