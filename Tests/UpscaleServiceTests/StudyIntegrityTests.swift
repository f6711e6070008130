import Foundation
import HTTPServer
import StudyStore
import Testing

@testable import UpscaleService

/// The blind study against the live server (stub engine, real sockets, a private pool in a scratch folder): the
/// stuffing attack of issue 14 counts no vote, made-up cookies do not escape the session limit, an honest voter's
/// vote counts, and the study stays off without a pool or with a public one.
@Suite("Study integrity", .serialized)
struct StudyIntegrityTests {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("binsr-study-\(UUID().uuidString)")

    /// A service whose study draws from a pool of two 200x150 images, with a short minimum viewing time.
    func studyService(_ configure: (inout ServiceConfig) -> Void = { _ in }) throws -> UpscaleService {
        let pool = scratch.appendingPathComponent("pool")
        try FileManager.default.createDirectory(at: pool, withIntermediateDirectories: true)
        for name in ["a.png", "b.png"] {
            try Data(Fixtures.png(width: 200, height: 150)).write(to: pool.appendingPathComponent(name))
        }
        return try startService {
            $0.study.inputDirectory = pool.path
            $0.study.dataDirectory = scratch.appendingPathComponent("votes").path
            $0.study.minViewSeconds = 0.4
            configure(&$0)
        }
    }

    func get(_ service: UpscaleService, _ path: String, cookie: String? = nil) throws -> RawClient.Response {
        let client = try RawClient(port: service.port)
        client.send("GET \(path) HTTP/1.1\r\nHost: t\r\n" + (cookie.map { "Cookie: \($0)\r\n" } ?? "") + "\r\n")
        return try client.readResponse()
    }

    func vote(_ service: UpscaleService, _ pairID: String, cookie: String) throws -> RawClient.Response {
        let body = #"{"pair_id": "\#(pairID)", "choice": "left"}"#
        let client = try RawClient(port: service.port)
        client.send(
            "POST /study/vote HTTP/1.1\r\nHost: t\r\nCookie: \(cookie)\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        return try client.readResponse()
    }

    func json(_ response: RawClient.Response) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    func cookie(_ response: RawClient.Response) -> String? {
        response.header("Set-Cookie")?.split(separator: ";").first.map(String.init)
    }

    /// Issue 14's attack: 20 cookie-less sessions, each voting at once without downloading the images.
    @Test func ballotStuffingFromOneClientCountsNoVote() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let service = try studyService()
        defer { service.shutdown() }
        var statuses: [Int] = []
        for _ in 0..<20 {
            let next = try get(service, "/study/next")
            statuses.append(next.status)
            guard next.status == 200, let cookie = cookie(next) else {
                #expect(next.status == 429 && next.header("Retry-After") != nil)
                continue
            }
            #expect(try vote(service, try json(next)["pair_id"] as! String, cookie: cookie).status == 200)
        }
        #expect(statuses.filter { $0 == 200 }.count == 4, "study.sessionsPerMinute = 4 by default")
        let report = try json(get(service, "/study/results.json"))
        #expect(report["total_votes"] as? Int == 0)
        #expect(report["excluded_votes"] as? Int == 4)
        #expect((report["exclusions"] as? [String: Int])?["images_not_fetched"] == 4)
    }

    @Test func madeUpCookiesAreNewSessionsAndCountAgainstTheLimit() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let service = try studyService { $0.study.sessionsPerMinute = 2 }
        defer { service.shutdown() }
        var issued: [Int] = []
        for _ in 0..<5 {
            let forged = "binsr_study=" + Token.random()
            let next = try get(service, "/study/next", cookie: forged)
            issued.append(next.status)
            if next.status == 200 { #expect(cookie(next) != nil && cookie(next) != forged, "a fresh id, not ours") }
        }
        #expect(issued == [200, 200, 429, 429, 429])
    }

    @Test func anHonestVoterIsCountedAndAHurriedOneExcluded() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let service = try studyService()
        defer { service.shutdown() }
        var session: String?
        for wait in [0.0, 0.5] {
            let next = try get(service, "/study/next", cookie: session)
            #expect(next.status == 200)
            session = session ?? cookie(next)
            let pair = try json(next)
            #expect(pair["min_view_seconds"] as? Double == 0.4)
            let left = try get(service, pair["left_url"] as! String, cookie: session)
            let right = try get(service, pair["right_url"] as! String, cookie: session)
            // A 128x128 crop of the 200x150 pool image, upscaled; both sides the same length.
            let scale = pair["scale"] as! Int
            #expect(Fixtures.pngSize(left.body)! == (128 * scale, 128 * scale))
            #expect(left.body.count == right.body.count)
            #expect(left.headers.map(\.0) == right.headers.map(\.0))
            Thread.sleep(forTimeInterval: wait)
            #expect(try vote(service, pair["pair_id"] as! String, cookie: session!).status == 200)
        }
        let report = try json(get(service, "/study/results.json"))
        #expect(report["total_votes"] as? Int == 1)
        #expect((report["exclusions"] as? [String: Int])?["too_fast"] == 1)
        let rules = try #require(report["rules"] as? [String: Any])
        #expect(rules["min_view_seconds"] as? Double == 0.4 && rules["sessions_per_minute"] as? Int == 4)
    }

    @Test func withoutAPoolTheStudyIsOffAndWritesNothing() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let service = try startService { $0.study.dataDirectory = scratch.appendingPathComponent("votes").path }
        defer { service.shutdown() }
        for path in ["/study/next", "/study/results.json"] {
            let response = try get(service, path)
            #expect(response.status == 503 && response.text.contains("study.inputDirectory"))
        }
        #expect(try get(service, "/study").status == 200, "the page still loads and shows the reason")
        #expect(!FileManager.default.fileExists(atPath: scratch.path))
    }

    @Test func aPoolInsideTheWebRootIsRefused() throws {
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("web/samples")
        let service = try startService { $0.study.inputDirectory = samples.path }
        defer { service.shutdown() }
        let response = try get(service, "/study/next")
        #expect(response.status == 503 && response.text.contains("inside the web root"))
    }
}

@Suite("Study building blocks")
struct StudyBuildingBlockTests {
    @Test(arguments: [(10, 10), (10, 15), (10, 22), (10, 500), (300, 20)])
    func paddingMakesBothPNGsOneLengthWithTheSamePixels(firstWidth: Int, secondWidth: Int) throws {
        let coder = ImageCodecsCoding()
        let first = Fixtures.png(width: firstWidth, height: 7)
        let second = Fixtures.png(width: secondWidth, height: 7)
        let (paddedFirst, paddedSecond) = PNGPadding.equalize(first, second)
        #expect(paddedFirst.count == paddedSecond.count)
        #expect(paddedFirst.count >= max(first.count, second.count))
        // libpng checks every chunk's CRC: a wrong padding chunk would fail to decode.
        #expect(try coder.decode(paddedFirst, maxPixels: 1 << 20) == coder.decode(first, maxPixels: 1 << 20))
        #expect(try coder.decode(paddedSecond, maxPixels: 1 << 20) == coder.decode(second, maxPixels: 1 << 20))
    }

    @Test func crc32MatchesThePNGSpecsIEND() {
        #expect(CRC32.checksum(Array("IEND".utf8)) == 0xAE42_6082)
    }

    @Test func theLimiterPassesABurstThenOneTokenPerRefill() {
        let limiter = ClientRateLimiter(perMinute: 4)
        let client = ClientAddress(key: "192.0.2.1")
        let start = ContinuousClock.now
        #expect((0..<4).map { _ in limiter.admit(client, now: start) } == [nil, nil, nil, nil])
        #expect(limiter.admit(client, now: start) == 15, "one token per 15 s at 4 per minute")
        #expect(limiter.admit(ClientAddress(key: "192.0.2.2"), now: start) == nil, "clients are counted apart")
        #expect(limiter.admit(client, now: start + .seconds(16)) == nil)
        #expect(limiter.admit(client, now: start + .seconds(17)) != nil)
    }

    @Test func theLimiterForgetsIdleClientsAndRefusesNewOnesWhenFull() {
        let limiter = ClientRateLimiter(perMinute: 2, maxClients: 2)
        let start = ContinuousClock.now
        #expect(limiter.admit(ClientAddress(key: "a"), now: start) == nil)
        #expect(limiter.admit(ClientAddress(key: "b"), now: start) == nil)
        #expect(limiter.admit(ClientAddress(key: "c"), now: start) == 60, "full of active clients: fail closed")
        #expect(limiter.admit(ClientAddress(key: "c"), now: start + .seconds(61)) == nil, "idle ones forgotten")
        #expect(limiter.trackedClients == 1)
    }

    @Test(
        arguments: [
            ("192.0.2.7", "", nil, "192.0.2.7"),
            ("::ffff:192.0.2.7", "", nil, "192.0.2.7"),
            ("2001:db8:1:2:3:4:5:6", "", nil, "2001:db8:1:2::/64"),
            ("2001:db8:1:2:ffff::1", "", nil, "2001:db8:1:2::/64"),
            ("10.0.0.1", "X-Forwarded-For", "203.0.113.9, 198.51.100.4", "198.51.100.4"),
            ("10.0.0.1", "X-Forwarded-For", nil, "10.0.0.1"),
            ("10.0.0.1", "", "203.0.113.9", "10.0.0.1"),
        ] as [(String, String, String?, String)])
    func clientAddresses(remote: String, header: String, forwarded: String?, expected: String) {
        var headers = HTTPFields()
        if let forwarded { headers[HTTPField.Name("X-Forwarded-For")!] = forwarded }
        #expect(ClientAddress(remote: remote, headers: headers, trustedHeader: header).key == expected)
    }
}
