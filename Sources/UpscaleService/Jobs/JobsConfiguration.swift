import Foundation

/// Settings of the asynchronous jobs API (`jobs.*` in the service's config), each with its unit, default and reason.
///
/// Finished results are files in one folder, kept within a byte budget and for a time; the records are in memory, so
/// nothing survives the process: after a restart every job id is unknown (404).
public struct JobsConfiguration: Sendable, Equatable {
    /// Where finished results are written. Default "": the system's temporary folder (`TMPDIR`, else /tmp; the
    /// container's writable /tmp). The service makes a folder of its own inside (`binsr-jobs-<random>`, mode 0700)
    /// at start and removes it at shutdown.
    public var directory = ""
    /// Bytes of finished results kept at once. Default 128 MiB, half the 256 MiB /tmp of the Kubernetes pod and the
    /// compose service. While the results fill it, `POST /v1/jobs` answers 503 with Retry-After (until the oldest
    /// expires); a job whose result would not fit fails, saying so.
    public var maxResultBytes = 128 * 1024 * 1024
    /// Seconds a finished job (its result, or its error) is kept after it finished. Default 3600: time for a client
    /// to come back, short enough that the budget turns over.
    public var resultTtlSeconds: Double = 3600
    /// Jobs held at once, in any state (queued, running, finished and not yet expired). Default 256; beyond it
    /// `POST /v1/jobs` answers 503. Queued jobs are bounded by `queueDepth` as well, shared with `POST /upscale`.
    public var maxJobs = 256

    public init() {}

    /// The folder to make the service's own results folder in.
    var baseDirectory: URL {
        directory.isEmpty ? FileManager.default.temporaryDirectory : URL(fileURLWithPath: directory)
    }

    /// The problems with these values, naming the field (empty when valid).
    public func validationProblems() -> [String] {
        var problems: [String] = []
        func check(_ ok: Bool, _ message: @autoclosure () -> String) { if !ok { problems.append(message()) } }
        check(maxResultBytes >= 0, "jobs.maxResultBytes must not be negative (got \(maxResultBytes))")
        check(
            resultTtlSeconds > 0 && resultTtlSeconds.isFinite,
            "jobs.resultTtlSeconds must be a positive number (got \(resultTtlSeconds))")
        check((1...1_000_000).contains(maxJobs), "jobs.maxJobs must be 1...1000000 (got \(maxJobs))")
        return problems
    }
}
