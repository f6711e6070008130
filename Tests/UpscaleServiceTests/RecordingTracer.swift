import Foundation
import Synchronization
import Tracing

@testable import UpscaleService

/// An in-memory tracer that speaks W3C Trace Context as an exporting tracer (swift-otel) does: it continues an
/// extracted `traceparent`, injects one for its spans, and keeps every ended span. Each test passes its own
/// instance to the service, so tests running in parallel in one process never share a global bootstrap.
final class RecordingTracer: Tracer, @unchecked Sendable {
    struct Finished: Sendable {
        let name: String
        let kind: SpanKind
        let traceID: String
        let spanID: String
        let parentID: String?
        let start: UInt64
        let end: UInt64
        let attributes: SpanAttributes
        let failed: Bool
    }

    private let ended = Mutex<[Finished]>([])

    var finished: [Finished] { ended.withLock { $0 } }

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> InstrumentationContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> RecordedSpan {
        var context = context()
        let parent = context[W3CSpanKey.self]
        let ids = W3CIDs(
            traceID: parent?.traceID ?? TraceParent.newTraceID(), spanID: TraceParent.newSpanID(),
            parentID: parent?.spanID)
        context[W3CSpanKey.self] = ids
        return RecordedSpan(
            name: operationName, kind: kind, context: context, ids: ids, start: instant().nanosecondsSinceEpoch
        ) { [weak self] span in
            self?.ended.withLock { $0.append(span) }
        }
    }

    func forceFlush() {}

    func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout InstrumentationContext, using extractor: Extract
    ) where Extract.Carrier == Carrier {
        guard let caller = TraceParent(header: extractor.extract(key: "traceparent", from: carrier)) else { return }
        context[W3CSpanKey.self] = W3CIDs(traceID: caller.traceID, spanID: caller.parentID, parentID: nil)
    }

    func inject<Carrier, Inject: Injector>(
        _ context: InstrumentationContext, into carrier: inout Carrier, using injector: Inject
    ) where Inject.Carrier == Carrier {
        guard let ids = context[W3CSpanKey.self] else { return }
        injector.inject(
            TraceParent(traceID: ids.traceID, parentID: ids.spanID, flags: 1).header, forKey: "traceparent",
            into: &carrier)
    }
}

struct W3CIDs: Sendable {
    let traceID: String
    let spanID: String
    let parentID: String?
}

enum W3CSpanKey: InstrumentationContextKey {
    typealias Value = W3CIDs
}

final class RecordedSpan: Span, @unchecked Sendable {
    let context: InstrumentationContext
    private let ids: W3CIDs
    private let kind: SpanKind
    private let start: UInt64
    private let onEnd: (RecordingTracer.Finished) -> Void
    private let lock = NSLock()
    private var name: String
    private var values: SpanAttributes = [:]
    private var failed = false

    init(
        name: String, kind: SpanKind, context: InstrumentationContext, ids: W3CIDs, start: UInt64,
        onEnd: @escaping (RecordingTracer.Finished) -> Void
    ) {
        self.name = name
        self.kind = kind
        self.context = context
        self.ids = ids
        self.start = start
        self.onEnd = onEnd
    }

    var operationName: String {
        get { lock.withLock { name } }
        set { lock.withLock { name = newValue } }
    }

    var attributes: SpanAttributes {
        get { lock.withLock { values } }
        set { lock.withLock { values = newValue } }
    }

    var isRecording: Bool { true }

    func setStatus(_ status: SpanStatus) { lock.withLock { failed = failed || status.code == .error } }
    func addEvent(_ event: SpanEvent) {}
    func addLink(_ link: SpanLink) {}
    func recordError<Instant: TracerInstant>(
        _ error: Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant
    ) {}

    func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let end = instant().nanosecondsSinceEpoch
        let finished = lock.withLock { () -> RecordingTracer.Finished in
            return RecordingTracer.Finished(
                name: name, kind: kind, traceID: ids.traceID, spanID: ids.spanID, parentID: ids.parentID,
                start: start, end: end, attributes: values, failed: failed)
        }
        onEnd(finished)
    }
}
