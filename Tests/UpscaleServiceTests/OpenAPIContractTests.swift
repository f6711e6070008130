import Foundation
import ImageCodecs
import TestSupport
import Testing

@testable import UpscaleService

/// The parts of openapi.yaml a contract check needs, read by indentation (the file keeps a fixed 2-space layout;
/// no YAML library is needed for paths, methods, status codes and media types).
struct OpenAPISpec {
    /// path -> method -> status -> media types
    var operations: [String: [String: [String: Set<String>]]] = [:]
    var enums: [String: [String]] = [:]

    init(_ text: String) {
        let lines = text.components(separatedBy: "\n")
        func indent(_ line: String) -> Int { line.prefix { $0 == " " }.count }
        func key(_ line: String) -> String {
            line.trimmingCharacters(in: .whitespaces).dropLast().trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        }
        // components/responses: name -> media types
        var shared: [String: Set<String>] = [:]
        var section = ""
        var current: String?
        for line in lines {
            if indent(line) == 0 { section = line }
            if indent(line) == 2 && section == "components:" { current = line.hasPrefix("  responses:") ? "" : nil }
            guard current != nil else { continue }
            if indent(line) == 4 { current = key(line) }
            if indent(line) == 8, line.hasSuffix(":"), line.contains("/"), let name = current {
                shared[name, default: []].insert(key(line))
            }
        }
        var path = ""
        var method = ""
        var status = ""
        var inPaths = false
        var inResponses = false
        var lastParameter = ""
        for line in lines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if indent(line) == 0 { inPaths = line == "paths:" }
            guard inPaths, !trimmed.isEmpty else { continue }
            switch indent(line) {
            case 2: path = key(line)
            case 4: method = key(line).uppercased()
            case 6: inResponses = trimmed == "responses:"
            case 8 where inResponses:
                status = key(line)
                operations[path, default: [:]][method, default: [:]][status] = []
            case 8 where trimmed.hasPrefix("- name: "): lastParameter = String(trimmed.dropFirst(8))
            case 10 where inResponses && trimmed.hasPrefix("$ref: "):
                let name = trimmed.split(separator: "/").last!.trimmingCharacters(in: CharacterSet(charactersIn: "'"))
                operations[path]![method]![status] = shared[name] ?? []
            case 12 where inResponses && trimmed.hasSuffix(":") && trimmed.contains("/"):
                operations[path]![method]![status]!.insert(key(line))
            case 12 where trimmed.hasPrefix("enum: ["):
                enums[lastParameter] = trimmed.dropFirst(7).dropLast().split(separator: ",").map {
                    $0.trimmingCharacters(in: CharacterSet(charactersIn: " '"))
                }
            default: break
            }
        }
    }
}

@Suite("OpenAPI contract", .serialized)
struct OpenAPIContractTests {
    static let spec = OpenAPISpec(
        (try? String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("openapi.yaml"), encoding: .utf8))
            ?? "")

    @Test func everyRouteIsDescribedAndEveryDescribedOperationIsRouted() throws {
        let service = try startService()
        defer { service.shutdown() }
        let routed = Set(service.router.registered.map { "\($0.method.rawValue) \($0.path)" })
        let described = Set(Self.spec.operations.flatMap { path, methods in methods.keys.map { "\($0) \(path)" } })
        #expect(!described.isEmpty)
        #expect(routed == described)
    }

    @Test func theScannerReadsTheDescription() {
        let upscale = Self.spec.operations["/upscale"]?["POST"] ?? [:]
        #expect(upscale["200"] == ["image/png", "image/jpeg", "image/webp"])
        #expect(upscale["405"] == ["application/problem+json"])
        #expect(upscale.count == 17)
        #expect(upscale["401"] == ["application/problem+json"])
        #expect(Self.spec.operations["/readyz"]?["GET"]?["503"] == ["application/json"])
        #expect(Self.spec.operations["/metrics"]?["GET"]?["200"] == ["text/plain"])
    }

    @Test func parameterEnumsMatchWhatTheServerAccepts() {
        #expect(Self.spec.enums["scale"] == UpscaleParameters.scales)
        #expect(Self.spec.enums["model"] == UpscaleParameters.weightKinds)
        #expect(Self.spec.enums["arch"] == UpscaleParameters.architectures)
        #expect(Self.spec.enums["format"] == ImageFormat.allCases.map(\.rawValue))
    }

    /// Live responses for documented operations: each status must be documented for its operation, with the
    /// media type documented for that status.
    @Test func liveResponsesMatchTheDescription() throws {
        let service = try startService({
            $0.maxInputPixels = 10_000
            $0.queueDepth = 1
        })
        defer { service.shutdown() }
        let png = Fixtures.png(width: 8, height: 8)
        let unknown = String(repeating: "0", count: 32)
        func post(_ query: String, _ type: String, _ body: [UInt8], extra: String = "", to path: String = "/upscale")
            -> [UInt8]
        {
            let head = "POST \(path)\(query) HTTP/1.1\r\nHost: t\r\n"
                + "Content-Type: \(type)\r\n\(extra)Content-Length: \(body.count)\r\n\r\n"
            return Array(head.utf8) + body
        }
        func bare(_ method: String, _ target: String) -> [UInt8] {
            Array("\(method) \(target) HTTP/1.1\r\nHost: t\r\n\r\n".utf8)
        }
        let requests: [(String, String, [UInt8], Int)] = [
            ("POST", "/upscale", post("?scale=2", "image/png", png), 200),
            ("POST", "/upscale", post("?scale=4&format=jpeg&quality=80", "image/png", png), 200),
            ("POST", "/upscale", post("?scale=2&format=webp&lossless=true", "image/png", png), 200),
            ("POST", "/upscale", post("?scale=3", "image/png", png), 400),
            ("POST", "/upscale", post("", "image/png", Array("text".utf8)), 415),
            ("POST", "/upscale", post("", "image/png", Array(png.prefix(50))), 422),
            ("POST", "/upscale", post("", "image/png", Fixtures.png(width: 200, height: 60)), 413),
            ("POST", "/upscale", post("", "image/png", png, extra: "Accept: text/html\r\n"), 406),
            ("POST", "/upscale", post("", "text/plain", png), 415),
            ("GET", "/upscale", Array("GET /upscale HTTP/1.1\r\nHost: t\r\n\r\n".utf8), 405),
            ("GET", "/v1/models", Array("GET /v1/models HTTP/1.1\r\nHost: t\r\n\r\n".utf8), 200),
            ("GET", "/healthz", Array("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n".utf8), 200),
            ("GET", "/readyz", Array("GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n".utf8), 200),
            ("GET", "/metrics", Array("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n".utf8), 200),
            ("POST", "/metrics", Array("POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n".utf8), 405),
            ("POST", "/v1/jobs", post("?scale=2", "image/png", png, to: "/v1/jobs"), 202),
            ("POST", "/v1/jobs", post("?scale=3", "image/png", png, to: "/v1/jobs"), 400),
            ("GET", "/v1/jobs/{id}", bare("GET", "/v1/jobs/\(unknown)"), 404),
            ("DELETE", "/v1/jobs/{id}", bare("DELETE", "/v1/jobs/\(unknown)"), 404),
            ("GET", "/v1/jobs/{id}/result", bare("GET", "/v1/jobs/\(unknown)/result"), 404),
        ]
        #expect(eventually { service.registry.isReady })
        for (method, path, bytes, expected) in requests {
            let client = try RawClient(port: service.port)
            client.send(bytes)
            let response = try client.readResponse()
            #expect(response.status == expected, "\(method) \(path): \(response.text)")
            // 405s are documented on the route's real method; look the path up with any method.
            let operations = Self.spec.operations[path] ?? [:]
            let documented = operations[method] ?? operations.values.first ?? [:]
            let status = String(response.status)
            #expect(documented[status] != nil, "\(method) \(path) returned undocumented \(status)")
            let type = response.header("Content-Type")?.split(separator: ";").first.map(String.init) ?? ""
            #expect(documented[status]?.contains(type) == true, "\(method) \(path) \(status) returned \(type)")
        }
    }
}

/// Schemathesis (property-based API testing from openapi.yaml) against the live server with the stub engine, when
/// the Python environment has it (scripts/packages/service.pip). Fixed seed and example budget keep it repeatable.
@Suite("Schemathesis", .serialized)
struct SchemathesisTests {
    static let python = UpscaleServiceTests.python(with: "schemathesis")

    @Test(.enabled(if: python != nil, "BINSR_PYTHON lacks schemathesis (scripts/packages/service.pip)"))
    func generatedRequestsGetDocumentedResponses() throws {
        // Keys on, so that schemathesis's ignored_auth check sees every secured operation refuse a keyless request.
        let key = "schemathesis-key-0123456789"
        let service = try startService { $0.auth.apiKeys = [APIKey(key)] }
        defer { service.shutdown() }
        #expect(eventually { service.registry.isReady })
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python!)
        process.arguments = [
            "-m", "schemathesis.cli", "run", TestPaths.repositoryRoot.appendingPathComponent("openapi.yaml").path,
            "--url", "http://127.0.0.1:\(service.port)", "--checks", "all", "--max-examples", "60", "--seed", "1",
            "--header", "Authorization: Bearer \(key)",
            // A JSON schema cannot say "a decodable PNG", so schema-valid generated bodies are rightly refused with
            // 415/422; that one check would only measure the generator.
            "--exclude-checks", "positive_data_acceptance",
        ]
        // Schemathesis keeps a cache in its working directory; keep it out of the checkout.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("binsr-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        process.currentDirectoryURL = scratch
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "schemathesis:\n\(report.suffix(4000))")
        if let summary = report.range(of: "SUMMARY") { print("schemathesis " + report[summary.lowerBound...]) }
    }
}
