import Foundation
import TestSupport
import Testing

@testable import UpscaleService

/// The asynchronous jobs API through the live server (stub engine, real codecs): 202 and Location, progress from the
/// tile callback, the result equal to `POST /upscale`'s, cancelling, expiry, and the limits.
@Suite("Jobs API", .serialized)
struct JobsTests {
    static let png = Fixtures.png(width: 24, height: 16)

    /// One request on a fresh connection; `key` as a Bearer token.
    static func call(
        _ service: UpscaleService, _ method: String, _ target: String, body: [UInt8]? = nil, key: String? = nil
    ) throws -> RawClient.Response {
        let client = try RawClient(port: service.port)
        var head = "\(method) \(target) HTTP/1.1\r\nHost: t\r\n"
        if let key { head += "Authorization: Bearer \(key)\r\n" }
        if let body { head += "Content-Type: image/png\r\nContent-Length: \(body.count)\r\n" }
        client.send(Array((head + "\r\n").utf8) + (body ?? []))
        return try client.readResponse(headRequest: method == "HEAD")
    }

    static func json(_ response: RawClient.Response) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any], "\(response.text)")
    }

    /// Submits a job; returns its id (from Location) and the 202's document.
    static func submit(
        _ service: UpscaleService, _ query: String = "?scale=4&model=binary", key: String? = nil
    ) throws -> (id: String, document: [String: Any]) {
        let response = try call(service, "POST", "/v1/jobs\(query)", body: png, key: key)
        #expect(response.status == 202, "\(response.text)")
        let location = try #require(response.header("Location"))
        #expect(location.hasPrefix("/v1/jobs/"))
        let id = String(location.dropFirst("/v1/jobs/".count))
        #expect(id.count == 32 && id.allSatisfy(\.isHexDigit), "ids are 128 random bits")
        let document = try json(response)
        #expect(document["id"] as? String == id)
        return (id, document)
    }

    static func status(_ service: UpscaleService, _ id: String, key: String? = nil) throws -> [String: Any] {
        let response = try call(service, "GET", "/v1/jobs/\(id)", key: key)
        #expect(response.status == 200, "\(response.text)")
        #expect(response.header("Cache-Control") == "no-store")
        return try json(response)
    }

    static func waitUntilFinished(_ service: UpscaleService, _ id: String, key: String? = nil) -> [String: Any]? {
        var last: [String: Any]?
        _ = eventually(10) {
            last = try? status(service, id, key: key)
            return ["done", "failed"].contains(last?["state"] as? String)
        }
        return last
    }

    static func metrics(_ service: UpscaleService) throws -> String {
        try call(service, "GET", "/metrics").text
    }

    @Test func aJobAnswers202WithLocationAndItsResultEqualsPostUpscale() throws {
        let service = try startService()
        defer { service.shutdown() }
        #expect(eventually { service.registry.isReady })
        let direct = try Self.call(service, "POST", "/upscale?scale=4&model=binary", body: Self.png)
        #expect(direct.status == 200)

        let (id, submitted) = try Self.submit(service)
        #expect(["queued", "running", "done"].contains(submitted["state"] as? String))
        #expect(submitted["model"] as? String == "srresnet-binary-x4")
        let finished = try #require(Self.waitUntilFinished(service, id))
        #expect(finished["state"] as? String == "done")
        #expect(finished["progress"] as? Double == 1)
        #expect(finished["result"] as? String == "/v1/jobs/\(id)/result")
        #expect(finished["inputSize"] as? String == "24x16" && finished["outputSize"] as? String == "96x64")
        #expect(finished["resultBytes"] as? Int == direct.body.count)
        for field in ["createdAt", "startedAt", "finishedAt", "expiresAt"] {
            #expect(finished[field] is String, "\(field) missing")
        }
        let timings = try #require(finished["timingsMs"] as? [String: Double])
        #expect(Set(timings.keys) == ["queue", "decode", "inference", "encode", "total"])

        let result = try Self.call(service, "GET", "/v1/jobs/\(id)/result")
        #expect(result.status == 200)
        #expect(result.body == direct.body, "the job's image differs from POST /upscale's")
        for header in ["Content-Type", "X-Model", "X-Scale", "X-Input-Size", "X-Output-Size"] {
            #expect(result.header(header) == direct.header(header), "\(header)")
        }
        #expect(result.header("Server-Timing")?.contains("inference;dur=") == true)
        // HEAD is answered by the GET route: the same headers, no body.
        let head = try Self.call(service, "HEAD", "/v1/jobs/\(id)/result")
        #expect(head.status == 200 && head.header("Content-Length") == String(direct.body.count))

        let exposition = try Self.metrics(service)
        for line in [
            #"binsr_jobs_held{state="done"} 1"#, #"binsr_jobs_held{state="queued"} 0"#,
            #"binsr_jobs_total{outcome="done"} 1"#,
            "binsr_job_results_bytes \(direct.body.count)",
        ] {
            #expect(exposition.contains(line), "metrics lack \(line)")
        }
    }

    @Test func progressComesFromTheTileCallbackAndOnlyIncreases() throws {
        let service = try startService(resolver: StubResolver(delaySeconds: 1.5, tiles: 10))
        defer { service.shutdown() }
        let (id, _) = try Self.submit(service)
        var seen: [Double] = []
        var state = ""
        let deadline = Date().addingTimeInterval(15)
        while state != "done" && Date() < deadline {
            let document = try Self.status(service, id)
            state = document["state"] as? String ?? ""
            seen.append(document["progress"] as? Double ?? -1)
            Thread.sleep(forTimeInterval: 0.03)
        }
        #expect(state == "done")
        #expect(seen == seen.sorted(), "progress went backwards: \(seen)")
        let between = Set(seen.filter { $0 > 0 && $0 < 1 })
        #expect(between.count >= 3, "too few intermediate values: \(seen)")
        #expect(seen.last == 1)
    }

    @Test func deletingCancelsAQueuedJobAndStopsARunningOneAtTheNextTile() throws {
        let resolver = StubResolver(delaySeconds: 3, tiles: 30)
        let service = try startService({ $0.workers = 1 }, resolver: resolver)
        defer { service.shutdown() }
        let (running, _) = try Self.submit(service)
        #expect(eventually { (try? Self.status(service, running))?["state"] as? String == "running" })
        let (queued, _) = try Self.submit(service)
        let waiting = try Self.status(service, queued)
        #expect(waiting["state"] as? String == "queued" && waiting["queuePosition"] as? Int == 0)
        #expect(waiting["progress"] as? Double == 0)

        // Before done, the result is a 409 that says how to wait.
        let early = try Self.call(service, "GET", "/v1/jobs/\(running)/result")
        #expect(early.status == 409 && early.header("Content-Type") == "application/problem+json")
        #expect(early.text.contains("running"))

        #expect(try Self.call(service, "DELETE", "/v1/jobs/\(queued)").status == 204)
        #expect(try Self.call(service, "GET", "/v1/jobs/\(queued)").status == 404)
        #expect(try Self.call(service, "DELETE", "/v1/jobs/\(queued)").status == 404)
        #expect(service.queue.depth == 0)

        #expect(eventually { ((try? Self.status(service, running))?["progress"] as? Double ?? 0) > 0 })
        #expect(try Self.call(service, "DELETE", "/v1/jobs/\(running)").status == 204)
        // The stub stops at its next tile (0.1 s apart), long before the 3 s it would take.
        #expect(eventually(1) { resolver.stoppedCalls == 1 })
        #expect(eventually(1) { service.queue.busyWorkers == 0 })
        #expect(resolver.upscaleCalls == 1, "the deleted queued job must not run")
        #expect(try Self.call(service, "GET", "/v1/jobs/\(running)/result").status == 404)
        #expect(try Self.metrics(service).contains(#"binsr_jobs_total{outcome="cancelled"} 2"#))
    }

    @Test func finishedJobsExpireAfterTheirLifetime() throws {
        let service = try startService { $0.jobs.resultTtlSeconds = 0.5 }
        defer { service.shutdown() }
        let (id, _) = try Self.submit(service)
        let finished = try #require(Self.waitUntilFinished(service, id))
        #expect(finished["state"] as? String == "done")
        #expect(try FileManager.default.contentsOfDirectory(atPath: service.jobs.directory.path).count == 1)
        Thread.sleep(forTimeInterval: 0.6)
        let gone = try Self.call(service, "GET", "/v1/jobs/\(id)")
        #expect(gone.status == 404 && gone.text.contains("expired"))
        #expect(try Self.call(service, "GET", "/v1/jobs/\(id)/result").status == 404)
        #expect(try FileManager.default.contentsOfDirectory(atPath: service.jobs.directory.path).isEmpty)
        let exposition = try Self.metrics(service)
        #expect(exposition.contains("binsr_job_results_bytes 0") && exposition.contains("binsr_jobs_expired_total 1"))
    }

    @Test func aFullResultBudgetRefusesNewJobsWith503AndRetryAfter() throws {
        let probe = try startService()
        let size = try Self.call(probe, "POST", "/upscale?scale=4&model=binary", body: Self.png).body.count
        probe.shutdown()

        // Room for exactly one result.
        let service = try startService {
            $0.jobs.maxResultBytes = size
            $0.jobs.resultTtlSeconds = 120
        }
        defer { service.shutdown() }
        let (first, _) = try Self.submit(service)
        #expect(Self.waitUntilFinished(service, first)?["state"] as? String == "done")
        let refused = try Self.call(service, "POST", "/v1/jobs?scale=4", body: Self.png)
        #expect(refused.status == 503 && refused.text.contains("jobs.maxResultBytes"), "\(refused.text)")
        let retryAfter = try #require(refused.header("Retry-After").flatMap(Int.init))
        #expect((110...120).contains(retryAfter), "until the stored result expires: \(retryAfter)")
        // Deleting the finished job frees its bytes.
        #expect(try Self.call(service, "DELETE", "/v1/jobs/\(first)").status == 204)
        let (second, _) = try Self.submit(service)
        #expect(Self.waitUntilFinished(service, second)?["state"] as? String == "done")

        // A result larger than what is left fails its job, saying why; the result is then a 409.
        let small = try startService { $0.jobs.maxResultBytes = size - 1 }
        defer { small.shutdown() }
        let (failing, _) = try Self.submit(small)
        let failed = try #require(Self.waitUntilFinished(small, failing))
        #expect(failed["state"] as? String == "failed")
        let error = try #require(failed["error"] as? [String: Any])
        #expect(error["status"] as? Int == 503 && (error["detail"] as? String ?? "").contains("does not fit"))
        let result = try Self.call(small, "GET", "/v1/jobs/\(failing)/result")
        #expect(result.status == 409 && result.text.contains("does not fit"))
        #expect(try Self.metrics(small).contains(#"binsr_jobs_total{outcome="failed"} 1"#))
    }

    @Test func theJobCountIsCappedAndAFailedUploadIsAFailedJob() throws {
        let service = try startService { $0.jobs.maxJobs = 1 }
        defer { service.shutdown() }
        // Checked like POST /upscale before anything is queued.
        #expect(try Self.call(service, "POST", "/v1/jobs?scale=3", body: Self.png).status == 400)
        // A corrupt image is found by the worker's decode: the job fails with the status /upscale would send.
        let corrupt = try Self.call(service, "POST", "/v1/jobs?scale=2", body: Array(Self.png.prefix(60)))
        #expect(corrupt.status == 202)
        let id = String(try #require(corrupt.header("Location")).dropFirst("/v1/jobs/".count))
        let failed = try #require(Self.waitUntilFinished(service, id))
        #expect((failed["error"] as? [String: Any])?["status"] as? Int == 422)
        let refused = try Self.call(service, "POST", "/v1/jobs?scale=2", body: Self.png)
        #expect(refused.status == 503 && refused.text.contains("jobs.maxJobs") && refused.header("Retry-After") != nil)
    }

    @Test func withKeysOnAJobIsSeenOnlyWithTheKeyThatCreatedIt() throws {
        let (owner, other) = ("owner-key-0123456789abcdef", "other-key-0123456789abcdef")
        let service = try startService { $0.auth.apiKeys = [APIKey(owner), APIKey(other)] }
        defer { service.shutdown() }
        #expect(try Self.call(service, "POST", "/v1/jobs?scale=2", body: Self.png).status == 401)
        let (id, _) = try Self.submit(service, key: owner)
        #expect(Self.waitUntilFinished(service, id, key: owner)?["state"] as? String == "done")
        #expect(try Self.call(service, "GET", "/v1/jobs/\(id)").status == 401)
        for (method, path) in [
            ("GET", "/v1/jobs/\(id)"), ("GET", "/v1/jobs/\(id)/result"), ("DELETE", "/v1/jobs/\(id)"),
        ] {
            #expect(try Self.call(service, method, path, key: other).status == 404, "\(method) \(path)")
        }
        #expect(try Self.call(service, "GET", "/v1/jobs/\(id)/result", key: owner).status == 200)
    }

    @Test(arguments: [
        ("/v1/jobs/abc", "/v1/jobs/{id}", "abc"), ("/v1/jobs/abc/result", "/v1/jobs/{id}/result", "abc"),
        ("/v1/jobs", "/v1/jobs", nil), ("/v1/jobs/", "/v1/jobs/", nil), ("/v1/jobs//result", "/v1/jobs//result", nil),
        ("/v1/jobs/abc/other", "/v1/jobs/abc/other", nil), ("/v1/jobs/a/result/b", "/v1/jobs/a/result/b", nil),
        ("/upscale", "/upscale", nil),
    ])
    func jobPathsResolveToTheirTemplates(_ path: String, _ route: String, _ id: String?) {
        let resolved = JobPath.template(path)
        #expect(resolved.route == route && resolved.id == id)
    }

    @Test func unknownJobsAndPathsAndMethods() throws {
        let service = try startService()
        defer { service.shutdown() }
        let unknown = try Self.call(service, "GET", "/v1/jobs/0123456789abcdef0123456789abcdef")
        #expect(unknown.status == 404 && unknown.header("Content-Type") == "application/problem+json")
        #expect(try Self.call(service, "GET", "/v1/jobs/not-an-id/result").status == 404)
        #expect(try Self.call(service, "GET", "/v1/jobs/").status == 404)
        #expect(try Self.call(service, "GET", "/v1/jobs/a/result/b").status == 404)
        let wrong = try Self.call(service, "POST", "/v1/jobs/0123456789abcdef0123456789abcdef", body: Self.png)
        #expect(wrong.status == 405 && wrong.header("Allow") == "DELETE, GET, HEAD")
        #expect(try Self.call(service, "GET", "/v1/jobs").header("Allow") == "POST")
    }

    @Test func shutdownDropsQueuedJobsAndRemovesTheResults() throws {
        let resolver = StubResolver(delaySeconds: 2, tiles: 20)
        let service = try startService({ $0.workers = 1 }, resolver: resolver)
        let directory = service.jobs.directory
        #expect(FileManager.default.fileExists(atPath: directory.path))
        _ = try Self.submit(service)
        _ = try Self.submit(service)
        #expect(eventually { service.queue.busyWorkers == 1 })
        let started = Date()
        service.shutdown()
        #expect(Date().timeIntervalSince(started) < 1.5, "shutdown waited for jobs whose results would be lost")
        #expect(resolver.upscaleCalls == 1 && resolver.stoppedCalls == 1)
        #expect(!FileManager.default.fileExists(atPath: directory.path))
    }
}
