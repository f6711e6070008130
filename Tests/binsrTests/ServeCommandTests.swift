import Foundation
import TestSupport
import Testing

/// `binsr serve` as an operator runs it, against a models folder with broken files beside a good one.
@Suite struct ServeCommandTests {
    /// A running `binsr serve` on a free port; `stop()` ends it.
    final class Server: @unchecked Sendable {
        let process = Process()
        private(set) var port = 0
        private let output = Pipe()
        private var log = ""

        init(_ arguments: [String]) throws {
            guard let executable = BinsrProcess.executable else { throw CocoaError(.fileNoSuchFile) }
            process.executableURL = executable
            process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0"] + arguments
            process.standardOutput = output
            process.standardError = output
            try process.run()
            // The log line `... port=NNNN ... listening` names the port the kernel chose.
            let handle = output.fileHandleForReading
            let deadline = Date().addingTimeInterval(60)
            while port == 0 && Date() < deadline {
                let data = handle.availableData
                if data.isEmpty { break }
                log += String(decoding: data, as: UTF8.self)
                for line in log.split(separator: "\n") where line.contains("listening") {
                    if let field = line.split(separator: " ").first(where: { $0.hasPrefix("port=") }) {
                        port = Int(field.dropFirst(5)) ?? 0
                    }
                }
            }
            // Keep draining so the child never blocks on a full pipe.
            DispatchQueue.global().async { [handle] in while !handle.availableData.isEmpty {} }
        }

        var startupLog: String { log }

        func get(_ path: String) throws -> (status: Int, body: String) {
            try curl(["-s", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)\(path)"])
        }

        func curl(_ arguments: [String]) throws -> (status: Int, body: String) {
            let result = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/curl"), arguments)
            let text = String(decoding: result.stdout, as: UTF8.self)
            let status = Int(text.split(separator: "\n").last ?? "") ?? 0
            return (status, String(text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().joined(separator: "\n")))
        }

        func stop() {
            process.interrupt()
            process.waitUntilExit()
        }
    }

    @Test func brokenWeightFilesAreListedAndAnswered503WhileTheRestServe() throws {
        let models = try UpscaleCommandTests.modelsFolder()  // a good srresnet_x4_real.safetensors
        defer { try? FileManager.default.removeItem(at: models) }
        let good = try Data(contentsOf: models.appendingPathComponent("srresnet_x4_real.safetensors"))
        // A truncated copy under the binary model's name, and garbage under LapSRN's.
        try good.prefix(200).write(to: models.appendingPathComponent("srresnet_x4_binary.safetensors"))
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) })
            .write(to: models.appendingPathComponent("lapsrn_x4_real.safetensors"))

        let server = try Server([
            "--config", TestPaths.repositoryRoot.appendingPathComponent("config/binsr.json").path,
            "--set", "modelsDirectory=\(models.path)", "--set", "precision=fp32", "--set", "defaultScale=4",
        ])
        defer { server.stop() }
        try #require(server.port > 0, "no port in the log: \(server.startupLog)")
        #expect(server.startupLog.contains("srresnet_x4_binary.safetensors"), "the log names the broken file")

        var ready = 0
        for _ in 0..<100 where ready != 200 {
            ready = try server.get("/readyz").status
            if ready != 200 { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(ready == 200, "ready: the good model loaded; broken files do not hold readiness back")

        let list = try server.get("/v1/models")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(list.body.utf8)) as? [String: Any])
        let served = (json["models"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(served == ["srresnet-real-x4"])
        let unavailable = json["unavailable"] as? [[String: Any]] ?? []
        #expect(unavailable.compactMap { $0["file"] as? String }.sorted()
            == ["lapsrn_x4_real.safetensors", "srresnet_x4_binary.safetensors"])
        #expect(unavailable.allSatisfy { ($0["reason"] as? String ?? "").isEmpty == false && $0["state"] as? String == "unreadable" })
        #expect(!list.body.contains(models.path), "no server paths in the API")

        let image = TestPaths.testdata.appendingPathComponent("png/pngsuite/basn2c08.png")
        try #require(FileManager.default.fileExists(atPath: image.path), "../shared/testdata is missing")
        let broken = try server.curl([
            "-s", "-w", "\n%{http_code}", "-F", "image=@\(image.path)",
            "http://127.0.0.1:\(server.port)/upscale?scale=4&model=binary&arch=srresnet",
        ])
        #expect(broken.status == 503)
        #expect(broken.body.contains("srresnet_x4_binary.safetensors"), "\(broken.body)")
        let fine = try server.curl([
            "-s", "-o", "/dev/null", "-w", "\n%{http_code}", "-F", "image=@\(image.path)",
            "http://127.0.0.1:\(server.port)/upscale?scale=4&model=real&arch=srresnet",
        ])
        #expect(fine.status == 200)
    }

    @Test func theCLINamesABrokenWeightFile() throws {
        let models = try UpscaleCommandTests.modelsFolder()
        defer { try? FileManager.default.removeItem(at: models) }
        let file = models.appendingPathComponent("srresnet_x4_real.safetensors")
        let good = try Data(contentsOf: file)
        try good.prefix(200).write(to: file)
        let image = TestPaths.testdata.appendingPathComponent("png/pngsuite/basn2c08.png")
        try #require(FileManager.default.fileExists(atPath: image.path), "../shared/testdata is missing")
        let result = try BinsrProcess.run([
            "upscale", image.path, "-o", models.appendingPathComponent("out.png").path, "--scale", "4",
            "--arch", "srresnet", "--weights", "real", "--models-dir", models.path,
        ])
        #expect(result.status != 0)
        #expect(result.stderr.contains("srresnet_x4_real.safetensors"), "\(result.stderr)")
    }

    /// `--print-config` shows what the file, the environment and the flags add up to, keys redacted, and serves
    /// nothing; a bad value stops `serve` before anything starts, naming its source.
    @Test func printConfigShowsTheMergedSettingsWithoutTheKeys() throws {
        let key = "print-config-key-0123456789"
        let config = TestPaths.repositoryRoot.appendingPathComponent("config/binsr.json").path
        let result = try BinsrProcess.run(
            ["serve", "--config", config, "--set", "http.maxBodyBytes=4096", "--workers", "3", "--print-config"],
            environment: ["BINSR_AUTH_API_KEYS": key, "BINSR_QUEUE_DEPTH": "9"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains(key) && !result.stderr.contains(key))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((json["auth"] as? [String: Any])?["apiKeys"] as? [String] == ["<redacted>"])
        #expect((json["http"] as? [String: Any])?["maxBodyBytes"] as? Int == 4096)
        #expect(json["workers"] as? Int == 3)
        #expect(json["queueDepth"] as? Int == 9)
        #expect(json["port"] as? Int == 8080)

        let invalid = try BinsrProcess.run(
            ["serve", "--config", config, "--print-config"], environment: ["BINSR_PORT": "eighty"])
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains("BINSR_PORT: expected an integer, got eighty"), "\(invalid.stderr)")
    }
}
