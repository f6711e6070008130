import Foundation
import ImageCodecs
import TestSupport
import Testing

@Suite struct WebPEncodeTests {
    /// A 40x24 RGBA image whose alpha takes every kind of value, with colour under the fully transparent pixels.
    static func translucent() -> Image {
        let width = 40
        let height = 24
        let n = width * height
        let color = (0..<3 * n).map { Float(($0 * 37) % 256) / 255 }
        let alpha = (0..<n).map { i in Float(i % width < 8 ? 0 : (i * 11) % 256) / 255 }
        return Image(width: width, height: height, colorChannels: 3, color: color, alpha: alpha)
    }

    @Test func losslessRoundTripIsExact() throws {
        let original = try decodeImage(try Reference.bytes("jpeg/testorig.jpg"))
        let webp = try encodeWebP(original, options: WebPOptions(lossless: true))
        #expect(ImageFormat.detect(webp) == .webp)
        #expect(WebPBitstreamHeader(webp)?.chunk == "VP8L")
        #expect(try decodeImage(webp) == original)
    }

    /// Including the colour under alpha 0, which libwebp's default (`exact` off) would overwrite.
    @Test func losslessKeepsAlphaAndTheColourUnderIt() throws {
        let original = Self.translucent()
        let decoded = try decodeImage(try encodeWebP(original, options: WebPOptions(lossless: true)))
        #expect(decoded == original)
    }

    @Test func lossyRoundTripStaysClose() throws {
        let original = try decodeImage(try Reference.bytes("jpeg/testorig.jpg"))
        let webp = try encodeWebP(original)
        #expect(WebPBitstreamHeader(webp)?.chunk == "VP8 ")
        let decoded = try decodeImage(webp)
        #expect(decoded.width == original.width && decoded.height == original.height && decoded.alpha == nil)
        // Quality 90, 4:2:0: measured 40.3 dB with libwebp 1.2.4 (JPEG at 90 on the same image: 44.5 dB).
        #expect(ImageDifference.psnr(decoded, original) > 38)
    }

    /// Lossy colour, but alpha is compressed losslessly (libwebp's alpha_quality 100 default).
    @Test func lossyKeepsAlphaExactly() throws {
        let original = Self.translucent()
        let webp = try encodeWebP(original, options: WebPOptions(quality: 80))
        #expect(WebPBitstreamHeader(webp)?.chunk == "VP8X")
        let decoded = try decodeImage(webp)
        #expect(decoded.alpha == original.alpha)
    }

    @Test func qualityTradesSizeForFidelity() throws {
        let original = try decodeImage(try Reference.bytes("jpeg/testorig.jpg"))
        let low = try encodeWebP(original, options: WebPOptions(quality: 20))
        let high = try encodeWebP(original, options: WebPOptions(quality: 98))
        #expect(low.count < high.count / 2)
        // Measured 31.1 dB (1.6 KB) at quality 20, 43.4 dB (10.9 KB) at 98.
        #expect(
            ImageDifference.psnr(try decodeImage(low), original) + 8
                < ImageDifference.psnr(try decodeImage(high), original))
    }

    /// WebP has no gray mode: gray comes back as three equal channels; 16-bit comes back 8-bit.
    @Test func grayAndSixteenBitBecomeEightBitRGB() throws {
        let gray = try decodeImage(try Reference.bytes("png/pngsuite/basn0g16.png"))
        #expect(gray.colorChannels == 1 && gray.sourceBitDepth == 16)
        let decoded = try decodeImage(try encodeWebP(gray, options: WebPOptions(lossless: true)))
        #expect(decoded.colorChannels == 3 && decoded.sourceBitDepth == 8)
        let expected = gray.color.map { Float(quantizeToUInt8($0)) / 255 }
        let n = gray.pixelCount
        for c in 0..<3 { #expect(Array(decoded.color[c * n..<(c + 1) * n]) == expected) }
    }

    @Test func invalidQualityIsRejected() throws {
        let image = Image(width: 1, height: 1, colorChannels: 1, color: [0.5])
        #expect(throws: ImageCodecError.invalidParameter("WebP quality must be 1-100, got 0")) {
            try encodeWebP(image, options: WebPOptions(quality: 0))
        }
        #expect(throws: ImageCodecError.invalidParameter("WebP quality must be 1-100, got 101")) {
            try encodeWebP(image, options: WebPOptions(quality: 101))
        }
        #expect(try decodeImage(try encodeWebP(image, options: WebPOptions(quality: 1))).width == 1)
    }

    /// 16383 per side is WebP's limit (14-bit fields); the check happens before any sample is converted.
    @Test func oversizedDimensionsAreRejected() throws {
        let image = Image(width: 16384, height: 1, colorChannels: 1, color: [Float](repeating: 0, count: 16384))
        #expect(throws: ImageCodecError.invalidParameter("WebP dimensions must be between 1 and 16383, got 16384x1")) {
            try encodeWebP(image)
        }
        let widest = Image(width: 16383, height: 1, colorChannels: 1, color: [Float](repeating: 0, count: 16383))
        #expect(try readImageHeader(try encodeWebP(widest)).width == 16383)
    }
}
