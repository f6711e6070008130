import Foundation
import HTTPServer
import Prometheus
import Synchronization

/// The service's Prometheus metrics (swift-prometheus, the swift-metrics Prometheus backend), each registered with
/// help text so the exposition passes `promtool check metrics`. One registry per service instance, so tests can run
/// several servers in one process.
public final class ServiceMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    /// Seconds; from 1 ms to 2 min, roughly x2.5 apart (inference on a large image takes seconds).
    static let durationBuckets: [Double] = [
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
        30, 60, 120,
    ]

    private let queueDepth: Gauge
    private let inFlight: Gauge
    private let workersBusy: Gauge
    private let workersTotal: Gauge
    private let openConnections: Gauge
    private let residentMemory: Gauge
    private let bytesIn: Counter
    private let bytesOut: Counter
    private let jobResultBytes: Gauge
    private let jobsExpiredTotal: Counter
    /// The HTTP layer's counts at the last scrape: its totals become counter increments.
    private let lastConnectionStats = Mutex(ConnectionStats())

    public init(workers: Int) {
        queueDepth = registry.makeGauge(
            descriptor: Self.name("queue_depth", "", "Upscale requests waiting for a worker."))
        inFlight = registry.makeGauge(
            descriptor: Self.name("in_flight_requests", "", "Requests being handled right now."))
        workersBusy = registry.makeGauge(descriptor: Self.name("workers_busy", "", "Workers running an upscale job."))
        workersTotal = registry.makeGauge(descriptor: Self.name("workers", "", "Size of the worker pool."))
        openConnections = registry.makeGauge(descriptor: Self.name("open_connections", "", "Open HTTP connections."))
        residentMemory = registry.makeGauge(
            descriptor: Self.name("process_resident_memory", "bytes", "Resident set size of the process in bytes."))
        bytesIn = registry.makeCounter(
            descriptor: Self.name("request_body_bytes", "total", "Request body bytes received."))
        bytesOut = registry.makeCounter(
            descriptor: Self.name("response_body_bytes", "total", "Response body bytes sent."))
        jobResultBytes = registry.makeGauge(
            descriptor: Self.name("job_results", "bytes", "Bytes of finished job results kept on disk."))
        jobsExpiredTotal = registry.makeCounter(
            descriptor: Self.name("jobs_expired", "total", "Finished jobs removed when their lifetime ran out."))
        workersTotal.set(Double(workers))
    }

    public func recordRequest(
        route: String, method: String, status: Int, model: String, seconds: Double,
        bytesIn received: Int, bytesOut sent: Int
    ) {
        let (counter, histogram) = requestMetrics(route: route, method: method, status: status, model: model)
        counter.increment()
        histogram.record(seconds)
        bytesIn.increment(by: Int64(received))
        bytesOut.increment(by: Int64(sent))
    }

    private struct RequestLabels: Hashable {
        var route: String, method: String, status: Int, model: String
    }

    /// The request counter and duration histogram for one label set, made once: the registry's `make...` validates
    /// names and help text and takes its lock on every call, a measurable share of a health check's cost.
    private let requestMetricsCache = Mutex<[RequestLabels: (Counter, ValueHistogram)]>([:])

    private func requestMetrics(route: String, method: String, status: Int, model: String) -> (Counter, ValueHistogram) {
        let labels = RequestLabels(route: route, method: method, status: status, model: model)
        if let cached = requestMetricsCache.withLock({ $0[labels] }) { return cached }
        let made = (
            registry.makeCounter(
                descriptor: Self.name("http_requests", "total", "HTTP requests by route, method, status and model."),
                labels: [("route", route), ("method", method), ("status", String(status)), ("model", model)]),
            registry.makeValueHistogram(
                descriptor: Self.name(
                    "http_request_duration", "seconds", "Time from the request's first byte to its response, by route."),
                labels: [("route", route)], buckets: Self.durationBuckets)
        )
        requestMetricsCache.withLock { $0[labels] = made }
        return made
    }

    /// One stage of an upscale: queue, decode, inference or encode.
    public func recordStage(_ stage: String, seconds: Double) {
        registry.makeValueHistogram(
            descriptor: Self.name(
                "stage_duration", "seconds", "Time spent per upscale stage (queue, decode, inference, encode)."),
            labels: [("stage", stage)], buckets: Self.durationBuckets
        ).record(seconds)
    }

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "binsr", metricName: metric, unitName: unit, helpText: help)
    }

    /// Asynchronous jobs held, by state, and the bytes their results take on disk (sampled at each scrape).
    func setJobs(_ counts: [(state: String, count: Int)], resultBytes: Int) {
        for (state, count) in counts {
            registry.makeGauge(
                descriptor: Self.name(
                    "jobs_held", "", "Asynchronous jobs held, by state (queued, running, done, failed)."),
                labels: [("state", state)]
            ).set(Double(count))
        }
        jobResultBytes.set(Double(resultBytes))
    }

    /// A job left the running: done, failed, or cancelled (deleted before it finished).
    func jobFinished(outcome: String) {
        registry.makeCounter(
            descriptor: Self.name("jobs", "total", "Asynchronous jobs ended, by outcome (done, failed, cancelled)."),
            labels: [("outcome", outcome)]
        ).increment()
    }

    /// Finished jobs forgotten because their lifetime (jobs.resultTtlSeconds) ran out.
    func jobsExpired(_ count: Int) {
        jobsExpiredTotal.increment(by: Int64(count))
    }

    public func setQueue(depth: Int, busy: Int) {
        queueDepth.set(Double(depth))
        workersBusy.set(Double(busy))
    }

    public func inFlightChanged(by delta: Double) {
        if delta > 0 { inFlight.increment(by: delta) } else { inFlight.decrement(by: -delta) }
    }

    /// The exposition text, with what is sampled rather than tracked (connections, memory) refreshed first.
    public func render(connections: ConnectionStats) -> String {
        openConnections.set(Double(connections.open))
        for (state, count) in [
            ("idle", connections.idle), ("receiving", connections.receiving), ("handling", connections.handling),
            ("sending", connections.sending), ("closing", connections.closing),
        ] {
            registry.makeGauge(
                descriptor: Self.name("http_connections", "", "Open HTTP connections by state."),
                labels: [("state", state)]
            ).set(Double(count))
        }
        let previous = lastConnectionStats.withLock { last in
            defer { last = connections }
            return last
        }
        for (reason, total, before) in [
            ("evicted_idle", connections.evicted, previous.evicted),
            ("refused_at_limit", connections.refused, previous.refused),
            ("timeout", connections.timedOut, previous.timedOut),
            ("too_slow", connections.tooSlow, previous.tooSlow),
            ("over_body_budget", connections.overBudget, previous.overBudget),
        ] {
            registry.makeCounter(
                descriptor: Self.name(
                    "http_connections_shed", "total",
                    "Connections closed or refused by the overload rules (idle evicted at a limit, refused at a "
                        + "limit, 408 timeout, 408 too slow, 503 over the body budget)."),
                labels: [("reason", reason)]
            ).increment(by: Int64(max(0, total - before)))
        }
        if let rss = Self.residentMemoryBytes() { residentMemory.set(Double(rss)) }
        return registry.emitToString()
    }

    /// VmRSS from /proc/self/status (proc(5)); nil where /proc is absent.
    static func residentMemoryBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let kilobytes = Int(fields[1]) { return kilobytes * 1024 }
        }
        return nil
    }
}
