import ImageCodecs

/// Identifies one network: architecture, weight kind and scale factor.
public struct ModelKey: Hashable, Sendable, CustomStringConvertible {
    /// "srresnet" or "lapsrn" (names as in training/archs, STYLE habit 12).
    public var arch: String
    /// "binary" (1-bit weights, Ma et al. 2019), "real" (full-precision baseline) or "bicubic" (no network).
    public var weights: String
    public var scale: Int

    public init(arch: String, weights: String, scale: Int) {
        self.arch = arch
        self.weights = weights
        self.scale = scale
    }

    public var description: String { isBicubic ? "bicubic-x\(scale)" : "\(arch)-\(weights)-x\(scale)" }
    /// `model=bicubic`: no network, no weight file (arch is ignored).
    public var isBicubic: Bool { weights == "bicubic" }
}

/// A weight file that could not be read: listed by `GET /v1/models`, and a request for the model its name promises
/// gets 503 with the reason.
public struct UnavailableWeights: Sendable, Equatable {
    /// The file's name in the models folder.
    public var file: String
    /// The model a canonical file name (`<arch>_x<scale>_<kind>.safetensors`) promises, if it has one.
    public var key: ModelKey?
    public var reason: String

    public init(file: String, key: ModelKey?, reason: String) {
        self.file = file
        self.key = key
        self.reason = reason
    }
}

/// What `GET /v1/models` reports about one network.
public struct ModelInfo: Sendable, Equatable {
    public var key: ModelKey
    /// Learnable parameters.
    public var parameterCount: Int
    /// Bytes of the weight file (binary weights pack 32 per word, so they are far smaller).
    public var sizeBytes: Int

    public init(key: ModelKey, parameterCount: Int, sizeBytes: Int) {
        self.key = key
        self.parameterCount = parameterCount
        self.sizeBytes = sizeBytes
    }
}

/// How a loaded model runs, for `GET /v1/models` and the logs.
public struct ModelRuntime: Sendable, Equatable {
    /// The precision mode in use ("fp32", "int8-bf16", ...).
    public var precision: String
    /// Why that mode: "configured", "auto (cached)", "auto (measured)", or "auto (measuring; fp32 meanwhile)".
    public var precisionSource: String
    /// Median ms per mode from the `auto` measurement (empty when configured).
    public var timingsMs: [String: Double]
    /// Residual blocks of the network (per level for LapSRN).
    public var blocks: Int

    public init(precision: String, precisionSource: String, timingsMs: [String: Double] = [:], blocks: Int) {
        self.precision = precision
        self.precisionSource = precisionSource
        self.timingsMs = timingsMs
        self.blocks = blocks
    }
}

/// The seam between the service and the super-resolution engine (SREngine): the only thing the service needs.
///
/// Wiring the engine is one adapter type conforming to this protocol (see `binsr serve`): `models` lists the weight
/// files found, `load` reads one into memory, `upscale` runs it. Implementations must be safe to call from several
/// worker threads at once (one call per worker); the service never calls `upscale` for a model it did not `load`.
public protocol SuperResolver: Sendable {
    /// Every model that can be served, whether or not it is loaded yet.
    var models: [ModelInfo] { get }
    /// Makes `key` ready for `upscale` (reads and validates weights). Called once per model, at start or on first use.
    func load(_ key: ModelKey) throws
    /// Upscales `image` by `scale` with the named network. The result is `scale` times larger in each dimension.
    func upscale(_ image: Image, scale: Int, arch: String, weights: String) throws -> Image
    /// `upscale` averaged over the input's eight flips and rotations when `ensemble` (self-ensemble).
    func upscale(_ image: Image, scale: Int, arch: String, weights: String, ensemble: Bool) throws -> Image
    /// The same, reporting progress after each tile (asynchronous jobs, `GET /v1/jobs/{id}`); when `progress`
    /// returns false the engine stops at that tile and the call throws.
    func upscale(
        _ image: Image, scale: Int, arch: String, weights: String, ensemble: Bool, progress: UpscaleProgress?
    ) throws -> Image
    /// How a loaded model runs (nil before it is loaded, or when the resolver does not say).
    func runtime(_ key: ModelKey) -> ModelRuntime?
    /// Weight files found but unreadable (the models they would serve are not in `models`).
    var unavailable: [UnavailableWeights] { get }
}

/// Called by the engine after each tile with the fraction of the upscale done (0...1, tiles done / tiles); returns
/// whether to go on. Called on the worker thread running the upscale.
public typealias UpscaleProgress = @Sendable (_ fraction: Double) -> Bool

extension SuperResolver {
    public func runtime(_ key: ModelKey) -> ModelRuntime? { nil }

    /// Resolvers that cannot report progress run the upscale in one piece: a job shows 0 until it is done, and a
    /// job deleted while running finishes first (its result is then discarded).
    public func upscale(
        _ image: Image, scale: Int, arch: String, weights: String, ensemble: Bool, progress: UpscaleProgress?
    ) throws -> Image {
        try upscale(image, scale: scale, arch: arch, weights: weights, ensemble: ensemble)
    }
    public var unavailable: [UnavailableWeights] { [] }

    /// Resolvers without a self-ensemble of their own average eight plain `upscale` calls the same way.
    public func upscale(_ image: Image, scale: Int, arch: String, weights: String, ensemble: Bool) throws -> Image {
        guard ensemble else { return try upscale(image, scale: scale, arch: arch, weights: weights) }
        throw ServiceError.internalFailure("this engine has no self-ensemble")
    }
}
