import Foundation
import Testing

@testable import UpscaleService

#if canImport(Glibc)
    import Glibc
#endif

/// The attacks of issue 13, each with a bounded loop on loopback: the attacker plays clients at other loopback
/// addresses (127.0.0.0/8), the normal client is 127.0.0.1 and must be answered on its first try.
@Suite("Overload policies", .serialized)
struct OverloadTests {
    static let png = Fixtures.png(width: 4, height: 4)
    static let upload =
        Array(
            "POST /upscale HTTP/1.1\r\nHost: t\r\nContent-Type: image/png\r\nContent-Length: \(png.count)\r\n\r\n".utf8)
        + png

    /// One normal upload from 127.0.0.1 on a new connection: its status (0 when there was no answer).
    static func normalUpload(port: Int) -> Int {
        guard let client = try? RawClient(port: port, timeoutSeconds: 10) else { return 0 }
        client.send(upload)
        return (try? client.readResponse().status) ?? 0
    }

    /// Attack connections spread over loopback addresses, `perAddress` from each (under the per-address cap).
    static func attackers(_ count: Int, perAddress: Int, port: Int, firstHost: Int = 10) throws -> [RawClient] {
        try (0..<count).map { index in
            try RawClient(port: port, timeoutSeconds: 5, from: "127.0.0.\(firstHost + index / perAddress)")
        }
    }

    @Test func fiveThousandIdleKeepAliveConnectionsCostLittleAndLockNobodyOut() throws {
        let wanted = 5000
        // Client and server share this process: two descriptors per connection.
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        try #require(
            Int(limit.rlim_cur) > 2 * wanted + 200,
            "open-file hard limit \(limit.rlim_max) is below what 5,000 connections need in one process")
        let service = try startService { $0.http.listenBacklog = 4096 }
        defer { service.shutdown() }
        let before = ServiceMetrics.residentMemoryBytes() ?? 0
        let idle = try Self.attackers(wanted, perAddress: 500, port: service.port)
        for client in idle {
            client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
        #expect(eventually(10) { service.server.stats().idle == wanted })
        let grown = (ServiceMetrics.residentMemoryBytes() ?? 0) - before
        #expect(grown < 100 << 20, "resident memory grew by \(grown >> 20) MiB for \(wanted) idle connections")
        #expect(Self.normalUpload(port: service.port) == 200)
        #expect(service.server.stats().evicted == 0, "nobody had to make room below maxConnections")
    }

    @Test func slowLorisConnectionsAreCutAndLockNobodyOut() throws {
        let service = try startService { $0.http.minRateGracePeriod = 1 }
        defer { service.shutdown() }
        let loris = try Self.attackers(1000, perAddress: 500, port: service.port)
        // One header byte per connection every 0.25 s: 4 B/s, far below the 1024 B/s minimum.
        let start = Date()
        var round = 0
        var normal: [Int] = []
        while Date().timeIntervalSince(start) < 2.5 {
            for client in loris { client.send(round == 0 ? "GET /healthz HTTP/1.1\r\nX-Slow: " : "a") }
            normal.append(Self.normalUpload(port: service.port))
            round += 1
            Thread.sleep(forTimeInterval: 0.25)
        }
        #expect(normal.allSatisfy { $0 == 200 }, "normal uploads: \(normal)")
        #expect(eventually(5) { service.server.stats().tooSlow == 1000 })
        let answer = try loris[0].readResponse()
        #expect(answer.status == 408)
        #expect(answer.text.contains("minimum of 1024 bytes per second"))
    }

    @Test func bodySquattersHoldOnlyWhatTheySentAndAreCut() throws {
        let service = try startService { $0.http.minRateGracePeriod = 1 }
        defer { service.shutdown() }
        // Eight uploads declaring 32 MiB, which used to reserve the whole 256 MiB budget on arrival.
        let squatters = try Self.attackers(8, perAddress: 8, port: service.port)
        for client in squatters {
            client.send("POST /upscale HTTP/1.1\r\nHost: t\r\nContent-Type: image/png\r\nContent-Length: 33554432\r\n\r\n")
        }
        var normal: [Int] = []
        for _ in 0..<4 {
            for client in squatters { client.send("x") }
            normal.append(Self.normalUpload(port: service.port))
            Thread.sleep(forTimeInterval: 0.3)
        }
        #expect(normal.allSatisfy { $0 == 200 }, "normal uploads: \(normal)")
        #expect(eventually(5) { service.server.stats().tooSlow == 8 })
        #expect(try squatters[0].readResponse().status == 408)
    }

    @Test func perAddressCapClosesThatAddressesIdleConnectionsFirstThenRefuses() throws {
        let service = try startService { $0.http.maxConnectionsPerAddress = 2 }
        defer { service.shutdown() }
        let host = "127.0.0.7"
        let first = try RawClient(port: service.port, timeoutSeconds: 3, from: host)
        let second = try RawClient(port: service.port, timeoutSeconds: 3, from: host)
        for client in [first, second] { client.send("GET /healthz HTTP/1.1\r\n") }
        #expect(eventually { service.server.stats().receiving == 2 })
        // Both mid-request: a third from the same address is refused, one from elsewhere is not.
        let third = try RawClient(port: service.port, from: host)
        let refused = try third.readResponse()
        #expect(refused.status == 503)
        #expect(refused.text.contains("Your address already has 2 open connections"))
        #expect(Self.normalUpload(port: service.port) == 200)
        // Once they are idle, a newcomer from that address replaces the longest-idle one.
        for client in [first, second] {
            client.send("Host: t\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
        let fourth = try RawClient(port: service.port, from: host)
        fourth.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try fourth.readResponse().status == 200)
        #expect(first.isClosedByServer())
        #expect(service.server.stats().evicted == 1)
    }
}
