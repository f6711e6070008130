#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension Socket {
    /// The numeric address of the connected peer (`127.0.0.1`, `::1`), from getpeername(2); nil when the socket is
    /// not connected any more or the family is not IPv4/IPv6. Read on demand: only per-client limits need it.
    var peerAddress: String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok =
            (try? withDescriptor { (fd) throws(SyscallError) in
                _ = try withUnsafeMutablePointer(to: &storage) { (pointer) throws(SyscallError) in
                    try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(SyscallError) in
                        try Syscall.blocking("getpeername") { getpeername(fd, address, &length) }
                    }
                }
            }) != nil
        guard ok else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = Int32(storage.ss_family)
        let converted: Bool = withUnsafePointer(to: &storage) { pointer in
            switch family {
            case AF_INET:
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    var address = $0.pointee.sin_addr
                    return inet_ntop(AF_INET, &address, &text, socklen_t(text.count)) != nil
                }
            case AF_INET6:
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    var address = $0.pointee.sin6_addr
                    return inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil
                }
            default: return false
            }
        }
        guard converted else { return nil }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension RequestContext {
    /// The TCP peer's numeric address: the client, or the last proxy in front of the service (the service decides
    /// whether to trust a forwarding header instead). Used for per-client limits, never for authentication.
    public var remoteAddress: String? { socket.peerAddress }
}
