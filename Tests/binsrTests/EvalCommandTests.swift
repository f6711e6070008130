import Foundation
import TestSupport
import Testing

/// Scores of the tiny synthetic dataset from an independent Python pipeline
/// (Tests/Fixtures/evaluation/make_cli_fixture.py: NumPy imresize port + scikit-image).
private struct Expected: Decodable {
    struct Row: Decodable {
        let name: String
        let width: Int
        let height: Int
        let psnr: Double
        let ssim: Double
    }
    let x2: [Row]
    let x4: [Row]

    static func load() throws -> Expected {
        let url = TestPaths.fixtures.appendingPathComponent("evaluation/tiny-dataset-expected.json")
        return try JSONDecoder().decode(Expected.self, from: Data(contentsOf: url))
    }
}

private func parseJSON(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

@Suite("binsr eval (the built executable)")
struct EvalCommandTests {
    let dataset = TestPaths.fixtures.appendingPathComponent("evaluation/tiny-dataset").path

    @Test("--json reports per-image and mean scores that match the independent Python pipeline", arguments: [2, 4])
    func jsonOutput(scale: Int) throws {
        let result = try BinsrProcess.run(["eval", "--dataset", dataset, "--scale", "\(scale)", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.isEmpty, "no progress bar when stderr is not a terminal")
        let json = try parseJSON(result.stdout)
        #expect(json["method"] as? String == "bicubic")
        #expect(json["scale"] as? Int == scale)
        #expect(json["roundedLR"] as? Bool == false)
        let images = try #require(json["images"] as? [[String: Any]])
        let rows = scale == 2 ? try Expected.load().x2 : try Expected.load().x4
        #expect(images.count == rows.count)
        var ifcSum = 0.0
        for (image, row) in zip(images, rows) {
            #expect(image["name"] as? String == row.name)
            #expect(image["width"] as? Int == row.width && image["height"] as? Int == row.height)
            let psnr = try #require(image["psnr"] as? Double)
            let ssim = try #require(image["ssim"] as? Double)
            let ifc = try #require(image["ifc"] as? Double)
            #expect(abs(psnr - row.psnr) < 1e-9, "\(row.name) PSNR \(psnr) vs \(row.psnr)")
            #expect(abs(ssim - row.ssim) < 1e-9, "\(row.name) SSIM \(ssim) vs \(row.ssim)")
            #expect(ifc.isFinite && ifc > 0)
            ifcSum += ifc
        }
        let meanPSNR = try #require(json["meanPSNR"] as? Double)
        #expect(abs(meanPSNR - rows.map(\.psnr).reduce(0, +) / Double(rows.count)) < 1e-9)
        let meanIFC = try #require(json["meanIFC"] as? Double)
        #expect(abs(meanIFC - ifcSum / Double(images.count)) < 1e-12)
    }

    @Test("--no-ifc leaves IFC out; --rounded-lr changes the scores and is reported")
    func flags() throws {
        let result = try BinsrProcess.run([
            "eval", "--dataset", dataset, "--scale", "4", "--json", "--no-ifc",
            "--rounded-lr",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let json = try parseJSON(result.stdout)
        #expect(json["roundedLR"] as? Bool == true)
        #expect(json["meanIFC"] == nil)
        let images = try #require(json["images"] as? [[String: Any]])
        #expect(images.allSatisfy { $0["ifc"] == nil })
        let psnr = try #require(images.first?["psnr"] as? Double)
        #expect(abs(psnr - (try Expected.load().x4[0].psnr)) > 1e-6, "rounding the LR must change the result")
    }

    @Test("a weight file is a method; its scale must match --scale")
    func weightFileMethod() throws {
        let weights = TestPaths.fixtures.appendingPathComponent("golden/srresnet_x2_b1_c8_real.safetensors").path
        let ok = try BinsrProcess.run(["eval", "--dataset", dataset, "--scale", "2", "--method", weights, "--json"])
        #expect(ok.status == 0, "stderr: \(ok.stderr)")
        let json = try parseJSON(ok.stdout)
        #expect((json["method"] as? String)?.hasPrefix("srresnet_x2_b1_c8_real.safetensors") == true)
        #expect(json["meanPSNR"] is Double)
        let wrong = try BinsrProcess.run(["eval", "--dataset", dataset, "--scale", "4", "--method", weights])
        #expect(wrong.status != 0 && wrong.stderr.contains("is an x2 model; --scale is 4"), "\(wrong.stderr)")
    }

    @Test("the table names every image and the mean")
    func table() throws {
        let result = try BinsrProcess.run(["eval", "--dataset", dataset, "--scale", "2", "--no-ifc"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 5)
        guard lines.count == 5 else { return }
        #expect(lines[2].hasPrefix("pattern") && lines[3].hasPrefix("stripes") && lines[4].hasPrefix("mean"))
        #expect(lines[2].contains("38.2677"))
    }

    @Test(
        "invalid options are rejected with a message and the usage exit code",
        arguments: [
            (["--scale", "5"], "--scale must be"),
            (["--scale", "4", "--method", "nope"], "unknown --method"),
            (["--scale", "4", "--dataset", "/definitely/not/here"], "is not a directory"),
        ])
    func invalidOptions(extra: [String], message: String) throws {
        var arguments = ["eval"]
        if !extra.contains("--dataset") { arguments += ["--dataset", dataset] }
        let result = try BinsrProcess.run(arguments + extra)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
    }

    @Test("a directory without images is a clear runtime error")
    func emptyDataset() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("binsr-eval-empty-\(getpid())")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let result = try BinsrProcess.run(["eval", "--dataset", empty.path, "--scale", "2"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("no .png/.jpg images"), "stderr: \(result.stderr)")
    }
}
