import ImageCodecs

/// The production `ImageCoding`: ImageCodecs' libpng/libjpeg/libwebp codecs, errors translated to the service's terms.
public struct ImageCodecsCoding: ImageCoding {
    public init() {}

    public func decode(_ bytes: [UInt8], maxPixels: Int) throws(CodecFailure) -> Image {
        do {
            return try decodeImage(bytes, options: DecodeOptions(maxPixels: maxPixels))
        } catch {
            throw Self.translate(error)
        }
    }

    public func encode(_ image: Image, as format: EncodedFormat, quality: Int, lossless: Bool, pngCompressionLevel: Int)
        throws(CodecFailure) -> [UInt8]
    {
        do {
            switch format {
            case .png: return try encodePNG(image, options: PNGOptions(compressionLevel: pngCompressionLevel))
            case .jpeg: return try encodeJPEG(image, options: JPEGOptions(quality: quality))
            case .webp: return try encodeWebP(image, options: WebPOptions(quality: quality, lossless: lossless))
            }
        } catch {
            throw .encodeFailed(error.description)
        }
    }

    static func translate(_ error: ImageCodecError) -> CodecFailure {
        switch error {
        case .unsupportedFormat: .notAnImage
        case .tooLarge(let width, let height, let limit): .tooLarge(width: width, height: height, maxPixels: limit)
        case .truncated, .corrupt, .unsupported, .invalidParameter, .fileUnreadable: .corrupt(error.description)
        case .encodeFailed(let reason): .encodeFailed(reason)
        }
    }
}
