import ImageCodecs
import Testing

@testable import UpscaleService

@Suite("Content negotiation and parameters")
struct NegotiationTests {
    @Test(
        arguments: [
            (nil, ImageFormat.png, nil, ImageFormat.png),
            (nil, .jpeg, nil, .jpeg),
            (nil, .png, "image/jpeg", .jpeg),
            (nil, .png, "image/*", .png),
            (nil, .png, "image/png;q=0, */*", .jpeg),
            (nil, .jpeg, "image/png, image/jpeg;q=0.5", .png),
            (.jpeg, .png, "image/png", .jpeg),
            (nil, .webp, nil, .webp),
            (nil, .png, "image/webp", .webp),
            (nil, .webp, "image/png, image/*;q=0.5", .png),
            (.webp, .jpeg, "image/jpeg", .webp),
        ] as [(ImageFormat?, ImageFormat, String?, ImageFormat)])
    func chosenFormat(_ explicit: ImageFormat?, _ input: ImageFormat, _ accept: String?, _ expected: ImageFormat)
    {
        #expect(AcceptedFormats(accept).choose(explicit: explicit, input: input) == expected)
    }

    /// JPEG has no lossless mode: a lossless request keeps a JPEG input's format only if nothing else is acceptable,
    /// and then gets nothing.
    @Test func losslessNeverNegotiatesJPEG() {
        #expect(AcceptedFormats(nil).choose(explicit: nil, input: .jpeg, lossless: true) == .png)
        #expect(AcceptedFormats("image/webp").choose(explicit: nil, input: .jpeg, lossless: true) == .webp)
        #expect(AcceptedFormats("*/*").choose(explicit: nil, input: .webp, lossless: true) == .webp)
        #expect(AcceptedFormats("image/jpeg").choose(explicit: nil, input: .png, lossless: true) == nil)
    }

    @Test func acceptWithNoKnownFormatIsNotAcceptable() {
        #expect(AcceptedFormats("image/avif, text/html").choose(explicit: nil, input: .png) == nil)
        #expect(AcceptedFormats("image/*;q=0").choose(explicit: nil, input: .png) == nil)
    }

    @Test func signaturesAreSniffedNotTrusted() {
        #expect(ImageFormat.detect([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == .png)
        #expect(ImageFormat.detect([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ImageFormat.detect([0x89, 0x50, 0x4E, 0x47]) == nil)
        #expect(ImageFormat.detect(Array("GIF89a".utf8)) == nil)
        #expect(ImageFormat.detect(Array("RIFF".utf8) + [4, 0, 0, 0] + Array("WEBP".utf8)) == .webp)
        #expect(ImageFormat.detect(Array("RIFF".utf8) + [4, 0, 0, 0] + Array("WAVE".utf8)) == nil)
    }
}
