/// `method SP request-target SP HTTP-version` (RFC 9112 §3), parsed strictly: single spaces, token method,
/// visible-ASCII target.
struct RequestLine: Sendable, Equatable {
    var method: HTTPRequest.Method
    var target: String
    var minorVersion: Int

    init(parsing line: ArraySlice<UInt8>) throws(HTTPParseError) {
        let parts = line.split(separator: .space, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw .malformed("request line is not 'METHOD target HTTP/1.1'")
        }
        // RFC 9110 §9.1: any token is a method; swift-http-types checks the same grammar.
        guard parts[0].allSatisfy(\.isTokenCharacter),
            let method = HTTPRequest.Method(String(decoding: parts[0], as: UTF8.self))
        else { throw .malformed("invalid method") }
        guard parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw .malformed("invalid request target") }
        self.method = method
        target = String(decoding: parts[1], as: UTF8.self)
        minorVersion = try Self.parseVersion(Array(parts[2]))
    }

    /// HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3); only major version 1 is served.
    private static func parseVersion(_ bytes: [UInt8]) throws(HTTPParseError) -> Int {
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        guard bytes.count == 8, bytes.starts(with: Array("HTTP/".utf8)), isDigit(bytes[5]),
            bytes[6] == UInt8(ascii: "."), isDigit(bytes[7])
        else { throw .malformed("invalid HTTP version") }
        guard bytes[5] == UInt8(ascii: "1") else {
            throw .unsupportedVersion(String(decoding: bytes, as: UTF8.self))
        }
        return Int(bytes[7] - UInt8(ascii: "0"))
    }
}

/// `field-name ":" OWS field-value OWS` (RFC 9112 §5, RFC 9110 §5.5).
enum HeaderLine {
    static func parse(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPField {
        guard let first = line.first else { throw .malformed("empty header line") }
        // RFC 9112 §5.2: obs-fold is deprecated; a server may reject it with 400, which removes a parsing ambiguity.
        if first == .space || first == .tab { throw .malformed("obsolete line folding in header") }
        guard let colon = line.firstIndex(of: .colon) else { throw .malformed("header line without ':'") }
        let name = line[line.startIndex..<colon]
        // RFC 9112 §5.1: whitespace between name and colon MUST be rejected with 400.
        guard !name.isEmpty, name.allSatisfy(\.isTokenCharacter),
            let fieldName = HTTPField.Name(String(decoding: name, as: UTF8.self))
        else { throw .malformed("invalid header name") }
        var value = line[(colon + 1)...]
        while let byte = value.first, byte == .space || byte == .tab { value.removeFirst() }
        while let byte = value.last, byte == .space || byte == .tab { value.removeLast() }
        // field-vchar = VCHAR / obs-text, with SP and HTAB inside; NUL, CR, LF and other controls are invalid.
        guard value.allSatisfy({ $0 == .space || $0 == .tab || ($0 > 0x20 && $0 != 0x7F) }) else {
            throw .malformed("control character in header value")
        }
        // Values are decoded as ISO-8859-1 so that obs-text bytes survive without failing UTF-8 validation; the
        // checks above leave nothing for `HTTPField` to legalize.
        let text = String(String.UnicodeScalarView(value.map { Unicode.Scalar($0) }))
        return HTTPField(name: fieldName, value: text)
    }
}

/// `chunk-size [ chunk-ext ]` (RFC 9112 §7.1): hexadecimal size, optional extensions that are ignored.
enum ChunkSizeLine {
    static func parse(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        let sizePart = line.prefix { $0 != UInt8(ascii: ";") }
        let extensions = line[sizePart.endIndex...]
        // 15 hex digits keep the size below 2^60, so it cannot overflow Int; larger is rejected by maxBodyBytes anyway.
        guard !sizePart.isEmpty, sizePart.count <= 15 else { throw .malformed("invalid chunk size") }
        var size = 0
        for byte in sizePart {
            guard let digit = QueryDecoding.hexValue(byte) else { throw .malformed("invalid chunk size") }
            size = size << 4 | Int(digit)
        }
        guard extensions.allSatisfy({ $0 == .space || $0 == .tab || ($0 > 0x20 && $0 < 0x7F) }) else {
            throw .malformed("invalid chunk extension")
        }
        return size
    }
}

/// Turns a request line and its fields into a head, deciding the framing and connection semantics.
struct HeadBuilder {
    let limits: ServerLimits

    func makeHead(_ line: RequestLine, fields: [HTTPField]) throws(HTTPParseError) -> HTTPRequestHead {
        let headers = HTTPFields(fields)
        let (path, query) = try QueryDecoding.split(target: try originForm(line.target))
        // RFC 9112 §3.2: a server MUST respond 400 to an HTTP/1.1 request without exactly one Host field.
        let hosts = headers[values: .hostField]
        if line.minorVersion >= 1 && hosts.count != 1 { throw .malformed("exactly one Host header is required") }
        if hosts.count > 1 { throw .malformed("more than one Host header") }

        let framing = try bodyFraming(headers, minorVersion: line.minorVersion)
        let connection = headers.tokens(.connection)
        let keepAlive =
            line.minorVersion >= 1 ? !connection.contains("close") : connection.contains("keep-alive")
        var expectsContinue = false
        let expectations = headers[values: .expect]
        if let expectation = expectations.first {
            guard expectation.lowercased() == "100-continue", expectations.count == 1 else {
                throw .unsupportedExpectation(expectation)
            }
            // RFC 9110 §10.1.1: a server MUST ignore 100-continue from an HTTP/1.0 client.
            expectsContinue = line.minorVersion >= 1
        }
        return HTTPRequestHead(
            method: line.method, target: line.target, path: path, query: query, minorVersion: line.minorVersion,
            headers: headers, framing: framing, keepAlive: keepAlive, expectsContinue: expectsContinue)
    }

    /// Absolute-form targets (RFC 9112 §3.2.2, which servers MUST accept) are reduced to their path and query.
    private func originForm(_ target: String) throws(HTTPParseError) -> String {
        if target.hasPrefix("/") { return target }
        for scheme in ["http://", "https://"] where target.lowercased().hasPrefix(scheme) {
            let rest = target.dropFirst(scheme.count)
            guard let slash = rest.firstIndex(of: "/") else { return "/" }
            return String(rest[slash...])
        }
        if target == "*" { return "*" }
        throw .malformed("request target must be a path")
    }

    /// RFC 9112 §6.3, minus the leniencies that enable smuggling.
    private func bodyFraming(_ headers: HTTPFields, minorVersion: Int) throws(HTTPParseError) -> BodyFraming {
        let lengths = headers[values: .contentLength]
        if headers.contains(.transferEncoding) {
            // §6.1: Transfer-Encoding in HTTP/1.0 means faulty framing; with Content-Length it may be an attack.
            if minorVersion == 0 { throw .malformed("Transfer-Encoding in an HTTP/1.0 request") }
            if !lengths.isEmpty { throw .malformed("both Transfer-Encoding and Content-Length") }
            let codings = headers.tokens(.transferEncoding)
            // §6.3: chunked must be the final coding, exactly once, or the length cannot be determined.
            guard codings.last == "chunked", codings.filter({ $0 == "chunked" }).count == 1 else {
                throw .malformed("Transfer-Encoding without a final chunked")
            }
            if codings.count > 1 { throw .unsupportedTransferCoding(codings.dropLast().joined(separator: ", ")) }
            return .chunked
        }
        guard !lengths.isEmpty else { return .none }
        // §6.3 item 5 / RFC 9110 §8.6: a list of identical values may be treated as one; anything else is an error.
        var length: Int?
        for element in lengths.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            let digits = element.trimmingCharacters(in: " \t")
            guard !digits.isEmpty, digits.count <= 18, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                let value = Int(digits)
            else { throw .malformed("invalid Content-Length") }
            if let previous = length, previous != value { throw .malformed("conflicting Content-Length values") }
            length = value
        }
        guard let length else { throw .malformed("invalid Content-Length") }
        // Checked here, before a single body byte is read (the caller answers 413 without reading the body).
        if length > limits.maxBodyBytes { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
        return length == 0 ? .none : .contentLength(length)
    }
}
