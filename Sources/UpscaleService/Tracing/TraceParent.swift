import Foundation

/// A W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/ §3.2): the trace a request belongs to
/// and the caller's span in it. Parsed here rather than by the tracer so that the trace id reaches the logs even
/// with no tracer configured (the default no-op one records nothing and knows no ids).
struct TraceParent: Sendable, Equatable {
    /// 32 lowercase hex digits, not all zero.
    let traceID: String
    /// The caller's span: 16 lowercase hex digits, not all zero.
    let parentID: String
    /// Bit 0 is `sampled` (§3.2.2.5); the others are kept as sent.
    let flags: UInt8

    init(traceID: String, parentID: String, flags: UInt8) {
        self.traceID = traceID
        self.parentID = parentID
        self.flags = flags
    }

    /// Parses a `traceparent` value; nil for anything malformed, which the spec says to ignore, starting a new trace
    /// (§3.2.2: "If the vendor failed to parse traceparent, it MUST NOT attempt to parse tracestate").
    init?(header: String?) {
        guard let header else { return nil }
        let value = Array(header.trimmingCharacters(in: .whitespaces).utf8)
        // version "-" trace-id "-" parent-id "-" flags: 2 + 1 + 32 + 1 + 16 + 1 + 2 = 55 bytes.
        guard value.count >= 55, value[2] == UInt8(ascii: "-"), value[35] == UInt8(ascii: "-"),
            value[52] == UInt8(ascii: "-"),
            let version = Self.hexByte(value[0..<2]), version != 0xff
        else { return nil }
        // Version 00 is exactly 55 bytes; a later version may append fields after a "-" (§4.3, "Versioning"), and
        // is read as version 00.
        if version == 0 && value.count != 55 { return nil }
        if value.count > 55 && value[55] != UInt8(ascii: "-") { return nil }
        let traceID = value[3..<35]
        let parentID = value[36..<52]
        guard Self.isHex(traceID), Self.isHex(parentID), let flags = Self.hexByte(value[53..<55]),
            traceID.contains(where: { $0 != UInt8(ascii: "0") }),
            parentID.contains(where: { $0 != UInt8(ascii: "0") })
        else { return nil }
        self.traceID = String(decoding: traceID, as: UTF8.self)
        self.parentID = String(decoding: parentID, as: UTF8.self)
        self.flags = flags
    }

    /// The version-00 header value.
    var header: String {
        let hexFlags = String(flags, radix: 16)
        return "00-\(traceID)-\(parentID)-\(hexFlags.count == 1 ? "0" + hexFlags : hexFlags)"
    }

    /// A new trace id: 16 random bytes (§3.2.2.3 asks for randomness in the id; the system generator is a CSPRNG).
    static func newTraceID() -> String { randomHex(bytes: 16) }

    /// A new span id: 8 random bytes.
    static func newSpanID() -> String { randomHex(bytes: 8) }

    private static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        while true {
            let values = (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // All zeros is the one invalid value (§3.2.2.3); 2^-64 at worst, but cheap to rule out.
            guard values.contains(where: { $0 != 0 }) else { continue }
            return values.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        }
    }

    /// Lowercase only: the spec's HEXDIGLC (§3.2.2).
    private static func isHex(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
        }
    }

    private static func hexByte(_ bytes: ArraySlice<UInt8>) -> UInt8? {
        guard isHex(bytes) else { return nil }
        return UInt8(String(decoding: bytes, as: UTF8.self), radix: 16)
    }
}
