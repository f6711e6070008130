import Foundation
import Testing

@testable import UpscaleService

@Suite("Metrics", .serialized)
struct MetricsTests {
    static let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    func scrape(after requests: [String]) throws -> String {
        let service = try startService()
        defer { service.shutdown() }
        let client = try RawClient(port: service.port)
        let png = Fixtures.png(width: 4, height: 4)
        client.send(
            Array("POST /upscale?scale=2 HTTP/1.1\r\nHost: t\r\nContent-Length: \(png.count)\r\n\r\n".utf8) + png)
        _ = try client.readResponse()
        for request in requests {
            client.send(request)
            _ = try client.readResponse()
        }
        client.send("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        return response.text
    }

    @Test func exposesRequestsStagesQueueAndMemory() throws {
        let text = try scrape(after: ["GET /nope HTTP/1.1\r\nHost: t\r\n\r\n"])
        #expect(
            text.contains(
                #"binsr_http_requests_total{route="upscale",method="POST",status="200",model="srresnet-binary-x2"} 1"#))
        #expect(text.contains(#"binsr_http_requests_total{route="unmatched",method="GET",status="404",model=""} 1"#))
        for stage in ["queue", "decode", "inference", "encode"] {
            #expect(text.contains(#"binsr_stage_duration_seconds_count{stage="\#(stage)"} 1"#), "\(stage)")
        }
        for gauge in ["binsr_queue_depth 0", "binsr_workers 2", "binsr_workers_busy 0", "binsr_in_flight_requests 1"] {
            #expect(text.contains(gauge + "\n") || text.contains(gauge + ".0\n"), "\(gauge)")
        }
        let rss = text.split(separator: "\n").first { $0.hasPrefix("binsr_process_resident_memory_bytes ") }
        #expect((rss.flatMap { Double($0.split(separator: " ")[1]) } ?? 0) > 1_000_000)
    }

    @Test(.enabled(if: promtool != nil, "promtool not installed (Debian package prometheus)"))
    func expositionPassesPromtoolLint() throws {
        let text = try scrape(after: ["DELETE /upscale HTTP/1.1\r\nHost: t\r\n\r\n"])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.promtool!)
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "promtool: \(report)")
    }
}
