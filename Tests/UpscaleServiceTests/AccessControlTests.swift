import Foundation
import Logging
import Testing
import Viewer

@testable import UpscaleService

#if canImport(Glibc)
    import Glibc
#endif

/// API keys against the live server (stub engine, real sockets): off by default, on with one or two keys (rotation),
/// missing or wrong keys refused with 401 and a Bearer challenge, probes open, `/metrics` by its switches, and keys
/// never written to the log or the metrics.
@Suite("Access control", .serialized)
struct AccessControlTests {
    static let oldKey = "old-key-0123456789abcdef"
    static let newKey = "new-key-fedcba9876543210"

    /// One request on a fresh connection: method, path, extra header lines, optional PNG body.
    func call(
        _ service: UpscaleService, _ method: String, _ path: String, headers: [String] = [], body: [UInt8] = [],
        port: Int? = nil
    ) throws -> RawClient.Response {
        let client = try RawClient(port: port ?? service.port)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: t\r\n"
        for header in headers { head += header + "\r\n" }
        if !body.isEmpty { head += "Content-Type: image/png\r\nContent-Length: \(body.count)\r\n" }
        client.send(Array((head + "\r\n").utf8) + body)
        return try client.readResponse()
    }

    func upscale(_ service: UpscaleService, _ headers: [String]) throws -> RawClient.Response {
        try call(service, "POST", "/upscale?scale=2", headers: headers, body: Fixtures.png(width: 6, height: 4))
    }

    @Test func withoutKeysTheAPIIsOpenAsBefore() throws {
        let service = try startService()
        defer { service.shutdown() }
        #expect(try upscale(service, []).status == 200)
        #expect(try call(service, "GET", "/v1/models").status == 200)
    }

    @Test func aMissingOrWrongKeyIsA401ProblemWithABearerChallenge() throws {
        let service = try startService { $0.auth.apiKeys = [APIKey(Self.newKey)] }
        defer { service.shutdown() }
        let missing = try upscale(service, [])
        #expect(missing.status == 401)
        #expect(missing.header("Content-Type") == "application/problem+json")
        #expect(missing.header("WWW-Authenticate") == #"Bearer realm="binsr""#)
        #expect(missing.text.contains("Authorization: Bearer"))
        let wrong = try upscale(service, ["Authorization: Bearer \(Self.oldKey)"])
        #expect(wrong.status == 401)
        #expect(wrong.header("WWW-Authenticate") == #"Bearer realm="binsr", error="invalid_token""#)
        #expect(!wrong.text.contains(Self.oldKey), "the refusal does not echo the key")
        // A prefix of the right key, the right key with a suffix, other schemes and the query string all fail.
        for header in [
            "Authorization: Bearer \(Self.newKey.dropLast())", "Authorization: Bearer \(Self.newKey)x",
            "Authorization: Basic \(Self.newKey)", "X-API-Key: ",
        ] {
            #expect(try upscale(service, [header]).status == 401, "\(header)")
        }
        #expect(try call(service, "GET", "/v1/models?api_key=\(Self.newKey)").status == 401)
    }

    /// Two Authorization lines read as one comma-joined value (RFC 9110 §5.3), which is no key: credentials that
    /// two implementations could read differently are refused, never settled by picking a line.
    @Test func repeatedCredentialsAreRefused() throws {
        let service = try startService { $0.auth.apiKeys = [APIKey(Self.newKey)] }
        defer { service.shutdown() }
        let bearer = "Authorization: Bearer \(Self.newKey)"
        #expect(try upscale(service, [bearer, bearer]).status == 401)
        #expect(try upscale(service, ["X-API-Key: \(Self.newKey)", "x-api-key: \(Self.newKey)"]).status == 401)
        #expect(try upscale(service, ["authorization: BEARER \(Self.newKey)"]).status == 200)
    }

    @Test func theKeyIsAcceptedAsBearerOrXAPIKey() throws {
        let service = try startService { $0.auth.apiKeys = [APIKey(Self.newKey)] }
        defer { service.shutdown() }
        #expect(try upscale(service, ["Authorization: Bearer \(Self.newKey)"]).status == 200)
        #expect(try upscale(service, ["Authorization: bearer \(Self.newKey)"]).status == 200)  // RFC 9110 §11.1
        #expect(try upscale(service, ["X-API-Key: \(Self.newKey)"]).status == 200)
        #expect(try call(service, "GET", "/v1/models", headers: ["X-API-Key: \(Self.newKey)"]).status == 200)
    }

    /// Rotation: the old and the new key both work while both are configured (file and environment together).
    @Test func twoKeysFromTheEnvironmentAndAFileBothWork() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("binsr-keys-\(UUID().uuidString)")
        try Data("# rotated 2026-11-29\n\(Self.newKey)\n\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        var loaded = try await ConfigLoader.load(
            file: nil, environment: ["BINSR_AUTH_API_KEYS": Self.oldKey, "BINSR_AUTH_API_KEY_FILE": file.path],
            overrides: [:])
        #expect(loaded.auth.keys.count == 2)
        loaded.host = "127.0.0.1"
        loaded.port = 0
        loaded.workers = 1
        let service = try startService { $0 = loaded }
        defer { service.shutdown() }
        #expect(try upscale(service, ["Authorization: Bearer \(Self.oldKey)"]).status == 200)
        #expect(try upscale(service, ["Authorization: Bearer \(Self.newKey)"]).status == 200)
        #expect(try upscale(service, ["Authorization: Bearer another-key-0000000000"]).status == 401)
    }

    @Test func probesPagesAndTheStudyStayOpenWhileTheViewersUpscalesNeedTheKey() throws {
        let service = try startService { $0.auth.apiKeys = [APIKey(Self.newKey)] }
        defer { service.shutdown() }
        #expect(try call(service, "GET", "/healthz").status == 200)
        #expect(try call(service, "GET", "/readyz").status != 401)
        #expect(try call(service, "GET", "/").status == 200)
        #expect(try call(service, "GET", "/static/viewer.js").status == 200)
        #expect(try call(service, "GET", "/study/results.json").status != 401)
        // Unknown /v1/ paths need the key before they say 404: route names do not leak.
        #expect(try call(service, "GET", "/v1/secret-admin").status == 401)
        let bicubic = try call(service, "POST", "/viewer/bicubic?scale=2", body: Fixtures.png(width: 4, height: 4))
        #expect(bicubic.status == 401)
        let keyed = try call(
            service, "POST", "/viewer/bicubic?scale=2", headers: ["X-API-Key: \(Self.newKey)"],
            body: Fixtures.png(width: 4, height: 4))
        #expect(keyed.status == 200)
    }

    /// A client without a key is refused before it uploads: no `100 Continue`, the 401 comes instead.
    @Test func anUploadWithoutAKeyIsRefusedBeforeItsBody() throws {
        let service = try startService { $0.auth.apiKeys = [APIKey(Self.newKey)] }
        defer { service.shutdown() }
        let client = try RawClient(port: service.port)
        client.send(
            "POST /upscale?scale=2 HTTP/1.1\r\nHost: t\r\nContent-Type: image/png\r\nContent-Length: 30000000\r\n"
                + "Expect: 100-continue\r\n\r\n")
        let response = try client.readAnyResponse()
        #expect(response.status == 401)
        #expect(response.header("Connection") == "close")
    }

    @Test func metricsAreOpenUnlessTheSwitchAsksForTheKey() throws {
        let open = try startService { $0.auth.apiKeys = [APIKey(Self.newKey)] }
        #expect(try call(open, "GET", "/metrics").status == 200)
        open.shutdown()
        let closed = try startService {
            $0.auth.apiKeys = [APIKey(Self.newKey)]
            $0.metrics.requireApiKey = true
        }
        defer { closed.shutdown() }
        #expect(try call(closed, "GET", "/metrics").status == 401)
        #expect(try call(closed, "GET", "/metrics", headers: ["Authorization: Bearer \(Self.newKey)"]).status == 200)
    }

    @Test func aMetricsPortServesMetricsAloneAndTheMainPortNone() throws {
        let metricsPort = try freePort()
        let service = try startService {
            $0.auth.apiKeys = [APIKey(Self.newKey)]
            $0.metrics.port = metricsPort
        }
        defer { service.shutdown() }
        #expect(try upscale(service, ["X-API-Key: \(Self.newKey)"]).status == 200)
        let scraped = try call(service, "GET", "/metrics", port: metricsPort)
        #expect(scraped.status == 200 && scraped.text.contains("binsr_http_requests_total"))
        #expect(try call(service, "GET", "/upscale", port: metricsPort).status == 404)
        #expect(try call(service, "GET", "/metrics", headers: ["X-API-Key: \(Self.newKey)"]).status == 404)
    }

    @Test func keysAppearNeitherInTheLogNorInTheMetricsNorInAPrintedConfig() throws {
        let lines = Locked<[String]>([])
        var config = ServiceConfig()
        config.host = "127.0.0.1"
        config.port = 0
        config.workers = 1
        config.auth.apiKeys = [APIKey(Self.newKey)]
        var logger = Logger(label: "access-test") { _ in CapturingLogHandler(lines: lines) }
        logger.logLevel = .trace
        let service = UpscaleService(
            config: config, resolver: StubResolver(), coder: ImageCodecsCoding(), logger: logger,
            site: { ViewerSite(pipeline: $0, logger: logger) })
        try service.start()
        defer { service.shutdown() }
        _ = try upscale(service, ["Authorization: Bearer \(Self.newKey)"])
        _ = try upscale(service, ["X-API-Key: \(Self.oldKey)"])
        _ = try call(service, "GET", "/v1/models", headers: ["Authorization: Bearer \(Self.oldKey)"])
        let metrics = try call(service, "GET", "/metrics").text
        let log = lines.withLock { $0.joined(separator: "\n") }
        #expect(log.contains("apiKeys"), "the start-up line counts the keys")
        for key in [Self.newKey, Self.oldKey] {
            #expect(!log.contains(key))
            #expect(!metrics.contains(key))
            #expect(!"\(config)".contains(key) && !String(reflecting: config).contains(key))
        }
    }

    @Test func weakOrMalformedKeysAndUnusableKeyFilesStopTheStartWithoutQuotingTheKey() async {
        let cases: [([String: String], String)] = [
            (["BINSR_AUTH_API_KEYS": "short"], "auth.apiKeys: key 1 is 5 characters"),
            (["BINSR_AUTH_API_KEYS": "\(Self.newKey),has space in it 0123"], "auth.apiKeys: key 2 has characters"),
            (["BINSR_AUTH_API_KEY_FILE": "/nonexistent/keys"], "auth.apiKeyFile: cannot read /nonexistent/keys"),
        ]
        for (environment, expected) in cases {
            do {
                _ = try await ConfigLoader.load(file: nil, environment: environment, overrides: [:])
                Issue.record("accepted \(environment.keys)")
            } catch {
                #expect(error.description.contains(expected), "\(error)")
                #expect(!error.description.contains("short") && !error.description.contains("has space"))
            }
        }
    }
}

@Suite("Constant-time comparison")
struct ConstantTimeTests {
    @Test(arguments: [
        ("abcdef", "abcdef", true), ("abcdef", "abcdeg", false), ("abcdef", "abcde", false),
        ("abcdef", "abcdefg", false), ("abcdef", "", false), ("", "", false), ("abc", "abcabc", false),
    ])
    func equalsOnlyTheSameBytes(secret: String, presented: String, expected: Bool) {
        #expect(ConstantTime.equals(secret: Array(secret.utf8), presented: Array(presented.utf8)) == expected)
    }

    /// The comparison reads every presented byte whether the first or the last one differs, and as many for a short
    /// secret as for a long one: no early exit whose timing would tell how much of a guess is right.
    @Test func everyPresentedByteIsReadWhereverTheMismatchIs() {
        let secret = Array("0123456789abcdef0123456789abcdef".utf8)
        var reads: [Int] = []
        for mismatch in [0, 15, 31] {
            var guess = secret
            guess[mismatch] ^= 1
            let counted = CountingBytes(guess)
            #expect(!ConstantTime.equals(secret: secret, presented: counted))
            reads.append(counted.reads.withLock { $0 })
        }
        let longer = CountingBytes(secret)
        #expect(!ConstantTime.equals(secret: secret + secret, presented: longer))
        reads.append(longer.reads.withLock { $0 })
        #expect(reads == [32, 32, 32, 32])
    }
}

/// A byte collection that counts how many elements its iterator hands out.
struct CountingBytes: Collection {
    let bytes: [UInt8]
    let reads = Locked(0)
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var startIndex: Int { bytes.startIndex }
    var endIndex: Int { bytes.endIndex }
    func index(after index: Int) -> Int { index + 1 }
    subscript(position: Int) -> UInt8 {
        reads.withLock { $0 += 1 }
        return bytes[position]
    }
}

/// Collects every log line with its metadata, for checks on what the service writes.
struct CapturingLogHandler: LogHandler {
    let lines: Locked<[String]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.withLock { $0.append("\(event.message) \(all)") }
    }
}

/// A TCP port that was free a moment ago (bind to 0, read it back, close).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw RawClient.Failure.connect(errno) }
    return Int(UInt16(bigEndian: address.sin_port))
}
