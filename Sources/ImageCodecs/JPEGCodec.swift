import CJPEGShim

/// JPEG decoding and encoding through libjpeg-turbo, via the setjmp-safe C wrapper in Sources/CJPEGShim.
///
/// Decoding uses libjpeg's defaults (accurate integer IDCT, fancy upsampling) and returns gray as 1 channel,
/// YCbCr/RGB as 3; CMYK/YCCK is converted to RGB. The EXIF orientation is applied unless disabled.
enum JPEGCodec {
    struct Header {
        var width: Int
        var height: Int
        var components: Int
        var invertedCMYK: Bool
        var orientation: Int
        var orientedWidth: Int { ExifOrientation.swapsAxes(orientation) ? height : width }
        var orientedHeight: Int { ExifOrientation.swapsAxes(orientation) ? width : height }
    }

    static func readHeader(_ bytes: [UInt8], applyOrientation: Bool) throws(ImageCodecError) -> Header {
        var info = binsr_jpeg_info()
        let status = bytes.withUnsafeBufferPointer { binsr_jpeg_read_info($0.baseAddress, $0.count, &info) }
        try check(status, &info.message)
        let orientation = applyOrientation ? ExifOrientation.read(jpeg: bytes) ?? 1 : 1
        return Header(
            width: Int(info.width), height: Int(info.height), components: Int(info.components),
            invertedCMYK: info.inverted_cmyk != 0, orientation: orientation)
    }

    static func decode(_ bytes: [UInt8], options: DecodeOptions) throws(ImageCodecError) -> Image {
        let header = try readHeader(bytes, applyOrientation: options.applyOrientation)
        // The pixel limit is checked before anything proportional to the image is allocated.
        try options.checkPixelLimit(width: header.width, height: header.height)
        var info = binsr_jpeg_info()
        var status = BINSR_JPEG_OK
        let maxScans = Int32(clamping: max(1, options.maxProgressiveScans))
        var samples: [UInt8] = uninitializedSamples(count: header.width * header.height * header.components) { out in
            status = bytes.withUnsafeBufferPointer {
                binsr_jpeg_decode(
                    $0.baseAddress, $0.count, out.baseAddress!.assumingMemoryBound(to: UInt8.self), out.count,
                    maxScans, &info)
            }
            return status == BINSR_JPEG_OK
        }
        try check(status, &info.message)
        if header.components == 4 { samples = rgb(cmyk: samples, inverted: header.invertedCMYK) }
        let image = samples.withUnsafeBufferPointer {
            planarImage(
                interleaved: $0, width: header.width, height: header.height,
                channels: header.components == 1 ? 1 : 3, hasAlpha: false, sourceBitDepth: 8)
        }
        return ExifOrientation.apply(header.orientation, to: image)
    }

    /// Naive CMYK -> RGB (R = (1 - C)(1 - K), ...), without an ICC profile. Adobe (APP14) files store CMYK
    /// inverted, so there the stored byte already is 1 - C.
    static func rgb(cmyk: [UInt8], inverted: Bool) -> [UInt8] {
        let pixels = cmyk.count / 4
        var out = [UInt8](repeating: 0, count: pixels * 3)
        for i in 0..<pixels {
            func ink(_ c: Int) -> Int { inverted ? Int(cmyk[i * 4 + c]) : 255 - Int(cmyk[i * 4 + c]) }
            let k = ink(3)
            for c in 0..<3 { out[i * 3 + c] = UInt8((ink(c) * k + 127) / 255) }
        }
        return out
    }

    static func encode(_ image: Image, options: JPEGOptions) throws(ImageCodecError) -> [UInt8] {
        try options.validate()
        let maxDimension = ImageFormat.jpeg.maxDimension
        guard (1...maxDimension).contains(image.width), (1...maxDimension).contains(image.height) else {
            throw .invalidParameter(
                "JPEG dimensions must be between 1 and \(maxDimension), got \(image.width)x\(image.height)")
        }
        let flattened = flattenedOverWhite(image)
        let samples = interleavedSamples(flattened, includeAlpha: false, quantize: quantizeToUInt8)
        var output: UnsafeMutablePointer<UInt8>?
        var outputSize = 0
        var message = [CChar](repeating: 0, count: Int(BINSR_JPEG_MESSAGE_LENGTH))
        let status = samples.withUnsafeBufferPointer {
            binsr_jpeg_encode(
                $0.baseAddress, UInt32(image.width), UInt32(image.height), Int32(image.colorChannels),
                Int32(options.quality), options.subsampleChroma ? 1 : 0, &output, &outputSize, &message)
        }
        defer { binsr_jpeg_free(output) }
        guard status == BINSR_JPEG_OK, let output else { throw .encodeFailed("JPEG: " + cString(&message)) }
        return Array(UnsafeBufferPointer(start: output, count: outputSize))
    }

    /// Composites over white (colour values are non-premultiplied; blending in the stored, gamma-encoded space
    /// is what browsers do for CSS compositing).
    static func flattenedOverWhite(_ image: Image) -> Image {
        guard let alpha = image.alpha else { return image }
        let n = image.pixelCount
        var color = image.color
        for c in 0..<image.colorChannels {
            for i in 0..<n {
                let a = min(max(alpha[i], 0), 1)
                color[c * n + i] = color[c * n + i] * a + (1 - a)
            }
        }
        return Image(
            width: image.width, height: image.height, colorChannels: image.colorChannels, color: color,
            alpha: nil, sourceBitDepth: image.sourceBitDepth)
    }

    private static func check<T>(_ status: binsr_jpeg_status, _ message: inout T) throws(ImageCodecError) {
        switch status {
        case BINSR_JPEG_OK: return
        case BINSR_JPEG_TRUNCATED: throw .truncated
        case BINSR_JPEG_UNSUPPORTED: throw .unsupported("JPEG: " + cString(&message))
        case BINSR_JPEG_NO_MEMORY: throw .corrupt("JPEG: decoder memory limit exceeded")
        default: throw .corrupt("JPEG: " + cString(&message))
        }
    }
}
