/// The container formats this module reads and writes.
public enum ImageFormat: String, Sendable, CaseIterable {
    case png
    case jpeg
    case webp

    /// The format whose signature starts `bytes`, or nil.
    ///
    /// PNG: the 8-byte signature of PNG 3rd ed. section 5.2. JPEG: SOI followed by the first byte of any
    /// marker (FF D8 FF, ITU-T T.81 B.1.1.3), which covers JFIF, Exif and bare baseline/progressive streams.
    /// WebP: "RIFF", a 4-byte size, "WEBP" (the RIFF header of the WebP container, RFC 9649); the size is left to
    /// the decoder, which reports a short file as truncated.
    public static func detect(_ bytes: some Collection<UInt8>) -> ImageFormat? {
        let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let jpegSignature: [UInt8] = [0xFF, 0xD8, 0xFF]
        if bytes.starts(with: pngSignature) { return .png }
        if bytes.starts(with: jpegSignature) { return .jpeg }
        if bytes.starts(with: "RIFF".utf8) && bytes.dropFirst(8).starts(with: "WEBP".utf8) { return .webp }
        return nil
    }

    /// The IANA media type, for Content-Type headers.
    public var mediaType: String {
        switch self {
        case .png: return "image/png"
        case .jpeg: return "image/jpeg"
        case .webp: return "image/webp"
        }
    }

    /// The largest width or height the format can store: PNG's 31-bit fields (PNG 3rd ed. 11.2.1), the
    /// 65500 libjpeg-turbo allows (JPEG_MAX_DIMENSION), and WebP's 14-bit fields (WEBP_MAX_DIMENSION, 16383).
    public var maxDimension: Int {
        switch self {
        case .png: return Int(Int32.max)
        case .jpeg: return 65500
        case .webp: return 16383
        }
    }
}
