/// Size and first chunk of a WebP file, read by hand so that tests can check our encoder's output without our
/// decoder. Layout per RFC 9649: "RIFF", size, "WEBP", then the first chunk; a VP8 frame header follows its 3-byte
/// frame tag and start code, a VP8L header its 0x2F signature, and VP8X holds the canvas size.
public struct WebPBitstreamHeader: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// "VP8 " (simple lossy), "VP8L" (lossless) or "VP8X" (extended, e.g. lossy with alpha).
    public var chunk: String

    public init?(_ bytes: [UInt8]) {
        guard bytes.count >= 30, bytes.starts(with: Array("RIFF".utf8)), bytes[8..<12].elementsEqual("WEBP".utf8)
        else { return nil }
        func le(_ offset: Int, _ count: Int) -> Int {
            (0..<count).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
        }
        chunk = String(decoding: bytes[12..<16], as: UTF8.self)
        switch chunk {
        case "VP8 ": (width, height) = (le(26, 2) & 0x3FFF, le(28, 2) & 0x3FFF)
        case "VP8L": (width, height) = ((le(21, 4) & 0x3FFF) + 1, ((le(21, 4) >> 14) & 0x3FFF) + 1)
        case "VP8X": (width, height) = (le(24, 3) + 1, le(27, 3) + 1)
        default: return nil
        }
    }
}
