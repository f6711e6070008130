import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal blocking HTTP/1.1 client on a raw socket, for sending exactly the bytes a test wants (malformed input,
/// pipelining, slow clients) and reading responses back.
final class RawClient: @unchecked Sendable {
    struct Response {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    enum Failure: Error {
        case connect(Int32)
        case closed, timeout
        case malformed(String)
    }

    private let fd: Int32
    private var buffer: [UInt8] = []

    /// `from`: the local address to connect from; any of 127.0.0.0/8 works on Linux, so one test can play
    /// clients at several addresses (the server's per-address cap).
    init(port: Int, timeoutSeconds: Int = 10, from source: String? = nil) throws {
        // `self.fd` is set only on success: a class whose stored properties are all set runs `deinit` when its
        // init throws, and a second close(2) of a number the kernel has since reused closes another thread's file.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                let code = errno
                close(fd)
                throw Failure.connect(code)
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw Failure.connect(code)
        }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 { return }
            offset += written
        }
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Closes the connection abruptly (the test's way of "disconnecting").
    func shutdownBoth() { shutdown(fd, Int32(SHUT_RDWR)) }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count == 0 { throw Failure.closed }
        if count < 0 { throw errno == EAGAIN ? Failure.timeout : Failure.closed }
        buffer += chunk[0..<count]
    }

    /// Reads the next response, interim (1xx) or final.
    func readAnyResponse() throws -> Response { try readOne(headRequest: false) }

    /// Reads one final response (skipping 1xx). `headRequest`: the response has no body.
    func readResponse(headRequest: Bool = false) throws -> Response {
        while true {
            let response = try readOne(headRequest: headRequest)
            if response.status >= 200 { return response }
        }
    }

    private func readOne(headRequest: Bool) throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        var end: Int?
        while end == nil {
            if buffer.count >= 4 {
                end = (0...(buffer.count - 4)).first { buffer[$0..<$0 + 4].elementsEqual(separator) }
            }
            if end == nil { try fill() }
        }
        let head = String(decoding: buffer[0..<end!], as: UTF8.self)
        buffer.removeFirst(end! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure.malformed(head) }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = Response(status: status, headers: headers, body: [])
        if status >= 200 && !headRequest, let length = response.header("Content-Length").flatMap(Int.init) {
            while buffer.count < length { try fill() }
            response.body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        }
        return response
    }

    /// True if the server closed the connection (reads EOF) within the timeout.
    func isClosedByServer() -> Bool {
        do {
            try fill()
            return false
        } catch Failure.closed {
            return true
        } catch {
            return false
        }
    }
}

/// Runs curl and returns (exit status, stdout bytes). curl is the README's client and sends Expect: 100-continue.
func runCurl(_ arguments: [String]) throws -> (status: Int32, output: [UInt8], errors: String) {
    let result = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/curl"), arguments)
    return (result.status, Array(result.stdout), String(decoding: result.stderr, as: UTF8.self))
}
