import ImageCodecs

/// The encoded formats the service accepts and produces.
public enum EncodedFormat: String, Sendable, CaseIterable {
    case png
    case jpeg
    case webp

    public var mediaType: String { "image/\(rawValue)" }

    public init?(mediaType: String) {
        switch mediaType.lowercased() {
        case "image/png": self = .png
        case "image/jpeg", "image/jpg": self = .jpeg
        case "image/webp": self = .webp
        default: return nil
        }
    }

    /// From the file signature, as the decoder will see it (`ImageFormat.detect`: PNG, JPEG and WebP magic).
    public init?(sniffing bytes: [UInt8]) {
        guard let format = ImageFormat.detect(bytes) else { return nil }
        self.init(format)
    }

    init(_ format: ImageFormat) {
        switch format {
        case .png: self = .png
        case .jpeg: self = .jpeg
        case .webp: self = .webp
        }
    }

    /// The codecs' name for the format.
    var imageFormat: ImageFormat {
        switch self {
        case .png: .png
        case .jpeg: .jpeg
        case .webp: .webp
        }
    }

    /// Whether the format can store the result without loss: PNG always, WebP in its lossless mode, JPEG never.
    var hasLosslessMode: Bool { self != .jpeg }
}

/// Why an image could not be decoded or encoded, in the service's terms (each maps to one HTTP status).
public enum CodecFailure: Error, Equatable, Sendable {
    /// The bytes are not PNG, JPEG or WebP at all.
    case notAnImage
    /// A known signature, but the data is damaged or unsupported; the reason comes from the decoder.
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
    /// `quality` applies to JPEG and lossy WebP, `lossless` to WebP, `pngCompressionLevel` to PNG.
    func encode(_ image: Image, as format: EncodedFormat, quality: Int, lossless: Bool, pngCompressionLevel: Int)
        throws(CodecFailure) -> [UInt8]
}
