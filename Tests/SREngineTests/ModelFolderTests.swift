import Foundation
import SREngine
import TestSupport
import Testing

/// A models folder as an operator leaves it: canonical files, a second file of one kind, training state and golden
/// I/O beside them, a truncated copy, and a LapSRN x4 whose first level serves x2.
@Suite struct ModelFolderTests {
    static func folder(_ files: [(source: String, name: String)], extra: [(name: String, bytes: Data)] = []) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (source, name) in files {
            try FileManager.default.copyItem(
                at: TestPaths.fixtures.appendingPathComponent("golden/\(source)"), to: folder.appendingPathComponent(name))
        }
        for (name, bytes) in extra { try bytes.write(to: folder.appendingPathComponent(name)) }
        return folder
    }

    @Test func servesCanonicalFilesDerivesLapSRNx2AndListsWhatItSkipped() throws {
        let good = try Data(contentsOf: TestPaths.fixtures.appendingPathComponent("golden/srresnet_x2_b1_c8_real.safetensors"))
        let folder = try Self.folder(
            [
                ("srresnet_x4_b1_c8_real.safetensors", "srresnet_x4_real.safetensors"),
                ("srresnet_x4_b1_c8_real.safetensors", "a_copy_of_x4_real.safetensors"),
                ("lapsrn_x4_b1_c16_binary.safetensors", "lapsrn_x4_binary.safetensors"),
                ("srresnet_x4_b1_c8_real.io.safetensors", "srresnet_x4_real.io.safetensors"),
            ],
            extra: [
                ("srresnet_x2_real.safetensors", good.prefix(100)),  // truncated: x2 real is unavailable
                ("srresnet_x4_real.train.safetensors", Data([1, 2, 3])),  // training state: not a weight file
            ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let models = ModelFolder(directory: folder)

        let served = Dictionary(uniqueKeysWithValues: models.entries.map { ($0.key.description, $0) })
        #expect(Set(served.keys) == ["srresnet-real-x4", "lapsrn-binary-x4", "lapsrn-binary-x2"])
        // The canonical name wins over a second file of its kind, whatever their order by name.
        #expect(served["srresnet-real-x4"]?.url.lastPathComponent == "srresnet_x4_real.safetensors")
        #expect(served["lapsrn-binary-x2"]?.derived == true)
        #expect(served["lapsrn-binary-x2"]?.url.lastPathComponent == "lapsrn_x4_binary.safetensors")

        #expect(models.unreadable.map(\.file) == ["srresnet_x2_real.safetensors"])
        #expect(models.unreadable.first?.key?.description == "srresnet-real-x2")
        let reason = models.unreadable.first?.reason ?? ""
        #expect(reason.contains("truncated") && !reason.contains(folder.path), "\(reason)")
        #expect(Set(models.skipped.map(\.file)) == ["srresnet_x2_real.safetensors", "a_copy_of_x4_real.safetensors"])
        #expect(
            try ModelFolder.weightFiles(in: folder) == [
                "a_copy_of_x4_real.safetensors", "lapsrn_x4_binary.safetensors", "srresnet_x2_real.safetensors",
                "srresnet_x4_real.safetensors",
            ])
    }
}
