import HTTPServer

/// What can go wrong with a request about an asynchronous job, each with its status and a detail to act on.
enum JobError: HTTPResponseError, Equatable {
    /// No job with this id for this client: never created, deleted, expired, lost in a restart, or another key's.
    case unknown(id: String)
    /// `GET /v1/jobs/{id}/result` before the job is done (or after it failed).
    case notDone(id: String, state: JobState, reason: String?)
    /// The jobs held or their results fill the limits; `retryAfter` is when the oldest finished job expires.
    case full(reason: String, retryAfter: Int)
    /// The server is shutting down and takes no new jobs.
    case closed

    var status: HTTPResponse.Status {
        switch self {
        case .unknown: .notFound
        case .notDone: .conflict
        case .full, .closed: .serviceUnavailable
        }
    }

    var title: String {
        switch self {
        case .unknown: "Unknown job"
        case .notDone: "Job not done"
        case .full: "Job storage full"
        case .closed: status.reasonPhrase
        }
    }

    var detail: String {
        switch self {
        case .unknown(let id):
            "No job \(id): it was never created, was deleted, expired, or was lost when the server restarted "
                + "(jobs live in memory)."
        case .notDone(let id, let state, let reason):
            switch state {
            case .failed: "Job \(id) failed, so it has no result: \(reason ?? "see GET /v1/jobs/\(id)")."
            default: "Job \(id) is \(state.rawValue); poll GET /v1/jobs/\(id) until its state is done."
            }
        case .full(let reason, _): "\(reason); retry later, or delete finished jobs you no longer need."
        case .closed: "The server is shutting down; retry on another instance."
        }
    }

    var headers: HTTPFields {
        switch self {
        case .full(_, let retryAfter): [.retryAfter: String(retryAfter)]
        case .closed: [.retryAfter: "1"]
        default: [:]
        }
    }
}
