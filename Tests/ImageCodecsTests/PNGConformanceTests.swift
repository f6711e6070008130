import Foundation
import ImageCodecs
import TestSupport
import Testing

/// Every PNG of shared/testdata against the independent reference decodes in Tests/Fixtures/codecs/reference.json
/// (pypng, Pillow for palettes with out-of-range indices; see scripts/fixtures/codecs_reference.py).
@Suite struct PNGConformanceTests {
    /// Every PNG outside crashers/, including the three in jpeg/ (testorig.png, monkey16.png, vgl_5674_0098.png).
    static let validFiles = Reference.paths("", suffix: ".png").filter { !$0.contains("/crashers/") }
    static let crashers = Reference.paths("png/libpng-testpngs/crashers/")

    /// Crashers that libpng decodes (it skips invalid ancillary chunks); all others must be rejected.
    static let crashersLibpngAccepts: Set<String> = ["png/libpng-testpngs/crashers/empty_ancillary_chunks.png"]

    /// Every PNG and JPEG under png/ and jpeg/. (webp/ holds libwebp's conformance images and their PNG renders:
    /// those belong to a WebP decoder's tests, not to these.)
    @Test func fixtureCoversEveryTestFile() throws {
        let root = TestPaths.testdata
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        var onDisk: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            guard ["png", "jpg"].contains(url.pathExtension.lowercased()) else { continue }
            let path = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            if path.hasPrefix("webp/") { continue }
            onDisk.append(path)
        }
        #expect(onDisk.count > 200, "shared/testdata not found at \(root.path)")
        #expect(Set(onDisk) == Set(Reference.all.keys))
    }

    @Test(arguments: validFiles)
    func decodesLikeTheReference(path: String) throws {
        let reference = try #require(Reference.all[path])
        #expect(reference.ok, "reference decoder failed: \(reference.error ?? "")")
        let summary = DecodeSummary(try decodeImage(try Reference.bytes(path)))
        #expect(summary.width == reference.width)
        #expect(summary.height == reference.height)
        #expect(summary.colorChannels == reference.colorChannels)
        #expect(summary.hasAlpha == reference.hasAlpha)
        #expect(summary.bitDepth == reference.bitDepth)
        #expect(summary.fnv1a64 == reference.fnv1a64, "samples differ from the reference")
    }

    @Test(arguments: crashers)
    func crasherIsRejectedOrMatchesTheReference(path: String) throws {
        let reference = try #require(Reference.all[path])
        let bytes = try Reference.bytes(path)
        if Self.crashersLibpngAccepts.contains(path) {
            let summary = DecodeSummary(try decodeImage(bytes))
            #expect(reference.ok)
            #expect(summary.fnv1a64 == reference.fnv1a64)
            return
        }
        #expect {
            _ = try decodeImage(bytes)
        } throws: { error in
            guard let error = error as? ImageCodecError else { return false }
            return error == .truncated || { if case .corrupt = error { return true } else { return false } }()
        }
    }

    /// gAMA/sRGB chunks must not change samples: libpng's gamma variants share their IDAT with the plain file.
    @Test(arguments: ["gray-8", "gray-16", "rgb-8", "rgb-16", "gray-alpha-8", "rgb-alpha-16"])
    func gammaChunksAreNotApplied(base: String) throws {
        let plain = try decodeImage(try Reference.bytes("png/libpng-testpngs/\(base).png"))
        for variant in ["1.8", "linear", "sRGB"] {
            let image = try decodeImage(try Reference.bytes("png/libpng-testpngs/\(base)-\(variant).png"))
            #expect(image == plain, "\(base)-\(variant)")
        }
    }

    @Test func layoutFollowsTheColourType() throws {
        let gray16 = try decodeImage(try Reference.bytes("png/pngsuite/basn0g16.png"))
        #expect(gray16.colorChannels == 1 && gray16.alpha == nil && gray16.sourceBitDepth == 16)
        let grayAlpha = try decodeImage(try Reference.bytes("png/pngsuite/basn4a08.png"))
        #expect(grayAlpha.colorChannels == 1 && grayAlpha.alpha != nil)
        let palette = try decodeImage(try Reference.bytes("png/pngsuite/basn3p04.png"))
        #expect(palette.colorChannels == 3 && palette.alpha == nil && palette.sourceBitDepth == 8)
        let paletteTRNS = try decodeImage(try Reference.bytes("png/pngsuite/ftbwn3p08.png"))
        #expect(paletteTRNS.colorChannels == 3 && paletteTRNS.alpha != nil)
        // 1-bit gray: 0 -> 0.0, 1 -> 1.0 exactly.
        let bilevel = try decodeImage(try Reference.bytes("png/pngsuite/basn0g01.png"))
        #expect(Set(bilevel.color) == [0, 1])
    }
}
