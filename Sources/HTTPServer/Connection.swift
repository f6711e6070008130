import Foundation
import Logging

/// What a handler knows about the connection its request came on.
public struct RequestContext: Sendable {
    let socket: Socket
    /// When the request's first byte arrived.
    public let receivedAt: ContinuousClock.Instant
    /// X-Request-Id from the client when it is a sane token, else a generated one.
    public let requestID: String

    /// True when the client closed the connection (used to drop work nobody will receive).
    public func clientHasDisconnected() -> Bool { socket.peerHasClosed() }
}

/// Serves one connection on its own thread: reads, parses, dispatches requests in order (pipelining), writes
/// responses, and enforces every timeout so a slow client can hold only its own connection thread, never a worker.
struct Connection {
    let socket: Socket
    let limits: ServerLimits
    let bodyBudget: BodyBudget
    let handler: HTTPServer.Handler
    let earlyResponse: HTTPServer.EarlyResponse?
    let isDraining: @Sendable () -> Bool
    var logger: Logger

    private static let readChunk = 64 * 1024
    /// Bounds of the lingering close: at most 1 s and 1 MiB of input discarded after the last response.
    private static let lingerSeconds = 1.0
    private static let lingerMaxBytes = 1 << 20
    /// How often an idle connection checks whether the server is draining.
    private static let drainPollMilliseconds = 100

    func run() {
        do {
            try socket.setTimeout(SO_SNDTIMEO, seconds: limits.writeTimeout)
            try serve()
            lingeringClose()
        } catch {
            logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// Sends FIN, then reads and discards what the client is still sending for a bounded time before the caller
    /// closes. Closing with unread input makes the kernel send RST, which can destroy the error response the client
    /// has not read yet (e.g. a 413 while the upload is in flight). Apache calls this lingering close.
    private func lingeringClose() {
        socket.shutdownWrite()
        let deadline = ContinuousClock.now + .seconds(Self.lingerSeconds)
        var discarded = 0
        while discarded < Self.lingerMaxBytes, ContinuousClock.now < deadline {
            let remaining = Self.milliseconds(deadline - ContinuousClock.now)
            guard (try? socket.waitReadable(timeoutMilliseconds: max(1, remaining))) == true,
                let bytes = try? socket.read(maxBytes: Self.readChunk), !bytes.isEmpty
            else { return }
            discarded += bytes.count
        }
    }

    private func serve() throws {
        let clock = ContinuousClock()
        var parser = RequestParser(limits: limits)
        var requestStart: ContinuousClock.Instant?
        var headEnd: ContinuousClock.Instant?
        var lastActivity = clock.now
        // Body bytes this connection holds against the server-wide budget (one request at a time).
        var reserved = 0
        defer { bodyBudget.release(reserved) }

        while true {
            while true {
                let next: RequestParser.Event?
                do {
                    next = try parser.next()
                } catch {
                    try sendConnectionError(error)
                    return
                }
                guard let event = next else { break }
                switch event {
                case .head(let head):
                    headEnd = clock.now
                    let declared: Int
                    switch head.framing {
                    case .none: declared = 0
                    case .contentLength(let length): declared = length
                    case .chunked: declared = limits.maxBodyBytes
                    }
                    if declared > 0 {
                        guard bodyBudget.reserve(declared) else {
                            try sendConnectionError(ConnectionError.bodyBudgetExhausted(limit: bodyBudget.limit))
                            return
                        }
                        reserved = declared
                    }
                    let requestID = Self.requestID(head.headers["X-Request-Id"])
                    if var early = earlyResponse?(head, requestID) {
                        // The body was not read, so the connection cannot continue (RFC 9110 §15.5.1 note).
                        early.headers.set("X-Request-Id", requestID)
                        try send(early, headOnly: head.method == .head, keepAlive: false)
                        return
                    }
                    // RFC 9110 §10.1.1: the limits already passed, so invite the body now.
                    if head.expectsContinue && head.framing != .none {
                        try socket.writeAll(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                    }
                case .message(let request):
                    let context = RequestContext(
                        socket: socket, receivedAt: requestStart ?? clock.now,
                        requestID: Self.requestID(request.headers["X-Request-Id"]))
                    var response = handler(request, context)
                    if response.abandonConnection { return }
                    response.headers.set("X-Request-Id", context.requestID)
                    let keepAlive = request.head.keepAlive && !response.closeConnection && !isDraining()
                    try send(response, headOnly: request.method == .head, keepAlive: keepAlive)
                    bodyBudget.release(reserved)
                    reserved = 0
                    if !keepAlive { return }
                    requestStart = parser.isMidRequest ? clock.now : nil
                    headEnd = nil
                    lastActivity = clock.now
                }
            }

            if !parser.isMidRequest && isDraining() { return }
            let now = clock.now
            // The deadline that applies now: idle between requests, header section, or body.
            let (deadline, timeout): (ContinuousClock.Instant, ConnectionError?)
            if !parser.isMidRequest {
                deadline = lastActivity + .seconds(limits.idleTimeout)
                timeout = nil
            } else if headEnd == nil {
                let start = requestStart ?? now
                let headerDeadline = start + .seconds(limits.headerTimeout)
                let readDeadline = lastActivity + .seconds(limits.readTimeout)
                deadline = min(headerDeadline, readDeadline)
                timeout =
                    headerDeadline <= readDeadline
                    ? .timeout(phase: "headers", seconds: limits.headerTimeout)
                    : .timeout(phase: "data", seconds: limits.readTimeout)
            } else {
                let bodyDeadline = headEnd! + .seconds(limits.bodyTimeout)
                let readDeadline = lastActivity + .seconds(limits.readTimeout)
                deadline = min(bodyDeadline, readDeadline)
                timeout =
                    bodyDeadline <= readDeadline
                    ? .timeout(phase: "body", seconds: limits.bodyTimeout)
                    : .timeout(phase: "data", seconds: limits.readTimeout)
            }
            if now >= deadline {
                // Idle keep-alive connections are closed silently; an incomplete request gets 408 (RFC 9110 §15.5.9).
                if let timeout { try? sendConnectionError(timeout) }
                return
            }
            let remaining = deadline - now
            let waitMs = min(Self.milliseconds(remaining) + 1, Self.drainPollMilliseconds)
            guard try socket.waitReadable(timeoutMilliseconds: waitMs) else { continue }
            let bytes = try socket.read(maxBytes: Self.readChunk)
            if bytes.isEmpty { return }  // EOF: nothing to answer (a half-sent request cannot be served).
            if !parser.isMidRequest { requestStart = clock.now }
            lastActivity = clock.now
            parser.append(bytes)
        }
    }

    /// Answers an error of the HTTP layer itself (parse error, timeout) and logs it; the connection closes after.
    private func sendConnectionError(_ error: any HTTPResponseError) throws(SyscallError) {
        let requestID = Self.requestID(nil)
        logger.info("request rejected", metadata: ["request-id": "\(requestID)", "error": "\(error)"])
        var response = ProblemResponse.make(for: error, requestID: requestID)
        response.headers.set("X-Request-Id", requestID)
        try send(response, headOnly: false, keepAlive: false)
    }

    private func send(_ response: HTTPResponse, headOnly: Bool, keepAlive: Bool) throws(SyscallError) {
        var response = response
        response.headers.set("Date", HTTPDate.now())
        try socket.writeAll(response.serialized(headOnly: headOnly, keepAlive: keepAlive))
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    /// Honours a client's X-Request-Id if it is 1...128 safe characters (it goes into logs and headers), else makes
    /// a random 16-hex-digit one.
    static func requestID(_ proposed: String?) -> String {
        if let proposed, (1...128).contains(proposed.utf8.count),
            proposed.utf8.allSatisfy({ $0.isTokenCharacter || $0 == UInt8(ascii: "/") })
        {
            return proposed
        }
        return String(UInt64.random(in: 0...UInt64.max), radix: 16).leftPadded(to: 16)
    }
}
