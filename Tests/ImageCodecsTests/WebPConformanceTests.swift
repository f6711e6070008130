import Foundation
import ImageCodecs
import TestSupport
import Testing

/// libwebp's conformance images (shared/testdata/webp, see its SOURCES.md) against the MD5s of dwebp's own output
/// listed in `libwebp_tests.md5`: our pixels, written byte for byte as dwebp writes PPM and PAM, must hash the same.
@Suite(.enabled(if: WebPTestdata.available, "../shared/testdata/webp not found"))
struct WebPConformanceTests {
    /// Binary PPM as dwebp writes it (`P6\n<w> <h>\n255\n`, then RGB rows; alpha dropped).
    static func ppm(_ image: Image) -> [UInt8] {
        let n = image.pixelCount
        var out = Array("P6\n\(image.width) \(image.height)\n255\n".utf8)
        out.reserveCapacity(out.count + 3 * n)
        for i in 0..<n { for c in 0..<3 { out.append(quantizeToUInt8(image.color[c * n + i])) } }
        return out
    }

    /// PAM as dwebp writes it: always RGBA (opaque when the image has no alpha), with this exact header.
    static func pam(_ image: Image) -> [UInt8] {
        let n = image.pixelCount
        let header =
            "P7\nWIDTH \(image.width)\nHEIGHT \(image.height)\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n"
        var out = Array(header.utf8)
        out.reserveCapacity(out.count + 4 * n)
        for i in 0..<n {
            for c in 0..<3 { out.append(quantizeToUInt8(image.color[c * n + i])) }
            out.append(image.alpha.map { quantizeToUInt8($0[i]) } ?? 255)
        }
        return out
    }

    @Test func md5MatchesRFC1321Vectors() {
        #expect(MD5.hex([]) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(MD5.hex(Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
        let digits = "12345678901234567890123456789012345678901234567890123456789012345678901234567890"
        #expect(MD5.hex(Array(digits.utf8)) == "57edf4a22be3c955ac49da2e2107b67a")
    }

    /// 96 files (lossy, lossless, alpha filters, the three bug files) in SOURCES.md's count.
    @Test func everyReferencedFileIsPresent() {
        #expect(WebPTestdata.referenced.count == 96)
        for name in WebPTestdata.referenced {
            #expect(
                FileManager.default.fileExists(atPath: WebPTestdata.directory.appendingPathComponent(name).path),
                "\(name)")
        }
    }

    @Test(arguments: WebPTestdata.referenced)
    func decodesToDwebpsPixels(name: String) throws {
        let image = try decodeImage(try WebPTestdata.bytes(name))
        #expect(image.colorChannels == 3 && image.sourceBitDepth == 8)
        #expect(MD5.hex(Self.ppm(image)) == WebPTestdata.md5s[name + ".ppm"], "RGB of \(name)")
        #expect(MD5.hex(Self.pam(image)) == WebPTestdata.md5s[name + ".pam"], "RGBA of \(name)")
        #expect(
            try readImageHeader(try WebPTestdata.bytes(name))
                == ImageHeader(
                    width: image.width, height: image.height, format: .webp))
    }

    /// libwebp's lossless_vec_1_* and _2_* are the same two pictures under every transform combination; dwebp's
    /// test compares them with grid.png and peak.png. Here the PNGs are decoded by our libpng path.
    @Test(arguments: 0..<16)
    func losslessTransformsReproduceTheirPNG(index: Int) throws {
        let grid = try decodeImage(try WebPTestdata.bytes("grid.png"))
        let peak = try decodeImage(try WebPTestdata.bytes("peak.png"))
        #expect(grid.alpha != nil && peak.alpha == nil)
        #expect(try decodeImage(try WebPTestdata.bytes("lossless_vec_1_\(index).webp")) == grid)
        #expect(try decodeImage(try WebPTestdata.bytes("lossless_vec_2_\(index).webp")) == peak)
    }

    /// The one file with neither an MD5 nor a PNG reference must at least decode at its header's size.
    @Test func colorTransformFileDecodes() throws {
        let image = try decodeImage(try WebPTestdata.bytes("lossless_color_transform.webp"))
        #expect(image.width == 512 && image.height == 512)
    }
}
