import CWebP

/// WebP decoding and encoding through libwebp's advanced API (decode.h, encode.h).
///
/// libwebp reports every failure as a return code (`VP8StatusCode`, `WebPEncodingError`) and never jumps, so unlike
/// libpng and libjpeg it needs no C shim. Decoding returns RGB plus an alpha plane when the image has alpha,
/// non-premultiplied and with libwebp's default (fancy) chroma upsampling: the pixels `dwebp` writes.
/// Animated files are refused rather than cut to their first frame, which would silently drop the animation.
enum WebPCodec {
    struct Header {
        var width: Int
        var height: Int
        var hasAlpha: Bool
        var isAnimated: Bool
        var isLossless: Bool
    }

    /// Reads the RIFF/VP8/VP8L/VP8X headers only; allocates nothing proportional to the image.
    static func readHeader(_ bytes: [UInt8]) throws(ImageCodecError) -> Header {
        var features = WebPBitstreamFeatures()
        let status = bytes.withUnsafeBufferPointer { WebPGetFeatures($0.baseAddress, $0.count, &features) }
        try check(status)
        // `format`: 0 undefined (VP8X with mixed or no image chunks yet), 1 lossy, 2 lossless (decode.h).
        return Header(
            width: Int(features.width), height: Int(features.height), hasAlpha: features.has_alpha != 0,
            isAnimated: features.has_animation != 0, isLossless: features.format == 2)
    }

    static func decode(_ bytes: [UInt8], options: DecodeOptions) throws(ImageCodecError) -> Image {
        let header = try readHeader(bytes)
        if header.isAnimated {
            throw .unsupported("WebP: animated images are not supported; send a single frame")
        }
        // The pixel limit is checked before anything proportional to the image is allocated.
        try options.checkPixelLimit(width: header.width, height: header.height)
        var config = WebPDecoderConfig()
        guard WebPInitDecoderConfig(&config) != 0 else { throw .corrupt("WebP: decoder version mismatch") }
        // A lossless bitstream is ARGB whatever its header says: VP8L's alpha_is_used bit "is a hint only and
        // SHOULD NOT impact decoding" (RFC 9649), and libwebp's bad_palette_index.webp, flagged opaque, decodes
        // with transparent pixels in dwebp. So lossless is always decoded with alpha, which is dropped if opaque.
        let decodeAlpha = header.hasAlpha || header.isLossless
        let channels = decodeAlpha ? 4 : 3
        config.output.colorspace = decodeAlpha ? MODE_RGBA : MODE_RGB
        // Decode straight into our buffer, so there is no second copy of the output. libwebp's own working memory
        // is bounded by the same pixel limit: a few rows for lossy, one ARGB frame for lossless (VP8L's decoder).
        config.output.is_external_memory = 1
        var status = VP8_STATUS_OK
        let samples: [UInt8] = uninitializedSamples(count: header.width * header.height * channels) { out in
            config.output.u.RGBA.rgba = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
            config.output.u.RGBA.stride = Int32(header.width * channels)
            config.output.u.RGBA.size = out.count
            status = bytes.withUnsafeBufferPointer { WebPDecode($0.baseAddress, $0.count, &config) }
            // The output is our memory, so this frees nothing of it; it releases what a failed decode left behind.
            WebPFreeDecBuffer(&config.output)
            // WebPDecode re-reads the headers WebPGetFeatures read, so the sizes agree; checked anyway, because an
            // image of other dimensions than its buffer's must never get through.
            return status == VP8_STATUS_OK && Int(config.output.width) == header.width
                && Int(config.output.height) == header.height
        }
        try check(status)
        guard samples.count == header.width * header.height * channels else {
            throw .corrupt("WebP: the bitstream's dimensions differ from its header's")
        }
        let image = samples.withUnsafeBufferPointer {
            planarImage(
                interleaved: $0, width: header.width, height: header.height, channels: channels,
                hasAlpha: decodeAlpha, sourceBitDepth: 8)
        }
        guard decodeAlpha, !header.hasAlpha, image.alpha?.allSatisfy({ $0 == 1 }) == true else { return image }
        return Image(width: image.width, height: image.height, colorChannels: 3, color: image.color, alpha: nil)
    }

    static func encode(_ image: Image, options: WebPOptions) throws(ImageCodecError) -> [UInt8] {
        try options.validate()
        let maxDimension = ImageFormat.webp.maxDimension
        guard (1...maxDimension).contains(image.width), (1...maxDimension).contains(image.height) else {
            throw .invalidParameter(
                "WebP dimensions must be between 1 and \(maxDimension), got \(image.width)x\(image.height)")
        }
        // WebP has no grayscale mode: gray is stored as RGB (decoding it gives 3 equal channels).
        let rgb = image.rgb()
        let channels = image.alpha == nil ? 3 : 4
        let samples = interleavedSamples(rgb, includeAlpha: true, quantize: quantizeToUInt8)

        var config = WebPConfig()
        var picture = WebPPicture()
        guard WebPConfigInit(&config) != 0, WebPPictureInit(&picture) != 0 else {
            throw .encodeFailed("WebP: encoder version mismatch")
        }
        defer { WebPPictureFree(&picture) }
        if options.lossless {
            // Effort preset 1 of 9 (cwebp -z 1: method 1, quality 20). On an 1800x1200 photo (cwebp 1.2.4, this
            // machine) it took 0.5 s for 2.11 MB where the default -z 6 took 1.4-3.5 s for 1.98 MB, and PNG at the
            // service's level 3 0.35 s for 3.2 MB: the encoder runs while the client waits, as for PNG's level.
            guard WebPConfigLosslessPreset(&config, 1) != 0 else { throw .encodeFailed("WebP: invalid preset") }
            config.exact = 1
        } else {
            config.quality = Float(options.quality)
        }
        // Lossless encodes ARGB directly; lossy converts to YUV 4:2:0 on import.
        picture.use_argb = config.lossless
        picture.width = Int32(image.width)
        picture.height = Int32(image.height)
        let imported = samples.withUnsafeBufferPointer { samples in
            let stride = Int32(image.width * channels)
            return channels == 4
                ? WebPPictureImportRGBA(&picture, samples.baseAddress, stride)
                : WebPPictureImportRGB(&picture, samples.baseAddress, stride)
        }
        guard imported != 0 else { throw .encodeFailed("WebP: out of memory") }

        var writer = WebPMemoryWriter()
        WebPMemoryWriterInit(&writer)
        defer { WebPMemoryWriterClear(&writer) }
        let encoded = withUnsafeMutablePointer(to: &writer) { writer in
            picture.writer = WebPMemoryWrite
            picture.custom_ptr = UnsafeMutableRawPointer(writer)
            return WebPEncode(&config, &picture)
        }
        guard encoded != 0, let output = writer.mem else {
            throw .encodeFailed("WebP: " + reason(picture.error_code))
        }
        return Array(UnsafeBufferPointer(start: output, count: writer.size))
    }

    private static func check(_ status: VP8StatusCode) throws(ImageCodecError) {
        switch status {
        case VP8_STATUS_OK: return
        case VP8_STATUS_NOT_ENOUGH_DATA: throw .truncated
        case VP8_STATUS_UNSUPPORTED_FEATURE: throw .unsupported("WebP: the file uses a feature libwebp cannot decode")
        case VP8_STATUS_OUT_OF_MEMORY: throw .corrupt("WebP: out of memory while decoding")
        default: throw .corrupt("WebP: invalid bitstream")
        }
    }

    /// The encoder's error codes (encode.h, `WebPEncodingError`) in words.
    private static func reason(_ error: WebPEncodingError) -> String {
        switch error {
        case VP8_ENC_ERROR_OUT_OF_MEMORY, VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY: return "out of memory"
        case VP8_ENC_ERROR_BAD_DIMENSION: return "dimensions out of range"
        case VP8_ENC_ERROR_PARTITION0_OVERFLOW, VP8_ENC_ERROR_PARTITION_OVERFLOW:
            return "the image is too complex for a VP8 partition at this quality"
        case VP8_ENC_ERROR_FILE_TOO_BIG: return "the output would exceed WebP's 4 GiB file size"
        default: return "libwebp error \(error.rawValue)"
        }
    }
}
