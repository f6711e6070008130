import ImageCodecs
import SREngine

/// The engine behind the service: a models folder's `ModelLibrary` answers in the service's terms. The library owns
/// the models and their state; this only translates keys, states and the progress callback.
extension ModelLibrary: SuperResolver {
    public var models: [ModelInfo] {
        entries.map { entry in
            ModelInfo(
                key: ModelKey(arch: entry.key.arch, kind: entry.key.kind, scale: entry.key.scale),
                parameterCount: entry.description.realParameters + entry.description.binaryParameters,
                sizeBytes: entry.description.fileBytes)
        }
    }

    public var unavailable: [UnavailableWeights] {
        unreadable.map { broken in
            UnavailableWeights(
                file: broken.file, key: broken.key.map { ModelKey(arch: $0.arch, kind: $0.kind, scale: $0.scale) },
                reason: broken.reason)
        }
    }

    public func state(_ key: ModelKey) -> ModelState? {
        guard let network = key.network else { return nil }
        switch state(network) {
        case nil: return nil
        case .notLoaded: return .notLoaded
        case .loading: return .loading
        case .failed(let reason): return .failed(reason)
        case .loaded(let runtime):
            return .loaded(
                ModelRuntime(
                    precision: runtime.precision.rawValue, precisionSource: runtime.source.rawValue,
                    timingsMs: runtime.timingsMs, blocks: runtime.blocks))
        }
    }

    public func load(_ key: ModelKey) throws {
        guard let network = key.network else { throw ServiceError.internalFailure("bicubic has no weights to load") }
        try load(network)
    }

    public func upscale(_ image: Image, model key: ModelKey, ensemble: Bool, progress: UpscaleProgress?) throws -> Image {
        guard let network = key.network else { throw ServiceError.internalFailure("bicubic has no network") }
        // The job's tile callback: its fraction done, and a way to stop at the next tile (`InferenceError.cancelled`).
        var tiles: ((Int, Int) throws(InferenceError) -> Void)?
        if let progress {
            tiles = { done, total throws(InferenceError) in
                if !progress(Double(done) / Double(max(total, 1))) { throw InferenceError.cancelled }
            }
        }
        return try upscale(image, model: network, ensemble: ensemble, progress: tiles)
    }
}
