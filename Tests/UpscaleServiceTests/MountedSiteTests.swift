import Foundation
import Testing

@testable import UpscaleService

/// The seam between the service and the site mounted beside its API (the viewer, module Viewer): the viewer's
/// bicubic baseline is answered by the service's own upscale path on the bounded worker queue, and a service built
/// without a site serves its API alone.
@Suite("Mounted site", .serialized)
struct MountedSiteTests {
    static func bicubic(_ port: Int, query: String, headers: [String] = [], png: [UInt8]) throws -> RawClient.Response {
        let client = try RawClient(port: port, timeoutSeconds: 20)
        let head =
            "POST /viewer/bicubic\(query) HTTP/1.1\r\nHost: t\r\nContent-Type: image/png\r\n"
            + headers.map { $0 + "\r\n" }.joined() + "Content-Length: \(png.count)\r\n\r\n"
        client.send(Array(head.utf8) + png)
        return try client.readResponse()
    }

    @Test func theBicubicBaselineIsAnsweredAsUpscaleWithModelBicubic() throws {
        let service = try startService()
        defer { service.shutdown() }
        // PNG whatever the client accepts; only `scale` is taken from its query.
        let response = try Self.bicubic(
            service.port, query: "?scale=4&model=real", headers: ["Accept: image/jpeg"],
            png: Fixtures.png(width: 5, height: 3))
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "image/png")
        #expect(response.header("X-Model") == "bicubic-x4")
        #expect(response.header("X-Output-Size") == "20x12")
        #expect(Fixtures.pngSize(response.body)! == (20, 12))
        // The stages of the queued job, as for POST /upscale.
        let stages = response.header("Server-Timing")?.split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces).split(separator: ";").first.map(String.init) ?? ""
        }
        #expect(stages == ["queue", "decode", "inference", "encode"])
        let defaultScale = try Self.bicubic(service.port, query: "", png: Fixtures.png(width: 5, height: 3))
        #expect(defaultScale.header("X-Model") == "bicubic-x\(service.config.defaultScale)")
        let refused = try Self.bicubic(service.port, query: "?scale=3", png: Fixtures.png(width: 5, height: 3))
        #expect(refused.status == 400 && refused.text.contains("scale"))
    }

    /// Before the seam the baseline ran on the connection's thread beside the worker pool; now a full queue
    /// refuses it like any upscale.
    @Test func theBicubicBaselineWaitsInTheBoundedQueue() throws {
        let service = try startService(
            {
                $0.workers = 1
                $0.queueDepth = 1
            }, resolver: StubResolver(delaySeconds: 1.5))
        defer { service.shutdown() }
        let png = Fixtures.png(width: 4, height: 4)
        let upload = Array(
            "POST /upscale HTTP/1.1\r\nHost: t\r\nContent-Type: image/png\r\nContent-Length: \(png.count)\r\n\r\n".utf8)
        // One upscale on the worker, one waiting in the queue: no room left.
        let running = try RawClient(port: service.port, timeoutSeconds: 20)
        running.send(upload + png)
        #expect(eventually { service.queue.busyWorkers == 1 })
        let waiting = try RawClient(port: service.port, timeoutSeconds: 20)
        waiting.send(upload + png)
        #expect(eventually { service.queue.depth == 1 })
        let refused = try Self.bicubic(service.port, query: "?scale=2", png: png)
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") != nil)
        #expect(try running.readResponse().status == 200)
        #expect(try waiting.readResponse().status == 200)
        #expect(try Self.bicubic(service.port, query: "?scale=2", png: png).status == 200)
    }

    @Test func withoutASiteTheServiceServesTheAPIAlone() throws {
        let service = try startService(viewer: false)
        defer { service.shutdown() }
        for path in ["/", "/study", "/static/viewer.js", "/study/next"] {
            let client = try RawClient(port: service.port)
            client.send("GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().status == 404, "\(path)")
        }
        #expect(try Self.bicubic(service.port, query: "?scale=2", png: Fixtures.png(width: 4, height: 4)).status == 404)
    }
}
