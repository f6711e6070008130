import Testing

@testable import HTTPServer

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Syscall chokepoint")
struct SyscallTests {
    @Test func eintrIsRetriedUntilTheCallCompletes() throws {
        var attempts = 0
        let result = try Syscall.blocking("fake") { () -> Int32 in
            attempts += 1
            if attempts < 3 {
                errno = EINTR
                return -1
            }
            return 7
        }
        #expect(result == 7)
        #expect(attempts == 3)
    }

    @Test func eagainIsMappedToWouldBlockNotAnError() throws {
        let result = try Syscall.syscall("fake") { () -> Int32 in
            errno = EAGAIN
            return -1
        }
        guard case .wouldBlock = result else {
            Issue.record("expected .wouldBlock")
            return
        }
    }

    @Test func otherFailuresCarryTheCallNameAndErrno() {
        #expect(throws: SyscallError(call: "socket", errno: EAFNOSUPPORT)) {
            try Syscall.blocking("socket") { socket(12345, Int32(SOCK_STREAM.rawValue), 0) }
        }
        #expect(SyscallError(call: "bind", errno: EADDRINUSE).description.hasPrefix("bind failed: "))
    }

    @Test func listeningOnAPortInUseFailsWithBindAndTheSocketIsNotLeaked() throws {
        let first = try Socket.listen(host: "127.0.0.1", port: 0, backlog: 1)
        defer { first.close() }
        #expect(first.localPort > 0)
        // SO_REUSEADDR does not allow two listeners on one port.
        #expect(throws: SyscallError.self) { try Socket.listen(host: "127.0.0.1", port: first.localPort, backlog: 1) }
    }
}
