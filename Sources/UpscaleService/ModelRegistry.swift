import Foundation
import Logging
import Synchronization

/// Whether the service is ready to serve (GET /readyz), and the eager loading at start that readiness waits for.
/// The models themselves, and whether each is loaded, belong to the resolver (`SuperResolver`, the engine's
/// `ModelLibrary`): this keeps no state of theirs.
public final class ModelRegistry: Sendable {
    public let resolver: any SuperResolver
    public let eager: Bool
    private let eagerLoadDone = Atomic<Bool>(false)

    public init(resolver: any SuperResolver, eager: Bool) {
        self.resolver = resolver
        self.eager = eager
    }

    /// Every model, sorted by name, with where it stands.
    public var models: [(info: ModelInfo, state: ModelState)] {
        resolver.models.sorted { $0.key.description < $1.key.description }
            .map { ($0, resolver.state($0.key) ?? .notLoaded) }
    }

    /// Ready to serve: at least one model is served, and with eager loading the start-up load has finished and every
    /// readable model loaded. Unreadable weight files do not hold readiness back: the models they would serve are
    /// listed as unavailable and answered 503, and the rest serve.
    public var isReady: Bool {
        let models = resolver.models
        guard !models.isEmpty else { return false }
        guard eager else { return true }
        return eagerLoadDone.load(ordering: .acquiring) && models.allSatisfy {
            if case .loaded = resolver.state($0.key) { return true }
            return false
        }
    }

    /// Loads every model (eager mode, at start). Failures are logged and leave the service not ready.
    public func loadAll(logger: Logger) {
        for info in resolver.models.sorted(by: { $0.key.description < $1.key.description }) {
            do {
                try resolver.load(info.key)
                logger.info("model loaded", metadata: ["model": "\(info.key)"])
            } catch {
                logger.error("model failed to load", metadata: ["model": "\(info.key)", "error": "\(error)"])
            }
        }
        eagerLoadDone.store(true, ordering: .releasing)
    }

    /// Makes `key` ready, loading it now if needed (the resolver loads each model once; a failed one is tried again).
    public func ensureLoaded(_ key: ModelKey) throws(ServiceError) {
        guard resolver.state(key) != nil else { throw .modelUnavailable(key, reason: "no such model") }
        do {
            try resolver.load(key)
        } catch {
            throw .modelUnavailable(key, reason: "loading failed")
        }
    }
}
