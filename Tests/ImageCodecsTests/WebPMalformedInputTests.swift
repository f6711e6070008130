import TestSupport
import ImageCodecs
import Testing

/// Hostile WebP input, as MalformedInputTests does for PNG and JPEG: crafted headers, truncation at every offset,
/// garbage behind a valid signature, bit flips. Each must end in a typed error (or, for bit flips, possibly a valid
/// image) without crashing or allocating what the header claims.
@Suite struct WebPMalformedInputTests {
    static func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    static func le24(_ v: Int) -> [UInt8] { (0..<3).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    /// A RIFF/WEBP file of the given chunks (RFC 9649 container layout: RIFF size counts from "WEBP" on).
    static func riff(_ chunks: [(String, [UInt8])]) -> [UInt8] {
        var body = Array("WEBP".utf8)
        for (fourCC, data) in chunks {
            body += Array(fourCC.utf8) + le32(data.count) + data
            if data.count % 2 == 1 { body.append(0) }  // chunks are padded to even size
        }
        return Array("RIFF".utf8) + le32(body.count) + body
    }

    /// A lossless bitstream header (RFC 9649 VP8L: signature 0x2F, then 14-bit width - 1, 14-bit height - 1, the
    /// alpha hint and a 3-bit version, little-endian) followed by a few bytes that are not a valid image.
    static func losslessClaiming(width: Int, height: Int) -> [UInt8] {
        let bits = (width - 1) | (height - 1) << 14
        return riff([("VP8L", [0x2F] + le32(bits) + [0, 0, 0, 0, 0, 0, 0])])
    }

    /// An extended header (VP8X: flags, 3 reserved bytes, 24-bit canvas width - 1 and height - 1).
    static func extended(flags: UInt8, width: Int, height: Int) -> [UInt8] {
        riff([("VP8X", [flags, 0, 0, 0] + le24(width - 1) + le24(height - 1))])
    }

    @Test func losslessBombIsRejectedFromTheHeader() throws {
        let bomb = Self.losslessClaiming(width: 16383, height: 16383)
        #expect(try readImageHeader(bomb) == ImageHeader(width: 16383, height: 16383, format: .webp))
        // The samples alone would take 16383^2 * 4 bytes = 1 GiB; the limit stops the decode before any of it.
        #expect(throws: ImageCodecError.tooLarge(width: 16383, height: 16383, limit: 40_000_000)) {
            try decodeImage(bomb)
        }
        // Under the limit, the same header reaches the bitstream, which is garbage.
        #expect(throws: ImageCodecError.self) { try decodeImage(Self.losslessClaiming(width: 100, height: 100)) }
    }

    @Test func extendedCanvasBombIsRejected() {
        // VP8X allows 2^24 per side; libwebp itself refuses a canvas of 2^32 pixels or more (MAX_IMAGE_AREA).
        #expect(throws: ImageCodecError.tooLarge(width: 9000, height: 9000, limit: 40_000_000)) {
            try decodeImage(Self.extended(flags: 0, width: 9000, height: 9000))
        }
        #expect(throws: ImageCodecError.corrupt("WebP: invalid bitstream")) {
            try decodeImage(Self.extended(flags: 0, width: 1 << 24, height: 1 << 24))
        }
    }

    /// Animation flag (0x02) in VP8X: refused with a reason, before the pixel limit or any frame is looked at.
    @Test func animatedImagesAreRefused() {
        let animated = Self.extended(flags: 0x02, width: 64, height: 48)
        #expect(throws: ImageCodecError.unsupported("WebP: animated images are not supported; send a single frame")) {
            try decodeImage(animated)
        }
    }

    @Test(.enabled(if: WebPTestdata.available, "../shared/testdata/webp not found"))
    func pixelLimitIsConfigurable() throws {
        let bytes = try WebPTestdata.bytes("test.webp")
        let header = try readImageHeader(bytes)
        let pixels = header.width * header.height
        #expect(throws: ImageCodecError.tooLarge(width: header.width, height: header.height, limit: pixels - 1)) {
            try decodeImage(bytes, options: DecodeOptions(maxPixels: pixels - 1))
        }
        #expect(try decodeImage(bytes, options: DecodeOptions(maxPixels: pixels)).width == header.width)
    }

    static let truncationFiles = ["test.webp", "lossless1.webp", "lossy_alpha1.webp", "alpha_filter_2_method_1.webp"]

    /// Every proper prefix is an error: libwebp checks the RIFF size against the data before decoding.
    @Test(.enabled(if: WebPTestdata.available, "../shared/testdata/webp not found"), arguments: truncationFiles)
    func everyTruncationIsAnError(name: String) throws {
        let bytes = try WebPTestdata.bytes(name)
        for length in 0..<bytes.count {
            #expect(throws: ImageCodecError.self, "prefix of \(length) bytes") {
                try decodeImage(Array(bytes[0..<length]))
            }
        }
    }

    @Test(.enabled(if: WebPTestdata.available, "../shared/testdata/webp not found"))
    func truncatedDataIsReportedAsTruncated() throws {
        for name in Self.truncationFiles {
            let bytes = try WebPTestdata.bytes(name)
            #expect(throws: ImageCodecError.truncated, "\(name)") {
                try decodeImage(Array(bytes.prefix(bytes.count / 2)))
            }
        }
    }

    @Test func randomGarbageBehindTheSignatureIsRejected() {
        var rng = SplitMix64(seed: 20_240_917)
        let chunkNames = ["VP8 ", "VP8L", "VP8X", "ALPH", "ANIM"]
        for trial in 0..<600 {
            let length = Int.random(in: 0...2048, using: &rng)
            let garbage = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let bytes = Self.riff([(chunkNames[trial % chunkNames.count], garbage)])
            #expect(throws: ImageCodecError.self) { try decodeImage(bytes) }
        }
    }

    /// Flipped bits may still decode (VP8 has no checksum) but must never crash or give a wrong-sized image.
    @Test(
        .enabled(if: WebPTestdata.available, "../shared/testdata/webp not found"),
        arguments: ["test.webp", "lossless1.webp", "lossy_alpha1.webp", "bug3.webp", "color_cache_bits_11.webp"])
    func bitFlipsNeverCrash(name: String) throws {
        let original = try WebPTestdata.bytes(name)
        var rng = SplitMix64(seed: UInt64(original.count))
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                bytes[Int.random(in: 4..<bytes.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            }
            if let image = try? decodeImage(bytes, options: DecodeOptions(maxPixels: 1_000_000)) {
                #expect(image.color.count == image.pixelCount * image.colorChannels)
                #expect(image.alpha.map { $0.count == image.pixelCount } ?? true)
            }
        }
    }
}
