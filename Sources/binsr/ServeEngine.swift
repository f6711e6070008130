import Dispatch
import Foundation
import ImageCodecs
import Logging
import SREngine
import UpscaleService

/// The one place the service meets the super-resolution engine: returns the `SuperResolver` that `binsr serve` uses.
func makeSuperResolver(config: ServiceConfig, logger: Logger) throws -> any SuperResolver {
    let directory = URL(fileURLWithPath: config.modelsDirectory)
    guard config.precision == "auto" || Precision(named: config.precision) != nil else {
        throw InferenceError.invalidInput("unknown precision \(config.precision)")
    }
    let tuner = PrecisionTuner(
        cache: config.precisionCache.isEmpty
            ? PrecisionCache() : PrecisionCache(file: URL(fileURLWithPath: config.precisionCache)))
    let resolver = try EngineResolver(
        directory: directory, precision: config.precision, tuner: tuner, logger: logger,
        memoryBudget: config.tileMemoryBudgetMiB << 20)
    let cacheNote = config.precision == "auto" ? " (precision cache \(tuner.cache.file.path))" : ""
    logger.info("engine precision \(config.precision) on \(CPUSignature.summary)\(cacheNote)")
    if resolver.models.isEmpty {
        logger.warning("no weight files in \(directory.path); /readyz stays 503 and /upscale answers 503")
    }
    return resolver
}

/// Serves the weight files `<arch>_x<scale>_<real|binary>.safetensors` of one folder with SREngine, and a LapSRN's
/// coarser levels as models of their own scale (`ModelFolder`).
///
/// Each `SRModel` is loaded once and shared read-only by every worker (SRModel is safe to call concurrently).
/// Training state files (`*.train.safetensors`) sit beside the weights and are skipped. Under `precision = auto` a
/// model without a cached choice for this CPU serves in fp32 at once and is measured in the background, one model
/// at a time; the chosen mode then replaces it (requests already running finish on the old one).
final class EngineResolver: SuperResolver, @unchecked Sendable {
    let models: [ModelInfo]
    let unavailable: [UnavailableWeights]
    private let files: [ModelKey: URL]
    private let lock = NSLock()
    private var loaded: [ModelKey: SRModel] = [:]
    private var runtimes: [ModelKey: ModelRuntime] = [:]
    /// Upscales running now, for each one's share of the cores (`EngineThreads`).
    private var running = 0
    let precision: String
    let tuner: PrecisionTuner
    let logger: Logger
    let memoryBudget: Int
    /// Background measurements, one at a time and below request work.
    private let measuring = DispatchQueue(label: "binsr.precision-tuner", qos: .utility)

    init(directory: URL, precision: String = "fp32", tuner: PrecisionTuner = PrecisionTuner(),
         logger: Logger = Logger(label: "binsr.engine"), memoryBudget: Int = SRModel.defaultMemoryBudget) throws {
        self.precision = precision
        self.memoryBudget = memoryBudget
        self.tuner = tuner
        self.logger = logger
        let folder = ModelFolder(directory: directory)
        for (file, reason) in folder.skipped {
            logger.log(
                level: reason.hasPrefix("unreadable") ? .error : .warning, "weight file not served",
                metadata: ["file": "\(file)", "reason": "\(reason)"])
        }
        func serviceKey(_ key: ModelFolder.Key) -> ModelKey {
            ModelKey(arch: key.arch.rawValue, weights: key.kind, scale: key.scale)
        }
        var files: [ModelKey: URL] = [:]
        for entry in folder.entries { files[serviceKey(entry.key)] = entry.url }
        self.files = files
        models = folder.entries.map { entry in
            ModelInfo(
                key: serviceKey(entry.key),
                parameterCount: entry.description.realParameters + entry.description.binaryParameters,
                sizeBytes: entry.description.fileBytes)
        }
        unavailable = folder.unreadable.map {
            UnavailableWeights(file: $0.file, key: $0.key.map(serviceKey), reason: $0.reason)
        }
    }

    func load(_ key: ModelKey) throws {
        guard let url = files[key] else { throw InferenceError.invalidInput("no weights for \(key)") }
        let weights = try ModelWeights(contentsOf: url)
        let blocks = weights.description.blocks
        if let fixed = Precision(named: precision) {
            install(key, try SRModel(weights: weights, precision: fixed),
                    ModelRuntime(precision: fixed.rawValue, precisionSource: "configured", blocks: blocks))
            return
        }
        if let hit = tuner.cached(url) {
            install(key, try SRModel(weights: weights, precision: hit.mode),
                    ModelRuntime(precision: hit.mode.rawValue, precisionSource: "auto (cached)",
                                 timingsMs: hit.timings, blocks: blocks))
            logger.info("precision auto -> \(hit.mode.rawValue) (cached)",
                        metadata: ["model": "\(key)", "timings": "\(PrecisionTuner.describe(hit.timings))"])
            return
        }
        install(key, try SRModel(weights: weights, precision: .fp32),
                ModelRuntime(precision: "fp32", precisionSource: "auto (measuring; fp32 meanwhile)", blocks: blocks))
        measuring.async { [self] in
            do {
                // A LapSRN file serves two scales: the first of its keys measured it for both.
                let choice = try tuner.cached(url) ?? tuner.measure(url)
                install(key, try SRModel(weights: weights, precision: choice.mode),
                        ModelRuntime(precision: choice.mode.rawValue, precisionSource: "auto (measured)",
                                     timingsMs: choice.timings, blocks: blocks))
                logger.info("precision auto -> \(choice.mode.rawValue) (measured)",
                            metadata: ["model": "\(key)", "timings": "\(PrecisionTuner.describe(choice.timings))"])
            } catch {
                logger.error("precision measurement failed; serving fp32",
                             metadata: ["model": "\(key)", "error": "\(error)"])
            }
        }
    }

    private func install(_ key: ModelKey, _ model: SRModel, _ runtime: ModelRuntime) {
        lock.withLock {
            loaded[key] = model
            runtimes[key] = runtime
        }
    }

    func runtime(_ key: ModelKey) -> ModelRuntime? { lock.withLock { runtimes[key] } }

    func upscale(_ image: Image, scale: Int, arch: String, weights: String) throws -> Image {
        try upscale(image, scale: scale, arch: arch, weights: weights, ensemble: false)
    }

    func upscale(_ image: Image, scale: Int, arch: String, weights: String, ensemble: Bool) throws -> Image {
        try upscale(image, scale: scale, arch: arch, weights: weights, ensemble: ensemble, progress: nil)
    }

    func upscale(
        _ image: Image, scale: Int, arch: String, weights: String, ensemble: Bool, progress: UpscaleProgress?
    ) throws -> Image {
        let key = ModelKey(arch: arch, weights: weights, scale: scale)
        guard let model = lock.withLock({ loaded[key] }) else { throw InferenceError.invalidInput("\(key) not loaded") }
        let concurrent = lock.withLock { () -> Int in
            running += 1
            return running
        }
        defer { lock.withLock { running -= 1 } }
        EngineThreads.use(EngineThreads.share(concurrent: concurrent))
        // The job's tile callback: its fraction done, and a way to stop at the next tile (`InferenceError.cancelled`).
        var tiles: ((Int, Int) throws(InferenceError) -> Void)?
        if let progress {
            tiles = { done, total throws(InferenceError) in
                if !progress(Double(done) / Double(max(total, 1))) { throw InferenceError.cancelled }
            }
        }
        return ensemble
            ? try model.upscaleEnsemble(image, scale: scale, memoryBudget: memoryBudget, progress: tiles)
            : try model.upscale(image, scale: scale, memoryBudget: memoryBudget, progress: tiles)
    }
}
