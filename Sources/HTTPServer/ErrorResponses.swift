/// An error that knows its HTTP representation. Each layer's error type conforms; `ProblemResponse.make(for:)` is
/// the one place errors become responses (habit: Hummingbird's `HTTPResponseError`, a typed status).
public protocol HTTPResponseError: Error {
    var status: HTTPResponse.Status { get }
    /// A short, stable summary of the problem type (RFC 9457 §3.1.3).
    var title: String { get }
    /// What exactly went wrong with this request, for the client (RFC 9457 §3.1.4).
    var detail: String { get }
    /// Extra response headers (`Allow`, `Retry-After`).
    var headers: HTTPFields { get }
    /// True when the connection cannot be trusted to carry another request (framing errors).
    var closesConnection: Bool { get }
}

extension HTTPResponseError {
    public var headers: HTTPFields { [:] }
    public var closesConnection: Bool { false }
    public var title: String { status.reasonPhrase }
}

/// Errors of the connection itself (not of the request syntax).
public enum ConnectionError: Error, Equatable, Sendable {
    /// The request did not arrive completely in time (phase: "headers", "body" or "read").
    case timeout(phase: String, seconds: Double)
    /// The request's headers or body averaged fewer than `minBytesPerSecond` after the grace period.
    case tooSlow(phase: String, minBytesPerSecond: Int)
    /// `maxConnections` are open and none of them is idle.
    case tooManyConnections(limit: Int)
    /// `maxConnectionsPerAddress` are open from the client's address and none of them is idle.
    case tooManyConnectionsFromAddress(limit: Int)
    /// The requests already being received or processed fill `maxBufferedBodyBytes`.
    case bodyBudgetExhausted(limit: Int)
}

extension HTTPParseError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch self {
        case .requestLineTooLong: .uriTooLong
        case .headersTooLarge, .tooManyHeaders: .requestHeaderFieldsTooLarge
        case .bodyTooLarge: .contentTooLarge
        case .unsupportedVersion: .httpVersionNotSupported
        case .unsupportedTransferCoding: .notImplemented
        case .unsupportedExpectation: .expectationFailed
        case .malformed: .badRequest
        }
    }

    public var detail: String {
        switch self {
        case .requestLineTooLong(let limit): "The request line exceeds \(limit) bytes."
        case .headersTooLarge(let limit): "The header section exceeds \(limit) bytes."
        case .tooManyHeaders(let limit): "The request has more than \(limit) header fields."
        case .bodyTooLarge(let limit): "The request body exceeds \(limit) bytes."
        case .unsupportedVersion(let version): "\(version) is not supported; use HTTP/1.1."
        case .unsupportedTransferCoding(let coding): "Transfer coding '\(coding)' is not supported; use chunked."
        case .unsupportedExpectation(let value): "Expect: \(value) is not supported; only 100-continue is."
        case .malformed(let reason): "Malformed request: \(reason)."
        }
    }

    /// Every parse error closes the connection: the server no longer knows where the next request would start.
    public var closesConnection: Bool { true }
}

extension ConnectionError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch self {
        case .timeout, .tooSlow: .requestTimeout
        case .tooManyConnections, .tooManyConnectionsFromAddress, .bodyBudgetExhausted: .serviceUnavailable
        }
    }

    public var detail: String {
        switch self {
        case .timeout(let phase, let seconds): "The request \(phase) did not arrive within \(seconds) s."
        case .tooSlow(let phase, let minimum):
            "The request \(phase) arrived slower than the minimum of \(minimum) bytes per second."
        case .tooManyConnections(let limit): "The server already has \(limit) open connections; retry shortly."
        case .tooManyConnectionsFromAddress(let limit):
            "Your address already has \(limit) open connections with requests in progress; retry shortly."
        case .bodyBudgetExhausted(let limit):
            "Request bodies being received or processed already fill the server's \(limit)-byte budget; retry shortly."
        }
    }

    public var headers: HTTPFields {
        switch self {
        case .tooManyConnections, .tooManyConnectionsFromAddress, .bodyBudgetExhausted: [.retryAfter: "1"]
        case .timeout, .tooSlow: [:]
        }
    }

    public var closesConnection: Bool { true }
}

/// RFC 9457 problem details, the body of every error response.
public enum ProblemResponse {
    /// The response for any error: its own representation if it has one, else an opaque 500 (internal details go to
    /// the log, never to the client).
    public static func make(for error: any Error, requestID: String? = nil) -> Response {
        guard let error = error as? any HTTPResponseError else {
            return make(
                status: .internalServerError, title: "Internal Server Error",
                detail: "The server failed to handle the request.", headers: [:], close: false, requestID: requestID)
        }
        return make(
            status: error.status, title: error.title, detail: error.detail, headers: error.headers,
            close: error.closesConnection, requestID: requestID)
    }

    public static func make(
        status: HTTPResponse.Status, title: String, detail: String, headers: HTTPFields, close: Bool,
        requestID: String?
    ) -> Response {
        var fields = [
            ("type", "\"about:blank\""), ("title", quoted(title)), ("status", String(status.code)),
            ("detail", quoted(detail)),
        ]
        if let requestID { fields.append(("instance", quoted("urn:request:" + requestID))) }
        let json = "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        var response = Response(status: status, headers: headers, body: Array(json.utf8), closeConnection: close)
        response.headers[.contentType] = "application/problem+json"
        return response
    }

    /// A JSON string literal (RFC 8259 §7): quotes, backslashes and control characters escaped.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u00" + String(scalar.value, radix: 16).leftPadded(to: 2)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
