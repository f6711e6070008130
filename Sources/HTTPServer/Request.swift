/// How the body of a request is delimited (RFC 9112 §6.3).
public enum BodyFraming: Sendable, Equatable {
    case none
    case contentLength(Int)
    case chunked
}

/// A parsed request line and header section.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: HTTPRequest.Method
    /// The request target as sent (origin-form `/path?query`, or absolute-form reduced to that).
    public var target: String
    /// The path part of the target, not percent-decoded (routes are plain ASCII).
    public var path: String
    /// Decoded `name=value` pairs of the query, in order (`+` is a space, as in HTML forms).
    public var query: [(name: String, value: String)]
    /// 0 for HTTP/1.0, 1 for HTTP/1.1 (and later 1.x, which are handled as 1.1).
    public var minorVersion: Int
    /// The fields in arrival order, names compared case-insensitively (RFC 9110 §5.1). `headers[name]` joins
    /// repeated fields with commas (RFC 9110 §5.3), so a repeated single-value field (two Authorization or
    /// Content-Type lines) reads as a value that does not parse rather than as whichever came first.
    public var headers: HTTPFields
    public var framing: BodyFraming
    /// The connection may serve another request after this one (RFC 9112 §9.3).
    public var keepAlive: Bool
    /// The client waits for `100 Continue` before sending the body (RFC 9110 §10.1.1).
    public var expectsContinue: Bool

    public static func == (lhs: HTTPRequestHead, rhs: HTTPRequestHead) -> Bool {
        lhs.method == rhs.method && lhs.target == rhs.target && lhs.minorVersion == rhs.minorVersion
            && lhs.headers == rhs.headers && lhs.framing == rhs.framing && lhs.keepAlive == rhs.keepAlive
            && lhs.expectsContinue == rhs.expectsContinue
    }

    /// The last value of the query parameter `name` (later values override earlier ones).
    public func queryValue(_ name: String) -> String? { query.last { $0.name == name }?.value }
}

/// A complete request: head plus the whole body (bodies are bounded by `ServerLimits.maxBodyBytes`). Named as
/// Hummingbird names its own, leaving `HTTPRequest` to swift-http-types.
public struct Request: Sendable, Equatable {
    public var head: HTTPRequestHead
    public var body: [UInt8]

    public init(head: HTTPRequestHead, body: [UInt8]) {
        self.head = head
        self.body = body
    }

    public var method: HTTPRequest.Method { head.method }
    public var path: String { head.path }
    public var headers: HTTPFields { head.headers }
}

/// Malformed or over-limit input from the client. Every case ends the connection after its response, because
/// after a framing error the server cannot know where the next request starts (RFC 9112 §11.2).
public enum HTTPParseError: Error, Equatable, Sendable {
    /// The request line exceeds `maxRequestLineBytes` (414).
    case requestLineTooLong(limit: Int)
    /// The header section exceeds `maxHeaderBytes` (431).
    case headersTooLarge(limit: Int)
    /// More than `maxHeaderCount` fields (431).
    case tooManyHeaders(limit: Int)
    /// The body exceeds `maxBodyBytes` (413).
    case bodyTooLarge(limit: Int)
    /// An HTTP version other than 1.x (505).
    case unsupportedVersion(String)
    /// A transfer coding other than chunked (501, RFC 9112 §6.1).
    case unsupportedTransferCoding(String)
    /// An Expect value other than 100-continue (417, RFC 9110 §10.1.1).
    case unsupportedExpectation(String)
    /// Anything else that is not valid HTTP/1.1 (400); the reason is for the client and the log.
    case malformed(String)
}
