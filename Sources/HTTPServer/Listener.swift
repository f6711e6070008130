#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension Socket {
    /// Creates a listening TCP socket bound to `host:port` (port 0 picks an ephemeral port; see `localPort`).
    ///
    /// `host` is a numeric IPv4 or IPv6 address or a name resolved by getaddrinfo; the first address that binds wins.
    static func listen(host: String, port: Int, backlog: Int) throws(SyscallError) -> Socket {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else { throw SyscallError(call: "getaddrinfo(\(host))", errno: EINVAL) }
        defer { freeaddrinfo(list) }

        var lastError = SyscallError(call: "bind", errno: EADDRNOTAVAIL)
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd: Int32
            do throws(SyscallError) {
                fd = try Syscall.blocking("socket") {
                    socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
                }
            } catch {
                lastError = error
                continue
            }
            let candidate = Socket(descriptor: fd)
            do throws(SyscallError) {
                // SO_REUSEADDR: a restart must not wait out TIME_WAIT of the previous process's connections.
                try candidate.setOption(SOL_SOCKET, SO_REUSEADDR, 1)
                try candidate.withDescriptor { (fd) throws(SyscallError) in
                    _ = try Syscall.blocking("bind") { bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) }
                    _ = try Syscall.blocking("listen") { Glibc.listen(fd, Int32(clamping: backlog)) }
                }
                return candidate
            } catch {
                candidate.close()
                lastError = error
            }
        }
        throw lastError
    }

    /// The local port the socket is bound to.
    var localPort: Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok =
            (try? withDescriptor { (fd) throws(SyscallError) in
                _ = try withUnsafeMutablePointer(to: &storage) { (pointer) throws(SyscallError) in
                    try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(SyscallError) in
                        try Syscall.blocking("getsockname") { getsockname(fd, address, &length) }
                    }
                }
            }) != nil
        guard ok else { return 0 }
        let family = Int32(storage.ss_family)
        return withUnsafePointer(to: &storage) { pointer -> Int in
            if family == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    Int(UInt16(bigEndian: $0.pointee.sin6_port))
                }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                Int(UInt16(bigEndian: $0.pointee.sin_port))
            }
        }
    }

    /// Accepts one pending connection without waiting: the client's socket (non-blocking, close-on-exec) and its
    /// numeric address, or nil when none is pending.
    func accept() throws(SyscallError) -> (socket: Socket, address: String)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = try withDescriptor { (fd) throws(SyscallError) -> SyscallResult<Int32> in
            try withUnsafeMutablePointer(to: &storage) { (pointer) throws(SyscallError) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(SyscallError) in
                    try Syscall.syscall("accept") { Glibc.accept(fd, address, &length) }
                }
            }
        }
        switch result {
        case .done(let client):
            let socket = Socket(descriptor: client)
            do throws(SyscallError) {
                // FD_CLOEXEC: a child process (e.g. a test's curl) must not inherit client sockets.
                _ = try Syscall.blocking("fcntl") { fcntl(client, F_SETFD, FD_CLOEXEC) }
                try socket.setNonBlocking()
            } catch {
                socket.close()
                throw error
            }
            return (socket, Self.numericHost(storage))
        case .wouldBlock: return nil
        }
    }

    /// The address as text (`127.0.0.1`, `::1`): the key of the per-address connection cap and of logs.
    static func numericHost(_ storage: sockaddr_storage) -> String {
        var storage = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = Int32(storage.ss_family)
        let ok = withUnsafePointer(to: &storage) { pointer -> Bool in
            if family == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    var address = $0.pointee.sin6_addr
                    return inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil
                }
            }
            if family == AF_INET {
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    var address = $0.pointee.sin_addr
                    return inet_ntop(AF_INET, &address, &text, socklen_t(text.count)) != nil
                }
            }
            return false
        }
        guard ok else { return "unknown" }
        let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // An IPv4 client on a dual-stack socket is one client whichever way it is written.
        return host.hasPrefix("::ffff:") && host.contains(".") ? String(host.dropFirst(7)) : host
    }
}
