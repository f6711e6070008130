import Foundation
import HTTPServer
import Logging

extension UpscaleService {
    /// Dispatches one complete request; every error becomes its problem response here, and every request is logged
    /// and counted once.
    func handle(_ request: Request, _ context: RequestContext) -> Response {
        metrics.inFlightChanged(by: 1)
        defer { metrics.inFlightChanged(by: -1) }
        // Job paths carry an id; the router knows them by their templates (JobRoutes.swift).
        let (routePath, jobID) = JobPath.template(request.path)
        let resolution = router.resolve(request.method, routePath)
        var matchedRoute: String?
        if case .matched = resolution { matchedRoute = routePath }
        // The span is named `{method} {route}`, or the method alone off the API's routes (OpenTelemetry's HTTP
        // semantic conventions, "Name"): a path with an id or a viewer file would make a name per request.
        let trace = RequestTrace.start(
            [request.method.rawValue, matchedRoute].compactMap { $0 }.joined(separator: " "),
            headers: request.headers, receivedAt: context.receivedAt, tracer: tracer)
        var logger = self.logger
        logger[metadataKey: "request-id"] = "\(context.requestID)"
        logger[metadataKey: "trace-id"] = "\(trace.traceID)"
        logger[metadataKey: "span-id"] = "\(trace.spanID)"
        var routeLabel = "unmatched"
        var modelLabel = ""
        var response: Response
        do {
            switch resolution {
            case .matched(let route): routeLabel = route.rawValue
            // The mounted site's requests keep the label they had when the viewer lived in the service.
            case .notFound where site?.serves(request.path) == true: routeLabel = "viewer"
            default: break
            }
            // Before any handler runs, so a refused request costs no work (AccessPolicy decides which paths).
            try access.authorize(request.head)
            switch resolution {
            case .notFound:
                // The mounted site (the viewer and the study) answers the paths the API does not have.
                switch site?.respond(to: request, context) {
                case .response(let answer): response = answer
                case .upscale(let forwarded):
                    response = try upscale(forwarded, context, logger: logger, trace: trace, model: &modelLabel)
                case nil: throw ServiceError.notFound(path: request.path)
                }
            case .methodNotAllowed(let allow):
                throw ServiceError.methodNotAllowed(allow: allow.map(\.rawValue))
            case .matched(let route):
                switch route {
                case .healthz: response = Self.alive
                case .readyz: response = readiness()
                case .metrics: response = metricsExposition()
                case .models: response = modelList()
                case .upscale:
                    response = try upscale(request, context, logger: logger, trace: trace, model: &modelLabel)
                case .submitJob:
                    response = try submitJob(request, context, logger: logger, trace: trace, model: &modelLabel)
                case .jobStatus: response = try jobStatus(request.head, id: jobID ?? "")
                case .deleteJob: response = try deleteJob(request.head, id: jobID ?? "", logger: logger)
                case .jobResult: response = try jobResult(request.head, id: jobID ?? "")
                }
            }
        } catch {
            if case ServiceError.internalFailure(let reason) = error {
                logger.error("upscale failed", metadata: ["reason": "\(reason)"])
            }
            response = ProblemResponse.make(for: error, requestID: context.requestID)
        }
        let seconds = (ContinuousClock().now - context.receivedAt).seconds
        metrics.recordRequest(
            route: routeLabel, method: request.method.rawValue, status: response.status.code,
            model: modelLabel, seconds: seconds, bytesIn: request.body.count,
            bytesOut: response.body.count)
        logger.info(
            "request",
            metadata: [
                "method": "\(request.method)", "path": "\(request.path)", "status": "\(response.status.code)",
                "ms": "\(Int(seconds * 1000))", "model": "\(modelLabel)",
            ])
        trace.end(method: request.method.rawValue, path: request.path, route: matchedRoute, status: response.status)
        return response
    }

    /// Refuses an upload before its body is read when the route or the parameters are already wrong, so a client
    /// sending `Expect: 100-continue` does not upload megabytes to get a 400. An upscale request's parsed head
    /// (`UpscaleRequest`) goes on to its handler.
    func earlyResponse(_ head: HTTPRequestHead, requestID: String) -> HeadVerdict {
        guard head.framing != .none else { return .proceed(parsed: nil) }
        let error: any HTTPResponseError
        // The key first: a client without one learns nothing about routes or parameters and uploads nothing.
        do throws(AuthError) {
            try access.authorize(head)
        } catch let failure {
            return .refuse(refuseEarly(head, requestID: requestID, failure))
        }
        switch router.resolve(head.method, JobPath.template(head.path).route) {
        case .notFound:
            // The site's bodies are read; nothing is parsed for it here. A request it answers as `POST /upscale`
            // (`SiteAnswer.upscale`) is rewritten only once its body is in, and `prepareUpscale` parses that head.
            if site?.serves(head.path) == true { return .proceed(parsed: nil) }
            error = ServiceError.notFound(path: head.path)
        case .methodNotAllowed(let allow): error = ServiceError.methodNotAllowed(allow: allow.map(\.rawValue))
        case .matched(let route):
            guard route == .upscale || route == .submitJob else { return .proceed(parsed: nil) }
            do {
                // No room for another job: say so before the upload, not after it.
                if route == .submitJob { try jobs.checkRoom(now: Date()) }
                let parsed = try UpscaleRequest(head, config: config, resolver: registry.resolver)
                try parsed.checkAcceptable()
                return .proceed(parsed: parsed)
            } catch let failure as any HTTPResponseError {
                error = failure
            } catch {
                return .proceed(parsed: nil)
            }
        }
        return .refuse(refuseEarly(head, requestID: requestID, error))
    }

    private func refuseEarly(
        _ head: HTTPRequestHead, requestID: String, _ error: any HTTPResponseError
    ) -> Response {
        let response = ProblemResponse.make(for: error, requestID: requestID)
        var metadata: Logger.Metadata = [
            "request-id": "\(requestID)", "path": "\(head.path)", "status": "\(response.status.code)",
        ]
        // No span for a request refused before its body, but its line names the caller's trace when there is one.
        if let caller = TraceParent(header: head.headers[.traceparent]) { metadata["trace-id"] = "\(caller.traceID)" }
        metrics.recordRequest(
            route: "early", method: head.method.rawValue, status: response.status.code, model: "",
            seconds: 0, bytesIn: 0, bytesOut: response.body.count)
        logger.info("request refused before body", metadata: metadata)
        return response
    }

    private func metricsExposition() -> Response {
        jobs.sweep(now: Date())
        let census = jobs.census()
        metrics.setJobs(census.jobs.map { ($0.key.rawValue, $0.value) }, resultBytes: census.resultBytes)
        return Response(
            status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8",
            body: metrics.render(connections: server.stats()))
    }

    /// The metrics port (`metrics.port`): `/metrics` and nothing else, no key (the port is for the cluster network).
    func handleMetricsPort(_ request: Request, _ context: RequestContext) -> Response {
        let response: Response
        if request.path != "/metrics" {
            response = ProblemResponse.make(
                for: ServiceError.notFound(path: request.path), requestID: context.requestID)
        } else if request.method != .get && request.method != .head {
            response = ProblemResponse.make(
                for: ServiceError.methodNotAllowed(allow: ["GET"]), requestID: context.requestID)
        } else {
            response = metricsExposition()
        }
        let seconds = (ContinuousClock().now - context.receivedAt).seconds
        metrics.recordRequest(
            route: "metrics", method: request.method.rawValue, status: response.status.code, model: "",
            seconds: seconds, bytesIn: request.body.count, bytesOut: response.body.count)
        return response
    }

    private func readiness() -> Response {
        var reasons: [String] = []
        if !registry.isReady { reasons.append("models not loaded") }
        if queue.depth >= queue.capacity { reasons.append("queue saturated") }
        if isDraining { reasons.append("shutting down") }
        if reasons.isEmpty { return Self.ready }
        return json(.serviceUnavailable, ["status": "not ready", "reasons": reasons])
    }

    private func modelList() -> Response {
        let models: [[String: Any]] = registry.models.map { entry in
            let state: String
            var reason: String?
            var runtime: ModelRuntime?
            switch entry.state {
            case .loaded(let how):
                state = "loaded"
                runtime = how
            // The API's states predate `loading`: a model being loaded is not loaded yet (openapi.yaml).
            case .notLoaded, .loading: state = "not loaded"
            case .failed(let why):
                state = "failed"
                reason = why
            }
            var item: [String: Any] = [
                "name": entry.info.key.description, "arch": entry.info.key.arch.rawValue,
                "model": entry.info.key.weights.description, "scale": entry.info.key.scale,
                "parameters": entry.info.parameterCount, "sizeBytes": entry.info.sizeBytes, "state": state,
            ]
            if let reason { item["reason"] = reason }
            if let runtime {
                item["precision"] = runtime.precision
                item["precisionSource"] = runtime.precisionSource
                item["precisionTimingsMs"] = runtime.timingsMs
                item["blocks"] = runtime.blocks
            }
            return item
        }
        // Weight files that could not be read, with the model their name promises (requests for it get 503).
        let unavailable: [[String: Any]] = registry.resolver.unavailable.map { entry in
            var item: [String: Any] = ["file": entry.file, "state": "unreadable", "reason": entry.reason]
            if let key = entry.key { item["name"] = key.description }
            return item
        }
        return json(.ok, ["models": models, "unavailable": unavailable])
    }

    /// The probes' answers, built once: they are the most frequent requests (every kubelet and load balancer).
    static let alive = Response(status: .ok, contentType: "application/json", body: #"{"status":"ok"}"#)
    static let ready = Response(status: .ok, contentType: "application/json", body: #"{"status":"ready"}"#)

    func json(_ status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: Array(data))
    }
}
