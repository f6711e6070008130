/// A complete response. The body is always sent with Content-Length (no chunked responses are needed: every body
/// here is produced in full before it is sent).
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Close the connection after sending, whatever the request asked (set for errors that desynchronise framing).
    public var closeConnection: Bool

    /// Write nothing and close: the client is gone (its request was dropped), so any bytes would go nowhere or,
    /// for a client that only half-closed, be a made-up answer.
    public var abandonConnection = false

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], closeConnection: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.closeConnection = closeConnection
    }

    /// The response for a request whose client disconnected before it was served. Status 499 (nginx's "client
    /// closed request") appears only in logs and metrics; nothing is sent.
    public static func abandoned() -> HTTPResponse {
        var response = HTTPResponse(status: 499, closeConnection: true)
        response.abandonConnection = true
        return response
    }

    public init(status: Int, contentType: String, body: some StringProtocol) {
        self.init(status: status, headers: HTTPHeaders([("Content-Type", contentType)]), body: Array(body.utf8))
    }

    /// The bytes on the wire: status line, headers (with Content-Length and Connection set here), body unless HEAD.
    ///
    /// RFC 9110 §9.3.2: a HEAD response carries the headers a GET would, including Content-Length, but no body.
    public func serialized(headOnly: Bool, keepAlive: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(Self.reasonPhrase(status))\r\n"
        for (name, value) in headers where !Self.managedHeaders.contains(name.lowercased()) {
            text += "\(name): \(value)\r\n"
        }
        // RFC 9110 §8.6: no Content-Length in 1xx and 204 responses.
        if status >= 200 && status != 204 { text += "Content-Length: \(body.count)\r\n" }
        if !keepAlive { text += "Connection: close\r\n" }
        text += "\r\n"
        var bytes = Array(text.utf8)
        if !headOnly { bytes += body }
        return bytes
    }

    /// Headers the serializer owns, so a handler cannot send a framing that disagrees with the body.
    static let managedHeaders: Set<String> = ["content-length", "transfer-encoding", "connection"]

    /// RFC 9110 §15 reason phrases for the codes this server sends (the phrase is informational only).
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}
