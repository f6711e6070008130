import Testing

@testable import HTTPServer

@Suite("Request parser: valid messages")
struct RequestParserValidTests {
    @Test func getRequestYieldsHeadThenMessageAtEverySplit() {
        let (outcome, agree) = parseAtEverySplit(
            "GET /healthz?x=1&y=a%20b+c HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n")
        #expect(agree)
        #expect(outcome.error == nil)
        #expect(outcome.events.count == 2)
        let request = outcome.messages[0]
        #expect(request.method == .get)
        #expect(request.path == "/healthz")
        #expect(request.head.queryValue("x") == "1")
        #expect(request.head.queryValue("y") == "a b c")
        #expect(request.headers[HTTPField.Name("accept")!] == "*/*")
        #expect(request.head.keepAlive)
        #expect(request.body.isEmpty)
    }

    @Test func contentLengthBodyIsDeliveredWhole() {
        let (outcome, agree) = parseAtEverySplit("POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello")
        #expect(agree)
        #expect(outcome.messages.map(\.body) == [Array("hello".utf8)])
    }

    @Test func chunkedBodyWithExtensionsAndTrailersIsReassembled() {
        let text =
            "POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n"
        let (outcome, agree) = parseAtEverySplit(text)
        #expect(agree)
        #expect(outcome.error == nil)
        #expect(outcome.messages.map(\.body) == [Array("hello 0123456789".utf8)])
    }

    @Test func pipelinedRequestsComeOutInOrder() {
        let one = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
        let two = "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok"
        let three = "GET /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
        let (outcome, agree) = parseAtEverySplit(one + two + three)
        #expect(agree)
        #expect(outcome.messages.map(\.path) == ["/a", "/b", "/c"])
        #expect(outcome.messages.map(\.head.keepAlive) == [true, true, false])
    }

    @Test func emptyLinesBeforeTheRequestLineAreIgnored() {
        #expect(parse("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n").messages.count == 1)
    }

    @Test func http10DefaultsToCloseAndNeedsNoHost() {
        let outcome = parse("GET / HTTP/1.0\r\n\r\n")
        #expect(outcome.messages.first?.head.keepAlive == false)
        #expect(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").messages.first?.head.keepAlive == true)
    }

    @Test func expectContinueIsReportedOnTheHeadBeforeTheBody() {
        var parser = RequestParser()
        parser.append(Array("POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n".utf8))
        guard case .head(let head)? = try? parser.next() else {
            Issue.record("no head")
            return
        }
        #expect(head.expectsContinue)
        #expect(head.framing == .contentLength(3))
        #expect((try? parser.next()) == .some(nil))
        parser.append(Array("abc".utf8))
        guard case .message(let message)? = try? parser.next() else {
            Issue.record("no message")
            return
        }
        #expect(message.body == Array("abc".utf8))
    }

    @Test func absoluteFormTargetIsReducedToItsPath() {
        #expect(
            parse("GET http://example.com/v1/models?a=b HTTP/1.1\r\nHost: h\r\n\r\n").messages.first?.path
                == "/v1/models")
    }

    @Test func identicalRepeatedContentLengthsAreAccepted() {
        let outcome = parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok")
        #expect(outcome.messages.first?.body == Array("ok".utf8))
    }

    /// Names compare case-insensitively (RFC 9110 §5.1) but keep the spelling sent; repeated fields keep their order
    /// and read as one comma-joined value (RFC 9110 §5.3).
    @Test func repeatedFieldsKeepOrderAndSpellingAndJoinWithCommas() {
        let (outcome, agree) = parseAtEverySplit(
            "GET / HTTP/1.1\r\nHost: h\r\nx-tag: a\r\nAccept: image/png\r\nX-TAG: b\r\naccept: image/*\r\n\r\n")
        #expect(agree)
        let headers = outcome.messages[0].headers
        let tag = HTTPField.Name("X-Tag")!
        #expect(headers[values: tag] == ["a", "b"])
        #expect(headers[tag] == "a, b")
        #expect(headers[.accept] == "image/png, image/*")
        #expect(headers.map(\.name.rawName) == ["Host", "x-tag", "Accept", "X-TAG", "accept"])
        #expect(headers.tokens(.accept) == ["image/png", "image/*"])
    }

    @Test func obsTextInHeaderValuesSurvivesAsLatin1() {
        let bytes = Array("GET / HTTP/1.1\r\nHost: h\r\nX-Name: caf".utf8) + [0xE9] + Array("\r\n\r\n".utf8)
        #expect(parse(bytes).messages.first?.headers[HTTPField.Name("X-Name")!] == "café")
    }
}
