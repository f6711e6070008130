import Testing

@testable import HTTPServer

/// Each case is ambiguous framing or invalid syntax; all must fail the same way however the bytes are split, and
/// all map to a status that closes the connection.
@Suite("Request parser: smuggling and malformed input")
struct RequestParserRejectionTests {
    static let malformed: [(String, String)] = [
        (
            "Content-Length with chunked",
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        ),
        (
            "chunked with Content-Length",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
        ),
        (
            "differing Content-Lengths",
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"
        ),
        ("differing Content-Length list", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 4\r\n\r\nabcd"),
        ("signed Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\nabc"),
        ("negative Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n"),
        ("hex Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x3\r\n\r\nabc"),
        ("overflowing Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n"),
        ("empty Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n"),
        ("chunked not final", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n"),
        (
            "chunked twice",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
        ),
        ("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("space before colon", "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n"),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n  continued\r\n\r\n"),
        ("bare LF after header", "GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n"),
        ("bare LF request line", "GET / HTTP/1.1\nHost: h\r\n\r\n"),
        ("bare CR in header", "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n"),
        ("NUL in header value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\u{0}b\r\n\r\n"),
        ("missing Host", "GET / HTTP/1.1\r\n\r\n"),
        ("two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
        ("double space in request line", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n"),
        ("lowercase version", "GET / http/1.1\r\nHost: h\r\n\r\n"),
        ("invalid method", "G(T / HTTP/1.1\r\nHost: h\r\n\r\n"),
        ("target not a path", "GET foo HTTP/1.1\r\nHost: h\r\n\r\n"),
        ("bad percent-encoding", "GET /?a=%zz HTTP/1.1\r\nHost: h\r\n\r\n"),
        ("empty header name", "GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n"),
        (
            "chunk size with 0x",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n"
        ),
        (
            "negative chunk size",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n"
        ),
        (
            "chunk size with space",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n"
        ),
        ("empty chunk size", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\r\nhello\r\n0\r\n\r\n"),
        (
            "chunk size overflow",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n"
        ),
        (
            "chunk longer than its size",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n"
        ),
        (
            "chunk data ends with LF only",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n"
        ),
        (
            "trailer with obs-fold",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: a\r\n b\r\n\r\n"
        ),
    ]

    @Test(arguments: malformed)
    func ambiguousOrInvalidInputIsRejectedWith400(_ name: String, _ text: String) {
        let (outcome, agree) = parseAtEverySplit(text)
        #expect(agree, "\(name): outcome depends on how the bytes are split")
        guard case .malformed? = outcome.error else {
            Issue.record("\(name): expected malformed, got \(String(describing: outcome.error))")
            return
        }
        #expect(outcome.error!.status == 400)
        #expect(outcome.error!.closesConnection)
        #expect(outcome.messages.isEmpty, "\(name): no request may be delivered")
    }

    @Test func unknownTransferCodingIs501() {
        let error = parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").error
        #expect(error == .unsupportedTransferCoding("gzip"))
        #expect(error?.status == 501)
    }

    @Test func http2VersionIs505() {
        #expect(parse("GET / HTTP/2.0\r\nHost: h\r\n\r\n").error?.status == 505)
    }

    @Test func expectOtherThanContinueIs417() {
        #expect(parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: teapot\r\n\r\n").error?.status == 417)
    }

    @Test func theParserStaysFailedAfterAnError() {
        var parser = RequestParser()
        parser.append(Array("GET / HTTP/1.1\nHost: h\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.self) { try parser.next() }
        parser.append(Array("GET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.self) { try parser.next() }
    }

    @Test func aValidRequestBeforeAMalformedOneIsStillDelivered() {
        let outcome = parse("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\nX: y\r\n\r\n")
        #expect(outcome.messages.map(\.path) == ["/a"])
        #expect(outcome.error?.status == 400)
    }
}

@Suite("Request parser: limits")
struct RequestParserLimitTests {
    static var small: ServerLimits {
        var limits = ServerLimits()
        limits.maxRequestLineBytes = 64
        limits.maxHeaderBytes = 128
        limits.maxHeaderCount = 4
        limits.maxBodyBytes = 10
        return limits
    }

    @Test func longRequestLineIs414EvenBeforeItsEnd() {
        let line = "GET /" + String(repeating: "a", count: 100)
        #expect(parse(line, limits: Self.small).error == .requestLineTooLong(limit: 64))
        #expect(parse(line + " HTTP/1.1\r\nHost: h\r\n\r\n", limits: Self.small).error?.status == 414)
    }

    @Test func requestLineAtTheLimitIsAccepted() {
        let target = "/" + String(repeating: "a", count: 64 - "GET  HTTP/1.1".count - 1)
        let text = "GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n"
        #expect(parse(text, limits: Self.small).messages.count == 1)
    }

    @Test func largeHeaderSectionIs431() {
        let text = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + String(repeating: "b", count: 200) + "\r\n\r\n"
        #expect(parse(text, limits: Self.small).error == .headersTooLarge(limit: 128))
        #expect(parse(String(text.dropLast(4)), limits: Self.small).error?.status == 431)
    }

    @Test func tooManyHeaderFieldsIs431() {
        let text = "GET / HTTP/1.1\r\nHost: h\r\n" + (1...4).map { "X-\($0): v\r\n" }.joined() + "\r\n"
        #expect(parse(text, limits: Self.small).error == .tooManyHeaders(limit: 4))
    }

    @Test func contentLengthOverTheLimitIs413BeforeAnyBodyByte() {
        let outcome = parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", limits: Self.small)
        #expect(outcome.error == .bodyTooLarge(limit: 10))
        #expect(outcome.events.isEmpty)
    }

    @Test func chunkedBodyOverTheLimitIs413() {
        let text = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\n"
        #expect(parse(text, limits: Self.small).error == .bodyTooLarge(limit: 10))
    }

    @Test func tooManyTrailersIs431() {
        let text =
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
            + (1...4).map { "T-\($0): v\r\n" }.joined() + "\r\n"
        #expect(parse(text, limits: Self.small).error?.status == 431)
    }
}
