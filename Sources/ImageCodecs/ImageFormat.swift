/// The container formats this module reads and writes.
public enum ImageFormat: String, Sendable, CaseIterable {
    case png
    case jpeg

    /// The format whose signature starts `bytes`, or nil.
    ///
    /// PNG: the 8-byte signature of PNG 3rd ed. section 5.2. JPEG: SOI followed by the first byte of any
    /// marker (FF D8 FF, ITU-T T.81 B.1.1.3), which covers JFIF, Exif and bare baseline/progressive streams.
    public static func detect(_ bytes: some Collection<UInt8>) -> ImageFormat? {
        let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let jpegSignature: [UInt8] = [0xFF, 0xD8, 0xFF]
        if bytes.starts(with: pngSignature) { return .png }
        if bytes.starts(with: jpegSignature) { return .jpeg }
        return nil
    }

    /// The IANA media type, for Content-Type headers.
    public var mediaType: String {
        switch self {
        case .png: return "image/png"
        case .jpeg: return "image/jpeg"
        }
    }

    var displayName: String {
        switch self {
        case .png: return "PNG"
        case .jpeg: return "JPEG"
        }
    }
}
