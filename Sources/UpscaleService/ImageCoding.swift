import ImageCodecs

/// The seam to the ImageCodecs module, so the service is testable before and independently of the real codecs.
/// The production conformance is `ImageCodecsCoding` (a thin adapter over ImageCodecs' free functions). Errors stay
/// the codecs' own (`ImageCodecError`); `ServiceError.init(_:)` is the one place they become the service's.
public protocol ImageCoding: Sendable {
    /// Decodes `bytes` already known to be `format` (the service sniffs the signature once, to negotiate).
    func decode(_ bytes: [UInt8], as format: ImageFormat, maxPixels: Int) throws(ImageCodecError) -> Image
    /// `quality` applies to JPEG and lossy WebP, `lossless` to WebP, `pngCompressionLevel` to PNG.
    func encode(_ image: Image, as format: ImageFormat, quality: Int, lossless: Bool, pngCompressionLevel: Int)
        throws(ImageCodecError) -> [UInt8]
}

extension ImageCoding {
    /// Decodes bytes whose format nobody has looked at yet (the study's source images), by their signature.
    public func decode(_ bytes: [UInt8], maxPixels: Int) throws(ImageCodecError) -> Image {
        guard let format = ImageFormat.detect(bytes) else { throw .unsupportedFormat }
        return try decode(bytes, as: format, maxPixels: maxPixels)
    }
}

extension ImageFormat {
    /// Whether the format can store the result without loss: PNG always, WebP in its lossless mode, JPEG never.
    var hasLosslessMode: Bool { self != .jpeg }
}
