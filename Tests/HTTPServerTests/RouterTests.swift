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
        let response = HTTPResponse(status: 200, contentType: "text/plain", body: "hello")
        let get = String(decoding: response.serialized(headOnly: false, keepAlive: true), as: UTF8.self)
        let head = String(decoding: response.serialized(headOnly: true, keepAlive: true), as: UTF8.self)
        #expect(get == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello")
        #expect(head == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n")
    }

    @Test func handlerCannotOverrideFramingHeaders() {
        var response = HTTPResponse(status: 200, body: Array("abc".utf8))
        response.headers.add("Content-Length", "999")
        response.headers.add("Transfer-Encoding", "chunked")
        let text = String(decoding: response.serialized(headOnly: false, keepAlive: false), as: UTF8.self)
        #expect(text == "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
    }

    @Test func problemDetailsAreValidJSONWithEscapes() throws {
        let response = ProblemResponse.make(
            status: 400, title: "Bad", detail: "quote \" slash \\ newline \n ctl \u{1}", headers: [], close: false,
            requestID: "r1")
        #expect(response.headers["Content-Type"] == "application/problem+json")
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
