import Foundation
import HTTPServer

/// Where a job is: waiting for a worker, on one, finished with a result, or finished with an error.
enum JobState: String, Sendable, CaseIterable {
    case queued, running, done, failed
}

/// One asynchronous job as the store keeps it (in memory; its result is a file).
struct JobRecord: Sendable {
    /// A problem the job ended with, as `POST /upscale` would have answered it.
    struct Failure: Sendable, Equatable {
        var status: HTTPResponse.Status
        var title: String
        var detail: String
    }

    let id: String
    /// The API key that created the job (keys on): only the same key sees it. Nil when keys are off.
    let owner: [UInt8]?
    let model: ModelKey
    let createdAt: Date
    var state = JobState.queued
    /// Fraction of the inference done (tiles done / tiles), 0...1; 1 once done.
    var progress = 0.0
    var startedAt: Date?
    var finishedAt: Date?
    /// The queue's handle while the job waits, so that a delete can take it out.
    var ticket: WorkQueue.Ticket?
    /// Bytes the result holds (or has reserved while it is written) in the budget.
    var resultBytes = 0
    /// The result's file and description once done (`bytes` empty: they are on disk).
    var result: (file: URL, output: UpscaleJob.Output)?
    var failure: Failure?

    init(id: String, owner: [UInt8]?, model: ModelKey, createdAt: Date) {
        self.id = id
        self.owner = owner
        self.model = model
        self.createdAt = createdAt
    }

    var isFinished: Bool { state == .done || state == .failed }

    func expiresAt(ttl: Double) -> Date? { finishedAt?.addingTimeInterval(ttl) }

    /// The status document of `GET /v1/jobs/{id}` (openapi.yaml `Job`). `queuePosition`: jobs ahead of it (queued
    /// only), when the queue still holds it.
    func document(ttl: Double, queuePosition: Int?) -> [String: Any] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var document: [String: Any] = [
            "id": id, "state": state.rawValue, "progress": (progress * 1000).rounded() / 1000,
            "model": model.description, "createdAt": formatter.string(from: createdAt),
        ]
        if state == .queued, let queuePosition { document["queuePosition"] = queuePosition }
        if let startedAt { document["startedAt"] = formatter.string(from: startedAt) }
        if let finishedAt { document["finishedAt"] = formatter.string(from: finishedAt) }
        if let expiry = expiresAt(ttl: ttl) { document["expiresAt"] = formatter.string(from: expiry) }
        var timings: [String: Double] = [:]
        if let startedAt { timings["queue"] = milliseconds(startedAt.timeIntervalSince(createdAt)) }
        if let finishedAt, let startedAt { timings["total"] = milliseconds(finishedAt.timeIntervalSince(startedAt)) }
        if let output = result?.output {
            for (stage, seconds) in output.stageSeconds where stage != "queue" {
                timings[stage] = milliseconds(seconds)
            }
            document["format"] = output.format.rawValue
            document["inputSize"] = "\(output.inputSize.width)x\(output.inputSize.height)"
            document["outputSize"] = "\(output.outputSize.width)x\(output.outputSize.height)"
            document["resultBytes"] = resultBytes
            document["result"] = "/v1/jobs/\(id)/result"
        }
        if !timings.isEmpty { document["timingsMs"] = timings }
        if let failure {
            document["error"] = ["status": failure.status.code, "title": failure.title, "detail": failure.detail]
        }
        return document
    }

    private func milliseconds(_ seconds: Double) -> Double { (seconds * 100_000).rounded() / 100 }
}
