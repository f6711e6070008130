import Foundation
import Logging

/// Knows which models exist (from the `SuperResolver`), which are loaded, and loads them eagerly at start or lazily
/// on first use, exactly once each, whichever thread asks first.
public final class ModelRegistry: @unchecked Sendable {
    public enum LoadState: Sendable, Equatable {
        case notLoaded
        case loaded
        case failed(String)
    }

    public let resolver: any SuperResolver
    public let eager: Bool
    private let infos: [ModelKey: ModelInfo]
    private let lock = NSLock()
    private var states: [ModelKey: LoadState] = [:]
    /// One lock per model so loading one does not block requests for another.
    private var loadLocks: [ModelKey: NSLock] = [:]
    private var eagerLoadDone = false

    public init(resolver: any SuperResolver, eager: Bool) {
        self.resolver = resolver
        self.eager = eager
        var infos: [ModelKey: ModelInfo] = [:]
        for info in resolver.models { infos[info.key] = info }
        self.infos = infos
        for key in infos.keys {
            states[key] = .notLoaded
            loadLocks[key] = NSLock()
        }
    }

    /// Every model, sorted, with its load state.
    public var models: [(info: ModelInfo, state: LoadState)] {
        let snapshot = lock.withLock { states }
        return infos.values.sorted { $0.key.description < $1.key.description }.map { ($0, snapshot[$0.key]!) }
    }

    public func info(_ key: ModelKey) -> ModelInfo? { infos[key] }

    /// Why `key` cannot be served, when its weight file is there but unreadable.
    public func unavailableReason(_ key: ModelKey) -> String? {
        resolver.unavailable.first { $0.key == key }.map { "weight file \($0.file) is unreadable (\($0.reason))" }
    }

    /// Ready to serve (GET /readyz): at least one model is served, and with eager loading the start-up load has
    /// finished and every readable model loaded. Unreadable weight files do not hold readiness back: the models
    /// they would serve are listed as unavailable and answered 503, and the rest serve.
    public var isReady: Bool {
        lock.withLock {
            guard !infos.isEmpty else { return false }
            return !eager || (eagerLoadDone && states.values.allSatisfy { $0 == .loaded })
        }
    }

    /// Loads every model (eager mode, at start). Failures are logged and leave the service not ready.
    public func loadAll(logger: Logger) {
        for key in infos.keys.sorted(by: { $0.description < $1.description }) {
            do {
                try ensureLoaded(key)
                logger.info("model loaded", metadata: ["model": "\(key)"])
            } catch {
                logger.error("model failed to load", metadata: ["model": "\(key)", "error": "\(error)"])
            }
        }
        lock.withLock { eagerLoadDone = true }
    }

    /// Makes `key` ready, loading it now if needed. A model that failed to load is retried on the next call.
    public func ensureLoaded(_ key: ModelKey) throws(ServiceError) {
        guard let loadLock = loadLocks[key] else {
            throw .modelUnavailable(key, reason: "no such model")
        }
        loadLock.lock()
        defer { loadLock.unlock() }
        if lock.withLock({ states[key] }) == .loaded { return }
        do {
            try resolver.load(key)
            lock.withLock { states[key] = .loaded }
        } catch {
            lock.withLock { states[key] = .failed("\(error)") }
            throw .modelUnavailable(key, reason: "loading failed")
        }
    }
}
