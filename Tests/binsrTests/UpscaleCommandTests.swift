import Foundation
import TestSupport
import Testing

/// `binsr upscale` and `binsr models` as a user runs them: the built binary, real PNG files from ../shared/testdata,
/// and a golden-vector weight file installed under the name the CLI looks for.
@Suite struct UpscaleCommandTests {
    /// A models folder holding the golden SRResNet x4 (1 block, 8 channels) as `srresnet_x4_real.safetensors`.
    static func modelsFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("binsr-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: TestPaths.fixtures.appendingPathComponent("golden/srresnet_x4_b1_c8_real.safetensors"),
            to: folder.appendingPathComponent("srresnet_x4_real.safetensors"))
        return folder
    }

    /// Width, height, bit depth and colour type from a PNG's IHDR (PNG spec 11.2.2), read without our decoder.
    static func pngHeader(_ url: URL) throws -> (width: Int, height: Int, bitDepth: Int, colorType: Int) {
        let bytes = [UInt8](try Data(contentsOf: url))
        #expect(bytes.count > 33 && bytes[12..<16].elementsEqual("IHDR".utf8))
        func be32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20), Int(bytes[24]), Int(bytes[25]))
    }

    @Test(arguments: [
        // file, expected output bit depth, colour type (2 RGB, 4 gray+alpha, 6 RGBA, 0 gray)
        ("basn2c08.png", 8, 2), ("basn4a08.png", 8, 4), ("basn6a16.png", 16, 6), ("basn0g08.png", 8, 0),
    ])
    func upscaleKeepsSizeBitDepthAndChannels(_ file: String, _ bitDepth: Int, _ colorType: Int) throws {
        let input = TestPaths.testdata.appendingPathComponent("png/pngsuite/\(file)")
        try #require(FileManager.default.fileExists(atPath: input.path), "../shared/testdata is missing")
        let models = try Self.modelsFolder()
        defer { try? FileManager.default.removeItem(at: models) }
        let output = models.appendingPathComponent("out.png")
        let result = try BinsrProcess.run([
            "upscale", input.path, "-o", output.path, "--scale", "4", "--arch", "srresnet", "--weights", "real",
            "--models-dir", models.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let header = try Self.pngHeader(output)
        #expect(header.width == 128 && header.height == 128)  // PngSuite basics are 32x32
        #expect(header.bitDepth == bitDepth && header.colorType == colorType)
    }

    /// WebP in, lossless WebP out (the size read from the VP8L header by hand, not by our decoder).
    @Test func upscaleReadsAndWritesWebP() throws {
        let input = TestPaths.testdata.appendingPathComponent("webp/small_31x13.webp")
        try #require(FileManager.default.fileExists(atPath: input.path), "../shared/testdata is missing")
        let models = try Self.modelsFolder()
        defer { try? FileManager.default.removeItem(at: models) }
        let output = models.appendingPathComponent("out.webp")
        let result = try BinsrProcess.run([
            "upscale", input.path, "-o", output.path, "--scale", "4", "--arch", "srresnet", "--weights", "real",
            "--models-dir", models.path, "--lossless",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let header = WebPBitstreamHeader([UInt8](try Data(contentsOf: output)))
        #expect(header?.width == 124 && header?.height == 52 && header?.chunk == "VP8L")
    }

    @Test func losslessJPEGOutputIsAUsageError() throws {
        let result = try BinsrProcess.run(["upscale", "in.png", "-o", "out.jpg", "--lossless"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--lossless needs .webp or .png output"))
    }

    @Test func upscaleWithoutWeightsSaysWhereItLooked() throws {
        let models = try Self.modelsFolder()
        defer { try? FileManager.default.removeItem(at: models) }
        let input = TestPaths.testdata.appendingPathComponent("png/pngsuite/basn2c08.png")
        let result = try BinsrProcess.run([
            "upscale", input.path, "-o", models.appendingPathComponent("o.png").path, "--scale", "2",
            "--arch", "lapsrn", "--weights", "binary", "--models-dir", models.path,
        ])
        #expect(result.status != 0)
        #expect(result.stderr.contains("lapsrn_x2_binary.safetensors"))
    }

    @Test func lapsrnX2ComesFromTheX4FilesFirstLevel() throws {
        let models = try Self.modelsFolder()
        defer { try? FileManager.default.removeItem(at: models) }
        try FileManager.default.copyItem(
            at: TestPaths.fixtures.appendingPathComponent("golden/lapsrn_x4_b1_c16_binary.safetensors"),
            to: models.appendingPathComponent("lapsrn_x4_binary.safetensors"))
        let input = TestPaths.testdata.appendingPathComponent("png/pngsuite/basn2c08.png")
        let output = models.appendingPathComponent("o.png")
        let result = try BinsrProcess.run([
            "upscale", input.path, "-o", output.path, "--scale", "2", "--arch", "lapsrn", "--weights", "binary",
            "--models-dir", models.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let header = try Self.pngHeader(output)
        #expect(header.width == 64 && header.height == 64)
    }

    @Test func upscaleRejectsAnUnsupportedScaleBeforeWorking() throws {
        let result = try BinsrProcess.run(["upscale", "in.png", "-o", "out.png", "--scale", "3"])
        #expect(result.status == 64)  // EX_USAGE from ArgumentParser's validation
        #expect(result.stderr.contains("scale"))
    }

    @Test func modelsListsTheWeightFileAndSkipsOthers() throws {
        let models = try Self.modelsFolder()
        defer { try? FileManager.default.removeItem(at: models) }
        try Data("not weights".utf8).write(to: models.appendingPathComponent("x.train.safetensors"))
        let result = try BinsrProcess.run(["models", "--models-dir", models.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("srresnet_x4_real.safetensors"))
        #expect(!result.stdout.contains("x.train") && !result.stderr.contains("x.train"))
    }
}
