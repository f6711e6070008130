import Foundation
import Logging
import SREngine
import UpscaleService

/// The one place `binsr serve` meets the engine: the models folder as a `ModelLibrary`, which the service uses as its
/// `SuperResolver` (UpscaleService/EngineResolver.swift).
func makeSuperResolver(config: ServiceConfig, logger: Logger) throws -> any SuperResolver {
    let directory = URL(fileURLWithPath: config.modelsDirectory)
    guard let precision = PrecisionSetting(config.precision) else {
        throw InferenceError.invalidInput("unknown precision \(config.precision)")
    }
    let tuner = PrecisionTuner(
        cache: config.precisionCache.isEmpty
            ? PrecisionCache() : PrecisionCache(file: URL(fileURLWithPath: config.precisionCache)))
    let library = ModelLibrary(
        folder: ModelFolder(directory: directory), precision: precision, tuner: tuner,
        memoryBudget: config.tileMemoryBudgetMiB << 20, logger: logger)
    let cacheNote = precision == .auto ? " (precision cache \(tuner.cache.file.path))" : ""
    logger.info("engine precision \(config.precision) on \(CPUSignature.summary)\(cacheNote)")
    if library.entries.isEmpty {
        logger.warning("no weight files in \(directory.path); /readyz stays 503 and /upscale answers 503")
    }
    return library
}
