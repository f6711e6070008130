import ImageCodecs
import SREngine

/// Identifies one way to upscale: a network (architecture, weight kind, scale) or MATLAB bicubic at a scale.
/// Architecture and weight kind are the engine's vocabulary (`Architecture`, `WeightKind`), named as in training/archs
/// (STYLE habit 12).
public struct ModelKey: Hashable, Sendable, CustomStringConvertible {
    /// What `model=` names: a kind of network weights, or bicubic (no network, no weight file).
    public enum Weights: Hashable, Sendable, CaseIterable, CustomStringConvertible {
        case network(WeightKind)
        /// MATLAB bicubic (`BicubicUpscale`): the baseline every model is measured against.
        case bicubic

        public static let allCases: [Weights] = WeightKind.allCases.map(Weights.network) + [.bicubic]

        /// `binary`, `real` or `bicubic`; nil for anything else.
        public init?(_ name: String) {
            guard let found = Self.allCases.first(where: { $0.description == name }) else { return nil }
            self = found
        }

        public var description: String {
            switch self {
            case .network(let kind): kind.rawValue
            case .bicubic: "bicubic"
            }
        }
    }

    /// Ignored for bicubic.
    public var arch: Architecture
    public var weights: Weights
    public var scale: Int

    public init(arch: Architecture, weights: Weights, scale: Int) {
        self.arch = arch
        self.weights = weights
        self.scale = scale
    }

    /// A network's key.
    public init(arch: Architecture, kind: WeightKind, scale: Int) {
        self.init(arch: arch, weights: .network(kind), scale: scale)
    }

    /// The engine's name for a network's weights (nil for bicubic).
    public var network: ModelFolder.Key? {
        guard case .network(let kind) = weights else { return nil }
        return ModelFolder.Key(arch: arch, kind: kind, scale: scale)
    }

    public var description: String { isBicubic ? "bicubic-x\(scale)" : "\(arch.rawValue)-\(weights)-x\(scale)" }
    /// `model=bicubic`: no network, no weight file (arch is ignored).
    public var isBicubic: Bool { weights == .bicubic }
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

/// Where a model stands, as the resolver (the one owner of model state) says.
public enum ModelState: Sendable, Equatable {
    case notLoaded
    case loading
    /// Loaded; with how it runs, when the resolver says.
    case loaded(ModelRuntime?)
    /// The last load failed, and why; the next request tries again.
    case failed(String)
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

/// The seam between the service and the super-resolution engine: the only thing the service needs, so its tests run
/// on a stand-in. The engine's conformance is `ModelLibrary` (EngineResolver.swift).
///
/// The resolver owns the models and their state: it says which exist, loads each once (whichever thread asks first;
/// others wait for that load) and runs them. Implementations must be safe to call from several worker threads at once
/// (one call per worker); the service never calls `upscale` for a model it did not `load`.
public protocol SuperResolver: Sendable {
    /// Every model that can be served, whether or not it is loaded yet.
    var models: [ModelInfo] { get }
    /// Weight files found but unreadable (the models they would serve are not in `models`).
    var unavailable: [UnavailableWeights] { get }
    /// Where `key` stands; nil when it is not one of `models`.
    func state(_ key: ModelKey) -> ModelState?
    /// Makes `key` ready for `upscale` (reads and validates weights), at once when it already is. Called at start
    /// (eager loading) and before each upscale; a failed load is tried again on the next call.
    func load(_ key: ModelKey) throws
    /// Upscales `image` by `key.scale` with that network; the result is `key.scale` times larger in each dimension.
    /// `ensemble`: averaged over the input's eight flips and rotations (self-ensemble). `progress` (asynchronous jobs,
    /// `GET /v1/jobs/{id}`) is called after each tile; when it returns false the engine stops at that tile and the
    /// call throws.
    func upscale(_ image: Image, model key: ModelKey, ensemble: Bool, progress: UpscaleProgress?) throws -> Image
}

/// Called by the engine after each tile with the fraction of the upscale done (0...1, tiles done / tiles); returns
/// whether to go on. Called on the worker thread running the upscale.
public typealias UpscaleProgress = @Sendable (_ fraction: Double) -> Bool

extension SuperResolver {
    /// Why `key` cannot be served, when the weight file its name promises is there but unreadable.
    public func unavailableReason(_ key: ModelKey) -> String? {
        unavailable.first { $0.key == key }.map { "weight file \($0.file) is unreadable (\($0.reason))" }
    }
}
