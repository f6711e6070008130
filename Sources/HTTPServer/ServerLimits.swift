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
    /// Bytes of request bodies held in memory by all connections together. Default 256 MiB (8 bodies at the
    /// 32 MiB limit, not the 8 GiB that 256 connections could otherwise hold). A request is charged its
    /// Content-Length (a chunked one `maxBodyBytes`) when its head arrives, until its response is sent; when that
    /// does not fit, it gets 503 with Retry-After before any body byte is read.
    public var maxBufferedBodyBytes: Int = 256 * 1024 * 1024
    /// Bytes of a chunk-size line (hex size plus extensions). Default 256; longer is treated as malformed (400).
    public var maxChunkLineBytes: Int = 256

    /// Seconds a keep-alive connection may sit idle between requests before the server closes it. Default 15.
    public var idleTimeout: Double = 15
    /// Seconds allowed from the first byte of a request to the end of its headers. Default 10: a slow-loris client
    /// trickling header bytes is cut off with 408 even if each byte arrives within `readTimeout`.
    public var headerTimeout: Double = 10
    /// Seconds without any byte while a request is incomplete. Default 5; then 408.
    public var readTimeout: Double = 5
    /// Seconds allowed for a whole request body. Default 60 (32 MiB at ~4 Mbit/s); then 408.
    public var bodyTimeout: Double = 60
    /// Seconds a response write may block on a client that does not read. Default 10; then the connection is dropped.
    public var writeTimeout: Double = 10

    /// Simultaneous connections (each holds one thread). Default 256; above it new connections get 503 and are closed.
    public var maxConnections: Int = 256
    /// Pending connections the kernel queues before accept (listen(2) backlog). Default 128.
    public var listenBacklog: Int = 128

    public init() {}

    /// The problems with these values, if any, as messages naming the field (empty when valid).
    public func validationProblems() -> [String] {
        var problems: [String] = []
        let positiveInts: [(String, Int)] = [
            ("maxRequestLineBytes", maxRequestLineBytes), ("maxHeaderBytes", maxHeaderBytes),
            ("maxHeaderCount", maxHeaderCount), ("maxBodyBytes", maxBodyBytes),
            ("maxBufferedBodyBytes", maxBufferedBodyBytes),
            ("maxChunkLineBytes", maxChunkLineBytes), ("maxConnections", maxConnections),
            ("listenBacklog", listenBacklog),
        ]
        for (name, value) in positiveInts where value <= 0 {
            problems.append("\(name) must be positive (got \(value))")
        }
        let positiveSeconds: [(String, Double)] = [
            ("idleTimeout", idleTimeout), ("headerTimeout", headerTimeout), ("readTimeout", readTimeout),
            ("bodyTimeout", bodyTimeout), ("writeTimeout", writeTimeout),
        ]
        for (name, value) in positiveSeconds where !(value > 0 && value.isFinite) {
            problems.append("\(name) must be a positive number of seconds (got \(value))")
        }
        return problems
    }
}
