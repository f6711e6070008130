// The HTTP vocabulary is swift-http-types', the one NIO and Hummingbird share: methods (`HTTPRequest.Method`), header
// fields (`HTTPFields`, `HTTPField.Name`) and statuses (`HTTPResponse.Status`). Re-exported, as Hummingbird does, so a
// module that uses this server speaks it without importing a second package.
@_exported import struct HTTPTypes.HTTPField
@_exported import struct HTTPTypes.HTTPFields
@_exported import struct HTTPTypes.HTTPRequest
@_exported import struct HTTPTypes.HTTPResponse

extension HTTPField.Name {
    /// A client-chosen request id, echoed on the response and carried in every log line of the request.
    public static let xRequestID = HTTPField.Name("X-Request-Id")!
    /// HTTP/1.1's Host field (RFC 9112 §3.2). swift-http-types marks its `.host` unavailable to steer HTTP/2 code to
    /// `:authority`, which an HTTP/1.1 parser does not have.
    static let hostField = HTTPField.Name("Host")!
}

extension HTTPFields {
    /// The comma-separated list elements of every `name` field, trimmed and lowercased (RFC 9110 §5.6.1).
    public func tokens(_ name: HTTPField.Name) -> [String] {
        self[values: name].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: " \t").lowercased() }
            .filter { !$0.isEmpty }
    }
}

extension HTTPResponse.Status {
    /// nginx's "client closed request": logged and counted for a request whose client left, never sent.
    public static let clientClosedRequest = HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")
}

extension StringProtocol {
    /// Trims the given ASCII characters from both ends (Foundation-free, for header values).
    func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
