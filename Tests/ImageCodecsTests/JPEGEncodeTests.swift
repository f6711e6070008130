import Foundation
import ImageCodecs
import TestSupport
import Testing

@Suite struct JPEGEncodeTests {
    /// Component count of the SOF0 frame header (T.81 B.2.2).
    static func frameComponents(_ jpeg: [UInt8]) -> Int? {
        guard let sof = (0..<jpeg.count - 9).first(where: { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 }) else {
            return nil
        }
        return Int(jpeg[sof + 9])
    }

    @Test func colourRoundTripStaysClose() throws {
        let original = try decodeImage(try Reference.bytes("jpeg/testorig.jpg"))
        let jpeg = try encodeJPEG(original)
        #expect(ImageFormat.detect(jpeg) == .jpeg)
        #expect(Self.frameComponents(jpeg) == 3)
        let decoded = try decodeImage(jpeg)
        #expect(decoded.width == original.width && decoded.height == original.height)
        #expect(decoded.colorChannels == 3)
        // Re-encoding a JPEG at quality 90 (4:2:0): measured 44.5 dB with libjpeg-turbo 2.1.5.
        #expect(ImageDifference.psnr(decoded, original) > 40)
    }

    @Test func grayStaysGray() throws {
        let original = try decodeImage(try Reference.bytes("jpeg/testorig.png"))
        #expect(original.colorChannels == 1)
        let jpeg = try encodeJPEG(original, options: JPEGOptions(quality: 95))
        #expect(Self.frameComponents(jpeg) == 1)
        let decoded = try decodeImage(jpeg)
        #expect(decoded.colorChannels == 1)
        #expect(ImageDifference.psnr(decoded, original) > 45)  // measured 53.3 dB
    }

    /// Luma sampling factors in SOF0 (T.81 B.2.2: the byte after the first component id): 0x22 is 4:2:0.
    @Test func chromaSubsamplingIsConfigurable() throws {
        let original = try decodeImage(try Reference.bytes("jpeg/testorig.jpg"))
        func lumaSampling(_ jpeg: [UInt8]) -> UInt8? {
            guard let sof = (0..<jpeg.count - 11).first(where: { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 }) else {
                return nil
            }
            return jpeg[sof + 11]
        }
        let subsampled = try encodeJPEG(original)
        let full = try encodeJPEG(original, options: JPEGOptions(quality: 90, subsampleChroma: false))
        #expect(lumaSampling(subsampled) == 0x22)
        #expect(lumaSampling(full) == 0x11)
        #expect(
            ImageDifference.psnr(try decodeImage(full), original)
                > ImageDifference.psnr(try decodeImage(subsampled), original))
    }

    @Test func qualityTradesSizeForFidelity() throws {
        let original = try decodeImage(try Reference.bytes("jpeg/testorig.jpg"))
        let low = try encodeJPEG(original, options: JPEGOptions(quality: 20))
        let high = try encodeJPEG(original, options: JPEGOptions(quality: 98))
        #expect(low.count < high.count / 2)
        // Measured 30.4 dB at quality 20, 45.6 dB at 98.
        #expect(
            ImageDifference.psnr(try decodeImage(low), original) + 10
                < ImageDifference.psnr(try decodeImage(high), original))
    }

    /// Alpha is composited over white: a transparent black pixel becomes white, an opaque one stays black,
    /// half transparency lands in between.
    @Test func alphaIsFlattenedOverWhite() throws {
        let width = 48
        let height = 16
        var alpha = [Float](repeating: 1, count: width * height)
        for y in 0..<height {
            for x in 0..<width { alpha[y * width + x] = x < 16 ? 0 : (x < 32 ? 0.5 : 1) }
        }
        let image = Image(
            width: width, height: height, colorChannels: 3,
            color: [Float](repeating: 0, count: 3 * width * height), alpha: alpha)
        let decoded = try decodeImage(try encodeJPEG(image, options: JPEGOptions(quality: 100)))
        #expect(decoded.alpha == nil)
        func sample(_ x: Int) -> Float { decoded.color[8 * width + x] }
        #expect(abs(sample(4) - 1) < 0.02)
        #expect(abs(sample(24) - 0.5) < 0.02)
        #expect(abs(sample(44) - 0) < 0.02)
    }

    @Test func invalidQualityIsRejected() throws {
        let image = Image(width: 1, height: 1, colorChannels: 1, color: [0.5])
        #expect(throws: ImageCodecError.invalidParameter("JPEG quality must be 1-100, got 0")) {
            try encodeJPEG(image, options: JPEGOptions(quality: 0))
        }
        #expect(throws: ImageCodecError.invalidParameter("JPEG quality must be 1-100, got 101")) {
            try encodeJPEG(image, options: JPEGOptions(quality: 101))
        }
        #expect(try decodeImage(try encodeJPEG(image, options: JPEGOptions(quality: 1))).width == 1)
    }

    @Test func oversizedDimensionsAreRejected() {
        let image = Image(width: 70_000, height: 1, colorChannels: 1, color: [Float](repeating: 0, count: 70_000))
        #expect(throws: ImageCodecError.self) { try encodeJPEG(image) }
    }

    @Test func errorMessagesAreReadable() {
        let messages = [
            ImageCodecError.unsupportedFormat, .truncated, .corrupt("PNG: IDAT: CRC error"),
            .unsupported("JPEG: Unsupported JPEG data precision 12"), .tooLarge(width: 3, height: 4, limit: 10),
            .invalidParameter("JPEG quality must be 1-100, got 0"), .encodeFailed("PNG: out of memory"),
        ].map(\.description)
        #expect(messages[4] == "image too large: 3x4 = 12 pixels exceeds the limit of 10")
        #expect(messages.allSatisfy { !$0.isEmpty && !$0.contains("Optional") })
        #expect(Set(messages).count == messages.count)
    }
}
