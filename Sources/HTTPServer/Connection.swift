import Foundation
import Logging

/// What a handler knows about the connection its request came on.
public struct RequestContext: Sendable {
    let socket: Socket
    /// When the request's first byte arrived.
    public let receivedAt: ContinuousClock.Instant
    /// X-Request-Id from the client when it is a sane token, else a generated one.
    public let requestID: String
    /// The numeric IP address of the TCP peer (a proxy's, when behind one).
    public let remoteAddress: String
    /// What the server's `earlyResponse` made of this request's head (`HeadVerdict.proceed`), so the handler does
    /// not parse it again; nil when it made nothing of it or was not asked (no body).
    public let parsedHead: (any Sendable)?

    /// True when the client closed the connection (used to drop work nobody will receive).
    public func clientHasDisconnected() -> Bool { socket.peerHasClosed() }
}

/// One client connection as a state machine driven by the event loop: readable and writable events from epoll
/// (`EventLoop`), deadlines from the loop's tick (`ConnectionTimeouts`), complete requests handed to the handler pool
/// and their responses written back in order (pipelined input waits in the parser meanwhile).
///
/// Every method runs on the server's loop thread, which is what makes the mutable state safe (hence
/// `@unchecked Sendable`); only `RequestContext` leaves it, and that touches the socket through poll(2) alone.
/// An idle connection costs its socket, this object and its parser: no thread, no read buffer.
final class Connection: @unchecked Sendable {
    let id: Int
    let socket: Socket
    let address: String
    private(set) var phase: ConnectionPhase
    private(set) var lastRead: ContinuousClock.Instant
    private unowned let server: HTTPServer
    private var logger: Logger
    private var parser: RequestParser
    private var requestStart: ContinuousClock.Instant?
    /// The server's reading of the head of the request whose body is being read (`HeadVerdict.proceed`).
    private var parsedHead: (any Sendable)?
    private let fd: Int32
    /// Whether input is wanted now (not while a request is with a handler or a response is being written).
    private var reading = true
    /// The events epoll watches for (nil: not in the epoll set). Narrowed lazily, on the first event that is not
    /// wanted, so the common request-response exchange costs no epoll_ctl at all.
    private var interest: UInt32?
    /// Set while `process()` runs, so a response finished inside it continues its loop instead of recursing.
    private var processing = false
    private var writeArmed = false
    private var output: [UInt8] = []
    private var written = 0
    private var lingerAfterWrite = false
    private var lingerDiscarded = 0
    /// Set by a forced shutdown while a handler has the request: close as soon as it returns.
    private var closeWhenHandled = false
    private(set) var isClosed = false

    /// Bytes read per readable event at most (then other connections get their turn).
    private static let readsPerEvent = 4
    /// Bounds of the lingering close: at most 1 s and 1 MiB of input discarded after the last response.
    private static let lingerSeconds = 1.0
    private static let lingerMaxBytes = 1 << 20

    init(id: Int, socket: Socket, address: String, server: HTTPServer, logger: Logger) throws(SyscallError) {
        self.id = id
        self.socket = socket
        self.address = address
        self.server = server
        self.logger = logger
        parser = RequestParser(limits: server.limits)
        let now = ContinuousClock.now
        phase = .idle(since: now)
        lastRead = now
        fd = try socket.withDescriptor { $0 }
    }

    /// Starts watching the socket.
    func start() { watch() }

    private func ready(_ events: UInt32) {
        if events & EventLoop.writable != 0 && writeArmed { flush() }
        guard !isClosed else { return }
        if events & (EventLoop.readable | EventLoop.failed) != 0 {
            // Input (or a hang-up) while none is wanted: stop being told until it is wanted again.
            if reading { readable() } else { watch() }
        }
    }

    /// Makes epoll watch for what is wanted now: input, output, both, or nothing (then the descriptor leaves the
    /// set, since epoll reports hang-ups whatever the interest, and level-triggered reports would repeat).
    private func watch() {
        let wanted = (reading ? EventLoop.readable : 0) | (writeArmed ? EventLoop.writable : 0)
        guard wanted != interest else { return }
        let loop: EventLoop = server.loop
        if wanted == 0 {
            loop.unregister(fd)
            interest = nil
        } else if interest == nil {
            loop.register(fd, events: wanted) { [unowned self] events in ready(events) }
            interest = wanted
        } else {
            loop.modify(fd, events: wanted)
            interest = wanted
        }
    }

    // MARK: Reading

    private func readable() {
        for _ in 0..<Self.readsPerEvent {
            guard !isClosed, reading else { return }
            let count: Int
            do throws(SyscallError) {
                switch try socket.read(into: server.scratch) {
                case .wouldBlock: return
                case .done(let n): count = n
                }
            } catch {
                logger.debug("connection ended", metadata: ["error": "\(error)"])
                return close()
            }
            // End of stream: nothing to answer (a half-sent request cannot be served).
            if count == 0 { return close() }
            if case .lingering = phase {
                lingerDiscarded += count
                if lingerDiscarded >= Self.lingerMaxBytes { return close() }
                continue
            }
            received(UnsafeRawBufferPointer(rebasing: server.scratch[0..<count]))
        }
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        let now = ContinuousClock.now
        lastRead = now
        guard server.charge(bytes.count, to: self) else {
            return reject(ConnectionError.bodyBudgetExhausted(limit: server.limits.maxBufferedBodyBytes))
        }
        switch phase {
        case .idle:
            requestStart = now
            phase = .headers(start: now, bytes: bytes.count)
        case .headers(let start, let count): phase = .headers(start: start, bytes: count + bytes.count)
        case .body(let start, let count): phase = .body(start: start, bytes: count + bytes.count)
        case .handling, .writing, .lingering: break
        }
        parser.append(bytes)
        process()
    }

    /// Takes events from the parser until it needs more bytes or a request goes to a handler pool thread (or a
    /// response waits for the socket). Requests answered on the loop continue the loop, pipelined ones included.
    private func process() {
        guard !processing else { return }
        processing = true
        defer { processing = false }
        while !isClosed && reading {
            let event: RequestParser.Event?
            do {
                event = try parser.next()
            } catch {
                return reject(error)
            }
            guard let event else { return }
            switch event {
            case .head(let head):
                phase = .body(start: ContinuousClock.now, bytes: 0)
                let requestID = Self.requestID(head.headers[.xRequestID])
                switch server.earlyResponse?(head, requestID) ?? .proceed(parsed: nil) {
                case .refuse(var early):
                    // The body was not read, so the connection cannot continue (RFC 9110 §15.5.1 note).
                    early.headers[.xRequestID] = requestID
                    return respond(early, headOnly: head.method == .head, keepAlive: false)
                case .proceed(let parsed):
                    parsedHead = parsed
                }
                // RFC 9110 §10.1.1: the limits already passed, so invite the body now.
                if head.expectsContinue && head.framing != .none {
                    output += Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
                    flush()
                }
            case .message(let request):
                dispatch(request)
            }
        }
    }

    private func dispatch(_ request: Request) {
        phase = .handling
        pauseReading()
        let context = RequestContext(
            socket: socket, receivedAt: requestStart ?? ContinuousClock.now,
            requestID: Self.requestID(request.headers[.xRequestID]), remoteAddress: address,
            parsedHead: parsedHead)
        parsedHead = nil
        if server.answersOnLoop?(request.head) == true {
            return handled(request, context: context, response: server.handler(request, context))
        }
        let server = server
        server.handlers.submit { [self] in
            let response = server.handler(request, context)
            server.loop.execute { [self] in handled(request, context: context, response: response) }
        }
    }

    private func handled(_ request: Request, context: RequestContext, response: Response) {
        guard !isClosed else { return }
        if response.abandonConnection || closeWhenHandled { return close() }
        var response = response
        response.headers[.xRequestID] = context.requestID
        let keepAlive = request.head.keepAlive && !response.closeConnection && !server.isDrainingOnLoop
        respond(response, headOnly: request.method == .head, keepAlive: keepAlive)
    }

    // MARK: Writing

    /// Answers an error of the HTTP layer itself (parse error, timeout, budget) and closes after it.
    func reject(_ error: any HTTPResponseError) {
        server.rejected(error)
        let requestID = Self.requestID(nil)
        logger.info("request rejected", metadata: ["request-id": "\(requestID)", "error": "\(error)"])
        var response = ProblemResponse.make(for: error, requestID: requestID)
        response.headers[.xRequestID] = requestID
        respond(response, headOnly: false, keepAlive: false)
    }

    private func respond(_ response: Response, headOnly: Bool, keepAlive: Bool) {
        var response = response
        response.headers[.date] = HTTPDate.now()
        output += response.serialized(headOnly: headOnly, keepAlive: keepAlive)
        lingerAfterWrite = !keepAlive
        phase = .writing(progress: ContinuousClock.now)
        pauseReading()
        flush()
    }

    /// Writes what the kernel takes; the rest waits for the write source.
    private func flush() {
        while written < output.count {
            do throws(SyscallError) {
                switch try socket.write(output[written...]) {
                case .wouldBlock:
                    return armWrite()
                case .done(let count):
                    written += count
                    if case .writing = phase { phase = .writing(progress: ContinuousClock.now) }
                }
            } catch {
                logger.debug("connection ended", metadata: ["error": "\(error)"])
                return close()
            }
        }
        output = []
        written = 0
        disarmWrite()
        if case .writing = phase { responseSent() }
    }

    private func responseSent() {
        server.release(self)
        if lingerAfterWrite { return linger() }
        requestStart = nil
        let now = ContinuousClock.now
        if parser.bufferedByteCount > 0 {
            // Pipelined: the next request is already (partly) here.
            requestStart = now
            phase = .headers(start: now, bytes: parser.bufferedByteCount)
        } else {
            phase = .idle(since: now)
        }
        resumeReading()
        process()
    }

    /// Sends FIN, then reads and discards what the client is still sending for a bounded time before closing.
    /// Closing with unread input makes the kernel send RST, which can destroy the error response the client has
    /// not read yet (e.g. a 413 while the upload is in flight). Apache calls this lingering close.
    private func linger() {
        socket.shutdownWrite()
        phase = .lingering(until: ContinuousClock.now + .seconds(Self.lingerSeconds))
        resumeReading()
    }

    private func armWrite() {
        writeArmed = true
        watch()
    }

    private func disarmWrite() {
        guard writeArmed else { return }
        writeArmed = false
        watch()
    }

    private func pauseReading() { reading = false }

    private func resumeReading() {
        reading = true
        watch()
    }

    // MARK: Closing

    /// Called by the server's timer with the deadline verdict.
    func apply(_ verdict: TimeoutVerdict) {
        switch verdict {
        case .keep: break
        case .close:
            // Draining closes idle connections, but one whose request is already in the socket is not idle: its
            // readable event is on the way (a client that connected and sent before the shutdown is answered).
            if phase.isIdle && server.isDrainingOnLoop && socket.hasPendingInput() { return }
            close()
        case .reject(let error): reject(error)
        }
    }

    /// A forced shutdown: close now, or, while a handler has the request, wake it (the client counts as gone)
    /// and close when it returns (the socket must stay open while a handler may poll it).
    func forceClose() {
        if case .handling = phase {
            closeWhenHandled = true
            socket.shutdown()
        } else {
            close()
        }
    }

    /// Leaves the epoll set, then closes: the loop never hears of this descriptor number again until the kernel
    /// gives it to a new connection.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        server.closed(self)
        if interest != nil { server.loop.unregister(fd) }
        interest = nil
        socket.close()
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
