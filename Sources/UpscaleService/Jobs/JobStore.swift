import Foundation
import Logging
import StudyStore
import Synchronization

/// The asynchronous jobs: their records in memory and their results as files in one folder of this process, within
/// the limits of `JobsConfiguration` (a count, a byte budget, a lifetime). The one owner of job state: the routes
/// (JobRoutes.swift) and the workers change it only through these methods, each under one `Mutex`; files are written
/// and removed outside it.
///
/// A job deleted while it runs stops at the engine's next tile: `progress` answers false once the record is gone.
final class JobStore: Sendable {
    /// How a worker's part ended, handed to `publish` once the worker counts as idle again.
    enum Completion: Sendable {
        case stored(file: URL, output: UpscaleJob.Output)
        case failed(JobRecord.Failure)
        /// The job was deleted before its result was stored.
        case gone
    }

    let configuration: JobsConfiguration
    /// This process's results folder, made by `open()` and removed by `close()`.
    let directory: URL
    private let retryAfterSeconds: Int
    private let metrics: ServiceMetrics
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var jobs: [String: JobRecord] = [:]
        /// The records' `resultBytes` summed: results stored and results being written.
        var resultBytes = 0
        var closed = false
    }
    /// Sweeps expired jobs between requests: set by `open()` and cancelled by `close()`, which the service calls once
    /// each, from its start and its shutdown (Dispatch sources are thread-safe, but not marked Sendable).
    private nonisolated(unsafe) var sweeper: DispatchSourceTimer?

    init(configuration: JobsConfiguration, retryAfterSeconds: Int, metrics: ServiceMetrics, logger: Logger) {
        self.configuration = configuration
        self.retryAfterSeconds = retryAfterSeconds
        self.metrics = metrics
        self.logger = logger
        directory = configuration.baseDirectory.appendingPathComponent("binsr-jobs-\(Token.random().prefix(16))")
    }

    private var ttl: Double { configuration.resultTtlSeconds }

    /// Makes the results folder (mode 0700: the results are clients' images) and starts the sweep of expired jobs,
    /// every quarter of their lifetime (at most a minute, at least a second apart).
    func open() throws {
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let interval = min(60, max(1, ttl / 4))
        let timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(500))
        timer.setEventHandler { [weak self] in self?.sweep(now: Date()) }
        timer.resume()
        sweeper = timer
    }

    /// At shutdown: takes no new job, forgets every job (running ones stop at their next tile) and removes the
    /// results folder. Returns the queued jobs' tickets, for the queue to drop.
    func close() -> [WorkQueue.Ticket] {
        let tickets = state.withLock { state in
            state.closed = true
            let tickets = state.jobs.values.compactMap { $0.state == .queued ? $0.ticket : nil }
            state.jobs.removeAll()
            state.resultBytes = 0
            return tickets
        }
        sweeper?.cancel()
        try? FileManager.default.removeItem(at: directory)
        return tickets
    }

    // MARK: Admission

    /// Throws when no new job fits, without taking a place: the answer before an upload is read. Called on the
    /// event loop, so it touches no file (jobs that have expired but are not swept yet count as gone).
    func checkRoom(now: Date) throws(JobError) {
        if let refusal = state.withLock({ refusal($0, now: now) }) { throw refusal }
    }

    /// A new queued job for `model`, created by the client presenting `owner` (nil with keys off); its id.
    func admit(owner: [UInt8]?, model: ModelKey, now: Date) throws(JobError) -> String {
        sweep(now: now)
        let id = Token.random()
        let refused = state.withLock { state -> JobError? in
            if let refusal = refusal(state, now: now) { return refusal }
            state.jobs[id] = JobRecord(id: id, owner: owner, model: model, createdAt: now)
            return nil
        }
        if let refused { throw refused }
        return id
    }

    /// The queue's handle of an admitted job (so that a delete can withdraw it).
    func attach(_ ticket: WorkQueue.Ticket, to id: String) {
        state.withLock { $0.jobs[id]?.ticket = ticket }
    }

    /// Forgets a job the queue refused, as if it had never been admitted.
    func withdraw(_ id: String) {
        _ = state.withLock { $0.jobs.removeValue(forKey: id) }
    }

    private func refusal(_ state: State, now: Date) -> JobError? {
        if state.closed { return .closed }
        let expired = state.jobs.values.filter { $0.expiresAt(ttl: ttl).map { $0 <= now } ?? false }
        let held = state.jobs.count - expired.count
        if held >= configuration.maxJobs {
            return .full(
                reason: "The server holds \(held) jobs, its limit (jobs.maxJobs)",
                retryAfter: retryAfter(state, now: now))
        }
        if state.resultBytes - expired.reduce(0, { $0 + $1.resultBytes }) >= configuration.maxResultBytes {
            return .full(
                reason: "Finished results fill the server's \(configuration.maxResultBytes)-byte budget "
                    + "(jobs.maxResultBytes)",
                retryAfter: retryAfter(state, now: now))
        }
        return nil
    }

    /// Seconds until the next finished job expires and frees its place; the configured value when none is finished.
    private func retryAfter(_ state: State, now: Date) -> Int {
        guard let next = state.jobs.values.compactMap({ $0.expiresAt(ttl: ttl) }).min() else {
            return retryAfterSeconds
        }
        return max(1, Int(next.timeIntervalSince(now).rounded(.up)))
    }

    // MARK: The worker's side

    /// The worker takes the job; false when it was deleted meanwhile (then there is nothing to run).
    func start(_ id: String, now: Date) -> Bool {
        state.withLock { state in
            guard state.jobs[id] != nil else { return false }
            state.jobs[id]!.state = .running
            state.jobs[id]!.startedAt = now
            state.jobs[id]!.ticket = nil
            return true
        }
    }

    /// The engine's tile callback: records the fraction done (never backwards); false once the job is deleted,
    /// which stops the engine at this tile.
    func progress(_ id: String, _ fraction: Double) -> Bool {
        state.withLock { state in
            guard let current = state.jobs[id]?.progress else { return false }
            state.jobs[id]!.progress = min(1, max(current, fraction))
            return true
        }
    }

    /// Stores a finished job's result within the budget, on the worker: the bytes are reserved under the lock and
    /// the file is written outside it. A result that does not fit fails its job.
    func store(_ id: String, _ result: Result<UpscaleJob.Output, ServiceError>) -> Completion {
        let output: UpscaleJob.Output
        switch result {
        case .failure(let error):
            return .failed(JobRecord.Failure(status: error.status, title: error.title, detail: error.detail))
        case .success(let success): output = success
        }
        let size = output.bytes.count
        let limit = configuration.maxResultBytes
        // nil: reserved; a failure: no room; .gone: deleted meanwhile.
        let refusal = state.withLock { state -> Completion? in
            guard state.jobs[id] != nil else { return .gone }
            guard state.resultBytes + size <= limit else {
                return .failed(
                    JobRecord.Failure(
                        status: .serviceUnavailable, title: "Job storage full",
                        detail:
                            "The result (\(size) bytes) does not fit the server's result budget: \(state.resultBytes) "
                            + "of \(limit) bytes (jobs.maxResultBytes) are in use. Retry later, or ask for a smaller "
                            + "format (jpeg, webp)."))
            }
            state.jobs[id]!.resultBytes = size
            state.resultBytes += size
            return nil
        }
        if let refusal { return refusal }
        let file = directory.appendingPathComponent("\(id).\(output.format.rawValue)")
        do {
            try Data(output.bytes).write(to: file)
        } catch {
            logger.error("could not store a job's result", metadata: ["job": "\(id)", "error": "\(error)"])
            state.withLock { state in
                guard let bytes = state.jobs[id]?.resultBytes else { return }
                state.resultBytes -= bytes
                state.jobs[id]!.resultBytes = 0
            }
            return .failed(
                JobRecord.Failure(
                    status: .internalServerError, title: "Internal Server Error", detail: "The server could not store the result."))
        }
        var described = output
        described.bytes = []
        return .stored(file: file, output: described)
    }

    /// Makes a finished job visible as done or failed (called once the worker counts as idle, so a client that sees
    /// the job done and then reads the busy-workers gauge does not see its worker still busy).
    func publish(_ id: String, _ completion: Completion, now: Date) {
        let outcome = state.withLock { state -> JobState? in
            guard var record = state.jobs[id] else { return nil }
            switch completion {
            case .stored(let file, let output):
                record.state = .done
                record.progress = 1
                record.result = (file, output)
            case .failed(let failure):
                record.state = .failed
                record.failure = failure
            case .gone: return nil
            }
            record.finishedAt = now
            state.jobs[id] = record
            return record.state
        }
        if let outcome {
            metrics.jobFinished(outcome: outcome.rawValue)
        } else if case .stored(let file, _) = completion {
            // Deleted while its result was written: nobody can ask for the file any more.
            try? FileManager.default.removeItem(at: file)
        }
    }

    // MARK: The client's side

    /// A copy of the job, if `owner` may see it and it has not expired.
    func record(_ id: String, owner: [UInt8]?, now: Date) -> JobRecord? {
        sweep(now: now)
        return state.withLock { state in
            state.jobs[id].flatMap { Self.visible($0, to: owner) ? $0 : nil }
        }
    }

    /// Deletes a job in any state, if `owner` may see it: a queued one's ticket is returned for the queue to drop, a
    /// running one stops at its next tile, a finished one's result is removed. Nil when there is no such job.
    func remove(_ id: String, owner: [UInt8]?) -> JobRecord? {
        let removed = state.withLock { state -> JobRecord? in
            guard let record = state.jobs[id], Self.visible(record, to: owner) else { return nil }
            state.jobs[id] = nil
            state.resultBytes -= record.resultBytes
            return record
        }
        guard let removed else { return nil }
        if let file = removed.result?.file { try? FileManager.default.removeItem(at: file) }
        if !removed.isFinished { metrics.jobFinished(outcome: "cancelled") }
        return removed
    }

    /// Forgets the jobs that finished more than `resultTtlSeconds` ago, and their results.
    @discardableResult
    func sweep(now: Date) -> Int {
        let expired = state.withLock { state -> [JobRecord] in
            let expired = state.jobs.values.filter { record in record.expiresAt(ttl: ttl).map { $0 <= now } ?? false }
            for record in expired {
                state.jobs[record.id] = nil
                state.resultBytes -= record.resultBytes
            }
            return expired
        }
        for record in expired {
            if let file = record.result?.file { try? FileManager.default.removeItem(at: file) }
        }
        if !expired.isEmpty { metrics.jobsExpired(expired.count) }
        return expired.count
    }

    /// Jobs per state and the bytes their results hold, for /metrics.
    func census() -> (jobs: [JobState: Int], resultBytes: Int) {
        state.withLock { state in
            var counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
            for record in state.jobs.values { counts[record.state, default: 0] += 1 }
            return (counts, state.resultBytes)
        }
    }

    /// A job made while keys were on is seen only with the key that made it (compared in constant time).
    private static func visible(_ record: JobRecord, to presented: [UInt8]?) -> Bool {
        guard let owner = record.owner else { return true }
        guard let presented else { return false }
        return ConstantTime.equals(secret: owner, presented: presented)
    }
}
