import Foundation
import ImageCodecs
import Logging
import SREngine
import UpscaleService

/// The one place the service meets the super-resolution engine: returns the `SuperResolver` that `binsr serve` uses.
func makeSuperResolver(config: ServiceConfig, logger: Logger) throws -> any SuperResolver {
    let directory = URL(fileURLWithPath: config.modelsDirectory)
    guard let precision = Precision(named: config.precision) else {
        throw InferenceError.invalidInput("unknown precision \(config.precision)")
    }
    let resolver = try EngineResolver(directory: directory, precision: precision)
    logger.info("engine precision \(precision.rawValue) (configured \(config.precision))")
    if resolver.models.isEmpty {
        logger.warning("no weight files in \(directory.path); /readyz stays 503 and /upscale answers 503")
    }
    return resolver
}

/// Serves the weight files `<arch>_x<scale>_<real|binary>.safetensors` of one folder with SREngine, and a LapSRN's
/// coarser levels as models of their own scale (`ModelFiles`).
///
/// Each `SRModel` is loaded once and shared read-only by every worker (SRModel is safe to call concurrently).
/// Training state files (`*.train.safetensors`) sit beside the weights and are skipped.
final class EngineResolver: SuperResolver, @unchecked Sendable {
    let models: [ModelInfo]
    private let files: [ModelKey: URL]
    private let lock = NSLock()
    private var loaded: [ModelKey: SRModel] = [:]
    let precision: Precision

    init(directory: URL, precision: Precision = .fp32) throws {
        self.precision = precision
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var files: [ModelKey: URL] = [:]
        var models: [ModelInfo] = []
        var scales: [ModelKey: [Int]] = [:]
        for name in names.sorted() where name.hasSuffix(".safetensors") && !name.hasSuffix(".train.safetensors") {
            let url = directory.appendingPathComponent(name)
            let description = try ModelWeights(contentsOf: url).description
            let key = ModelKey(arch: description.arch.rawValue, weights: description.binary ? "binary" : "real",
                               scale: description.scale)
            files[key] = url
            models.append(ModelInfo(key: key, parameterCount: description.realParameters + description.binaryParameters,
                                    sizeBytes: description.fileBytes))
            scales[key] = description.scales
        }
        // A LapSRN's coarser levels are models too (x4 also serves x2), unless a file of that scale exists.
        for (key, available) in scales.sorted(by: { $0.key.description < $1.key.description }) {
            for scale in available where scale != key.scale {
                let derived = ModelKey(arch: key.arch, weights: key.weights, scale: scale)
                guard files[derived] == nil, let info = models.first(where: { $0.key == key }) else { continue }
                files[derived] = files[key]
                models.append(ModelInfo(key: derived, parameterCount: info.parameterCount, sizeBytes: info.sizeBytes))
            }
        }
        self.files = files
        self.models = models
    }

    func load(_ key: ModelKey) throws {
        guard let url = files[key] else { throw InferenceError.invalidInput("no weights for \(key)") }
        let model = try SRModel(contentsOf: url, precision: precision)
        lock.withLock { loaded[key] = model }
    }

    func upscale(_ image: Image, scale: Int, arch: String, weights: String) throws -> Image {
        let key = ModelKey(arch: arch, weights: weights, scale: scale)
        guard let model = lock.withLock({ loaded[key] }) else { throw InferenceError.invalidInput("\(key) not loaded") }
        return try model.upscale(image, scale: scale)
    }
}
