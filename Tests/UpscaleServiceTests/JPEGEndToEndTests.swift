import Foundation
import ImageCodecs
import Testing
import TestSupport
@testable import UpscaleService

/// JPEG in and out through the real codecs; the output is checked with Pillow (an independent decoder) when the
/// project's Python is available, and with the JPEG SOF marker otherwise.
@Suite("JPEG end to end", .serialized)
struct JPEGEndToEndTests {
    static func jpeg(width: Int, height: Int) throws -> [UInt8] {
        var color = [Float](repeating: 0, count: 3 * width * height)
        for index in color.indices { color[index] = Float(index % 97) / 96 }
        return try encodeJPEG(Image(width: width, height: height, colorChannels: 3, color: color))
    }

    /// Width and height from the first SOFn marker (ITU T.81 B.2.2), read without the codec under test.
    static func jpegSize(_ bytes: [UInt8]) -> (Int, Int)? {
        var index = 2
        while index + 9 < bytes.count, bytes[index] == 0xFF {
            let marker = bytes[index + 1]
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                let height = Int(bytes[index + 5]) << 8 | Int(bytes[index + 6])
                let width = Int(bytes[index + 7]) << 8 | Int(bytes[index + 8])
                return (width, height)
            }
            index += 2 + length
        }
        return nil
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

    @Test func jpegInputComesBackAsJPEGByDefault() throws {
        let response = try upload(try Self.jpeg(width: 20, height: 12), query: "?scale=2", type: "image/jpeg")
        #expect(response.status == 200, "\(response.text)")
        #expect(response.header("Content-Type") == "image/jpeg")
        #expect(Self.jpegSize(response.body).map { [$0.0, $0.1] } == [40, 24])
    }

    @Test func formatParameterAndAcceptChooseTheOutput() throws {
        let png = Fixtures.png(width: 10, height: 10)
        let asJPEG = try upload(png, query: "?scale=4&format=jpeg&quality=75", type: "image/png")
        #expect(asJPEG.header("Content-Type") == "image/jpeg")
        #expect(Self.jpegSize(asJPEG.body).map { [$0.0, $0.1] } == [40, 40])
        let byAccept = try upload(png, query: "?scale=2", type: "image/png", accept: "image/jpeg")
        #expect(byAccept.header("Content-Type") == "image/jpeg")
        #expect(byAccept.header("Vary") == "Accept")
    }

    static let pillowPython = python(with: "PIL")

    @Test(.enabled(if: pillowPython != nil, "BINSR_PYTHON with Pillow not available"))
    func pillowDecodesTheOutputAtTheExpectedSize() throws {
        let response = try upload(try Self.jpeg(width: 16, height: 9), query: "?scale=4&format=png", type: "image/jpeg")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("binsr-\(UUID().uuidString).png")
        try Data(response.body).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.pillowPython!)
        process.arguments = ["-c", "import sys; from PIL import Image; im = Image.open(sys.argv[1]); im.load(); "
            + "print(im.format, im.size[0], im.size[1])", file.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == "PNG 64 36")
    }
}
