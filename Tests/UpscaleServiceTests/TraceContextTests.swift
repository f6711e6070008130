import Foundation
import Logging
import TestSupport
import Testing
import Tracing

@testable import UpscaleService

/// W3C Trace Context through the live server: a caller's `traceparent` is continued in the log lines and in the
/// spans a tracer records (server span, stage spans, a job's span); a malformed one or none starts a new trace.
@Suite("Trace context")
struct TraceContextTests {
    static let callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let callerSpan = "00f067aa0ba902b7"
    static let traceparent = "00-\(callerTrace)-\(callerSpan)-01"

    /// A service whose log lines land in `lines`; `tracer` nil leaves the process's (no-op) tracer.
    static func start(tracer: RecordingTracer?) throws -> (UpscaleService, Locked<[String]>) {
        let lines = Locked<[String]>([])
        var logger = Logger(label: "trace-test") { _ in CapturingLogHandler(lines: lines) }
        logger.logLevel = .trace
        return (try startService(logger: logger, tracer: tracer), lines)
    }

    static func post(_ service: UpscaleService, _ target: String, headers: [String]) throws -> RawClient.Response {
        let client = try RawClient(port: service.port)
        let png = Fixtures.png(width: 6, height: 4)
        var head = "POST \(target) HTTP/1.1\r\nHost: t\r\nContent-Type: image/png\r\nContent-Length: \(png.count)\r\n"
        for header in headers { head += header + "\r\n" }
        client.send(Array((head + "\r\n").utf8) + png)
        return try client.readResponse()
    }

    /// The lines a request wrote (those naming its request id).
    static func lines(of response: RawClient.Response, in lines: Locked<[String]>) throws -> [String] {
        let id = try #require(response.header("X-Request-Id"))
        return lines.withLock { $0 }.filter { $0.contains(id) }
    }

    /// The value of `key` in a captured line's metadata (`["key": value, ...]`).
    static func metadata(_ key: String, in line: String) -> String? {
        guard let range = line.range(of: "\"\(key)\": ") else { return nil }
        let value = line[range.upperBound...]
        return String(value.drop { $0 == "\"" }.prefix { $0.isHexDigit })
    }

    @Test func aTraceparentSentToUpscaleIsContinuedInEveryLogLineAndEverySpan() throws {
        let tracer = RecordingTracer()
        let (service, lines) = try Self.start(tracer: tracer)
        defer { service.shutdown() }
        let response = try Self.post(
            service, "/upscale?scale=2", headers: ["traceparent: \(Self.traceparent)", "tracestate: vendor=x"])
        #expect(response.status == 200)

        let spans = tracer.finished
        let server = try #require(spans.first { $0.kind == .server }, "\(spans.map(\.name))")
        #expect(server.name == "POST /upscale")
        #expect(server.traceID == Self.callerTrace && server.parentID == Self.callerSpan)
        #expect(server.attributes.get("http.request.method") == .string("POST"))
        #expect(server.attributes.get("url.path") == .string("/upscale"))
        #expect(server.attributes.get("http.route") == .string("/upscale"))
        #expect(server.attributes.get("http.response.status_code") == .int64(200))
        for stage in ["queue", "decode", "inference", "encode"] {
            let span = try #require(spans.first { $0.name == stage }, "no \(stage) span")
            #expect(span.traceID == Self.callerTrace && span.parentID == server.spanID, "\(stage)")
            #expect(server.start <= span.start && span.start <= span.end && span.end <= server.end, "\(stage)")
        }

        let requestLines = try Self.lines(of: response, in: lines)
        #expect(!requestLines.isEmpty)
        for line in requestLines {
            #expect(Self.metadata("trace-id", in: line) == Self.callerTrace, "\(line)")
            #expect(Self.metadata("span-id", in: line) == server.spanID, "\(line)")
        }
    }

    @Test(arguments: [
        "00-\(callerTrace)-\(callerSpan)", "00-00000000000000000000000000000000-\(callerSpan)-01",
        "00-\(callerTrace)-0000000000000000-01", "00-\(callerTrace.uppercased())-\(callerSpan)-01",
        "ff-\(callerTrace)-\(callerSpan)-01", "00-\(callerTrace)-\(callerSpan)-01-extra", "garbage",
    ])
    func aMalformedTraceparentStartsAFreshTrace(_ header: String) throws {
        let tracer = RecordingTracer()
        let (service, lines) = try Self.start(tracer: tracer)
        defer { service.shutdown() }
        let response = try Self.post(service, "/upscale?scale=2", headers: ["traceparent: \(header)"])
        #expect(response.status == 200)
        let server = try #require(tracer.finished.first { $0.kind == .server })
        #expect(server.parentID == nil && server.traceID != Self.callerTrace.lowercased())
        for line in try Self.lines(of: response, in: lines) {
            #expect(Self.metadata("trace-id", in: line) == server.traceID, "\(line)")
        }
    }

    /// The default (no-op) tracer records nothing, yet each request's lines carry a trace id of their own.
    @Test func withoutATracerOrATraceparentTheLogsStillCarryAFreshTraceID() throws {
        let (service, lines) = try Self.start(tracer: nil)
        defer { service.shutdown() }
        var seen: Set<String> = []
        for _ in 0..<2 {
            let response = try Self.post(service, "/upscale?scale=2", headers: [])
            let requestLines = try Self.lines(of: response, in: lines)
            let ids = Set(requestLines.compactMap { Self.metadata("trace-id", in: $0) })
            #expect(ids.count == 1 && ids.first?.count == 32, "\(requestLines)")
            seen.formUnion(ids)
        }
        #expect(seen.count == 2, "each request starts its own trace")
        // With no tracer the caller's trace is still the one logged.
        let response = try Self.post(service, "/upscale?scale=2", headers: ["traceparent: \(Self.traceparent)"])
        for line in try Self.lines(of: response, in: lines) {
            #expect(Self.metadata("trace-id", in: line) == Self.callerTrace, "\(line)")
        }
    }

    /// A job's work runs after the 202, as a child of the POST's server span, with the stages under it.
    @Test func aJobsWorkIsAChildSpanOfItsPost() throws {
        let tracer = RecordingTracer()
        let (service, _) = try Self.start(tracer: tracer)
        defer { service.shutdown() }
        let response = try Self.post(service, "/v1/jobs?scale=2", headers: ["traceparent: \(Self.traceparent)"])
        #expect(response.status == 202)
        #expect(eventually { tracer.finished.contains { $0.name == "upscale job" } })
        let spans = tracer.finished
        let server = try #require(spans.first { $0.kind == .server })
        #expect(server.name == "POST /v1/jobs" && server.traceID == Self.callerTrace)
        let job = try #require(spans.first { $0.name == "upscale job" })
        #expect(job.traceID == Self.callerTrace && job.parentID == server.spanID)
        for stage in ["queue", "decode", "inference", "encode"] {
            let span = try #require(spans.first { $0.name == stage }, "no \(stage) span")
            #expect(span.parentID == job.spanID, "\(stage)")
        }
    }
}

@Suite("traceparent parsing")
struct TraceParentTests {
    @Test func aValidHeaderIsReadAndWrittenBackAsVersion00() throws {
        let parsed = try #require(TraceParent(header: " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 "))
        #expect(parsed.traceID == "4bf92f3577b34da6a3ce929d0e0e4736" && parsed.parentID == "00f067aa0ba902b7")
        #expect(parsed.flags == 1)
        #expect(parsed.header == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    }

    /// §4.3: a later version may carry more fields after a "-"; its first four are read as version 00's.
    @Test func aLaterVersionIsReadAsVersion00() throws {
        let parsed = try #require(TraceParent(header: "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09-what"))
        #expect(parsed.header == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09")
        #expect(TraceParent(header: "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09x") == nil)
    }

    @Test func newIDsAreLowercaseHexOfTheRightLength() {
        let trace = TraceParent.newTraceID()
        let span = TraceParent.newSpanID()
        #expect(trace.count == 32 && span.count == 16)
        #expect(TraceParent(header: "00-\(trace)-\(span)-00") != nil)
    }
}
