import CPNGShim

/// PNG decoding and encoding through libpng 1.6, via the setjmp-safe C wrapper in Sources/CPNGShim.
///
/// Decoding keeps the stored sample values: no gamma correction (gAMA/sRGB/iCCP/cICP are ignored) because the
/// network and the evaluation protocol work on the encoded values, as every SR benchmark does, and a PNG with a
/// gAMA chunk must upscale to the same numbers as the same pixels without one. Palette becomes RGB, tRNS
/// becomes the alpha plane, 1/2/4-bit gray is scaled to 8 bits, 16-bit samples stay exact (k / 65535).
enum PNGCodec {
    struct Header {
        var width: Int
        var height: Int
        /// Output samples per pixel after libpng's expansion (1-4, alpha last).
        var channels: Int
        /// 8 or 16.
        var bitDepth: Int
    }

    static func readHeader(_ bytes: [UInt8]) throws(ImageCodecError) -> Header {
        var info = binsr_png_info()
        let status = bytes.withUnsafeBufferPointer { binsr_png_read_info($0.baseAddress, $0.count, &info) }
        try check(status, &info.message)
        return Header(
            width: Int(info.width), height: Int(info.height), channels: Int(info.channels),
            bitDepth: Int(info.bit_depth))
    }

    static func decode(_ bytes: [UInt8], options: DecodeOptions) throws(ImageCodecError) -> Image {
        let header = try readHeader(bytes)
        // The pixel limit is checked before anything proportional to the image is allocated.
        try options.checkPixelLimit(width: header.width, height: header.height)
        if header.bitDepth == 16 { return try decodeSamples(UInt16.self, bytes, header) }
        return try decodeSamples(UInt8.self, bytes, header)
    }

    private static func decodeSamples<T: FixedWidthInteger & UnsignedInteger>(
        _: T.Type, _ bytes: [UInt8], _ header: Header
    ) throws(ImageCodecError) -> Image {
        var info = binsr_png_info()
        var status = BINSR_PNG_OK
        let samples: [T] = uninitializedSamples(count: header.width * header.height * header.channels) { out in
            status = bytes.withUnsafeBufferPointer {
                binsr_png_decode(
                    $0.baseAddress, $0.count, out.baseAddress!.assumingMemoryBound(to: UInt8.self), out.count, &info)
            }
            return status == BINSR_PNG_OK
        }
        try check(status, &info.message)
        return samples.withUnsafeBufferPointer {
            planarImage(
                interleaved: $0, width: header.width, height: header.height, channels: header.channels,
                hasAlpha: header.channels == 2 || header.channels == 4, sourceBitDepth: T.bitWidth)
        }
    }

    static func encode(_ image: Image, options: PNGOptions) throws(ImageCodecError) -> [UInt8] {
        try options.validate()
        let maxDimension = ImageFormat.png.maxDimension
        guard (1...maxDimension).contains(image.width), (1...maxDimension).contains(image.height) else {
            throw .invalidParameter("PNG dimensions must be between 1 and 2^31-1, got \(image.width)x\(image.height)")
        }
        let bitDepth = options.bitDepth ?? (image.sourceBitDepth == 16 ? 16 : 8)
        let channels = image.colorChannels + (image.alpha == nil ? 0 : 1)
        var output: UnsafeMutablePointer<UInt8>?
        var outputSize = 0
        var message = [CChar](repeating: 0, count: Int(BINSR_PNG_MESSAGE_LENGTH))
        let status: binsr_png_status
        if bitDepth == 16 {
            let samples = interleavedSamples(image, includeAlpha: true, quantize: quantizeToUInt16)
            status = samples.withUnsafeBytes { raw in
                binsr_png_encode(
                    raw.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt32(image.width),
                    UInt32(image.height), Int32(channels), 16, Int32(options.compressionLevel),
                    &output, &outputSize, &message)
            }
        } else {
            let samples = interleavedSamples(image, includeAlpha: true, quantize: quantizeToUInt8)
            status = samples.withUnsafeBufferPointer { raw in
                binsr_png_encode(
                    raw.baseAddress!, UInt32(image.width), UInt32(image.height), Int32(channels), 8,
                    Int32(options.compressionLevel), &output, &outputSize, &message)
            }
        }
        defer { binsr_png_free(output) }
        guard status == BINSR_PNG_OK, let output else {
            throw .encodeFailed("PNG: " + cString(&message))
        }
        return Array(UnsafeBufferPointer(start: output, count: outputSize))
    }

    private static func check<T>(_ status: binsr_png_status, _ message: inout T) throws(ImageCodecError) {
        switch status {
        case BINSR_PNG_OK: return
        case BINSR_PNG_TRUNCATED: throw .truncated
        case BINSR_PNG_NO_MEMORY: throw .corrupt("PNG: out of memory while decoding")
        default: throw .corrupt("PNG: " + cString(&message))
        }
    }
}

/// A fixed-size C `char` array (imported as a tuple) as a Swift string.
func cString<T>(_ tuple: inout T) -> String {
    withUnsafeBytes(of: &tuple) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
}

/// A NUL-terminated message buffer as a Swift string.
func cString(_ buffer: inout [CChar]) -> String {
    buffer.withUnsafeBytes { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
}
