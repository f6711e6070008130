import Foundation
import Testing

@testable import UpscaleService

/// Every bad input gets its own 4xx as application/problem+json, and the server keeps serving afterwards.
@Suite("Error responses", .serialized)
struct ErrorResponseTests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var request: [UInt8]
        var status: Int
        var detailContains: String
        var closes = false
        var description: String { name }
    }

    static func post(_ query: String, contentType: String? = "image/png", body: [UInt8]) -> [UInt8] {
        var head = "POST /upscale\(query) HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    static func multipart(field: String, content: [UInt8]) -> [UInt8] {
        let prefix = "--B\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"x\"\r\n\r\n"
        return Array(prefix.utf8) + content + Array("\r\n--B--\r\n".utf8)
    }

    static let png = Fixtures.png(width: 8, height: 8)
    static let big = Fixtures.png(width: 101, height: 100)
    /// 4096 wide: within the pixel limit, but x4 is one pixel wider than WebP can store.
    static let wide = Fixtures.png(width: 4096, height: 2)
    /// RIFF/WEBP with only a VP8X chunk whose animation flag (0x02) is set, canvas 64x48 (RFC 9649 layout).
    static let animatedWebP: [UInt8] =
        Array("RIFF".utf8) + [22, 0, 0, 0] + Array("WEBPVP8X".utf8) + [10, 0, 0, 0, 0x02, 0, 0, 0, 63, 0, 0, 47, 0, 0]

    static let cases: [Case] = [
        Case(
            name: "not an image", request: post("", body: Array("hello, world".utf8)), status: 415,
            detailContains: "not a PNG, JPEG or WebP"),
        Case(
            name: "corrupt image", request: post("", body: Array(png.prefix(40))), status: 422,
            detailContains: "could not be decoded"),
        Case(
            name: "image over the pixel limit", request: post("", body: big), status: 413,
            detailContains: "10100 pixels; the limit is 10000"),
        Case(
            name: "unsupported scale", request: post("?scale=3", body: png), status: 400,
            detailContains: "Unsupported scale '3'", closes: true),
        Case(
            name: "unsupported model", request: post("?model=ternary", body: png), status: 400,
            detailContains: "binary, real", closes: true),
        Case(
            name: "unsupported arch", request: post("?arch=edsr", body: png), status: 400,
            detailContains: "srresnet, lapsrn", closes: true),
        Case(
            name: "unknown parameter", request: post("?scal=4", body: png), status: 400,
            detailContains: "parameter 'scal'", closes: true),
        Case(
            name: "bad quality", request: post("?format=jpeg&quality=0", body: png), status: 400,
            detailContains: "1...100", closes: true),
        Case(
            name: "repeated parameter", request: post("?scale=2&scale=4", body: png), status: 400,
            detailContains: "more than once", closes: true),
        Case(
            name: "bad ensemble", request: post("?ensemble=yes", body: png), status: 400,
            detailContains: "true or false", closes: true),
        Case(
            name: "bad lossless", request: post("?lossless=yes", body: png), status: 400,
            detailContains: "true or false", closes: true),
        Case(
            name: "lossless JPEG", request: post("?format=jpeg&lossless=true", body: png), status: 400,
            detailContains: "jpeg has no lossless mode", closes: true),
        Case(
            name: "animated WebP", request: post("", contentType: "image/webp", body: animatedWebP), status: 422,
            detailContains: "animated images are not supported"),
        Case(
            name: "result too wide for WebP", request: post("?scale=4&format=webp", body: wide), status: 400,
            detailContains: "16384x8 and webp stores at most 16383 pixels per side"),
        Case(
            name: "missing image field",
            request: post(
                "", contentType: "multipart/form-data; boundary=B",
                body: multipart(field: "picture", content: png)), status: 400, detailContains: "no 'image' field"),
        Case(
            name: "empty body",
            request: Array("POST /upscale HTTP/1.1\r\nHost: t\r\nContent-Type: image/png\r\n\r\n".utf8),
            status: 400, detailContains: "body is empty"),
        Case(
            name: "multipart without boundary", request: post("", contentType: "multipart/form-data", body: png),
            status: 400, detailContains: "boundary", closes: true),
        Case(
            name: "unsupported content type", request: post("", contentType: "text/plain", body: png),
            status: 415, detailContains: "text/plain", closes: true),
        Case(
            name: "unacceptable Accept",
            request: Array(
                "POST /upscale HTTP/1.1\r\nHost: t\r\nAccept: image/avif\r\nContent-Length: 1\r\n\r\nx".utf8),
            status: 406, detailContains: "image/avif", closes: true),
        Case(
            name: "unknown path", request: Array("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n".utf8), status: 404,
            detailContains: "No route for /nope"),
        Case(
            name: "body over the byte limit", request: post("", body: [UInt8](repeating: 0, count: 70_000)),
            status: 413, detailContains: "exceeds 65536 bytes", closes: true),
        Case(
            name: "smuggling CL+TE",
            request: Array(
                "POST /upscale HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                    .utf8),
            status: 400, detailContains: "both Transfer-Encoding and Content-Length", closes: true),
        Case(
            name: "header section too large",
            request: Array(
                ("GET /healthz HTTP/1.1\r\nHost: t\r\nX: " + String(repeating: "a", count: 5000) + "\r\n\r\n").utf8),
            status: 431, detailContains: "header section", closes: true),
        Case(
            name: "request line too long",
            request: Array(("GET /" + String(repeating: "a", count: 2000) + " HTTP/1.1\r\n").utf8),
            status: 414, detailContains: "request line", closes: true),
    ]

    @Test(arguments: cases)
    func badInputGetsItsStatusAndTheServerKeepsServing(_ testCase: Case) throws {
        let service = try startService {
            $0.maxInputPixels = 10_000
            $0.http.maxBodyBytes = 65536
            $0.http.maxHeaderBytes = 4096
            $0.http.maxRequestLineBytes = 1024
        }
        defer { service.shutdown() }
        let client = try RawClient(port: service.port)
        client.send(testCase.request)
        let response = try client.readResponse()
        #expect(response.status == testCase.status)
        #expect(response.header("Content-Type") == "application/problem+json")
        let problem = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        #expect(problem?["status"] as? Int == testCase.status)
        let detail = problem?["detail"] as? String ?? ""
        #expect(detail.contains(testCase.detailContains), "detail was: \(detail)")
        #expect(response.header("X-Request-Id") != nil)
        if testCase.closes {
            #expect(response.header("Connection") == "close")
            #expect(client.isClosedByServer())
        }
        // The server is still healthy, on a fresh connection.
        let next = try RawClient(port: service.port)
        next.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try next.readResponse().status == 200)
    }

    @Test func wrongMethodIs405WithAllow() throws {
        let service = try startService()
        defer { service.shutdown() }
        let client = try RawClient(port: service.port)
        client.send("DELETE /upscale HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 405)
        #expect(response.header("Allow") == "POST")
        client.send("POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nx")
        let other = try client.readResponse()
        #expect(other.status == 405)
        #expect(other.header("Allow") == "GET, HEAD")
    }

    @Test func clientRequestIdIsEchoedAndUnsafeOnesAreReplaced() throws {
        let service = try startService()
        defer { service.shutdown() }
        let client = try RawClient(port: service.port)
        client.send("GET /nope HTTP/1.1\r\nHost: t\r\nX-Request-Id: abc-123\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.header("X-Request-Id") == "abc-123")
        #expect(response.text.contains("urn:request:abc-123"))
        client.send("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-Id: a b\"c\r\n\r\n")
        #expect(try client.readResponse().header("X-Request-Id")?.count == 16)
        // Names match in any case; two ids join into one value (RFC 9110 §5.3) that is no id, so neither is taken.
        client.send("GET /healthz HTTP/1.1\r\nHost: t\r\nx-request-id: lower-1\r\n\r\n")
        #expect(try client.readResponse().header("X-Request-Id") == "lower-1")
        client.send("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-Id: one\r\nX-Request-Id: two\r\n\r\n")
        let repeated = try client.readResponse().header("X-Request-Id")
        #expect(repeated?.count == 16 && repeated != "one" && repeated != "two")
    }
}

@Suite struct ExplicitFormatTests {
    /// `format=` wins over Accept at head time as it does at body time: no 406 for `format=png` with `Accept:
    /// text/html` (the early check used to ignore the parameter).
    @Test func explicitFormatIsNotRefusedByAccept() throws {
        let service = try startService()
        defer { service.shutdown() }
        let client = try RawClient(port: service.port)
        let png = Fixtures.png(width: 4, height: 4)
        client.send(
            Array(
                ("POST /upscale?format=png HTTP/1.1\r\nHost: t\r\nAccept: text/html\r\nContent-Type: image/png\r\n"
                    + "Content-Length: \(png.count)\r\n\r\n").utf8) + png)
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "image/png")
    }
}
