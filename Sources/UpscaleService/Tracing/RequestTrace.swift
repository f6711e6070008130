import HTTPServer
import Tracing

/// A span of the service's, with the tracer that made it and the clock anchor that turns the monotonic instants the
/// stages time themselves with into the wall-clock instants tracers record, so a span lasts what Server-Timing says.
struct TraceSpan: Sendable {
    let span: any Span
    let tracer: any Tracer
    let clock: TraceClock

    /// A child started at `start`; the caller ends it.
    func child(_ name: String, kind: SpanKind = .internal, at start: ContinuousClock.Instant) -> TraceSpan {
        let child = tracer.startSpan(name, context: span.context, ofKind: kind, at: clock.instant(start))
        return TraceSpan(span: child, tracer: tracer, clock: clock)
    }

    /// A child that already happened: a stage from `start` to `end`, failed when `error` is set.
    func record(
        _ name: String, from start: ContinuousClock.Instant, to end: ContinuousClock.Instant,
        error: (any Error)? = nil
    ) {
        let child = tracer.startSpan(name, context: span.context, ofKind: .internal, at: clock.instant(start))
        if let error {
            child.recordError(error)
            child.setStatus(SpanStatus(code: .error))
        }
        child.end(at: clock.instant(end))
    }

    func end(at instant: ContinuousClock.Instant = .now) { span.end(at: clock.instant(instant)) }
}

/// Maps `ContinuousClock` instants to the tracers' wall clock (nanoseconds since the epoch) from one anchor taken
/// when the request's trace starts: durations stay monotonic, only the origin is the wall clock's.
struct TraceClock: Sendable {
    private let monotonic = ContinuousClock.now
    private let wall = DefaultTracerClock.now.nanosecondsSinceEpoch

    func instant(_ instant: ContinuousClock.Instant) -> DefaultTracerClock.Timestamp {
        let (seconds, attoseconds) = (instant - monotonic).components
        let offset = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        return DefaultTracerClock.Timestamp(nanosecondsSinceEpoch: UInt64(max(0, Int64(wall) + offset)))
    }
}

/// One request's trace: the server span a configured tracer records, and the W3C ids its log lines carry.
///
/// The ids are the tracer's own when it propagates W3C context (swift-otel does: it injects a `traceparent`), so a
/// log line and the span an exporter sends name the same trace and span. With the default no-op tracer, which
/// injects nothing, the trace id is the caller's (from a valid `traceparent`) or a new random one, and the span id
/// a new random one that only the logs know.
struct RequestTrace: Sendable {
    let traceID: String
    let spanID: String
    let root: TraceSpan

    /// Continues the caller's trace (a valid `traceparent`, with its `tracestate`) or starts a new one, with a
    /// `.server` span from `receivedAt` (the first byte of the request) named `operation`.
    static func start(
        _ operation: String, headers: HTTPFields, receivedAt: ContinuousClock.Instant, tracer: any Tracer
    ) -> RequestTrace {
        let caller = TraceParent(header: headers[.traceparent])
        var context = InstrumentationContext.topLevel
        tracer.extract(TraceCarrier(headers: headers, caller: caller), into: &context, using: TraceCarrier.Extractor())
        let clock = TraceClock()
        let span = tracer.startSpan(operation, context: context, ofKind: .server, at: clock.instant(receivedAt))
        var injected: [String: String] = [:]
        tracer.inject(span.context, into: &injected, using: DictionaryInjector())
        let own = TraceParent(header: injected["traceparent"])
        return RequestTrace(
            traceID: own?.traceID ?? caller?.traceID ?? TraceParent.newTraceID(),
            spanID: own?.parentID ?? TraceParent.newSpanID(),
            root: TraceSpan(span: span, tracer: tracer, clock: clock))
    }

    /// Ends the server span with the OpenTelemetry HTTP server attributes; a 5xx marks it failed (a 4xx is the
    /// client's error, not the server's: OpenTelemetry's HTTP semantic conventions, "Status").
    func end(method: String, path: String, route: String?, status: HTTPResponse.Status) {
        root.span.updateAttributes { attributes in
            attributes.set("http.request.method", value: .string(method))
            attributes.set("url.path", value: .string(path))
            if let route { attributes.set("http.route", value: .string(route)) }
            attributes.set("http.response.status_code", value: .int64(Int64(status.code)))
        }
        if status.kind == .serverError { root.span.setStatus(SpanStatus(code: .error)) }
        root.end()
    }
}

/// The request's headers as the tracer's extractor sees them: `traceparent` only when it parsed (normalised to
/// version 00), and `tracestate` only with it, so a malformed one starts a new trace in every tracer alike.
struct TraceCarrier: Sendable {
    let headers: HTTPFields
    let caller: TraceParent?

    struct Extractor: Instrumentation.Extractor {
        func extract(key: String, from carrier: TraceCarrier) -> String? {
            switch key.lowercased() {
            case "traceparent": return carrier.caller?.header
            case "tracestate":
                // Several fields are one comma-separated list (§3.3.1.1).
                let values = carrier.headers[values: .tracestate]
                return carrier.caller == nil || values.isEmpty ? nil : values.joined(separator: ",")
            default: return HTTPField.Name(key).flatMap { carrier.headers[$0] }
            }
        }
    }
}

struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key.lowercased()] = value
    }
}
