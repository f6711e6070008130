import Foundation
import ImageCodecs
import Testing

/// Timings for the report, not assertions. Run in release:
///     BINSR_BENCH=1 swift test -c release --filter CodecBenchmarks
@Suite(.enabled(if: ProcessInfo.processInfo.environment["BINSR_BENCH"] != nil))
struct CodecBenchmarks {
    static func median(_ runs: Int = 7, _ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            try body()
            let elapsed = ContinuousClock.now - start
            times.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
        }
        return times.sorted()[runs / 2]
    }

    @Test func codecTimings() throws {
        let jpeg = try Reference.bytes("jpeg/exif-orientation/Landscape_1.jpg")
        let rotated = try Reference.bytes("jpeg/exif-orientation/Landscape_6.jpg")
        let image = try decodeImage(jpeg)
        let png8 = try encodePNG(image)
        let image16 = Image(
            width: image.width, height: image.height, colorChannels: 3, color: image.color,
            sourceBitDepth: 16)
        let png16 = try encodePNG(image16)
        let webp = try encodeWebP(image)
        let webpLossless = try encodeWebP(image, options: .init(lossless: true))
        let lines = [
            ("decode JPEG 1800x1200", try Self.median { _ = try decodeImage(jpeg) }),
            ("decode JPEG 1800x1200 + EXIF rotate 90", try Self.median { _ = try decodeImage(rotated) }),
            ("encode JPEG q90 4:2:0", try Self.median { _ = try encodeJPEG(image) }),
            ("encode PNG 8-bit level 6", try Self.median { _ = try encodePNG(image) }),
            (
                "encode PNG 8-bit level 1",
                try Self.median { _ = try encodePNG(image, options: .init(compressionLevel: 1)) }
            ),
            ("decode PNG 8-bit", try Self.median { _ = try decodeImage(png8) }),
            ("encode PNG 16-bit level 6", try Self.median { _ = try encodePNG(image16) }),
            ("decode PNG 16-bit", try Self.median { _ = try decodeImage(png16) }),
            ("encode WebP q90", try Self.median { _ = try encodeWebP(image) }),
            ("encode WebP lossless", try Self.median(3) { _ = try encodeWebP(image, options: .init(lossless: true)) }),
            ("decode WebP q90", try Self.median { _ = try decodeImage(webp) }),
            ("decode WebP lossless", try Self.median { _ = try decodeImage(webpLossless) }),
            ("read header JPEG", try Self.median { _ = try readImageHeader(jpeg) }),
        ]
        for (name, ms) in lines { print(String(format: "BENCH %-40@ median %8.2f ms", name as NSString, ms)) }
    }
}
