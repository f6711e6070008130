import ImageCodecs
import Logging
import UpscaleService

/// The one place the service meets the super-resolution engine: returns the `SuperResolver` that `binsr serve` uses.
///
/// Until SREngine's `SRModel` is wired here (an adapter: `models` from the weight files in
/// `config.modelsDirectory`, `load` = read `ModelWeights` and build an `SRModel`, `upscale` = `SRModel.upscale`),
/// the service starts with no models: /healthz is 200, /readyz is 503 and /upscale answers 400 listing none.
func makeSuperResolver(config: ServiceConfig, logger: Logger) -> any SuperResolver {
    logger.warning("no super-resolution engine wired; serving without models")
    return NoEngine()
}

private struct NoEngine: SuperResolver {
    struct Unavailable: Error {}
    var models: [ModelInfo] { [] }
    func load(_ key: ModelKey) throws { throw Unavailable() }
    func upscale(_ image: Image, scale: Int, arch: String, weights: String) throws -> Image { throw Unavailable() }
}
