import Testing

@testable import HTTPServer

@Suite("Router")
struct RouterTests {
    var router: Router<String> = {
        var router = Router<String>()
        router.add(.get, "/healthz", "health")
        router.add(.post, "/upscale", "upscale")
        router.add(.get, "/v1/models", "models")
        return router
    }()

    @Test func exactPathAndMethodMatch() {
        guard case .matched(let handler) = router.resolve(.post, "/upscale") else {
            Issue.record("no match")
            return
        }
        #expect(handler == "upscale")
    }

    @Test func headIsServedByTheGetHandler() {
        guard case .matched(let handler) = router.resolve(.head, "/healthz") else {
            Issue.record("no match")
            return
        }
        #expect(handler == "health")
    }

    @Test func wrongMethodListsTheAllowedOnes() {
        guard case .methodNotAllowed(let allow) = router.resolve(.delete, "/healthz") else {
            Issue.record("expected 405")
            return
        }
        #expect(allow == [.get, .head])
        guard case .methodNotAllowed(let postOnly) = router.resolve(.get, "/upscale") else {
            Issue.record("expected 405")
            return
        }
        #expect(postOnly == [.post])
    }

    @Test func unknownPathsAndNearMissesAreNotFound() {
        for path in ["/", "/upscale/", "/UPSCALE", "/v1", "/v1/models/x", "/healthz%20"] {
            guard case .notFound = router.resolve(.get, path) else {
                Issue.record("\(path) should be 404")
                continue
            }
        }
    }
}

@Suite("Response serialization")
struct ResponseTests {
    @Test func headResponseKeepsContentLengthButHasNoBody() {
        let response = Response(status: .ok, contentType: "text/plain", body: "hello")
        let get = String(decoding: response.serialized(headOnly: false, keepAlive: true), as: UTF8.self)
        let head = String(decoding: response.serialized(headOnly: true, keepAlive: true), as: UTF8.self)
        #expect(get == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello")
        #expect(head == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n")
    }

    @Test func handlerCannotOverrideFramingHeaders() {
        var response = Response(status: .ok, body: Array("abc".utf8))
        response.headers.append(HTTPField(name: .contentLength, value: "999"))
        response.headers.append(HTTPField(name: HTTPField.Name("transfer-encoding")!, value: "chunked"))
        let text = String(decoding: response.serialized(headOnly: false, keepAlive: false), as: UTF8.self)
        #expect(text == "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
    }

    /// Repeated fields go out as separate lines, in order, under the name as the handler spelt it.
    @Test func repeatedResponseFieldsAreSeparateLines() {
        var response = Response(status: .created)
        response.headers.append(HTTPField(name: .setCookie, value: "a=1"))
        response.headers.append(HTTPField(name: HTTPField.Name("set-cookie")!, value: "b=2"))
        let text = String(decoding: response.serialized(headOnly: false, keepAlive: true), as: UTF8.self)
        #expect(text == "HTTP/1.1 201 Created\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func problemDetailsAreValidJSONWithEscapes() throws {
        let response = ProblemResponse.make(
            status: .badRequest, title: "Bad", detail: "quote \" slash \\ newline \n ctl \u{1}", headers: [:],
            close: false,
            requestID: "r1")
        #expect(response.headers[.contentType] == "application/problem+json")
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(
            text == #"{"type":"about:blank","title":"Bad","status":400,"#
                + #""detail":"quote \" slash \\ newline \n ctl \u0001","instance":"urn:request:r1"}"#)
    }

    @Test func unknownErrorsBecomeOpaque500s() {
        struct Secret: Error {}
        let response = ProblemResponse.make(for: Secret())
        #expect(response.status == 500)
        #expect(!String(decoding: response.body, as: UTF8.self).contains("Secret"))
    }
}

@Suite("Date header")
struct HTTPDateTests {
    @Test func formatsIMFFixdate() {
        // RFC 9110 §5.6.7's own example.
        #expect(HTTPDate.format(secondsSince1970: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(secondsSince1970: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }
}
