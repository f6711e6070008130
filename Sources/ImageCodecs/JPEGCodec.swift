enum JPEGCodec {
    struct Header {
        var orientedWidth: Int
        var orientedHeight: Int
    }
    static func readHeader(_ bytes: [UInt8], applyOrientation: Bool) throws(ImageCodecError) -> Header {
        throw .unsupported("JPEG decoding is not implemented yet")
    }
    static func decode(_ bytes: [UInt8], options: DecodeOptions) throws(ImageCodecError) -> Image {
        throw .unsupported("JPEG decoding is not implemented yet")
    }
    static func encode(_ image: Image, options: JPEGOptions) throws(ImageCodecError) -> [UInt8] {
        throw .unsupported("JPEG encoding is not implemented yet")
    }
}
