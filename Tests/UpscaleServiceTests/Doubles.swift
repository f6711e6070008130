import Foundation
import ImageCodecs
import Logging
import SREngine
import Synchronization
import TestSupport
import Tracing
import UpscaleService
import Viewer

/// The test double for the engine: nearest-neighbour upscaling (exact and checkable), an optional delay per call
/// to create load, split into `tiles` steps each reported like the engine's tile callback (which can stop it), and
/// counters to observe what the service asked for.
final class StubResolver: SuperResolver, Sendable {
    let delaySeconds: Double
    let tiles: Int
    let failingLoads: Set<ModelKey>
    private let counters = Mutex(
        (upscaleCalls: 0, stoppedCalls: 0, loads: [ModelKey](), loaded: Set<ModelKey>(), failed: Set<ModelKey>()))
    var upscaleCalls: Int { counters.withLock { $0.upscaleCalls } }
    /// Upscales stopped by their progress callback (a deleted job).
    var stoppedCalls: Int { counters.withLock { $0.stoppedCalls } }
    /// Every model actually loaded (a second `load` of a loaded model does not count).
    var loads: [ModelKey] { counters.withLock { $0.loads } }

    init(delaySeconds: Double = 0, tiles: Int = 1, failingLoads: Set<ModelKey> = []) {
        self.delaySeconds = delaySeconds
        self.tiles = max(1, tiles)
        self.failingLoads = failingLoads
    }

    var models: [ModelInfo] {
        var result: [ModelInfo] = []
        for arch in Architecture.allCases {
            for kind in WeightKind.allCases {
                for scale in [2, 4] {
                    let parameters = arch == .srresnet ? 1_500_000 : 800_000
                    result.append(
                        ModelInfo(
                            key: ModelKey(arch: arch, kind: kind, scale: scale),
                            parameterCount: parameters,
                            sizeBytes: kind == .binary ? parameters / 8 : parameters * 4))
                }
            }
        }
        return result
    }

    var unavailable: [UnavailableWeights] { [] }

    struct LoadFailure: Error {}
    struct Stopped: Error {}

    func state(_ key: ModelKey) -> ModelState? {
        guard models.contains(where: { $0.key == key }) else { return nil }
        return counters.withLock {
            $0.loaded.contains(key) ? .loaded(nil) : $0.failed.contains(key) ? .failed("stub load failure") : .notLoaded
        }
    }

    func load(_ key: ModelKey) throws {
        if failingLoads.contains(key) {
            counters.withLock { _ = $0.failed.insert(key) }
            throw LoadFailure()
        }
        counters.withLock {
            if $0.loaded.insert(key).inserted { $0.loads.append(key) }
        }
    }

    func upscale(_ image: Image, model key: ModelKey, ensemble: Bool, progress: UpscaleProgress?) throws -> Image {
        guard !ensemble else { throw ServiceError.internalFailure("this engine has no self-ensemble") }
        counters.withLock { $0.upscaleCalls += 1 }
        for tile in 1...tiles {
            if delaySeconds > 0 { Thread.sleep(forTimeInterval: delaySeconds / Double(tiles)) }
            if let progress, !progress(Double(tile) / Double(tiles)) {
                counters.withLock { $0.stoppedCalls += 1 }
                throw Stopped()
            }
        }
        let scale = key.scale
        let width = image.width * scale
        let height = image.height * scale
        var color = [Float](repeating: 0, count: image.colorChannels * width * height)
        for c in 0..<image.colorChannels {
            for y in 0..<height {
                for x in 0..<width {
                    color[c * width * height + y * width + x] =
                        image.color[c * image.pixelCount + (y / scale) * image.width + x / scale]
                }
            }
        }
        return Image(width: width, height: height, colorChannels: image.colorChannels, color: color)
    }
}

enum Fixtures {
    /// A real PNG (encoded by ImageCodecs) with a gradient, so decoding it is real work.
    static func png(width: Int, height: Int) -> [UInt8] {
        var color = [Float](repeating: 0, count: 3 * width * height)
        for index in color.indices { color[index] = Float(index % 251) / 250 }
        let image = Image(width: width, height: height, colorChannels: 3, color: color)
        return try! encodePNG(image)
    }

    /// Width and height from a PNG's IHDR chunk (PNG spec §11.2.2), read independently of the codec.
    static func pngSize(_ bytes: [UInt8]) -> (Int, Int)? {
        guard bytes.count >= 24, bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { return nil }
        func be32(_ offset: Int) -> Int { bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20))
    }
}

/// A service on an ephemeral port with the stub engine and the real codecs, and the viewer and study mounted as
/// `binsr serve` mounts them (`viewer: false`: the API alone).
func startService(
    _ configure: (inout ServiceConfig) -> Void = { _ in },
    resolver: StubResolver = StubResolver(),
    logger: Logger? = nil,
    tracer: (any Tracer)? = nil,
    viewer: Bool = true
) throws -> UpscaleService {
    var config = ServiceConfig()
    config.host = "127.0.0.1"
    config.port = 0
    config.workers = 2
    config.shutdownGraceSeconds = 10
    configure(&config)
    var quiet = Logger(label: "binsr-test")
    quiet.logLevel = .warning
    let logger = logger ?? quiet
    let service = UpscaleService(
        config: config, resolver: resolver, coder: ImageCodecsCoding(), logger: logger, tracer: tracer,
        site: viewer ? { ViewerSite(pipeline: $0, logger: logger) } : nil)
    try service.start()
    return service
}

/// Waits until `condition` holds (polling), at most `seconds`.
func eventually(_ seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return condition()
}

/// BINSR_PYTHON if it can import `module` (tests that need a Python tool skip instead of failing without it).
func python(with module: String) -> String? {
    guard let python = TestPaths.python else { return nil }
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: python)
    probe.arguments = ["-c", "import \(module)"]
    probe.standardError = FileHandle.nullDevice
    guard (try? probe.run()) != nil else { return nil }
    probe.waitUntilExit()
    return probe.terminationStatus == 0 ? python : nil
}
