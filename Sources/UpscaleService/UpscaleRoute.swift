import Foundation
import HTTPServer
import Logging

extension UpscaleService {
    /// How often a connection thread waiting for its job checks that the client is still there.
    static let disconnectPollMilliseconds = 50

    /// `POST /upscale`: validate, queue, wait (dropping the job if the client leaves), answer with the image.
    func upscale(
        _ request: Request, _ context: RequestContext, logger: Logger, trace: RequestTrace,
        model: inout String
    ) throws(ServiceError) -> Response {
        var job = try prepareUpscale(request, context)
        // The stages are children of the server span: the client waits for them.
        job.trace = trace.root
        model = job.parameters.key.description
        let completion = Completion<Result<UpscaleJob.Output, ServiceError>>()
        let enqueuedAt = ContinuousClock().now
        let metrics = self.metrics
        let ticket = queue.submit(
            { [job] in Self.run(job, enqueuedAt: enqueuedAt, metrics: metrics) }, deliver: completion.fulfil)
        guard let ticket else {
            logger.warning("queue full; refusing", metadata: ["depth": "\(queue.capacity)"])
            throw .queueFull(depth: queue.capacity, retryAfter: config.retryAfterSeconds)
        }

        var outcome: Result<UpscaleJob.Output, ServiceError>?
        while outcome == nil {
            outcome = completion.wait(milliseconds: Self.disconnectPollMilliseconds)
            if outcome == nil && context.clientHasDisconnected() && queue.cancel(ticket) {
                logger.info("client disconnected while queued; job dropped")
                return .abandoned()
            }
        }
        let output = try outcome!.get()
        let headers = Self.imageHeaders(output, model: job.parameters.key)
        return Response(status: .ok, headers: headers, body: output.bytes)
    }

    /// The job of an upscale request (`POST /upscale`, `POST /v1/jobs`): its head as parsed when it arrived (or now,
    /// for a request without a body, whose head nobody read early), and the image from its body.
    func prepareUpscale(_ request: Request, _ context: RequestContext) throws(ServiceError) -> UpscaleJob {
        let parsed: UpscaleRequest
        if let early = context.parsedHead as? UpscaleRequest {
            parsed = early
        } else {
            parsed = try UpscaleRequest(request.head, config: config, resolver: registry.resolver)
        }
        let image = try parsed.image(in: request.body)
        return UpscaleJob(
            encoded: image.bytes, inputFormat: image.format, parameters: parsed.parameters, outputFormat: image.output,
            config: config, coder: coder, registry: registry)
    }

    /// Runs `job` on a worker, with its time in the queue first among its stages, each stage recorded in metrics
    /// and, as a span, under `job.trace`.
    static func run(
        _ job: UpscaleJob, enqueuedAt: ContinuousClock.Instant, metrics: ServiceMetrics
    ) -> Result<UpscaleJob.Output, ServiceError> {
        let started = ContinuousClock().now
        let queued = (started - enqueuedAt).seconds
        metrics.recordStage("queue", seconds: queued)
        job.trace?.record("queue", from: enqueuedAt, to: started)
        var result = Result { () throws(ServiceError) in try job.run() }
        if case .success(var output) = result {
            output.stageSeconds.insert(("queue", queued), at: 0)
            for (stage, seconds) in output.stageSeconds.dropFirst() {
                metrics.recordStage(stage, seconds: seconds)
            }
            result = .success(output)
        }
        return result
    }

    /// The headers of an image answer (`POST /upscale`, `GET /v1/jobs/{id}/result`).
    static func imageHeaders(_ output: UpscaleJob.Output, model: ModelKey) -> HTTPFields {
        var headers: HTTPFields = [.contentType: output.format.mediaType]
        // W3C Server Timing: durations in milliseconds.
        headers[.serverTiming] = output.stageSeconds.map {
            "\($0.stage);dur=\(String(format: "%.2f", $0.seconds * 1000))"
        }.joined(separator: ", ")
        headers[.xModel] = model.description
        headers[.xScale] = String(model.scale)
        headers[.xInputSize] = "\(output.inputSize.width)x\(output.inputSize.height)"
        headers[.xOutputSize] = "\(output.outputSize.width)x\(output.outputSize.height)"
        headers[.vary] = "Accept"
        return headers
    }
}
