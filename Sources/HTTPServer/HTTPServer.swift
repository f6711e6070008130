import Dispatch
import Foundation
import Logging

/// A small HTTP/1.1 server on BSD sockets: one accept thread, one thread per connection (bounded by
/// `ServerLimits.maxConnections`), blocking I/O with poll-based timeouts. It knows nothing about what it serves.
///
/// Handlers run on the connection's thread and may block (the service waits there for its worker pool); a handler
/// never sees a slow client, because the parser delivers only complete requests.
public final class HTTPServer: @unchecked Sendable {
    public typealias Handler = @Sendable (HTTPRequest, RequestContext) -> HTTPResponse
    /// Called when a request's head is complete, before its body is read. A non-nil response is sent at once and the
    /// connection closed (the unread body makes it unusable): used to refuse unknown routes without reading uploads.
    /// The second argument is the request id the response will carry.
    public typealias EarlyResponse = @Sendable (HTTPRequestHead, String) -> HTTPResponse?

    public let host: String
    public let limits: ServerLimits
    private let bodyBudget: BodyBudget
    private let handler: Handler
    private let earlyResponse: EarlyResponse?
    private let logger: Logger

    private let lock = NSLock()
    private var listener: Socket?
    private var connections: [ObjectIdentifier: Socket] = [:]
    private var draining = false
    private let acceptThreadDone = DispatchSemaphore(value: 0)
    private let connectionGroup = DispatchGroup()
    /// The port actually bound (useful with port 0); set by `start()`.
    public private(set) var port: Int

    public init(
        host: String, port: Int, limits: ServerLimits, logger: Logger,
        earlyResponse: EarlyResponse? = nil, handler: @escaping Handler
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        bodyBudget = BodyBudget(limit: limits.maxBufferedBodyBytes)
        self.logger = logger
        self.earlyResponse = earlyResponse
        self.handler = handler
    }

    /// Open connections right now.
    public var connectionCount: Int { lock.withLock { connections.count } }

    /// True once `shutdown` has begun: no new connections, keep-alive connections close after their current request.
    public var isDraining: Bool { lock.withLock { draining } }

    /// Binds, listens and starts accepting on a background thread. Returns the bound port.
    @discardableResult
    public func start() throws(SyscallError) -> Int {
        let socket = try Socket.listen(host: host, port: port, backlog: limits.listenBacklog)
        port = socket.localPort
        lock.withLock { listener = socket }
        let thread = Thread { [self] in acceptLoop(socket) }
        thread.name = "http-accept"
        thread.start()
        logger.info("listening", metadata: ["host": "\(host)", "port": "\(port)"])
        return port
    }

    /// Stops accepting, lets open connections finish their current request (idle ones close at once) and waits up
    /// to `deadline` seconds. Connections still open then are cut. Returns true if everything finished in time.
    @discardableResult
    public func shutdown(deadline seconds: Double) -> Bool {
        let wasDraining = lock.withLock { () -> Bool in
            defer { draining = true }
            return draining
        }
        guard !wasDraining else { return connectionGroup.wait(timeout: .now() + seconds) == .success }
        if lock.withLock({ listener != nil }) { acceptThreadDone.wait() }
        if connectionGroup.wait(timeout: .now() + seconds) == .success { return true }
        let stuck = lock.withLock { Array(connections.values) }
        logger.warning("shutdown deadline passed; closing connections", metadata: ["open": "\(stuck.count)"])
        for socket in stuck { socket.shutdown() }
        _ = connectionGroup.wait(timeout: .now() + 1)
        return false
    }

    private func acceptLoop(_ listener: Socket) {
        defer {
            listener.close()
            acceptThreadDone.signal()
        }
        while !isDraining {
            do {
                // Poll in short slices so a shutdown is noticed within 100 ms without closing the fd under accept().
                guard try listener.waitReadable(timeoutMilliseconds: 100), let client = try listener.accept() else {
                    continue
                }
                admit(client)
            } catch {
                // EMFILE/ENFILE/ECONNABORTED: keep serving the connections we have; back off briefly.
                logger.error("accept failed", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    private func admit(_ client: Socket) {
        let admitted = lock.withLock { () -> Bool in
            guard connections.count < limits.maxConnections else { return false }
            connections[ObjectIdentifier(client)] = client
            return true
        }
        guard admitted else {
            // Refuse politely but without spending a thread: a short write, then close.
            try? client.setTimeout(SO_SNDTIMEO, seconds: 1)
            let refusal = ProblemResponse.make(for: ConnectionError.tooManyConnections(limit: limits.maxConnections))
            try? client.writeAll(refusal.serialized(headOnly: false, keepAlive: false))
            client.close()
            return
        }
        connectionGroup.enter()
        let connection = Connection(
            socket: client, limits: limits, bodyBudget: bodyBudget, handler: handler, earlyResponse: earlyResponse,
            isDraining: { [weak self] in self?.isDraining ?? true }, logger: logger)
        let thread = Thread { [self] in
            connection.run()
            lock.withLock { _ = connections.removeValue(forKey: ObjectIdentifier(client)) }
            client.close()
            connectionGroup.leave()
        }
        thread.name = "http-connection"
        thread.start()
    }
}
