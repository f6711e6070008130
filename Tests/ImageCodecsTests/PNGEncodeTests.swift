import ImageCodecs
import Testing

@Suite struct PNGEncodeTests {
    /// A deterministic image whose samples are exact at `bitDepth` (k / (2^bitDepth - 1)).
    static func pattern(width: Int, height: Int, channels: Int, alpha: Bool, bitDepth: Int) -> Image {
        let maxValue = bitDepth == 16 ? 65535 : 255
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int(state >> 33) % (maxValue + 1)) / Float(maxValue)
        }
        let color = (0..<(channels * width * height)).map { _ in next() }
        let alphaPlane = alpha ? (0..<(width * height)).map { _ in next() } : nil
        return Image(
            width: width, height: height, colorChannels: channels, color: color, alpha: alphaPlane,
            sourceBitDepth: bitDepth)
    }

    @Test(arguments: [1, 3], [false, true])
    func eightBitRoundTripIsExact(channels: Int, alpha: Bool) throws {
        let image = Self.pattern(width: 37, height: 23, channels: channels, alpha: alpha, bitDepth: 8)
        let decoded = try decodeImage(try encodePNG(image))
        #expect(decoded == image)
    }

    @Test(arguments: [1, 3], [false, true])
    func sixteenBitRoundTripIsExact(channels: Int, alpha: Bool) throws {
        let image = Self.pattern(width: 19, height: 41, channels: channels, alpha: alpha, bitDepth: 16)
        let png = try encodePNG(image)
        #expect(png[24] == 16, "IHDR bit depth")
        #expect(try decodeImage(png) == image)
    }

    @Test func sixteenBitSourceCanBeWrittenAsEightBit() throws {
        let image = Self.pattern(width: 8, height: 8, channels: 3, alpha: false, bitDepth: 16)
        let decoded = try decodeImage(try encodePNG(image, options: PNGOptions(bitDepth: 8)))
        #expect(decoded.sourceBitDepth == 8)
        for (a, b) in zip(decoded.color, image.color) { #expect(abs(a - b) <= 0.5 / 255 + 1e-6) }
    }

    @Test func conformanceFilesSurviveReencoding() throws {
        for path in [
            "png/pngsuite/basn6a16.png", "png/pngsuite/basn4a08.png", "png/pngsuite/basn3p08.png",
            "png/pngsuite/ibasn0g16.png", "jpeg/monkey16.png",
        ] {
            let image = try decodeImage(try Reference.bytes(path))
            #expect(try decodeImage(try encodePNG(image)) == image, "\(path)")
        }
    }

    @Test func compressionLevelTradesSizeButNotPixels() throws {
        let image = try decodeImage(try Reference.bytes("jpeg/testorig.png"))
        let stored = try encodePNG(image, options: PNGOptions(compressionLevel: 0))
        let smallest = try encodePNG(image, options: PNGOptions(compressionLevel: 9))
        #expect(smallest.count < stored.count)
        #expect(stored.count >= image.pixelCount * image.colorChannels, "level 0 stores uncompressed")
        #expect(try decodeImage(stored) == decodeImage(smallest))
    }

    @Test func outOfRangeSamplesAreClamped() throws {
        let image = Image(width: 4, height: 1, colorChannels: 1, color: [-0.5, 1.5, .nan, 0.5])
        let decoded = try decodeImage(try encodePNG(image))
        #expect(decoded.color == [0, 1, 0, 128 / 255])
    }

    @Test func invalidOptionsAreRejected() {
        let image = Self.pattern(width: 2, height: 2, channels: 1, alpha: false, bitDepth: 8)
        #expect(throws: ImageCodecError.invalidParameter("PNG compression level must be 0-9, got 10")) {
            try encodePNG(image, options: PNGOptions(compressionLevel: 10))
        }
        #expect(throws: ImageCodecError.invalidParameter("PNG bit depth must be 8 or 16, got 12")) {
            try encodePNG(image, options: PNGOptions(bitDepth: 12))
        }
    }

    @Test func quantizationRoundsHalfAwayFromZero() {
        #expect(quantizeToUInt8(0.5 / 255) == 1)
        #expect(quantizeToUInt8(0.49 / 255) == 0)
        #expect(quantizeToUInt8(254.5 / 255) == 255)
        #expect(quantizeToUInt8(-1) == 0 && quantizeToUInt8(2) == 255 && quantizeToUInt8(.nan) == 0)
        #expect(quantizeToUInt16(0.5 / 65535) == 1 && quantizeToUInt16(1) == 65535)
    }
}
