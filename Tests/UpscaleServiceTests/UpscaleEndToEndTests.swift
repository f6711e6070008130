import Imaging
import Foundation
import TestSupport
import Testing

@testable import UpscaleService

/// Live-socket tests against the real server on an ephemeral port (stub engine, real codecs, real clients).
@Suite("Upscale end to end", .serialized)
struct UpscaleEndToEndTests {
    @Test func readmeCurlExampleReturnsTheUpscaledPNGWithTimingHeaders() throws {
        let service = try startService()
        defer { service.shutdown() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("binsr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.png")
        try Data(Fixtures.png(width: 24, height: 16)).write(to: input)
        let headers = directory.appendingPathComponent("headers.txt")
        let output = directory.appendingPathComponent("out.png")

        // The README example: multipart upload with -F, as a browser form would send it.
        let curl = try runCurl([
            "-sS", "--fail-with-body", "-F", "image=@\(input.path)", "-D", headers.path, "-o", output.path,
            "http://127.0.0.1:\(service.port)/upscale?scale=4&model=binary&arch=srresnet",
        ])
        #expect(curl.status == 0, "curl: \(curl.errors)")
        let result = Array(try Data(contentsOf: output))
        #expect(Fixtures.pngSize(result)! == (96, 64))
        let headerText = try String(contentsOf: headers, encoding: .utf8).lowercased()
        #expect(headerText.contains("content-type: image/png"))
        #expect(headerText.contains("x-model: srresnet-binary-x4"))
        #expect(headerText.contains("x-scale: 4"))
        #expect(headerText.contains("x-input-size: 24x16"))
        #expect(headerText.contains("x-output-size: 96x64"))
        for stage in ["queue;dur=", "decode;dur=", "inference;dur=", "encode;dur="] {
            #expect(headerText.contains(stage), "Server-Timing lacks \(stage)")
        }
    }

    /// `model=bicubic` needs no weight file and equals the evaluation code's MATLAB bicubic of the decoded input.
    @Test func bicubicModelIsMatlabBicubicWithoutWeights() throws {
        let service = try startService()
        defer { service.shutdown() }
        let png = Fixtures.png(width: 9, height: 7)
        let client = try RawClient(port: service.port)
        client.send(
            Array(("POST /upscale?scale=4&model=bicubic HTTP/1.1\r\nHost: t\r\nContent-Type: image/png\r\n"
                + "Content-Length: \(png.count)\r\n\r\n").utf8) + png)
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.header("X-Model") == "bicubic-x4")
        let coder = ImageCodecsCoding()
        let got = try coder.decode(response.body, maxPixels: 1 << 20)
        let want = BicubicUpscale.upscale(try coder.decode(png, maxPixels: 1 << 20), scale: 4)
        #expect(got.width == 36 && got.height == 28)
        let worst = zip(got.color, want.color).map { abs($0 - $1) }.max()!
        #expect(worst <= 0.5 / 255 + 1e-6, "8-bit output vs float bicubic: \(worst)")
    }

    /// Bodies held by all connections are bounded: while one upload holds most of `http.maxBufferedBodyBytes`,
    /// a second gets 503 + Retry-After before its body is read; the budget comes back after the first response.
    @Test func bufferedBodiesShareOneBudget() throws {
        let png = Fixtures.png(width: 40, height: 30)
        let service = try startService { $0.http.maxBufferedBodyBytes = png.count * 3 / 2 }
        defer { service.shutdown() }
        let head = "POST /upscale?scale=2 HTTP/1.1\r\nHost: t\r\nContent-Type: image/png\r\n"
            + "Content-Length: \(png.count)\r\n\r\n"
        let first = try RawClient(port: service.port)
        first.send(Array(head.utf8) + png[..<(png.count / 2)])
        Thread.sleep(forTimeInterval: 0.3)  // the server has read the first head and reserved its body
        let second = try RawClient(port: service.port)
        second.send(Array(head.utf8) + png)
        let refused = try second.readResponse()
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") == "1")
        #expect(refused.text.contains("budget"))
        first.send(Array(png[(png.count / 2)...]))
        #expect(try first.readResponse().status == 200)
        let third = try RawClient(port: service.port)
        third.send(Array(head.utf8) + png)
        #expect(try third.readResponse().status == 200)
    }

    @Test func rawBodyWithExpectContinueIsAccepted() throws {
        let service = try startService()
        defer { service.shutdown() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("binsr-\(UUID().uuidString).png")
        try Data(Fixtures.png(width: 300, height: 200)).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let curl = try runCurl([
            "-sS", "--fail-with-body", "-H", "Content-Type: image/png", "-H", "Expect: 100-continue",
            "--data-binary", "@\(file.path)", "http://127.0.0.1:\(service.port)/upscale?scale=2&model=real&arch=lapsrn",
        ])
        #expect(curl.status == 0, "curl: \(curl.errors)")
        #expect(Fixtures.pngSize(curl.output)! == (600, 400))
    }

    @Test func hundredRequestsShareOneKeepAliveConnectionIncludingPipelined() throws {
        let service = try startService()
        defer { service.shutdown() }
        let client = try RawClient(port: service.port)
        let png = Fixtures.png(width: 4, height: 4)
        let uploadHead = "POST /upscale?scale=2 HTTP/1.1\r\nHost: t\r\n"
            + "Content-Type: image/png\r\nContent-Length: \(png.count)\r\n\r\n"
        let upload = Array(uploadHead.utf8) + png
        for index in 0..<90 {
            if index % 10 == 0 {
                client.send(upload)
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.header("X-Output-Size") == "8x8")
            } else {
                client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse().status == 200)
            }
        }
        // Ten pipelined in one write: answered in order on the same connection.
        client.send(
            String(repeating: "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", count: 9)
                + "HEAD /v1/models HTTP/1.1\r\nHost: t\r\n\r\n")
        for _ in 0..<9 { #expect(try client.readResponse().status == 200) }
        let head = try client.readResponse(headRequest: true)
        #expect(head.status == 200)
        #expect(Int(head.header("Content-Length") ?? "0")! > 0)
        #expect(head.body.isEmpty)
    }

    @Test func modelsListsEveryModelWithSizesAndParameters() throws {
        let service = try startService()
        defer { service.shutdown() }
        let client = try RawClient(port: service.port)
        client.send("GET /v1/models HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.header("Content-Type") == "application/json")
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        let models = try #require(object?["models"] as? [[String: Any]])
        #expect(models.count == 8)
        let first = models.first { $0["name"] as? String == "lapsrn-binary-x2" }
        #expect(first?["parameters"] as? Int == 800_000)
        #expect(first?["sizeBytes"] as? Int == 100_000)
        #expect(first?["scale"] as? Int == 2)
    }

    @Test func readinessWaitsForEagerModelLoadingAndLazyLoadsOnFirstUse() throws {
        let lazyResolver = StubResolver()
        let lazy = try startService({ $0.modelLoading = "lazy" }, resolver: lazyResolver)
        defer { lazy.shutdown() }
        let client = try RawClient(port: lazy.port)
        client.send("GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        #expect(lazyResolver.loads.isEmpty)
        let png = Fixtures.png(width: 2, height: 2)
        client.send(
            Array("POST /upscale?scale=4&arch=lapsrn HTTP/1.1\r\nHost: t\r\nContent-Length: \(png.count)\r\n\r\n".utf8)
                + png)
        #expect(try client.readResponse().status == 200)
        #expect(lazyResolver.loads == [ModelKey(arch: .lapsrn, kind: .binary, scale: 4)])

        let broken = ModelKey(arch: .srresnet, kind: .real, scale: 2)
        let eager = try startService(resolver: StubResolver(failingLoads: [broken]))
        defer { eager.shutdown() }
        #expect(eventually { eager.registry.models.allSatisfy { $0.state != .notLoaded } })
        let second = try RawClient(port: eager.port)
        second.send("GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n")
        let notReady = try second.readResponse()
        #expect(notReady.status == 503)
        #expect(notReady.text.contains("models not loaded"))
    }
}
