import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A small HTTP/1.1 server on non-blocking BSD sockets: one event-loop thread (epoll) owns every connection and
/// reacts to readiness events and a tick; a pool of handler threads runs handlers. It knows nothing about what it
/// serves. The design, and why, is in docs/http.md.
///
/// Handlers may block (the service waits there for its worker pool); a handler never sees a slow client, because
/// only complete requests leave the loop. Idle and slow connections cost a socket and a little memory, not a thread,
/// and the admission rules (`ServerLimits`) decide who gives way when there are too many.
public final class HTTPServer: @unchecked Sendable {
    public typealias Handler = @Sendable (Request, RequestContext) -> Response
    /// Called on the loop when a request's head is complete, before its body is read; must not block. The second
    /// argument is the request id the response will carry.
    public typealias EarlyResponse = @Sendable (HTTPRequestHead, String) -> HeadVerdict
    /// Says which requests the handler answers at once without blocking (health checks): those run on the loop,
    /// skipping two thread hand-offs, and are answered even when every handler thread is busy.
    public typealias AnswersOnLoop = @Sendable (HTTPRequestHead) -> Bool

    public let host: String
    public let limits: ServerLimits
    let handler: Handler
    let earlyResponse: EarlyResponse?
    let answersOnLoop: AnswersOnLoop?
    private let logger: Logger
    let handlers: HandlerPool
    /// The loop: everything below, up to `shared`, is touched only on its thread.
    private(set) var loop: EventLoop!
    /// One read buffer for all connections (the loop reads one socket at a time); bytes are copied into the parser.
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    private var budget: BodyBudget
    private var connections: [Int: Connection] = [:]
    private var perAddress: [String: Int] = [:]
    private var nextID = 0
    /// The overload rules' counts (the phase counts are filled in by `stats()`).
    private var counters = ConnectionStats()
    private(set) var isDrainingOnLoop = false
    private var listener: Socket?
    /// Accepting pauses briefly when the process is out of descriptors (the listener would stay readable).
    private var acceptResumes: ContinuousClock.Instant?
    /// What other threads may read: the connection count and the draining flag.
    private let shared = Mutex((connections: 0, draining: false))
    /// Entered per open connection, left when it closes: shutdown waits on it.
    private let open = DispatchGroup()
    /// How often deadlines are checked: a deadline fires at most this late.
    private static let tick = Duration.milliseconds(100)
    /// Connections accepted per readable event of the listener before other events get their turn.
    private static let acceptsPerEvent = 64

    /// The port actually bound (useful with port 0); set by `start()`.
    public private(set) var port: Int

    public init(
        host: String, port: Int, limits: ServerLimits, logger: Logger,
        earlyResponse: EarlyResponse? = nil, answersOnLoop: AnswersOnLoop? = nil, handler: @escaping Handler
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        budget = BodyBudget(limit: limits.maxBufferedBodyBytes)
        self.logger = logger
        self.earlyResponse = earlyResponse
        self.answersOnLoop = answersOnLoop
        self.handler = handler
        handlers = HandlerPool(maxThreads: limits.handlerThreads, name: "http-handler")
    }

    deinit { scratch.deallocate() }

    /// Open connections right now.
    public var connectionCount: Int { shared.withLock { $0.connections } }

    /// What the connections are doing now, and what the overload rules did since start. Not for use on the loop.
    public func stats() -> ConnectionStats {
        guard let loop else { return counters }
        return loop.sync { [self] in
            var stats = counters
            for connection in connections.values { stats.count(connection.phase) }
            return stats
        }
    }

    /// True once `shutdown` has begun: no new connections, keep-alive connections close after their current request.
    public var isDraining: Bool { shared.withLock { $0.draining } }

    /// Binds, listens and starts the loop. Returns the bound port.
    @discardableResult
    public func start() throws(SyscallError) -> Int {
        DescriptorLimit.raise(toHold: limits.maxConnections, logger: logger)
        let socket = try Socket.listen(host: host, port: port, backlog: limits.listenBacklog)
        try socket.setNonBlocking()
        port = socket.localPort
        let fd = try socket.withDescriptor { $0 }
        let loop = try EventLoop(name: "http-loop", tick: Self.tick)
        self.loop = loop
        loop.sync { [self] in
            listener = socket
            loop.register(fd, events: EventLoop.readable) { [unowned self] _ in acceptPending(socket) }
            loop.setTick { [unowned self] in checkDeadlines() }
        }
        logger.info("listening", metadata: ["host": "\(host)", "port": "\(port)"])
        return port
    }

    /// Stops accepting, lets open connections finish their current request (idle ones close at once) and waits up
    /// to `deadline` seconds. Connections still open then are cut. Returns true if everything finished in time.
    @discardableResult
    public func shutdown(deadline seconds: Double) -> Bool {
        let first = shared.withLock { state in
            defer { state.draining = true }
            return !state.draining
        }
        guard let loop else { return true }
        if first {
            loop.sync { [self] in
                // Connections the kernel completed before now were accepted as far as their clients know: take them
                // in, then stop listening; idle connections close (see `Connection.apply`).
                if let listener {
                    acceptPending(listener, limit: .max)
                    stopListening()
                }
                isDrainingOnLoop = true
                for connection in Array(connections.values) where connection.phase.isIdle {
                    connection.apply(.close)
                }
            }
        }
        var inTime = open.wait(timeout: .now() + seconds) == .success
        if !inTime {
            loop.sync { [self] in
                logger.warning("shutdown deadline passed; closing connections", metadata: ["open": "\(connections.count)"])
                for connection in Array(connections.values) { connection.forceClose() }
            }
            inTime = false
            _ = open.wait(timeout: .now() + 1)
        }
        if first {
            loop.stop()
            handlers.stop(waitingUpTo: 1)
        }
        return inTime
    }

    private func stopListening() {
        guard let listener, let fd = try? listener.withDescriptor({ $0 }) else { return }
        loop.unregister(fd)
        listener.close()
        self.listener = nil
    }

    // MARK: Admission (on the loop)

    private func acceptPending(_ listener: Socket, limit: Int = HTTPServer.acceptsPerEvent) {
        for _ in 0..<limit {
            guard !isDrainingOnLoop else { return }
            let accepted: (socket: Socket, address: String)?
            do {
                accepted = try listener.accept()
            } catch {
                // EMFILE/ENFILE: give one idle connection's descriptor back, pause accepting briefly (the listener
                // stays readable, so not pausing would spin), and keep serving the connections we have.
                logger.error("accept failed", metadata: ["error": "\(error)"])
                longestIdle(from: nil)?.close()
                pauseAccepting()
                return
            }
            guard let (client, address) = accepted else { return }
            admit(client, from: address)
        }
    }

    private func pauseAccepting() {
        guard acceptResumes == nil, let fd = try? listener?.withDescriptor({ $0 }) else { return }
        acceptResumes = .now + .milliseconds(50)
        loop.modify(fd, events: 0)
    }

    private func admit(_ client: Socket, from address: String) {
        if perAddress[address, default: 0] >= limits.maxConnectionsPerAddress {
            guard let idle = longestIdle(from: address) else {
                return refuse(client, ConnectionError.tooManyConnectionsFromAddress(limit: limits.maxConnectionsPerAddress))
            }
            idle.close()
            counters.evicted += 1
        }
        if connections.count >= limits.maxConnections {
            guard let idle = longestIdle(from: nil) else {
                return refuse(client, ConnectionError.tooManyConnections(limit: limits.maxConnections))
            }
            idle.close()
            counters.evicted += 1
        }
        nextID &+= 1
        let connection: Connection
        do {
            connection = try Connection(id: nextID, socket: client, address: address, server: self, logger: logger)
        } catch {
            client.close()
            return
        }
        connections[connection.id] = connection
        perAddress[address, default: 0] += 1
        shared.withLock { $0.connections = connections.count }
        open.enter()
        connection.start()
    }

    /// The connection idle the longest (optionally from one address): the one to close to admit a new one. A linear
    /// scan, done only at a limit; the longest-idle one is also the one nearest to its idle timeout anyway.
    private func longestIdle(from address: String?) -> Connection? {
        var oldest: (Connection, ContinuousClock.Instant)?
        for connection in connections.values {
            guard case .idle(let since) = connection.phase, address == nil || connection.address == address else {
                continue
            }
            if oldest == nil || since < oldest!.1 { oldest = (connection, since) }
        }
        return oldest?.0
    }

    /// Refuses without keeping the connection: a short non-blocking write (the send buffer takes it), then close.
    private func refuse(_ client: Socket, _ error: ConnectionError) {
        counters.count(error)
        let response = ProblemResponse.make(for: error)
        _ = try? client.write(ArraySlice(response.serialized(headOnly: false, keepAlive: false)))
        client.close()
    }

    // MARK: Bookkeeping for connections (on the loop)

    /// Charges bytes a connection read against the body budget, closing bigger holders if fairness says so.
    /// False when the bytes cannot be held (the connection answers 503).
    func charge(_ bytes: Int, to connection: Connection) -> Bool {
        while true {
            let decision = budget.charge(bytes, to: connection.id) { id in
                switch connections[id]?.phase {
                case .headers, .body: true
                default: false
                }
            }
            switch decision {
            case .granted: return true
            case .refuse: return false
            case .evict(let id):
                budget.release(id)
                guard let victim = connections[id] else { continue }
                logger.info("body budget full; refusing the largest holder", metadata: ["holder": "\(victim.address)"])
                victim.reject(ConnectionError.bodyBudgetExhausted(limit: limits.maxBufferedBodyBytes))
            }
        }
    }

    func release(_ connection: Connection) { budget.release(connection.id) }

    /// A connection answered an error of the HTTP layer.
    func rejected(_ error: any HTTPResponseError) {
        if let error = error as? ConnectionError { counters.count(error) }
    }

    func closed(_ connection: Connection) {
        budget.release(connection.id)
        connections[connection.id] = nil
        if let count = perAddress[connection.address], count > 1 {
            perAddress[connection.address] = count - 1
        } else {
            perAddress[connection.address] = nil
        }
        shared.withLock { $0.connections = connections.count }
        open.leave()
    }

    private func checkDeadlines() {
        let now = ContinuousClock.now
        if let resume = acceptResumes, now >= resume, let fd = try? listener?.withDescriptor({ $0 }) {
            acceptResumes = nil
            loop.modify(fd, events: EventLoop.readable)
        }
        for connection in Array(connections.values) where !connection.isClosed {
            connection.apply(
                ConnectionTimeouts.check(
                    connection.phase, lastRead: connection.lastRead, now: now, limits: limits,
                    draining: isDrainingOnLoop))
        }
    }
}
