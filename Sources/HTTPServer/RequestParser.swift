/// A strict, incremental HTTP/1.1 request parser (RFC 9112): a pure value fed bytes as they arrive.
///
/// Feed bytes with `append(_:)`, then call `next()` until it returns nil (more bytes needed). Each request yields
/// `.head` as soon as its header section is complete (so the connection can answer `Expect: 100-continue` or reject
/// an oversized Content-Length before reading the body) and then `.message` with the whole body. Pipelined requests
/// simply follow in the buffer.
///
/// Strictness is the defence against request smuggling: anything two implementations could read differently (both
/// Content-Length and Transfer-Encoding, differing Content-Lengths, bare CR or LF, obs-fold, space before a colon,
/// malformed chunk sizes) is an error, and after any error the parser stays failed.
public struct RequestParser: Sendable {
    public enum Event: Sendable, Equatable {
        case head(HTTPRequestHead)
        case message(Request)
    }

    enum State: Sendable {
        case requestLine
        case headers(RequestLine, fields: [HTTPField], bytes: Int)
        case headDelivered(HTTPRequestHead)
        case fixedBody(HTTPRequestHead, remaining: Int)
        case chunkSize(HTTPRequestHead)
        case chunkData(HTTPRequestHead, remaining: Int)
        case chunkDataEnd(HTTPRequestHead)
        case trailers(HTTPRequestHead, count: Int, bytes: Int)
        case failed(HTTPParseError)
    }

    public let limits: ServerLimits
    var state: State = .requestLine
    var buffer: [UInt8] = []
    /// Index of the first unconsumed byte in `buffer`.
    var start = 0
    var body: [UInt8] = []

    public init(limits: ServerLimits = ServerLimits()) {
        self.limits = limits
    }

    /// Bytes received but not yet consumed.
    public var bufferedByteCount: Int { buffer.count - start }

    /// True between the first byte of a request and its `.message`: the connection is not idle.
    public var isMidRequest: Bool {
        if case .requestLine = state { return bufferedByteCount > 0 }
        return true
    }

    public mutating func append(_ bytes: some Collection<UInt8>) {
        // Compact lazily so consuming is O(1) and appending stays amortised O(n).
        if start > 4096 && start * 2 > buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete event, nil if more bytes are needed. After an error every call rethrows it.
    public mutating func next() throws(HTTPParseError) -> Event? {
        do {
            return try step()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    private mutating func step() throws(HTTPParseError) -> Event? {
        while true {
            switch state {
            case .failed(let error):
                throw error
            case .requestLine:
                guard
                    let line = try readLine(
                        limit: limits.maxRequestLineBytes,
                        tooLong: .requestLineTooLong(
                            limit: limits.maxRequestLineBytes))
                else { return nil }
                // RFC 9112 §2.2: a server SHOULD ignore empty lines received before the request line.
                if line.isEmpty { continue }
                state = .headers(try RequestLine(parsing: line), fields: [], bytes: 0)
            case .headers(let requestLine, var fields, var bytes):
                let remaining = limits.maxHeaderBytes - bytes
                guard let line = try readLine(limit: remaining, tooLong: .headersTooLarge(limit: limits.maxHeaderBytes))
                else { return nil }
                bytes += line.count + 2
                if line.isEmpty {
                    let head = try HeadBuilder(limits: limits).makeHead(requestLine, fields: fields)
                    state = .headDelivered(head)
                    return .head(head)
                }
                guard fields.count < limits.maxHeaderCount else { throw .tooManyHeaders(limit: limits.maxHeaderCount) }
                fields.append(try HeaderLine.parse(line))
                state = .headers(requestLine, fields: fields, bytes: bytes)
            case .headDelivered(let head):
                body = []
                switch head.framing {
                case .none: return finish(head)
                case .contentLength(let length):
                    body.reserveCapacity(length)
                    state = .fixedBody(head, remaining: length)
                case .chunked: state = .chunkSize(head)
                }
            case .fixedBody(let head, let remaining):
                if remaining == 0 { return finish(head) }
                let take = min(remaining, bufferedByteCount)
                if take == 0 { return nil }
                body.append(contentsOf: buffer[start..<start + take])
                start += take
                state = .fixedBody(head, remaining: remaining - take)
            case .chunkSize(let head):
                guard
                    let line = try readLine(
                        limit: limits.maxChunkLineBytes,
                        tooLong: .malformed(
                            "chunk-size line longer than \(limits.maxChunkLineBytes) bytes"))
                else { return nil }
                let size = try ChunkSizeLine.parse(line)
                if size == 0 {
                    state = .trailers(head, count: head.headers.count, bytes: 0)
                } else {
                    guard size <= limits.maxBodyBytes - body.count else {
                        throw .bodyTooLarge(limit: limits.maxBodyBytes)
                    }
                    state = .chunkData(head, remaining: size)
                }
            case .chunkData(let head, let remaining):
                let take = min(remaining, bufferedByteCount)
                if take == 0 { return nil }
                body.append(contentsOf: buffer[start..<start + take])
                start += take
                state = take == remaining ? .chunkDataEnd(head) : .chunkData(head, remaining: remaining - take)
            case .chunkDataEnd(let head):
                // RFC 9112 §7.1: chunk data is followed by exactly CRLF.
                guard bufferedByteCount >= 2 else { return nil }
                guard buffer[start] == .cr && buffer[start + 1] == .lf else {
                    throw .malformed("chunk data not followed by CRLF")
                }
                start += 2
                state = .chunkSize(head)
            case .trailers(let head, let count, var bytes):
                let remaining = limits.maxHeaderBytes - bytes
                guard let line = try readLine(limit: remaining, tooLong: .headersTooLarge(limit: limits.maxHeaderBytes))
                else { return nil }
                bytes += line.count + 2
                if line.isEmpty { return finish(head) }
                guard count < limits.maxHeaderCount else { throw .tooManyHeaders(limit: limits.maxHeaderCount) }
                // Trailer fields are validated and then dropped: nothing here needs them (RFC 9110 §6.5.1 allows it).
                _ = try HeaderLine.parse(line)
                state = .trailers(head, count: count + 1, bytes: bytes)
            }
        }
    }

    private mutating func finish(_ head: HTTPRequestHead) -> Event {
        let message = Request(head: head, body: body)
        body = []
        state = .requestLine
        return .message(message)
    }

    /// The next CRLF-terminated line without its CRLF, nil if incomplete. A bare LF, or a CR not followed by LF, is
    /// malformed (RFC 9112 §2.2 allows rejecting them; accepting them is a classic smuggling vector).
    private mutating func readLine(limit: Int, tooLong: HTTPParseError) throws(HTTPParseError) -> ArraySlice<UInt8>? {
        var index = start
        let end = buffer.count
        while index < end {
            // Stop scanning as soon as the limit is passed, not after the whole buffer.
            if index - start > limit { throw tooLong }
            let byte = buffer[index]
            if byte == .lf { throw .malformed("bare LF line ending") }
            if byte == .cr {
                guard index + 1 < end else { break }
                guard buffer[index + 1] == .lf else { throw .malformed("bare CR") }
                guard index - start <= limit else { throw tooLong }
                let line = buffer[start..<index]
                start = index + 2
                return line
            }
            index += 1
        }
        if index - start > limit { throw tooLong }
        return nil
    }
}

extension UInt8 {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")

    /// RFC 9110 §5.6.2 tchar.
    var isTokenCharacter: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(self)
        }
    }
}
