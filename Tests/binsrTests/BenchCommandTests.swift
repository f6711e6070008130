import Foundation
import TestSupport
import Testing

private func jsonLines(_ text: String) throws -> [[String: Any]] {
    try text.split(separator: "\n").map { line in
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }
}

@Suite("binsr bench (the built executable)")
struct BenchCommandTests {
    let models = TestPaths.repositoryRoot.appendingPathComponent("models").path

    @Test(
        "--json prints one line per case with the output size of the requested scale",
        arguments: [("srresnet", 4), ("srresnet", 2), ("lapsrn", 4), ("lapsrn", 2)])
    func jsonLinesPerCase(arch: String, scale: Int) throws {
        // LapSRN x2 has no file of its own: the x4 file's first level, as `eval` and the service run it.
        let result = try BinsrProcess.run([
            "bench", "--models-dir", models, "--arch", arch, "--scale", "\(scale)", "--size", "16", "--runs", "2",
            "--warmup", "0", "--cases", "real:fp32,binary:fp32", "--json",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let rows = try jsonLines(result.stdout)
        #expect(rows.map { $0["weights"] as? String } == ["real", "binary"])
        for row in rows {
            #expect(row["arch"] as? String == arch && row["scale"] as? Int == scale)
            #expect(row["output_size"] as? Int == 16 * scale)
            #expect((row["times_ms"] as? [Double])?.count == 2)
        }
    }

    @Test("a models folder without the file is a usage error that names it")
    func missingWeights() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("binsr-bench-empty-\(getpid())")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let result = try BinsrProcess.run(["bench", "--models-dir", empty.path, "--cases", "binary:fp32"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("srresnet_x4_binary.safetensors"), "stderr: \(result.stderr)")
    }
}
