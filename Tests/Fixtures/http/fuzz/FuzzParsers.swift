// libFuzzer entry point for the HTTP request parser and the multipart parser (not part of any SwiftPM target;
// Tests/Fixtures/http/fuzz/run.sh compiles it together with the parser sources).
//
// Properties checked on every input, beyond "does not crash or trap":
//  - the request parser gives the same outcome whole and split at a data-derived offset (incrementality),
//  - no delivered request has both Content-Length and Transfer-Encoding (no smuggling),
//  - a Content-Length body has exactly that many bytes,
//  - multipart parts never contain the delimiter.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var limits = ServerLimits()
    limits.maxBodyBytes = 4096
    limits.maxHeaderBytes = 2048
    let whole = outcome(bytes, cut: nil, limits: limits)
    let cut = size == 0 ? 0 : Int(bytes[0]) % (size + 1)
    let split = outcome(bytes, cut: cut, limits: limits)
    precondition(whole == split, "outcome depends on where the input is split")
    for request in whole.requests {
        precondition(!(request.headers.contains(.contentLength) && request.headers.contains(.transferEncoding)))
        if case .contentLength(let length) = request.head.framing { precondition(request.body.count == length) }
    }
    if let parser = try? MultipartParser(boundary: "XyZ"), let parts = try? parser.parse(bytes) {
        let delimiter = Array("\r\n--XyZ".utf8)
        for part in parts { precondition(MultipartParser.find(delimiter, in: part.body, from: 0) == nil) }
    }
    return 0
}

struct Outcome: Equatable {
    var requests: [Request] = []
    var error: HTTPParseError?
}

func outcome(_ bytes: [UInt8], cut: Int?, limits: ServerLimits) -> Outcome {
    var parser = RequestParser(limits: limits)
    var result = Outcome()
    let pieces = cut.map { [bytes[..<$0], bytes[$0...]] } ?? [bytes[...]]
    for piece in pieces {
        parser.append(piece)
        do {
            while let event = try parser.next() {
                if case .message(let request) = event { result.requests.append(request) }
            }
        } catch {
            result.error = error
            return result
        }
    }
    return result
}
