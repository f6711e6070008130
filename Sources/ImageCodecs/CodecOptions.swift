/// Limits applied while decoding untrusted bytes.
public struct DecodeOptions: Sendable {
    /// Largest accepted `width * height`, checked against the header before any pixel buffer exists.
    /// Default 40 MP: a 40 MP RGBA decode needs about 40e6 * 4 planes * 4 bytes = 640 MB of floats.
    public var maxPixels: Int
    /// Rotate/flip JPEGs as their EXIF Orientation tag says, so the image comes out the way viewers show it.
    public var applyOrientation: Bool
    /// Largest number of scans accepted in a progressive JPEG. Each scan costs a pass over the coefficients and a
    /// crafted file can repeat tiny ones; real encoders write about 10 (libjpeg-turbo's own fuzzing and its
    /// `djpeg -maxscans` advice use a few hundred). Default 500.
    public var maxProgressiveScans: Int

    public init(maxPixels: Int = 40_000_000, applyOrientation: Bool = true, maxProgressiveScans: Int = 500) {
        self.maxPixels = maxPixels
        self.applyOrientation = applyOrientation
        self.maxProgressiveScans = maxProgressiveScans
    }

    func checkPixelLimit(width: Int, height: Int) throws(ImageCodecError) {
        guard width > 0, height > 0 else { throw .corrupt("image has zero width or height") }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || pixels > maxPixels { throw .tooLarge(width: width, height: height, limit: maxPixels) }
    }
}

/// PNG encoder settings.
public struct PNGOptions: Sendable {
    /// zlib level 0 (store) to 9 (smallest). 6 is zlib's default trade-off.
    public var compressionLevel: Int
    /// 8 or 16; nil writes 16 bits when the image came from a 16-bit source, else 8.
    public var bitDepth: Int?

    public init(compressionLevel: Int = 6, bitDepth: Int? = nil) {
        self.compressionLevel = compressionLevel
        self.bitDepth = bitDepth
    }

    func validate() throws(ImageCodecError) {
        guard (0...9).contains(compressionLevel) else {
            throw .invalidParameter("PNG compression level must be 0-9, got \(compressionLevel)")
        }
        if let bitDepth, bitDepth != 8, bitDepth != 16 {
            throw .invalidParameter("PNG bit depth must be 8 or 16, got \(bitDepth)")
        }
    }
}

/// JPEG encoder settings.
public struct JPEGOptions: Sendable {
    /// libjpeg quality 1-100 (IJG scaling of the Annex K tables).
    public var quality: Int
    /// Store colour at half resolution (4:2:0, libjpeg's default and smallest files) instead of 4:4:4, which
    /// keeps the fine chroma detail an upscaler adds at the cost of about a third more bytes.
    public var subsampleChroma: Bool

    public init(quality: Int = 90, subsampleChroma: Bool = true) {
        self.quality = quality
        self.subsampleChroma = subsampleChroma
    }

    func validate() throws(ImageCodecError) {
        guard (1...100).contains(quality) else {
            throw .invalidParameter("JPEG quality must be 1-100, got \(quality)")
        }
    }
}

/// WebP encoder settings.
public struct WebPOptions: Sendable {
    /// Lossy quality 1-100, on the scale of JPEG's (libwebp maps it to VP8 quantizers the way cwebp `-q` does).
    /// Ignored when `lossless`: libwebp reads it there as compression effort, which changes the size, not the pixels,
    /// and the encoder uses a fixed fast effort instead (see `WebPCodec.encode`).
    public var quality: Int
    /// VP8L (lossless) instead of VP8 (lossy). Lossless keeps every 8-bit sample, including the colour under fully
    /// transparent pixels (libwebp's `exact`); lossy keeps alpha losslessly but not the colour under it.
    public var lossless: Bool

    public init(quality: Int = 90, lossless: Bool = false) {
        self.quality = quality
        self.lossless = lossless
    }

    func validate() throws(ImageCodecError) {
        guard (1...100).contains(quality) else {
            throw .invalidParameter("WebP quality must be 1-100, got \(quality)")
        }
    }
}
