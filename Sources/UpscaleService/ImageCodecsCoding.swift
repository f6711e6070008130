import ImageCodecs

/// The production `ImageCoding`: ImageCodecs' libpng/libjpeg/libwebp codecs.
public struct ImageCodecsCoding: ImageCoding {
    public init() {}

    public func decode(_ bytes: [UInt8], as format: ImageFormat, maxPixels: Int) throws(ImageCodecError) -> Image {
        try decodeImage(bytes, as: format, options: DecodeOptions(maxPixels: maxPixels))
    }

    public func encode(_ image: Image, as format: ImageFormat, quality: Int, lossless: Bool, pngCompressionLevel: Int)
        throws(ImageCodecError) -> [UInt8]
    {
        switch format {
        case .png: try encodePNG(image, options: PNGOptions(compressionLevel: pngCompressionLevel))
        case .jpeg: try encodeJPEG(image, options: JPEGOptions(quality: quality))
        case .webp: try encodeWebP(image, options: WebPOptions(quality: quality, lossless: lossless))
        }
    }
}
