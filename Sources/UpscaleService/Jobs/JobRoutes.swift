import Foundation
import HTTPServer
import Logging

/// The job paths as the router knows them: it matches exact paths, so `/v1/jobs/<id>` and `/v1/jobs/<id>/result`
/// are resolved under the templates openapi.yaml names, and the id is carried beside.
enum JobPath {
    static let status = "/v1/jobs/{id}"
    static let result = "/v1/jobs/{id}/result"

    /// The path to resolve, and the job id when `path` is one of a job's.
    static func template(_ path: String) -> (route: String, id: String?) {
        let prefix = "/v1/jobs/"
        guard path.hasPrefix(prefix) else { return (path, nil) }
        let parts = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard let id = parts.first, !id.isEmpty else { return (path, nil) }
        switch parts.count {
        case 1: return (status, String(id))
        case 2 where parts[1] == "result": return (result, String(id))
        default: return (path, nil)
        }
    }
}

/// `/v1/jobs`: `POST /upscale` as an asynchronous job, for inputs that take longer than a proxy waits. The upload is
/// parsed and checked as for `/upscale`, queued on the same workers (and refused, like it, when the queue is full),
/// and answered at once with 202 and the job's address; the client polls the job and fetches the result.
extension UpscaleService {
    /// `POST /v1/jobs`: 202 with `Location: /v1/jobs/{id}` and the job's status document.
    ///
    /// The work runs after the 202, under a `upscale job` span that is a child of this request's server span (not a
    /// new trace linked to it): the job is what the caller asked for, so its trace id finds the work too, and the
    /// child outliving its parent is what OpenTelemetry's asynchronous ("follows from") spans look like.
    func submitJob(
        _ request: Request, _ context: RequestContext, logger: Logger, trace: RequestTrace, model: inout String
    ) throws -> Response {
        var prepared = try prepareUpscale(request, context)
        model = prepared.parameters.key.description
        let owner = jobOwner(request.head)
        let store = jobs
        let id = try store.admit(owner: owner, model: prepared.parameters.key, now: Date())
        prepared.progress = { fraction in store.progress(id, fraction) }
        let enqueuedAt = ContinuousClock().now
        let jobSpan = trace.root.child("upscale job", at: enqueuedAt)
        jobSpan.span.updateAttributes { $0.set("binsr.job.id", value: .string(id)) }
        prepared.trace = jobSpan
        let job = prepared
        let metrics = self.metrics
        let ticket = queue.submit(
            { () -> JobStore.Completion in
                defer { jobSpan.end() }
                guard store.start(id, now: Date()) else { return .gone }
                return store.store(id, Self.run(job, enqueuedAt: enqueuedAt, metrics: metrics))
            },
            deliver: { completion in store.publish(id, completion, now: Date()) })
        guard let ticket else {
            jobSpan.end()
            store.withdraw(id)
            logger.warning("queue full; refusing a job", metadata: ["depth": "\(queue.capacity)"])
            throw ServiceError.queueFull(depth: queue.capacity, retryAfter: config.retryAfterSeconds)
        }
        store.attach(ticket, to: id)
        logger.info("job queued", metadata: ["job": "\(id)", "model": "\(model)"])
        // The job may already be done (a small input on an idle worker); the document says where it is now.
        let record = store.record(id, owner: owner, now: Date())
        var response = json(202, record?.document(ttl: config.jobs.resultTtlSeconds, queuePosition: nil) ?? ["id": id])
        response.headers[.location] = "/v1/jobs/\(id)"
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// `GET /v1/jobs/{id}`: state, progress, timings, and where the result is once done.
    func jobStatus(_ head: HTTPRequestHead, id: String) throws(JobError) -> Response {
        guard let record = jobs.record(id, owner: jobOwner(head), now: Date()) else { throw .unknown(id: id) }
        let position = record.ticket.flatMap { queue.position(of: $0) }
        var response = json(200, record.document(ttl: config.jobs.resultTtlSeconds, queuePosition: position))
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// `GET /v1/jobs/{id}/result`: the image with the headers `POST /upscale` sends; 409 before the job is done.
    func jobResult(_ head: HTTPRequestHead, id: String) throws(JobError) -> Response {
        guard let record = jobs.record(id, owner: jobOwner(head), now: Date()) else { throw .unknown(id: id) }
        guard let result = record.result else {
            throw .notDone(id: id, state: record.state, reason: record.failure?.detail)
        }
        // Deleted or expired between the lookup and the read: the same as unknown.
        guard let bytes = try? Data(contentsOf: result.file) else { throw .unknown(id: id) }
        var headers = Self.imageHeaders(result.output, model: record.model)
        headers[.cacheControl] = "private, no-store"
        return Response(status: .ok, headers: headers, body: Array(bytes))
    }

    /// `DELETE /v1/jobs/{id}`: cancels a queued job (it leaves the queue), stops a running one at the engine's next
    /// tile, or removes a finished one's result. 204; 404 for an unknown id.
    func deleteJob(_ head: HTTPRequestHead, id: String, logger: Logger) throws(JobError) -> Response {
        guard let removed = jobs.remove(id, owner: jobOwner(head)) else { throw .unknown(id: id) }
        if removed.state == .queued, let ticket = removed.ticket { queue.cancel(ticket) }
        logger.info("job deleted", metadata: ["job": "\(id)", "state": "\(removed.state.rawValue)"])
        return Response(status: .noContent)
    }

    /// The key a job request presents, when keys are on: a job is seen only with the key that created it.
    func jobOwner(_ head: HTTPRequestHead) -> [UInt8]? {
        guard config.auth.isEnabled else { return nil }
        return APIKeyAuthenticator.presentedKey(head.headers).map { Array($0.utf8) }
    }
}
