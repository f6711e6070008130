import ImageCodecs

/// The production `ImageCoding`: ImageCodecs' libpng/libjpeg codecs, errors translated to the service's terms.
public struct ImageCodecsCoding: ImageCoding {
    public init() {}

    public func decode(_ bytes: [UInt8], maxPixels: Int) throws(CodecFailure) -> Image {
        do {
            return try decodeImage(bytes, options: DecodeOptions(maxPixels: maxPixels))
        } catch {
            throw Self.translate(error)
        }
    }

    public func encode(_ image: Image, as format: EncodedFormat, jpegQuality: Int, pngCompressionLevel: Int)
        throws(CodecFailure) -> [UInt8]
    {
        do {
            switch format {
            case .png: return try encodePNG(image, options: PNGOptions(compressionLevel: pngCompressionLevel))
            case .jpeg: return try encodeJPEG(image, options: JPEGOptions(quality: jpegQuality))
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
