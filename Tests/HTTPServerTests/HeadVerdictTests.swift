import Foundation
import Logging
import Synchronization
import Testing

@testable import HTTPServer

#if canImport(Glibc)
    import Glibc
#endif

/// The head check's verdict: what it parsed from a head reaches that request's handler (and no other request's),
/// and a refusal answers without the handler and closes.
@Suite struct HeadVerdictTests {
    @Test func whatTheHeadCheckParsedReachesItsRequestAndARefusalSkipsTheHandler() throws {
        var logger = Logger(label: "head-verdict")
        logger.logLevel = .critical
        let handled = Mutex(0)
        let server = HTTPServer(
            host: "127.0.0.1", port: 0, limits: ServerLimits(), logger: logger,
            earlyResponse: { head, _ in
                switch head.path {
                case "/refuse": .refuse(Response(status: .badRequest, contentType: "text/plain", body: "refused early"))
                case "/plain": .proceed(parsed: nil)
                default: .proceed(parsed: "parsed \(head.path)")
                }
            }
        ) { _, context in
            handled.withLock { $0 += 1 }
            return Response(
                status: .ok, contentType: "text/plain", body: (context.parsedHead as? String) ?? "nothing parsed")
        }
        let port = try server.start()
        defer { server.shutdown(deadline: 2) }

        // Pipelined: each request gets what was parsed from its own head, not the one before.
        let first = ConnectionFuzzTests.connect(port: port)
        let pipelined =
            "POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
            + "POST /plain HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nx"
            + "GET /b HTTP/1.1\r\nHost: t\r\n\r\n"
        _ = Array(pipelined.utf8).withUnsafeBytes { send(first, $0.baseAddress, $0.count, 0) }
        let answers = String(decoding: ConnectionFuzzTests.drain(first), as: UTF8.self)
        close(first)
        let bodies = answers.components(separatedBy: "\r\n\r\n").dropFirst().map { $0.prefix { $0 != "H" } }
        #expect(bodies.map(String.init) == ["parsed /a", "nothing parsed", "parsed /b"], "\(answers)")

        let second = ConnectionFuzzTests.connect(port: port)
        let refused = "POST /refuse HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
        _ = Array(refused.utf8).withUnsafeBytes { send(second, $0.baseAddress, $0.count, 0) }
        let answer = String(decoding: ConnectionFuzzTests.drain(second), as: UTF8.self)
        close(second)
        #expect(answer.hasPrefix("HTTP/1.1 400") && answer.hasSuffix("refused early"), "\(answer)")
        #expect(handled.withLock { $0 } == 3, "the refused request never reached the handler")
    }
}
