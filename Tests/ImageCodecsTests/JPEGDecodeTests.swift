import Foundation
import ImageCodecs
import TestSupport
import Testing

/// The JPEGs of shared/testdata against Pillow's decodes (its own libjpeg-turbo build, same default IDCT and
/// upsampling), stored in Tests/Fixtures/codecs/reference.json.
@Suite struct JPEGDecodeTests {
    static let files = Reference.paths("jpeg/", suffix: ".jpg").filter { !$0.hasSuffix("monkey12.jpg") }

    @Test(arguments: files)
    func decodesLikeTheReference(path: String) throws {
        let reference = try #require(Reference.all[path])
        #expect(reference.ok)
        let summary = DecodeSummary(try decodeImage(try Reference.bytes(path)))
        #expect(summary.width == reference.width && summary.height == reference.height)
        #expect(summary.colorChannels == reference.colorChannels && !summary.hasAlpha)
        // Both decoders use libjpeg-turbo's accurate integer IDCT, so the samples are bit-identical.
        #expect(summary.fnv1a64 == reference.fnv1a64)
        #expect(summary.maxGridDifference(reference.grid ?? []) < 1e-4)
    }

    static let generatedFiles = Reference.generated.keys.sorted()

    /// Variants missing from shared/testdata (progressive, grayscale, CMYK, 4:4:4), written by the fixture script.
    @Test(arguments: generatedFiles)
    func generatedVariantDecodesLikeTheReference(path: String) throws {
        let reference = try #require(Reference.generated[path])
        let bytes = try Reference.fixtureBytes(path)
        let summary = DecodeSummary(try decodeImage(bytes))
        #expect(summary.width == reference.width && summary.height == reference.height)
        #expect(summary.colorChannels == reference.colorChannels)
        if path.contains("cmyk") {
            // Pillow and we both use R = (1 - C)(1 - K) but round differently: block means within 1/255.
            #expect(summary.maxGridDifference(reference.grid ?? []) < 1.0 / 255)
        } else {
            #expect(summary.fnv1a64 == reference.fnv1a64)
        }
        let isProgressive = (0..<bytes.count - 1).contains { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC2 }
        #expect(isProgressive == path.contains("progressive"))
    }

    @Test func twelveBitJPEGIsUnsupported() throws {
        #expect(throws: ImageCodecError.unsupported("JPEG: Unsupported JPEG data precision 12")) {
            try decodeImage(try Reference.bytes("jpeg/monkey12.jpg"))
        }
        #expect(throws: ImageCodecError.unsupported("JPEG: Unsupported JPEG data precision 12")) {
            try readImageHeader(try Reference.bytes("jpeg/monkey12.jpg"))
        }
    }

    @Test func arithmeticAndHuffmanCodingsDecodeAlike() throws {
        // testimgari.jpg and testimgint.jpg hold the same coefficients with different entropy coding.
        let arithmetic = try decodeImage(try Reference.bytes("jpeg/testimgari.jpg"))
        let huffman = try decodeImage(try Reference.bytes("jpeg/testimgint.jpg"))
        #expect(arithmetic == huffman)
    }

    @Test func headerMatchesDecodedSize() throws {
        for path in Self.files {
            let bytes = try Reference.bytes(path)
            let header = try readImageHeader(bytes)
            let image = try decodeImage(bytes)
            #expect(header == ImageHeader(width: image.width, height: image.height, format: .jpeg), "\(path)")
        }
        let png = try readImageHeader(try Reference.bytes("png/pngsuite/basn2c16.png"))
        #expect(png == ImageHeader(width: 32, height: 32, format: .png))
    }

    @Test func decodesFromAFileURL() throws {
        let url = TestPaths.testdata.appendingPathComponent("jpeg/testorig.jpg")
        #expect(try decodeImage(contentsOf: url) == decodeImage(try Reference.bytes("jpeg/testorig.jpg")))
        let missing = url.appendingPathExtension("missing")
        #expect {
            try decodeImage(contentsOf: missing)
        } throws: { error in
            if case .fileUnreadable = error as? ImageCodecError { return true }
            return false
        }
    }

    @Test func formatDetectionUsesSignatures() throws {
        #expect(ImageFormat.detect(try Reference.bytes("jpeg/testorig.jpg")) == .jpeg)
        #expect(ImageFormat.detect(try Reference.bytes("jpeg/testorig.png")) == .png)
        #expect(ImageFormat.detect([0xFF, 0xD8]) == nil)
        #expect(ImageFormat.detect([UInt8]("GIF89a".utf8)) == nil)
        #expect(ImageFormat.detect([UInt8]()) == nil)
        #expect(throws: ImageCodecError.unsupportedFormat) { try decodeImage([UInt8]("GIF89a".utf8)) }
    }
}
