import ImageCodecs

/// What the service lends a `MountedSite` when it builds one: its configuration, its codecs, which models it has,
/// and its queued decode -> engine -> encode path. Study images made here are exactly what `POST /upscale` returns
/// and compete fairly with API traffic for the same workers.
public struct UpscalePipeline: Sendable {
    /// The service's whole configuration (the site reads its own keys, e.g. `study.*` and `webRoot`).
    public let config: ServiceConfig
    /// The codecs the service decodes and encodes with.
    public let coder: any ImageCoding
    let registry: ModelRegistry
    let queue: WorkQueue

    /// The models the service has weights for (loaded or not yet), as `GET /v1/models` lists them.
    public var models: [ModelKey] { registry.resolver.models.map(\.key) }

    /// Upscales an encoded image with `key` as a job on the service's worker queue, waits for it and returns the
    /// result as PNG. A full queue throws `.queueFull` (503 with Retry-After), as for `POST /upscale`; the worker
    /// pool always delivers, so the wait ends. Bytes with no image signature throw `.notAnImage`.
    public func upscale(_ encoded: [UInt8], with key: ModelKey) throws(ServiceError) -> [UInt8] {
        // Read once here, as `UpscaleRequest.image(in:)` does for an upload: the decoder is told the format.
        guard let inputFormat = ImageFormat.detect(encoded) else { throw .notAnImage }
        let parameters = UpscaleParameters(key: key, format: .png, quality: config.jpegQuality)
        let job = UpscaleJob(
            encoded: encoded, inputFormat: inputFormat, parameters: parameters, outputFormat: .png, config: config,
            coder: coder, registry: registry)
        let outcome = Completion<Result<UpscaleJob.Output, ServiceError>>()
        let work = { @Sendable in Result { () throws(ServiceError) in try job.run() } }
        guard queue.submit(work, deliver: outcome.fulfil) != nil else {
            throw .queueFull(depth: queue.capacity, retryAfter: config.retryAfterSeconds)
        }
        return try outcome.wait().get().bytes
    }
}
