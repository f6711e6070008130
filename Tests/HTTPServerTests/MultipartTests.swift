import Testing

@testable import HTTPServer

@Suite("Multipart form data")
struct MultipartTests {
    static func body(_ parts: [(String, String?, String)], boundary: String = "XyZ") -> [UInt8] {
        var text = ""
        for (name, filename, content) in parts {
            text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\""
            if let filename { text += "; filename=\"\(filename)\"\r\nContent-Type: image/png" }
            text += "\r\n\r\n\(content)\r\n"
        }
        return Array((text + "--\(boundary)--\r\n").utf8)
    }

    @Test func boundaryComesFromTheContentTypeIncludingQuotedForms() throws {
        let type = try #require(MediaType("Multipart/Form-Data; charset=utf-8; boundary=\"a b:c\""))
        #expect(type.essence == "multipart/form-data")
        #expect(try MultipartParser(contentType: type).boundary == Array("a b:c".utf8))
    }

    @Test func partsAreSplitWithNamesFilenamesAndBinaryContent() throws {
        let parser = try MultipartParser(boundary: "XyZ")
        let parts = try parser.parse(Self.body([("scale", nil, "4"), ("image", "in.png", "\r\n--Xy\u{0}bin")]))
        #expect(parts.map(\.name) == ["scale", "image"])
        #expect(parts[1].filename == "in.png")
        #expect(parts[1].contentType == "image/png")
        #expect(parts[1].body == Array("\r\n--Xy\u{0}bin".utf8))
        #expect(parts[0].body == Array("4".utf8))
    }

    @Test func preambleAndEpilogueAreIgnored() throws {
        let bytes = Array("preamble\r\n".utf8) + Self.body([("image", "a", "x")]) + Array("epilogue".utf8)
        #expect(try MultipartParser(boundary: "XyZ").parse(bytes).map(\.body) == [Array("x".utf8)])
    }

    static let malformed: [(String, String)] = [
        ("no boundary at all", "hello"),
        ("unterminated part", "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nabc"),
        ("no header terminator", "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n--XyZ--"),
        ("no disposition", "--XyZ\r\nContent-Type: text/plain\r\n\r\nabc\r\n--XyZ--"),
        ("not form-data", "--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nabc\r\n--XyZ--"),
        ("no name", "--XyZ\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nabc\r\n--XyZ--"),
        ("bare LF in part header", "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\nX: y\r\n\r\nabc\r\n--XyZ--"),
        ("garbage after boundary", "--XyZjunk\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nabc\r\n--XyZ--"),
        (
            "two dispositions",
            "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n"
                + "Content-Disposition: form-data; name=\"b\"\r\n\r\nabc\r\n--XyZ--"
        ),
    ]

    @Test(arguments: malformed)
    func malformedBodiesAreRejected(_ name: String, _ text: String) {
        #expect(throws: MultipartError.self, "\(name)") { try MultipartParser(boundary: "XyZ").parse(Array(text.utf8)) }
    }

    @Test(arguments: ["", String(repeating: "a", count: 71), "ends with space ", "semi;colon", "quote\""])
    func invalidBoundariesAreRejected(_ boundary: String) {
        #expect(throws: MultipartError.self) { try MultipartParser(boundary: boundary) }
    }

    @Test func missingBoundaryParameterIsReported() throws {
        let type = try #require(MediaType("multipart/form-data"))
        #expect(throws: MultipartError.missingBoundary) { try MultipartParser(contentType: type) }
    }

    @Test func partCountIsLimited() throws {
        var parser = try MultipartParser(boundary: "XyZ")
        parser.maxParts = 2
        let bytes = Self.body([("a", nil, "1"), ("b", nil, "2"), ("c", nil, "3")])
        #expect(throws: MultipartError.tooManyParts(limit: 2)) { try parser.parse(bytes) }
    }

    @Test(arguments: ["text/plain;", "a/b; c", "a/b; c=\"unterminated", "/b", "a/", "a/b; c=1; c=2", "a b/c"])
    func invalidMediaTypesAreNil(_ text: String) {
        if text == "text/plain;" { #expect(MediaType(text) != nil) } else { #expect(MediaType(text) == nil) }
    }
}
