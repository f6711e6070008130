/// A complete response. The body is always sent with Content-Length (no chunked responses are needed: every body
/// here is produced in full before it is sent).
public struct Response: Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    public var body: [UInt8]
    /// Close the connection after sending, whatever the request asked (set for errors that desynchronise framing).
    public var closeConnection: Bool

    /// Write nothing and close: the client is gone (its request was dropped), so any bytes would go nowhere or,
    /// for a client that only half-closed, be a made-up answer.
    public var abandonConnection = false

    public init(
        status: HTTPResponse.Status, headers: HTTPFields = HTTPFields(), body: [UInt8] = [],
        closeConnection: Bool = false
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.closeConnection = closeConnection
    }

    /// The response for a request whose client disconnected before it was served. Status 499 (nginx's "client
    /// closed request") appears only in logs and metrics; nothing is sent.
    public static func abandoned() -> Response {
        var response = Response(status: .clientClosedRequest, closeConnection: true)
        response.abandonConnection = true
        return response
    }

    public init(status: HTTPResponse.Status, contentType: String, body: some StringProtocol) {
        self.init(status: status, headers: [.contentType: contentType], body: Array(body.utf8))
    }

    /// The bytes on the wire: status line, headers (with Content-Length and Connection set here), body unless HEAD.
    ///
    /// RFC 9110 §9.3.2: a HEAD response carries the headers a GET would, including Content-Length, but no body.
    public func serialized(headOnly: Bool, keepAlive: Bool) -> [UInt8] {
        // RFC 9112 §4: the reason phrase may be empty (a status made from a bare code has none).
        var text = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
        for field in headers where !Self.managedHeaders.contains(field.name) {
            text += "\(field.name.rawName): \(field.value)\r\n"
        }
        // RFC 9110 §8.6: no Content-Length in 1xx and 204 responses.
        if status.code >= 200 && status != .noContent { text += "Content-Length: \(body.count)\r\n" }
        if !keepAlive { text += "Connection: close\r\n" }
        text += "\r\n"
        var bytes = Array(text.utf8)
        if !headOnly { bytes += body }
        return bytes
    }

    /// Headers the serializer owns, so a handler cannot send a framing that disagrees with the body.
    static let managedHeaders: Set<HTTPField.Name> = [.contentLength, .transferEncoding, .connection]
}
