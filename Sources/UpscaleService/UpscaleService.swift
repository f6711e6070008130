import Dispatch
import Foundation
import HTTPServer
import Logging
import Tracing

/// The upscale service: HTTP server, routes, model registry, worker pool and metrics, wired from one config.
///
/// Lifecycle: `start()` binds and begins serving (eager model loading runs in the background, so /healthz answers
/// at once and /readyz turns 200 when the models are in); `shutdown()` stops accepting, finishes in-flight and
/// queued requests within `shutdownGraceSeconds`, then stops the workers.
public final class UpscaleService: @unchecked Sendable {
    public let config: ServiceConfig
    let registry: ModelRegistry
    let coder: any ImageCoding
    public let metrics: ServiceMetrics
    let queue: WorkQueue
    /// Asynchronous jobs (`/v1/jobs`, Jobs/): their records and results.
    let jobs: JobStore
    let logger: Logger
    /// Records the requests' spans (Tracing/): the one given at init, else the process's `InstrumentationSystem`
    /// tracer (a no-op one unless `binsr serve` bootstraps another), so tests pass theirs without the global.
    let tracer: any Tracer
    let router: Router<Route>
    /// Pages and endpoints served beside the API (`binsr serve` mounts the viewer and the blind study, module
    /// Viewer): asked only about paths the API's router does not know, so the API description stays the API's.
    let site: (any MountedSite)?
    /// Which requests need an API key (Access/AccessPolicy.swift).
    let access: AccessPolicy
    private(set) var server: HTTPServer!
    /// `/metrics` alone on `metrics.port`, when that is set (nil otherwise).
    private(set) var metricsServer: HTTPServer?

    /// Each route's raw value is its `route` label in metrics.
    enum Route: String, Sendable {
        case healthz, readyz, metrics, models, upscale
        case submitJob = "jobs"
        case jobStatus = "job"
        case deleteJob = "job_delete"
        case jobResult = "job_result"
    }

    /// `site` builds what is served beside the API from the pipeline the service lends it (nil: the API alone).
    public init(
        config: ServiceConfig, resolver: any SuperResolver, coder: any ImageCoding, logger: Logger,
        tracer: (any Tracer)? = nil, site: ((UpscalePipeline) -> any MountedSite)? = nil
    ) {
        self.config = config
        self.tracer = tracer ?? InstrumentationSystem.tracer
        self.registry = ModelRegistry(resolver: resolver, eager: config.modelLoading == "eager")
        self.coder = coder
        self.logger = logger
        let metrics = ServiceMetrics(workers: config.resolvedWorkers)
        self.metrics = metrics
        self.queue = WorkQueue(workers: config.resolvedWorkers, capacity: config.queueDepth) { depth, busy in
            metrics.setQueue(depth: depth, busy: busy)
        }
        jobs = JobStore(
            configuration: config.jobs, retryAfterSeconds: config.retryAfterSeconds, metrics: metrics, logger: logger)
        var router = Router<Route>()
        router.add(.get, "/healthz", .healthz)
        router.add(.get, "/readyz", .readyz)
        // With a metrics port, the API's port has no /metrics: the scraper's port stays off the ingress.
        if config.metrics.port == 0 { router.add(.get, "/metrics", .metrics) }
        router.add(.get, "/v1/models", .models)
        router.add(.post, "/upscale", .upscale)
        router.add(.post, "/v1/jobs", .submitJob)
        router.add(.get, JobPath.status, .jobStatus)
        router.add(.delete, JobPath.status, .deleteJob)
        router.add(.get, JobPath.result, .jobResult)
        let site = site?(UpscalePipeline(config: config, coder: coder, registry: registry, queue: queue))
        self.site = site
        access = AccessPolicy(config: config, site: site)
        self.router = router
        self.server = HTTPServer(
            host: config.host, port: config.port, limits: config.http, logger: logger,
            earlyResponse: { [unowned self] head, requestID in earlyResponse(head, requestID: requestID) },
            // Probes answer from memory at once: on the loop, never behind busy handler threads.
            answersOnLoop: { head in
                (head.method == .get || head.method == .head) && (head.path == "/healthz" || head.path == "/readyz")
            },
            handler: { [unowned self] request, context in handle(request, context) })
        if config.metrics.port != 0 {
            metricsServer = HTTPServer(
                host: config.host, port: config.metrics.port, limits: config.http, logger: logger,
                handler: { [unowned self] request, context in handleMetricsPort(request, context) })
        }
    }

    /// The bound port (after `start`).
    public var port: Int { server.port }

    /// True from the start of `shutdown`.
    public var isDraining: Bool { server.isDraining }

    @discardableResult
    public func start() throws -> Int {
        if registry.eager {
            let thread = Thread { [registry, logger] in registry.loadAll(logger: logger) }
            thread.name = "model-loader"
            thread.start()
        }
        try jobs.open()
        let port = try server.start()
        if let metricsServer { try metricsServer.start() }
        // How many keys, never which: the count tells an operator that rotation took effect.
        logger.info(
            "binsr serving",
            metadata: [
                "port": "\(port)", "workers": "\(queue.workerCount)", "queueDepth": "\(queue.capacity)",
                "models": "\(registry.models.count)", "modelLoading": "\(config.modelLoading)",
                "apiKeys": "\(config.auth.keys.count)", "metricsPort": "\(metricsServer?.port ?? port)",
            ])
        return port
    }

    /// Graceful stop. Returns true when every accepted request was answered within the grace period.
    @discardableResult
    public func shutdown() -> Bool {
        logger.info("shutting down", metadata: ["graceSeconds": "\(config.shutdownGraceSeconds)"])
        // One deadline for the whole drain: what the connections used is not given to the queue again, so the
        // process is gone within shutdownGraceSeconds (plus 1 s for the workers) and a pod's grace period can rely on it.
        let deadline = Date().addingTimeInterval(config.shutdownGraceSeconds)
        // Jobs first: their results would not outlive the process, and requests in flight must not wait behind
        // queued jobs. Queued ones leave the queue, running ones stop at their next tile, the results folder goes.
        for ticket in jobs.close() { queue.cancel(ticket) }
        let drained = server.shutdown(deadline: config.shutdownGraceSeconds)
        metricsServer?.shutdown(deadline: 1)
        let stopped = queue.stop(timeout: max(1, deadline.timeIntervalSinceNow))
        logger.info("stopped", metadata: ["drained": "\(drained)", "workersStopped": "\(stopped)"])
        return drained && stopped
    }

    /// Blocks until SIGTERM or SIGINT, then shuts down gracefully. Returns the process exit status (0 when drained).
    public func runUntilSignalled() -> Int32 {
        // The main thread sleeps here until a signal arrives: a one-shot wait, what a semaphore is for.
        let received = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            // The default action would kill the process before the drain; Dispatch delivers the signal instead.
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { received.signal() }
            source.resume()
            sources.append(source)
        }
        received.wait()
        let drained = shutdown()
        sources.forEach { $0.cancel() }
        return drained ? 0 : 1
    }
}
