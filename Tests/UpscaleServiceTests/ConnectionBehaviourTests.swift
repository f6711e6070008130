import Foundation
import Testing

@testable import UpscaleService

/// HTTP connection semantics seen from a raw client: 100-continue, early refusal, connection limits, HTTP/1.0.
@Suite("Connection behaviour", .serialized)
struct ConnectionBehaviourTests {
    @Test func expectContinueGetsA100BeforeTheBodyIsSent() throws {
        let service = try startService()
        defer { service.shutdown() }
        let png = Fixtures.png(width: 4, height: 4)
        let client = try RawClient(port: service.port)
        client.send("POST /upscale HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: \(png.count)\r\n\r\n")
        #expect(try client.readAnyResponse().status == 100)
        client.send(png)
        #expect(try client.readAnyResponse().status == 200)
    }

    @Test func badParametersAreRefusedWithoutReadingTheUpload() throws {
        let service = try startService()
        defer { service.shutdown() }
        let client = try RawClient(port: service.port)
        // 30 MB announced, nothing sent: the 400 must come at once, not after a 100 Continue and an upload.
        client.send(
            "POST /upscale?scale=8 HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 30000000\r\n\r\n")
        let response = try client.readAnyResponse()
        #expect(response.status == 400)
        #expect(response.header("Connection") == "close")
        #expect(client.isClosedByServer())
    }

    @Test func oversizedUploadWithoutExpectStillReadsItsErrorResponse() throws {
        // The server answers 413 from the Content-Length and closes while the client is still sending; without a
        // lingering close the unread bytes make the kernel send RST and the client loses the 413.
        let service = try startService { $0.http.maxBodyBytes = 65536 }
        defer { service.shutdown() }
        let client = try RawClient(port: service.port)
        let body = [UInt8](repeating: 0x41, count: 4 << 20)
        client.send(Array("POST /upscale HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        let response = try client.readResponse()
        #expect(response.status == 413)
    }

    @Test func atTheLimitTheLongestIdleConnectionMakesRoom() throws {
        let service = try startService { $0.http.maxConnections = 2 }
        defer { service.shutdown() }
        let oldest = try RawClient(port: service.port, timeoutSeconds: 3)
        oldest.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try oldest.readResponse().status == 200)
        let second = try RawClient(port: service.port)
        #expect(eventually { service.server.connectionCount == 2 })
        let third = try RawClient(port: service.port)
        third.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try third.readResponse().status == 200)
        #expect(oldest.isClosedByServer(), "closed silently between requests, as an idle timeout would")
        second.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try second.readResponse().status == 200)
    }

    @Test func atTheLimitWithNoIdleConnectionNewOnesGet503AndAreClosed() throws {
        let service = try startService { $0.http.maxConnections = 2 }
        defer { service.shutdown() }
        // Both connections are mid-request (headers begun): neither may be closed for a newcomer.
        let busy = try (0..<2).map { _ in try RawClient(port: service.port) }
        for client in busy { client.send("GET /healthz HTTP/1.1\r\n") }
        #expect(eventually { service.server.stats().receiving == 2 })
        let third = try RawClient(port: service.port)
        let refused = try third.readResponse()
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") == "1")
        #expect(third.isClosedByServer())
        for client in busy {
            client.send("Host: t\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
    }

    @Test func idleKeepAliveConnectionsAreClosedSilently() throws {
        let service = try startService { $0.http.idleTimeout = 0.3 }
        defer { service.shutdown() }
        let client = try RawClient(port: service.port, timeoutSeconds: 3)
        client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        let start = Date()
        #expect(client.isClosedByServer(), "closed without a 408: no request was in progress")
        #expect(Date().timeIntervalSince(start) < 2)
    }

    @Test func http10ClosesAfterTheResponseUnlessKeepAliveIsAsked() throws {
        let service = try startService()
        defer { service.shutdown() }
        let plain = try RawClient(port: service.port)
        plain.send("GET /healthz HTTP/1.0\r\n\r\n")
        #expect(try plain.readResponse().header("Connection") == "close")
        #expect(plain.isClosedByServer())
        let keepAlive = try RawClient(port: service.port)
        keepAlive.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try keepAlive.readResponse().status == 200)
        keepAlive.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try keepAlive.readResponse().status == 200)
    }

    @Test func chunkedUploadsAreAccepted() throws {
        let service = try startService()
        defer { service.shutdown() }
        let png = Fixtures.png(width: 6, height: 5)
        let client = try RawClient(port: service.port)
        var body: [UInt8] = []
        for start in stride(from: 0, to: png.count, by: 40) {
            let chunk = png[start..<min(png.count, start + 40)]
            body += Array((String(chunk.count, radix: 16) + "\r\n").utf8) + chunk + Array("\r\n".utf8)
        }
        body += Array("0\r\n\r\n".utf8)
        let head = "POST /upscale?scale=2 HTTP/1.1\r\nHost: t\r\n"
            + "Transfer-Encoding: chunked\r\nContent-Type: image/png\r\n\r\n"
        client.send(Array(head.utf8) + body)
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.header("X-Output-Size") == "12x10")
    }
}
