import TestSupport
import ImageCodecs
import Testing

/// Hostile input: decompression bombs, truncation at every offset, garbage, bit flips. Each case must end in a
/// typed error (or, for bit flips, possibly a valid image) without crashing, hanging or allocating the bomb.
@Suite struct MalformedInputTests {
    static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func be32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(UInt32(data.count)) + body + be32(crc32(body))
    }

    /// A PNG whose IHDR claims `width x height` RGB, followed by a tiny (wrong) IDAT: a decompression bomb header.
    static func pngClaiming(width: UInt32, height: UInt32) -> [UInt8] {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let ihdr = be32(width) + be32(height) + [8, 2, 0, 0, 0]
        let idat: [UInt8] = [0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]
        return signature + chunk("IHDR", ihdr) + chunk("IDAT", idat) + chunk("IEND", [])
    }

    @Test func pngBombIsRejectedFromTheHeader() throws {
        let bomb = Self.pngClaiming(width: 100_000, height: 100_000)
        #expect(try readImageHeader(bomb) == ImageHeader(width: 100_000, height: 100_000, format: .png))
        // Decoding would need 30 GB for the samples alone; the limit stops it before any allocation.
        #expect(throws: ImageCodecError.tooLarge(width: 100_000, height: 100_000, limit: 40_000_000)) {
            try decodeImage(bomb)
        }
        // Beyond libpng's own 1e6 per-side limit the header itself is refused.
        #expect(throws: ImageCodecError.self) { try decodeImage(Self.pngClaiming(width: 2_000_000, height: 1)) }
    }

    @Test func jpegBombIsRejectedFromTheHeader() throws {
        var bytes = try Reference.bytes("jpeg/testorig.jpg")
        // Patch the SOF0 frame size (T.81 B.2.2: FFC0, length, precision, height, width) to 65500 x 65500.
        let sof = try #require((0..<bytes.count - 1).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        bytes.replaceSubrange((sof + 5)..<(sof + 9), with: [0xFF, 0xDC, 0xFF, 0xDC])
        #expect(try readImageHeader(bytes) == ImageHeader(width: 65500, height: 65500, format: .jpeg))
        #expect(throws: ImageCodecError.tooLarge(width: 65500, height: 65500, limit: 40_000_000)) {
            try decodeImage(bytes)
        }
    }

    @Test func pixelLimitIsConfigurable() throws {
        let bytes = try Reference.bytes("jpeg/testorig.jpg")
        #expect(throws: ImageCodecError.tooLarge(width: 227, height: 149, limit: 30_000)) {
            try decodeImage(bytes, options: DecodeOptions(maxPixels: 30_000))
        }
        #expect(try decodeImage(bytes, options: DecodeOptions(maxPixels: 227 * 149)).width == 227)
    }

    static let truncationFiles = [
        "png/pngsuite/basn6a16.png", "png/pngsuite/ibasn3p08.png",
        "png/pngsuite/basn0g01.png", "jpeg/testorig.jpg", "jpeg/testimgari.jpg",
    ]

    /// Every proper prefix of a valid file is an error: PNG is read through IEND, JPEG through EOI.
    @Test(arguments: truncationFiles)
    func everyTruncationIsAnError(path: String) throws {
        let bytes = try Reference.bytes(path)
        let step = max(1, bytes.count / 1500)
        var offsets = Array(stride(from: 0, to: bytes.count, by: step))
        offsets += (max(0, bytes.count - 64)..<bytes.count)
        for length in offsets {
            #expect(throws: ImageCodecError.self, "prefix of \(length) bytes") {
                try decodeImage(Array(bytes[0..<length]))
            }
        }
    }

    @Test func truncatedDataIsReportedAsTruncated() throws {
        let png = try Reference.bytes("png/pngsuite/basn2c08.png")
        #expect(throws: ImageCodecError.truncated) { try decodeImage(Array(png.dropLast(30))) }
        let jpeg = try Reference.bytes("jpeg/testorig.jpg")
        #expect(throws: ImageCodecError.truncated) { try decodeImage(Array(jpeg.prefix(jpeg.count / 2))) }
    }

    @Test func randomGarbageIsRejected() {
        var rng = SplitMix64(seed: 20_190_617)
        let prefixes: [[UInt8]] = [[], [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], [0xFF, 0xD8, 0xFF]]
        for trial in 0..<600 {
            let length = Int.random(in: 0...2048, using: &rng)
            let garbage = prefixes[trial % 3] + (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(throws: ImageCodecError.self) { try decodeImage(garbage) }
        }
    }

    /// Flipped bytes may still decode (JPEG has no checksum) but must never crash or return a wrong-sized image.
    @Test(arguments: ["jpeg/testorig.jpg", "jpeg/testimgari.jpg", "png/pngsuite/basn3p04.png"])
    func bitFlipsNeverCrash(path: String) throws {
        let original = try Reference.bytes(path)
        var rng = SplitMix64(seed: UInt64(original.count))
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                bytes[Int.random(in: 2..<bytes.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            }
            if let image = try? decodeImage(bytes, options: DecodeOptions(maxPixels: 1_000_000)) {
                #expect(image.color.count == image.pixelCount * image.colorChannels)
            }
        }
    }

    /// A progressive file whose last scan is repeated 600 times: libjpeg would spend a full coefficient pass on
    /// each; the decoder stops at the first bogus repetition (or at 500 scans).
    @Test func repeatedProgressiveScansAreRejected() throws {
        let bytes = try Reference.fixtureBytes("codecs/generated/progressive.jpg")
        let lastScan = try #require((0..<bytes.count - 1).last { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xDA })
        let scan = bytes[lastScan..<(bytes.count - 2)]
        var bomb = Array(bytes.dropLast(2))
        for _ in 0..<600 { bomb += scan }
        bomb += [0xFF, 0xD9]
        let start = ContinuousClock.now
        #expect(throws: ImageCodecError.self) { try decodeImage(bomb) }
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    /// progressive-100-scans.jpg is a valid 100-scan transcode of gray.jpg (made by jpegtran).
    @Test func progressiveScanLimitIsEnforced() throws {
        let bytes = try Reference.fixtureBytes("codecs/generated/progressive-100-scans.jpg")
        let gray = try decodeImage(try Reference.fixtureBytes("codecs/generated/gray.jpg"))
        #expect(try decodeImage(bytes) == gray)
        #expect(try decodeImage(bytes, options: DecodeOptions(maxProgressiveScans: 100)) == gray)
        #expect(throws: ImageCodecError.corrupt("JPEG: more than 99 progressive scans")) {
            try decodeImage(bytes, options: DecodeOptions(maxProgressiveScans: 99))
        }
    }

    @Test func zeroSizedPNGIsRejected() {
        #expect(throws: ImageCodecError.self) { try decodeImage(Self.pngClaiming(width: 0, height: 5)) }
    }
}
