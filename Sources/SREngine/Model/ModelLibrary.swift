import Dispatch
import Foundation
import Imaging
import Logging
import Synchronization

/// `precision` of the service: one mode for every model, or `auto`, each model's fastest mode on this CPU that passes
/// the quality gate (measured once, then cached: `PrecisionTuner`).
public enum PrecisionSetting: Sendable, Equatable, CustomStringConvertible {
    case fixed(Precision)
    case auto

    /// "auto" or a mode's name (`Precision(named:)`); nil for anything else.
    public init?(_ name: String) {
        if name == "auto" {
            self = .auto
        } else if let mode = Precision(named: name) {
            self = .fixed(mode)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .fixed(let mode): mode.rawValue
        case .auto: "auto"
        }
    }
}

/// The models of one folder as a server holds them, and the one owner of their state: which exist and which files
/// are broken (`ModelFolder`, read once), which are loading, loaded or failed, each loaded `SRModel` and the
/// precision it runs in. The service only asks it, and keeps no more than whether it is ready (`ModelRegistry`).
///
/// Each model is loaded once, by whichever thread asks first; a failed load is tried again on the next call. A loaded
/// `SRModel` is shared read-only by every worker (SRModel is safe to call concurrently). Under `precision = auto` a
/// model without a cached choice for this CPU serves in fp32 at once and is measured in the background, one model
/// at a time; the chosen mode then replaces it (requests already running finish on the old one).
public final class ModelLibrary: Sendable {
    public typealias Key = ModelFolder.Key

    /// Where a model stands. A broken file's models are not here: they are `unavailable`.
    public enum State: Sendable, Equatable {
        case notLoaded
        case loading
        case loaded(Runtime)
        /// The last load failed (the error, which names the file); the next request tries again.
        case failed(String)
    }

    /// Why a loaded model runs in its precision.
    public enum PrecisionSource: String, Sendable {
        case configured
        case cached = "auto (cached)"
        case measured = "auto (measured)"
        case measuring = "auto (measuring; fp32 meanwhile)"
    }

    /// How a loaded model runs, for `GET /v1/models` and the logs.
    public struct Runtime: Sendable, Equatable {
        public let precision: Precision
        public let source: PrecisionSource
        /// Median ms per mode from the `auto` measurement (empty when configured).
        public let timingsMs: [String: Double]
        /// Residual blocks of the network (per level for LapSRN).
        public let blocks: Int
    }

    public let folder: ModelFolder
    public let precision: PrecisionSetting
    public let tuner: PrecisionTuner
    /// Bytes a tile's feature maps may take (`SRModel.tileSize`).
    public let memoryBudget: Int
    private let logger: Logger
    private let slots = Mutex<[Key: (state: State, model: SRModel?)]>([:])
    /// One per model, held for the whole load: a second caller for the same model waits for the first one's load
    /// (a plain lock is all it needs: there is no condition to wait for but the load's end), while loads and
    /// upscales of other models go on.
    private let loadGates: [Key: LoadGate]
    /// Upscales running now, for each one's share of the cores (`EngineThreads`).
    private let running = Atomic<Int>(0)
    /// Background measurements, one at a time and below request work.
    private let measuring = DispatchQueue(label: "binsr.precision-tuner", qos: .utility)

    /// Reads the folder's headers (not the weights: `load` does that) and logs every file it will not serve.
    public init(
        folder: ModelFolder, precision: PrecisionSetting = .fixed(.fp32), tuner: PrecisionTuner = PrecisionTuner(),
        memoryBudget: Int = SRModel.defaultMemoryBudget, logger: Logger = Logger(label: "binsr.engine")
    ) {
        self.folder = folder
        self.precision = precision
        self.tuner = tuner
        self.memoryBudget = memoryBudget
        self.logger = logger
        for (file, reason) in folder.skipped {
            logger.log(
                level: reason.hasPrefix("unreadable") ? .error : .warning, "weight file not served",
                metadata: ["file": "\(file)", "reason": "\(reason)"])
        }
        loadGates = Dictionary(uniqueKeysWithValues: folder.entries.map { ($0.key, LoadGate()) })
        slots.withLock { slots in
            for entry in folder.entries { slots[entry.key] = (.notLoaded, nil) }
        }
    }

    /// Every model served, in the folder's order (a LapSRN's derived levels after the files).
    public var entries: [ModelFolder.Entry] { folder.entries }
    /// Files that could not be read, with the model each name promises and why (no server path in the reason).
    public var unreadable: [ModelFolder.Unreadable] { folder.unreadable }

    /// Where `key` stands; nil when the folder does not serve it.
    public func state(_ key: Key) -> State? { slots.withLock { $0[key]?.state } }

    /// Makes `key` ready for `upscale`: reads and checks its weights once; a call while another thread loads it
    /// waits for that load. Throws the load's error (and leaves the model `failed` until the next call).
    public func load(_ key: Key) throws {
        guard let entry = folder.entry(key), let gate = loadGates[key] else {
            throw InferenceError.invalidInput("no weights for \(key)")
        }
        try gate.lock.withLock { _ in
            if case .loaded = state(key) { return }
            update(key, .loading)
            do {
                try loadNow(entry)
            } catch {
                update(key, .failed("\(error)"))
                throw error
            }
        }
    }

    private func loadNow(_ entry: ModelFolder.Entry) throws {
        let key = entry.key
        let weights = try ModelWeights(contentsOf: entry.url)
        let blocks = weights.description.blocks
        if case .fixed(let mode) = precision {
            install(key, try SRModel(weights: weights, precision: mode), Runtime(mode, .configured, [:], blocks))
            return
        }
        if let hit = tuner.cached(entry.url) {
            install(key, try SRModel(weights: weights, precision: hit.mode), Runtime(hit.mode, .cached, hit.timings, blocks))
            logger.info("precision auto -> \(hit.mode.rawValue) (cached)",
                        metadata: ["model": "\(key)", "timings": "\(PrecisionTuner.describe(hit.timings))"])
            return
        }
        install(key, try SRModel(weights: weights, precision: .fp32), Runtime(.fp32, .measuring, [:], blocks))
        measuring.async { [self] in
            do {
                // A LapSRN file serves two scales: the first of its keys measured it for both.
                let choice = try tuner.cached(entry.url) ?? tuner.measure(entry.url)
                install(key, try SRModel(weights: weights, precision: choice.mode),
                        Runtime(choice.mode, .measured, choice.timings, blocks))
                logger.info("precision auto -> \(choice.mode.rawValue) (measured)",
                            metadata: ["model": "\(key)", "timings": "\(PrecisionTuner.describe(choice.timings))"])
            } catch {
                logger.error("precision measurement failed; serving fp32",
                             metadata: ["model": "\(key)", "error": "\(error)"])
            }
        }
    }

    private func install(_ key: Key, _ model: SRModel, _ runtime: Runtime) {
        slots.withLock { $0[key] = (.loaded(runtime), model) }
    }

    private func update(_ key: Key, _ state: State) {
        slots.withLock { $0[key]?.state = state }
    }

    /// Upscales `image` by `key.scale` with a loaded model (self-ensemble when `ensemble`). `progress` is called
    /// after each tile with (tiles done, tiles) and may stop the upscale by throwing `InferenceError.cancelled`.
    public func upscale(
        _ image: Image, model key: Key, ensemble: Bool = false,
        progress: ((Int, Int) throws(InferenceError) -> Void)? = nil
    ) throws -> Image {
        guard let model = slots.withLock({ $0[key]?.model }) else {
            throw InferenceError.invalidInput("\(key) not loaded")
        }
        let concurrent = running.add(1, ordering: .relaxed).newValue
        defer { running.subtract(1, ordering: .relaxed) }
        EngineThreads.use(EngineThreads.share(concurrent: concurrent))
        return ensemble
            ? try model.upscaleEnsemble(image, scale: key.scale, memoryBudget: memoryBudget, progress: progress)
            : try model.upscale(image, scale: key.scale, memoryBudget: memoryBudget, progress: progress)
    }
}

extension ModelLibrary.Runtime {
    init(_ precision: Precision, _ source: ModelLibrary.PrecisionSource, _ timingsMs: [String: Double], _ blocks: Int) {
        self.init(precision: precision, source: source, timingsMs: timingsMs, blocks: blocks)
    }
}

/// A lock of its own per model (`Mutex` is not copyable, so a dictionary holds it in a class).
private final class LoadGate: Sendable {
    let lock = Mutex(())
}
