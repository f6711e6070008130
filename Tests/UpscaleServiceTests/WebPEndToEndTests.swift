import Foundation
import ImageCodecs
import TestSupport
import Testing

@testable import UpscaleService

/// WebP in and out through the real codecs and the live server. The output's size is read from its bitstream
/// header by hand (`WebPBitstreamHeader`), and the output is decoded by Pillow when the project's Python has it.
@Suite("WebP end to end", .serialized)
struct WebPEndToEndTests {
    /// A 3-channel gradient, as WebP (lossless, so that the input pixels are known exactly).
    static func webp(width: Int, height: Int) throws -> [UInt8] {
        let color = (0..<3 * width * height).map { Float($0 % 97) / 96 }
        return try encodeWebP(
            Image(width: width, height: height, colorChannels: 3, color: color), options: WebPOptions(lossless: true))
    }

    func upload(_ body: [UInt8], query: String, type: String, accept: String? = nil) throws -> RawClient.Response {
        let service = try startService()
        defer { service.shutdown() }
        let client = try RawClient(port: service.port)
        var head = "POST /upscale\(query) HTTP/1.1\r\nHost: t\r\nContent-Type: \(type)\r\n"
        if let accept { head += "Accept: \(accept)\r\n" }
        client.send(Array((head + "Content-Length: \(body.count)\r\n\r\n").utf8) + body)
        return try client.readResponse()
    }

    @Test func webpInputComesBackAsWebPByDefault() throws {
        let response = try upload(try Self.webp(width: 20, height: 12), query: "?scale=2", type: "image/webp")
        #expect(response.status == 200, "\(response.text)")
        #expect(response.header("Content-Type") == "image/webp")
        let header = WebPBitstreamHeader(response.body)
        #expect(header?.width == 40 && header?.height == 24)
        #expect(header?.chunk == "VP8 ")  // lossy unless asked
    }

    @Test func formatParameterAndAcceptChooseWebP() throws {
        let png = Fixtures.png(width: 10, height: 10)
        let byFormat = try upload(png, query: "?scale=4&format=webp&quality=75", type: "image/png")
        #expect(byFormat.header("Content-Type") == "image/webp")
        #expect(WebPBitstreamHeader(byFormat.body).map { [$0.width, $0.height] } == [40, 40])
        let byAccept = try upload(png, query: "?scale=2", type: "image/png", accept: "image/webp")
        #expect(byAccept.header("Content-Type") == "image/webp")
        #expect(byAccept.header("Vary") == "Accept")
        // A browser's image Accept lists webp, but also image/*: the input's format is kept.
        let browser = try upload(
            png, query: "?scale=2", type: "image/png", accept: "image/avif,image/webp,image/apng,image/*,*/*;q=0.8")
        #expect(browser.header("Content-Type") == "image/png")
    }

    /// The stub engine is nearest-neighbour, so a lossless result must hold each input pixel in a 2x2 block.
    @Test func losslessOutputKeepsEveryPixel() throws {
        let input = try Self.webp(width: 9, height: 7)
        let response = try upload(input, query: "?scale=2&lossless=true", type: "application/octet-stream")
        #expect(response.header("Content-Type") == "image/webp")
        #expect(WebPBitstreamHeader(response.body)?.chunk == "VP8L")
        let source = try decodeImage(input)
        let output = try decodeImage(response.body)
        #expect(output.width == 18 && output.height == 14)
        var mismatches = 0
        for c in 0..<3 {
            for y in 0..<14 {
                for x in 0..<18 where output.color[c * 252 + y * 18 + x] != source.color[c * 63 + y / 2 * 9 + x / 2] {
                    mismatches += 1
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func losslessJPEGInputComesBackAsPNG() throws {
        let color = (0..<3 * 64).map { Float($0 % 13) / 12 }
        let jpeg = try encodeJPEG(Image(width: 8, height: 8, colorChannels: 3, color: color))
        let response = try upload(jpeg, query: "?scale=2&lossless=true", type: "image/jpeg")
        #expect(response.status == 200, "\(response.text)")
        #expect(response.header("Content-Type") == "image/png")
    }

    @Test func multipartWebPUploadIsAccepted() throws {
        let body =
            Array("--B\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.webp\"\r\n\r\n".utf8)
            + (try Self.webp(width: 6, height: 5)) + Array("\r\n--B--\r\n".utf8)
        let response = try upload(body, query: "?scale=4", type: "multipart/form-data; boundary=B")
        #expect(response.status == 200, "\(response.text)")
        #expect(WebPBitstreamHeader(response.body).map { [$0.width, $0.height] } == [24, 20])
    }

    static let pillowPython = python(with: "PIL")

    @Test(.enabled(if: pillowPython != nil, "BINSR_PYTHON with Pillow not available"))
    func pillowDecodesTheOutputAtTheExpectedSize() throws {
        let response = try upload(Fixtures.png(width: 16, height: 9), query: "?scale=4&format=webp", type: "image/png")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("binsr-\(UUID().uuidString).webp")
        try Data(response.body).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.pillowPython!)
        process.arguments = [
            "-c",
            "import sys; from PIL import Image; im = Image.open(sys.argv[1]); im.load(); "
                + "print(im.format, im.mode, im.size[0], im.size[1])", file.path,
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == "WEBP RGB 64 36")
    }
}
