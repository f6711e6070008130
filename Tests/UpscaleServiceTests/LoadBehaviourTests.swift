import Foundation
import Synchronization
import Testing

@testable import UpscaleService

/// Overload, slow clients, disconnects and shutdown, with real sockets and the slow stub engine.
@Suite("Behaviour under load", .serialized)
struct LoadBehaviourTests {
    static let png = Fixtures.png(width: 4, height: 4)
    static let upload =
        Array(
            "POST /upscale HTTP/1.1\r\nHost: t\r\nContent-Type: image/png\r\nContent-Length: \(png.count)\r\n\r\n".utf8)
        + png

    /// Opens `count` connections, sends an upload on each (so all are in flight together), then reads every
    /// response. Returns (status, Retry-After) per request; status 0 means no response.
    static func concurrentUploads(_ count: Int, port: Int) throws -> [(Int, String?)] {
        let clients = try (0..<count).map { _ in try RawClient(port: port, timeoutSeconds: 20) }
        for client in clients { client.send(upload) }
        return clients.map { client in
            guard let response = try? client.readResponse() else { return (0, nil) }
            return (response.status, response.header("Retry-After"))
        }
    }

    @Test func slowLorisGets408AndDoesNotBlockOthers() throws {
        let service = try startService {
            $0.http.headerTimeout = 0.5
            $0.http.readTimeout = 0.3
        }
        defer { service.shutdown() }
        let start = Date()
        let loris = try RawClient(port: service.port)
        // One header byte every 0.1 s: each arrives within readTimeout, but the header deadline still fires.
        let trickle = Thread {
            for byte in Array("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ".utf8)
                + Array(repeating: UInt8(ascii: "a"), count: 50)
            {
                loris.send([byte])
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        trickle.start()
        // Meanwhile a normal client is served at once.
        let normal = try RawClient(port: service.port)
        normal.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try normal.readResponse().status == 200)
        let response = try loris.readResponse()
        #expect(response.status == 408)
        #expect(response.text.contains("headers"))
        #expect(Date().timeIntervalSince(start) < 2)

        // A client that stops sending mid-body hits the read timeout.
        let stalled = try RawClient(port: service.port)
        stalled.send("POST /upscale HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc")
        #expect(try stalled.readResponse().status == 408)
    }

    @Test func fullQueueAnswers503WithRetryAfterWhileAcceptedRequestsComplete() throws {
        let resolver = StubResolver(delaySeconds: 0.3)
        let service = try startService(
            {
                $0.workers = 1
                $0.queueDepth = 2
            }, resolver: resolver)
        defer { service.shutdown() }
        let results = try Self.concurrentUploads(8, port: service.port)
        let ok = results.filter { $0.0 == 200 }.count
        let busy = results.filter { $0.0 == 503 }
        #expect(results.allSatisfy { $0.0 == 200 || $0.0 == 503 }, "every request answered: \(results)")
        // At most one running plus two queued succeed (two if all eight arrive before the worker wakes up);
        // the rest are refused at once rather than waiting.
        #expect(ok >= 2 && ok <= 3, "\(results)")
        #expect(busy.count == 8 - ok)
        #expect(busy.allSatisfy { $0.1 == "1" })
        #expect(resolver.upscaleCalls == ok)
    }

    @Test func clientThatDisconnectsWhileQueuedIsDroppedFromTheQueue() throws {
        let resolver = StubResolver(delaySeconds: 0.4)
        let service = try startService({ $0.workers = 1 }, resolver: resolver)
        defer { service.shutdown() }
        let first = try RawClient(port: service.port)
        first.send(Self.upload)
        #expect(eventually { service.queue.busyWorkers == 1 })
        let quitter = try RawClient(port: service.port)
        quitter.send(Self.upload)
        #expect(eventually { service.queue.depth == 1 })
        quitter.shutdownBoth()
        #expect(eventually(1) { service.queue.depth == 0 }, "the abandoned job left the queue")
        #expect(try first.readResponse().status == 200)
        Thread.sleep(forTimeInterval: 0.1)
        #expect(resolver.upscaleCalls == 1, "the abandoned job never ran")
    }

    @Test func shutdownDuringLoadAnswersEveryAcceptedRequest() throws {
        let resolver = StubResolver(delaySeconds: 0.1)
        let service = try startService(
            {
                $0.workers = 1
                $0.queueDepth = 10
            }, resolver: resolver)
        let port = service.port
        let clients = try (0..<6).map { _ in try RawClient(port: port, timeoutSeconds: 20) }
        for client in clients { client.send(Self.upload) }
        #expect(eventually { service.queue.depth >= 3 })
        let drained = service.shutdown()  // what SIGTERM triggers
        #expect(drained)
        #expect(clients.map { (try? $0.readResponse().status) ?? 0 } == Array(repeating: 200, count: 6))
        #expect(resolver.upscaleCalls == 6)
        #expect(throws: RawClient.Failure.self) { try RawClient(port: port) }
    }

    @Test func sigtermStopsTheServiceGracefully() throws {
        let service = try startService()
        let exitCode = Locked<Int32?>(nil)
        let runner = Thread { exitCode.withLock { $0 = service.runUntilSignalled() } }
        runner.start()
        Thread.sleep(forTimeInterval: 0.2)  // let the signal sources install
        kill(getpid(), SIGTERM)
        #expect(eventually(5) { exitCode.withLock { $0 } == 0 })
        signal(SIGTERM, SIG_DFL)
    }
}

/// A `Mutex` tests can capture in closures (a class: `Mutex` itself is not copyable).
final class Locked<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<T: Sendable>(_ body: (inout Value) -> T) -> T { value.withLock { body(&$0) } }
}
