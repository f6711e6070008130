import HTTPServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The client a per-client limit counts against: an IPv4 address, or the /64 network of an IPv6 address.
///
/// One IPv6 subscriber usually holds a whole /64 (RFC 6177 recommends at least that per site), so counting single
/// IPv6 addresses would give one client 2^64 budgets. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`, what a
/// dual-stack listener reports for IPv4 clients) count as their IPv4 address.
struct ClientAddress: Hashable, Sendable, CustomStringConvertible {
    let key: String

    var description: String { key }

    /// From the TCP peer, or from `header` when configured (behind a proxy): its last comma-separated entry, the
    /// address the nearest proxy saw (entries further left are whatever the client sent).
    init(remote: String?, headers: HTTPFields, trustedHeader: String) {
        var text = remote ?? ""
        if let name = HTTPField.Name(trustedHeader), let forwarded = headers[values: name].last {
            let last = forwarded.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) }
            if let last, !last.isEmpty { text = last }
        }
        key = Self.normalized(text)
    }

    init(key: String) { self.key = key }

    static func normalized(_ text: String) -> String {
        var v6 = in6_addr()
        guard text.contains(":"), inet_pton(AF_INET6, text, &v6) == 1 else { return text.isEmpty ? "unknown" : text }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            return bytes[12..<16].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map {
            String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16)
        }
        return groups.joined(separator: ":") + "::/64"
    }
}
