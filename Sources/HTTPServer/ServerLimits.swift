/// Every limit the HTTP layer enforces, in one place, with its unit, default and reason
/// (habit: NIO `NIOHTTPDecoderLimitConfiguration`). The service builds this from its own config file.
public struct ServerLimits: Sendable, Equatable {
    /// Bytes of the request line (method, target, version, without CRLF). Default 8 KiB, the limit most servers and
    /// proxies use (nginx `large_client_header_buffers`); over it: 414 URI Too Long.
    public var maxRequestLineBytes: Int = 8 * 1024
    /// Bytes of all header lines together (names, values, separators). Default 32 KiB; over it: 431.
    public var maxHeaderBytes: Int = 32 * 1024
    /// Number of header fields (trailers included). Default 100, far above what clients send; over it: 431.
    public var maxHeaderCount: Int = 100
    /// Bytes of a request body. Default 32 MiB: a 4096x4096 PNG fits. Checked against Content-Length before any body
    /// byte is read (and while reading chunked bodies); over it: 413.
    public var maxBodyBytes: Int = 32 * 1024 * 1024
    /// Bytes of requests held in memory by all connections together. Default 256 MiB. Bytes are charged as they
    /// arrive (not by declared Content-Length, so a client that announces 32 MiB and trickles holds what it sent)
    /// and given back when the response is sent. When the next bytes do not fit, the connection holding the most
    /// beyond its fair share (this limit / connections holding bytes) gets 503 with Retry-After, or, when none is
    /// beyond it, the one whose bytes did not fit: a few large uploads cannot starve many small ones.
    public var maxBufferedBodyBytes: Int = 256 * 1024 * 1024
    /// Bytes of a chunk-size line (hex size plus extensions). Default 256; longer is treated as malformed (400).
    public var maxChunkLineBytes: Int = 256
    /// Parts of a multipart/form-data body (`MultipartParser`). Default 16: an upload form has one or two; 400 above.
    public var maxMultipartParts: Int = 16

    /// Seconds a keep-alive connection may sit idle between requests before the server closes it. Default 15.
    public var idleTimeout: Double = 15
    /// Seconds allowed from the first byte of a request to the end of its headers. Default 10: a slow-loris client
    /// trickling header bytes is cut off with 408 even if each byte arrives within `readTimeout`.
    public var headerTimeout: Double = 10
    /// Seconds without any byte while a request is incomplete. Default 5; then 408.
    public var readTimeout: Double = 5
    /// Seconds allowed for a whole request body. Default 60 (32 MiB at ~4 Mbit/s); then 408.
    public var bodyTimeout: Double = 60
    /// Seconds a response write may make no progress on a client that does not read. Default 10; then the
    /// connection is dropped.
    public var writeTimeout: Double = 10
    /// Bytes per second a request's headers and body must average once `minRateGracePeriod` has passed since the
    /// phase began; slower gets 408 (Apache mod_reqtimeout's MinRate). Default 1024; 0 turns the check off.
    public var minBytesPerSecond: Int = 1024
    /// Seconds a request phase (headers, body) may take before `minBytesPerSecond` applies. Default 5.
    public var minRateGracePeriod: Double = 5

    /// Simultaneous connections. Default 10,000: an idle connection costs a socket and a few hundred bytes (no
    /// thread), so the limit is about file descriptors (the server raises its soft RLIMIT_NOFILE to the hard
    /// limit). At the limit, the connection idle the longest (between requests, nothing in flight) is closed to
    /// admit the new one; when none is idle the new one gets 503 and is closed.
    public var maxConnections: Int = 10_000
    /// Simultaneous connections from one client address. Default 512; beyond it that address's longest-idle
    /// connection is closed first, else 503. Behind a proxy every client shares the proxy's address: raise it
    /// to `maxConnections` there and let the proxy limit clients.
    public var maxConnectionsPerAddress: Int = 512
    /// Pending connections the kernel queues before accept (listen(2) backlog; the kernel caps it at somaxconn).
    /// Default 1024.
    public var listenBacklog: Int = 1024
    /// Threads that run handlers. Only complete requests reach them; a handler may block (waiting for the worker
    /// pool), so this must exceed the requests that can wait at once (workers + queue depth). Default 64.
    public var handlerThreads: Int = 64

    public init() {}

    /// The problems with these values, if any, as messages naming the field (empty when valid).
    public func validationProblems() -> [String] {
        var problems: [String] = []
        let positiveInts: [(String, Int)] = [
            ("maxRequestLineBytes", maxRequestLineBytes), ("maxHeaderBytes", maxHeaderBytes),
            ("maxHeaderCount", maxHeaderCount), ("maxBodyBytes", maxBodyBytes),
            ("maxBufferedBodyBytes", maxBufferedBodyBytes), ("maxMultipartParts", maxMultipartParts),
            ("maxChunkLineBytes", maxChunkLineBytes), ("maxConnections", maxConnections),
            ("maxConnectionsPerAddress", maxConnectionsPerAddress), ("listenBacklog", listenBacklog),
            ("handlerThreads", handlerThreads),
        ]
        for (name, value) in positiveInts where value <= 0 {
            problems.append("\(name) must be positive (got \(value))")
        }
        let positiveSeconds: [(String, Double)] = [
            ("idleTimeout", idleTimeout), ("headerTimeout", headerTimeout), ("readTimeout", readTimeout),
            ("bodyTimeout", bodyTimeout), ("writeTimeout", writeTimeout), ("minRateGracePeriod", minRateGracePeriod),
        ]
        for (name, value) in positiveSeconds where !(value > 0 && value.isFinite) {
            problems.append("\(name) must be a positive number of seconds (got \(value))")
        }
        if minBytesPerSecond < 0 { problems.append("minBytesPerSecond must be 0 (off) or positive (got \(minBytesPerSecond))") }
        if maxBufferedBodyBytes < maxBodyBytes {
            problems.append(
                "maxBufferedBodyBytes (\(maxBufferedBodyBytes)) must hold at least one body of maxBodyBytes (\(maxBodyBytes))")
        }
        return problems
    }
}
