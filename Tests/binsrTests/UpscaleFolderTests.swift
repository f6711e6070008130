import Foundation
import TestSupport
import Testing

/// `binsr upscale DIR -o OUTDIR` and `binsr upscale A B C -o OUTDIR`: the built binary on a temporary folder of
/// PngSuite images, with the golden 1-block model.
@Suite struct UpscaleFolderTests {
    static let goodFiles = ["basn2c08.png", "basn4a08.png", "basn0g08.png"]

    /// A temporary folder with `models/` (the golden model), `in/` (three good PNGs, a corrupt `broken.png` and a
    /// text file that a folder run must not take as an image).
    static func workspace() throws -> URL {
        let models = try UpscaleCommandTests.modelsFolder()
        let input = models.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        for file in goodFiles {
            let source = TestPaths.testdata.appendingPathComponent("png/pngsuite/\(file)")
            try #require(FileManager.default.fileExists(atPath: source.path), "../shared/testdata is missing")
            try FileManager.default.copyItem(at: source, to: input.appendingPathComponent(file))
        }
        try Data("\u{89}PNG but not really".utf8).write(to: input.appendingPathComponent("broken.png"))
        try Data("notes".utf8).write(to: input.appendingPathComponent("notes.txt"))
        return models
    }

    static func upscale(_ folder: URL, _ extra: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try BinsrProcess.run(
            ["upscale"] + extra + [
                "--scale", "4", "--arch", "srresnet", "--weights", "real", "--models-dir", folder.path,
            ])
    }

    /// Each stdout line as a JSON object: the per-image lines keyed by input file name, and the summary.
    static func jsonLines(_ stdout: String) throws -> (images: [String: [String: Any]], summary: [String: Any]) {
        var images: [String: [String: Any]] = [:]
        var summary: [String: Any] = [:]
        for line in stdout.split(separator: "\n") {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not an object: \(line)")
            if let s = object["summary"] as? [String: Any] {
                summary = s
            } else {
                let input = try #require(object["input"] as? String)
                images[URL(fileURLWithPath: input).lastPathComponent] = object
            }
        }
        return (images, summary)
    }

    @Test func folderRunReportsTheBadFileResumesAndOverwrites() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in").path
        let output = folder.appendingPathComponent("out")

        // First run: the good images are written, the corrupt one fails by name, the text file is not an input.
        let first = try Self.upscale(folder, [input, "-o", output.path])
        #expect(first.status == 1, "\(first.stderr)")
        #expect(first.stderr.contains("broken.png"))
        #expect(first.stderr.contains("3 upscaled, 0 skipped, 1 failed of 4"), "\(first.stderr)")
        let written = try FileManager.default.contentsOfDirectory(atPath: output.path).sorted()
        #expect(written == Self.goodFiles.sorted())  // no broken.png, no notes, no temporary files left
        for file in Self.goodFiles {
            let header = try UpscaleCommandTests.pngHeader(output.appendingPathComponent(file))
            #expect(header.width == 128 && header.height == 128)
        }

        // Second run: what exists is skipped (even if it is not what we wrote); an empty output counts as not done.
        try Data("kept".utf8).write(to: output.appendingPathComponent("basn2c08.png"))
        try Data().write(to: output.appendingPathComponent("basn0g08.png"))
        let second = try Self.upscale(folder, [input, "-o", output.path, "--json"])
        #expect(second.status == 1, "\(second.stderr)")
        let lines = try Self.jsonLines(second.stdout)
        #expect(lines.images["basn2c08.png"]?["status"] as? String == "skipped")
        #expect(lines.images["basn4a08.png"]?["status"] as? String == "skipped")
        #expect(lines.images["basn0g08.png"]?["status"] as? String == "ok")
        let megapixels = lines.images["basn0g08.png"]?["outputMegapixels"] as? Double
        #expect(megapixels.map { abs($0 - 0.016384) < 1e-9 } == true)  // 128 x 128
        #expect(lines.images["broken.png"]?["status"] as? String == "failed")
        #expect((lines.images["broken.png"]?["error"] as? String)?.isEmpty == false)
        #expect(lines.images.count == 4)
        #expect(lines.summary["images"] as? Int == 4 && lines.summary["skipped"] as? Int == 2)
        #expect(lines.summary["ok"] as? Int == 1 && lines.summary["failed"] as? Int == 1)
        #expect(lines.summary["interrupted"] as? Bool == false)
        #expect(try Data(contentsOf: output.appendingPathComponent("basn2c08.png")) == Data("kept".utf8))

        // --overwrite: every good image is written again.
        let third = try Self.upscale(folder, [input, "-o", output.path, "--json", "--overwrite"])
        #expect(third.status == 1, "\(third.stderr)")
        let rewritten = try Self.jsonLines(third.stdout)
        for file in Self.goodFiles { #expect(rewritten.images[file]?["status"] as? String == "ok", "\(file)") }
        #expect(try UpscaleCommandTests.pngHeader(output.appendingPathComponent("basn2c08.png")).width == 128)
    }

    /// Files named one by one (as a shell expands a glob), written in the --format asked for; all good: status 0.
    @Test func severalFilesGoToTheOutputFolderInTheFormatAsked() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputs = Self.goodFiles.map { folder.appendingPathComponent("in/\($0)").path }
        let output = folder.appendingPathComponent("webp")
        let result = try Self.upscale(folder, inputs + ["-o", output.path, "--format", "webp", "--lossless", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try Self.jsonLines(result.stdout)
        #expect(lines.summary["ok"] as? Int == 3 && lines.summary["failed"] as? Int == 0)
        for file in Self.goodFiles {
            let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent + ".webp"
            let header = WebPBitstreamHeader([UInt8](try Data(contentsOf: output.appendingPathComponent(name))))
            #expect(header?.width == 128 && header?.height == 128 && header?.chunk == "VP8L", "\(name)")
        }
    }

    @Test func folderOptionsAreUsageErrorsForOneFile() throws {
        let result = try BinsrProcess.run(["upscale", "in.png", "-o", "out.png", "--json"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("for several inputs or a folder"))
    }
}
