import ImageCodecs

/// The encoded formats the service accepts and produces.
public enum EncodedFormat: String, Sendable, CaseIterable {
    case png
    case jpeg

    public var mediaType: String { "image/\(rawValue)" }

    public init?(mediaType: String) {
        switch mediaType.lowercased() {
        case "image/png": self = .png
        case "image/jpeg", "image/jpg": self = .jpeg
        default: return nil
        }
    }

    /// From the file signature: PNG's 8-byte magic (PNG spec §5.2) or JPEG's SOI marker FF D8 FF (ITU T.81 B.1.1.2).
    public init?(sniffing bytes: [UInt8]) {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else {
            return nil
        }
    }
}

/// Why an image could not be decoded or encoded, in the service's terms (each maps to one HTTP status).
public enum CodecFailure: Error, Equatable, Sendable {
    /// The bytes are not PNG or JPEG at all.
    case notAnImage
    /// PNG/JPEG signature, but the data is damaged or unsupported; the reason comes from the decoder.
    case corrupt(String)
    /// The image has more pixels than the configured limit (checked from the header, before decoding).
    case tooLarge(width: Int, height: Int, maxPixels: Int)
    /// Encoding the result failed.
    case encodeFailed(String)
}

/// The seam to the ImageCodecs module, so the service is testable before and independently of the real codecs.
/// The production conformance is `ImageCodecsCoding` (a thin adapter over ImageCodecs' free functions).
public protocol ImageCoding: Sendable {
    func decode(_ bytes: [UInt8], maxPixels: Int) throws(CodecFailure) -> Image
    func encode(_ image: Image, as format: EncodedFormat, jpegQuality: Int, pngCompressionLevel: Int)
        throws(CodecFailure) -> [UInt8]
}
