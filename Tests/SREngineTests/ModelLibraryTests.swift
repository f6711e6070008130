import Foundation
import Imaging
import Logging
import Synchronization
import TestSupport
import Testing

@testable import SREngine

/// The one owner of a models folder's state: what it serves, each model's load (once, retried after a failure) and
/// how the loaded model runs.
@Suite struct ModelLibraryTests {
    static let srresnet = ModelFolder.Key(arch: .srresnet, kind: .real, scale: 4)
    static let lapsrnX2 = ModelFolder.Key(arch: .lapsrn, kind: .binary, scale: 2)

    func library(extra: [(name: String, bytes: Data)] = []) throws -> (ModelLibrary, URL) {
        let folder = try ModelFolderTests.folder(
            [
                ("srresnet_x4_b1_c8_real.safetensors", "srresnet_x4_real.safetensors"),
                ("lapsrn_x4_b1_c16_binary.safetensors", "lapsrn_x4_binary.safetensors"),
            ], extra: extra)
        var quiet = Logger(label: "model-library-test")
        quiet.logLevel = .critical
        return (ModelLibrary(folder: ModelFolder(directory: folder), precision: .fixed(.fp32), logger: quiet), folder)
    }

    @Test func loadsOnceAndRunsAtTheConfiguredPrecision() throws {
        let (library, folder) = try library()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(library.state(Self.srresnet) == .notLoaded)
        #expect(library.state(ModelFolder.Key(arch: .srresnet, kind: .binary, scale: 4)) == nil, "no such file")
        let image = Image(width: 5, height: 4, colorChannels: 3, color: [Float](repeating: 0.5, count: 60))
        #expect(throws: InferenceError.self) { try library.upscale(image, model: Self.srresnet) }

        // Eight threads ask at once: every caller returns with the model loaded (the others wait for the one load).
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do { try library.load(Self.srresnet) } catch { failures.withLock { $0 += 1 } }
        }
        #expect(failures.withLock { $0 } == 0)
        guard case .loaded(let runtime) = library.state(Self.srresnet) else {
            Issue.record("not loaded: \(String(describing: library.state(Self.srresnet)))")
            return
        }
        #expect(runtime.precision == .fp32 && runtime.source == .configured && runtime.blocks == 1)
        #expect(library.state(Self.lapsrnX2) == .notLoaded, "loading one model loads no other")
        let result = try library.upscale(image, model: Self.srresnet)
        #expect((result.width, result.height) == (20, 16))

        // The LapSRN x2 served from the x4 file's first level.
        try library.load(Self.lapsrnX2)
        let half = try library.upscale(image, model: Self.lapsrnX2)
        #expect((half.width, half.height) == (10, 8))
    }

    @Test func aFailedLoadNamesTheFileAndIsRetried() throws {
        let (library, folder) = try library()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The file goes bad after the folder was read (headers fine then): the load fails, naming it.
        let file = folder.appendingPathComponent("srresnet_x4_real.safetensors")
        let good = try Data(contentsOf: file)
        try good.prefix(200).write(to: file)
        #expect(throws: WeightsError.self) { try library.load(Self.srresnet) }
        guard case .failed(let reason) = library.state(Self.srresnet) else {
            Issue.record("not failed: \(String(describing: library.state(Self.srresnet)))")
            return
        }
        #expect(reason.contains("srresnet_x4_real.safetensors"), "\(reason)")
        // Mended: the next call loads it.
        try good.write(to: file)
        try library.load(Self.srresnet)
        if case .loaded = library.state(Self.srresnet) {} else { Issue.record("not loaded after the retry") }
    }

    @Test func unreadableFilesAreListedWithTheirReasonAndNoPath() throws {
        let (library, folder) = try library(extra: [("srresnet_x2_real.safetensors", Data([1, 2, 3, 4, 5, 6, 7, 8, 9]))])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(library.unreadable.map(\.file) == ["srresnet_x2_real.safetensors"])
        #expect(library.unreadable.first?.key == ModelFolder.Key(arch: .srresnet, kind: .real, scale: 2))
        let reason = library.unreadable.first?.reason ?? ""
        #expect(!reason.isEmpty && !reason.contains(folder.path) && !reason.hasPrefix("weight file"), "\(reason)")
        #expect(library.state(ModelFolder.Key(arch: .srresnet, kind: .real, scale: 2)) == nil)
    }
}
