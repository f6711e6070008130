import Foundation
import Logging
import TestSupport
import Testing

@testable import HTTPServer

#if canImport(Glibc)
    import Glibc
#endif

/// The parser fuzzer's mutated requests, sent to a live server over real sockets in random splits, with random
/// pauses and hang-ups, several connections at once: whatever arrives, the loop answers with well-formed responses
/// or closes, never crashes, leaks no connection, and keeps serving well-behaved clients.
@Suite("Connection fuzzing (seeded, live sockets)", .serialized)
struct ConnectionFuzzTests {
    static let seeds: [UInt64] = [11, 12, 0xC0_44]
    static let timeBudgetSeconds = 4.0

    /// A blocking loopback client socket with a receive timeout.
    static func connect(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 300_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// Everything the server sends until it closes or goes quiet for the receive timeout.
    static func drain(_ fd: Int32) -> [UInt8] {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while received.count < 1 << 20 {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += chunk[0..<count]
        }
        return received
    }

    /// Every response in `bytes` starts with a status line; the first is a valid HTTP/1.1 one.
    static func looksLikeResponses(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return true }  // closed without a word (idle, or hung up by us)
        let text = String(decoding: bytes.prefix(12), as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 "), let status = Int(text.dropFirst(9).prefix(3)) else { return false }
        return (100...599).contains(status)
    }

    @Test func mutatedRequestsOverSocketsGetResponsesOrCloseAndTheServerKeepsServing() throws {
        var limits = ServerLimits()
        limits.maxBodyBytes = 64
        limits.maxHeaderBytes = 512
        limits.readTimeout = 0.2
        limits.headerTimeout = 0.5
        limits.idleTimeout = 0.5
        var logger = Logger(label: "fuzz")
        logger.logLevel = .critical
        let server = HTTPServer(host: "127.0.0.1", port: 0, limits: limits, logger: logger) { request, _ in
            Response(status: 200, contentType: "text/plain", body: "\(request.method) \(request.body.count)")
        }
        let port = try server.start()
        defer { server.shutdown(deadline: 2) }

        let pool = ParserFuzzTests.corpus("corpus")
        #expect(pool.count >= 5)
        let deadline = Date().addingTimeInterval(Self.timeBudgetSeconds)
        var runs = 0
        var bad: [String] = []
        for seed in Self.seeds {
            var rng = SeededGenerator(seed: seed)
            while Date() < deadline && runs < 400 * (Self.seeds.firstIndex(of: seed)! + 1) {
                // Four connections at once, each fed one mutated request in random pieces.
                let inputs = (0..<4).map { _ in
                    ParserFuzzTests.mutate(pool.randomElement(using: &rng)!, &rng, pool: pool)
                }
                let sockets = inputs.map { _ in Self.connect(port: port) }
                for (fd, input) in zip(sockets, inputs) {
                    var offset = 0
                    while offset < input.count {
                        let piece = min(input.count - offset, Int.random(in: 1...64, using: &rng))
                        _ = input[offset..<offset + piece].withUnsafeBytes {
                            send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                        }
                        offset += piece
                    }
                    if Bool.random(using: &rng) { shutdown(fd, Int32(SHUT_WR)) }
                }
                for (fd, input) in zip(sockets, inputs) {
                    // Sometimes hang up without reading the answer at all.
                    let received = Int.random(in: 0..<8, using: &rng) == 0 ? [] : Self.drain(fd)
                    if !Self.looksLikeResponses(received) {
                        bad.append(input.map { String(format: "%02x", $0) }.joined())
                    }
                    close(fd)
                }
                runs += 4
            }
        }
        #expect(bad.isEmpty, "malformed output for inputs (hex): \(bad.prefix(3))")
        // Time-bounded (a busy CI machine runs fewer): about 200 connections on an idle 2-core machine.
        #expect(runs >= 8, "only \(runs) connections in the time budget")

        // Still serving, and every fuzzed connection is gone (closed by the client or by a deadline).
        let fd = Self.connect(port: port)
        let request = Array("GET /after HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        let answer = String(decoding: Self.drain(fd), as: UTF8.self)
        close(fd)
        #expect(answer.hasPrefix("HTTP/1.1 200 "))
        let deadlineForLeaks = Date().addingTimeInterval(3)
        while server.connectionCount > 0 && Date() < deadlineForLeaks { Thread.sleep(forTimeInterval: 0.05) }
        #expect(server.connectionCount == 0)
    }
}
