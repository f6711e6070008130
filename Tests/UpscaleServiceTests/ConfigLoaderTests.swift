import Foundation
import Testing

@testable import UpscaleService

@Suite("Configuration")
struct ConfigLoaderTests {
    func file(_ json: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "binsr-config-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        return url.path
    }

    @Test func flagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults() async throws {
        let path = try file(#"{"port": 9000, "workers": 3, "queueDepth": 5, "http": {"maxBodyBytes": 1000}}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try await ConfigLoader.load(
            file: path,
            environment: ["BINSR_WORKERS": "4", "BINSR_QUEUE_DEPTH": "6", "BINSR_HTTP_IDLE_TIMEOUT": "2.5"],
            overrides: ["queue-depth": "7"])
        #expect(config.port == 9000)  // file
        #expect(config.workers == 4)  // environment over file
        #expect(config.queueDepth == 7)  // flag over environment
        #expect(config.http.maxBodyBytes == 1000)  // nested file key
        #expect(config.http.idleTimeout == 2.5)  // nested environment key
        #expect(config.jpegQuality == 90)  // default
    }

    @Test func theCommittedConfigFileIsValid() async throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/binsr.json").path
        let config = try await ConfigLoader.load(file: path, environment: [:], overrides: [:])
        #expect(config.port == 8080)
    }

    /// The file `binsr serve` reads by default (the README's first command) holds the same access and study settings
    /// as the defaults the tests run with, so what the attack tests measure is what a plain start gets.
    @Test func theCommittedConfigFileHoldsTheDefaultAccessAndStudySettings() async throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/binsr.json").path
        let config = try await ConfigLoader.load(file: path, environment: [:], overrides: [:])
        let defaults = ServiceConfig()
        #expect(config.auth == defaults.auth && !config.auth.isEnabled)
        #expect(config.metrics == defaults.metrics)
        #expect(config.study == defaults.study)
        #expect(config.webRoot == defaults.webRoot)
        #expect(config.jobs == defaults.jobs)
    }

    /// Every setting is in the committed file, each at its default: an operator reads there what a plain start uses.
    @Test func theCommittedConfigFileHoldsEveryKeyAtItsDefault() async throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/binsr.json")
        #expect(try await ConfigLoader.load(file: url.path, environment: [:], overrides: [:]) == ServiceConfig())
        func names(_ object: [String: Any], _ prefix: String = "") -> Set<String> {
            object.reduce(into: []) { result, entry in
                if let nested = entry.value as? [String: Any] {
                    result.formUnion(names(nested, prefix + entry.key + "."))
                } else {
                    result.insert(prefix + entry.key)
                }
            }
        }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let keys = Set(ConfigKeys.all.map(\.name))
        #expect(keys.subtracting(names(object)).sorted() == [], "settings missing from the file")
        #expect(names(object).subtracting(keys).sorted() == [], "unknown keys in the file")
    }

    /// The viewer's web root is a key like any other (it was read from the environment by the viewer itself); its
    /// variable keeps the name deployments and the browser test already set.
    @Test func theWebRootIsAKeyWithTheEnvironmentNameItAlwaysHad() async throws {
        let path = try file(#"{"webRoot": "/srv/file-web"}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try await ConfigLoader.load(file: path, environment: [:], overrides: [:])
        #expect(fromFile.webRoot == "/srv/file-web")
        let environment = ["BINSR_WEB_ROOT": "/srv/env-web"]
        let fromEnvironment = try await ConfigLoader.load(file: path, environment: environment, overrides: [:])
        #expect(fromEnvironment.webRoot == "/srv/env-web")
        let flagged = try await ConfigLoader.load(
            file: path, environment: environment, overrides: ["web-root": "/srv/flag"])
        #expect(flagged.webRoot == "/srv/flag")
        #expect(ServiceConfig().webRoot == "", "empty: the web folder beside the executable, else ./web")
    }

    /// The default model and architecture are the engine's typed names; any other name is refused with the names
    /// allowed, from whichever source gave it.
    @Test func defaultModelAndArchAreTypedNames() async throws {
        let config = try await ConfigLoader.load(
            file: nil, environment: ["BINSR_DEFAULT_MODEL": "real"], overrides: ["default-arch": "lapsrn"])
        #expect(config.defaultModel == .real && config.defaultArch == .lapsrn)
        let path = try file(#"{"defaultArch": "edsr"}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try await ConfigLoader.load(
                file: path, environment: ["BINSR_DEFAULT_MODEL": "ternary"], overrides: [:])
            Issue.record("expected a ConfigError")
        } catch {
            #expect(error.messages.contains("BINSR_DEFAULT_MODEL: expected one of binary, real, got ternary"))
            #expect(error.messages.contains("\(path): 'defaultArch' must be one of srresnet, lapsrn"))
        }
    }

    @Test func unknownKeysAreErrorsNotSilentlyIgnored() async throws {
        let path = try file(#"{"queueDepht": 5, "http": {"maxBody": 1}}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        await #expect(throws: ConfigError.self) {
            try await ConfigLoader.load(file: path, environment: [:], overrides: [:])
        }
        do {
            _ = try await ConfigLoader.load(file: path, environment: [:], overrides: ["bogus": "1"])
        } catch {
            #expect(error.messages.contains { $0.contains("unknown key 'queueDepht'") })
            #expect(error.messages.contains { $0.contains("unknown key 'http.maxBody'") })
            #expect(error.messages.contains { $0.contains("unknown setting 'bogus'") })
        }
    }

    @Test func everyInvalidValueIsReportedWithItsSource() async {
        do {
            _ = try await ConfigLoader.load(
                file: nil, environment: ["BINSR_PORT": "eighty", "BINSR_DEFAULT_SCALE": "3"],
                overrides: ["jpeg-quality": "101", "model-loading": "sometimes", "http-read-timeout": "-1"])
            Issue.record("expected a ConfigError")
        } catch {
            let text = error.description
            #expect(text.contains("BINSR_PORT: expected an integer, got eighty"))
            #expect(text.contains("defaultScale must be 2 or 4 (got 3)"))
            #expect(text.contains("jpegQuality must be 1...100 (got 101)"))
            #expect(text.contains("modelLoading must be eager or lazy"))
            #expect(text.contains("http.readTimeout must be a positive number of seconds"))
        }
    }

    @Test func wrongJSONTypesAndUnreadableFilesAreReported() async throws {
        let path = try file(#"{"port": "8080", "host": 5, "workers": 1.5, "metrics": {"port": true}}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try await ConfigLoader.load(file: path, environment: [:], overrides: [:])
            Issue.record("expected a ConfigError")
        } catch {
            #expect(error.messages.contains { $0.hasSuffix("'port' must be a number") })
            #expect(error.messages.contains { $0.hasSuffix("'host' must be a string") })
            #expect(error.messages.contains { $0.contains("'workers': expected an integer, got 1.5") })
            #expect(error.messages.contains { $0.hasSuffix("'metrics.port' must be a number") })
        }
        await #expect(throws: ConfigError.self) {
            try await ConfigLoader.load(file: "/nonexistent/binsr.json", environment: [:], overrides: [:])
        }
        let broken = try file("{not json")
        defer { try? FileManager.default.removeItem(atPath: broken) }
        await #expect(throws: ConfigError.self) {
            try await ConfigLoader.load(file: broken, environment: [:], overrides: [:])
        }
    }

    /// Every key is read under the environment name and flag the README and deploy/ document: swift-configuration's
    /// conventions (BINSR_ prefix, camelCase words split by underscores; flags in dash-case) derive them.
    @Test func everyKeyIsReadUnderItsDocumentedEnvironmentNameAndFlag() async throws {
        let key = ConfigKeys.all.first { $0.name == "http.maxBodyBytes" }!
        #expect(ConfigLoader.environmentName(key) == "BINSR_HTTP_MAX_BODY_BYTES")
        #expect(ConfigLoader.flagName(key) == "--http-max-body-bytes")
        #expect(Set(ConfigKeys.all.map(\.name)).count == ConfigKeys.all.count)
        for setting in ConfigKeys.all {
            // The documented spelling, derived independently of the library: each capital starts a word.
            let words = setting.name.map { $0 == "." ? "_" : $0.isUppercase ? "_\($0)" : "\($0)" }.joined()
            #expect(ConfigLoader.environmentName(setting) == "BINSR_" + words.uppercased(), "\(setting.name)")
            let flag = "--" + words.lowercased().replacingOccurrences(of: "_", with: "-")
            #expect(ConfigLoader.flagName(setting) == flag)
        }
        // A value given under the derived names reaches the reader (here a bad one, so each is reported by name);
        // the flag hides the environment's value for the same key.
        let environment = Dictionary(
            uniqueKeysWithValues: ConfigKeys.all.filter { $0.kind == .integer }.map {
                (ConfigLoader.environmentName($0), "x")
            })
        do {
            _ = try await ConfigLoader.load(file: nil, environment: environment, overrides: ["jobs-max-jobs": "y"])
            Issue.record("expected a ConfigError")
        } catch {
            for name in environment.keys where name != "BINSR_JOBS_MAX_JOBS" {
                #expect(error.messages.contains("\(name): expected an integer, got x"), "\(name)")
            }
            #expect(error.messages.contains("--jobs-max-jobs: expected an integer, got y"))
            #expect(!error.messages.contains { $0.hasPrefix("BINSR_JOBS_MAX_JOBS") })
        }
    }

    @Test func printedConfigIsTheFileShapeWithKeysRedacted() throws {
        var config = ServiceConfig()
        config.auth.apiKeys = [APIKey("0123456789abcdef0123")]
        config.http.maxBodyBytes = 1234
        let printed = ConfigLoader.printed(config)
        #expect(!printed.contains("0123456789abcdef0123"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(printed.utf8)) as? [String: Any])
        #expect((json["auth"] as? [String: Any])?["apiKeys"] as? [String] == ["<redacted>"])
        #expect((json["http"] as? [String: Any])?["maxBodyBytes"] as? Int == 1234)
        #expect(json["port"] as? Int == 8080)
    }
}

@Suite("Work queue")
struct WorkQueueTests {
    @Test func refusesBeyondCapacityAndCancelsOnlyJobsNotStarted() async {
        let gate = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let ran = Locked<[Int]>([])
        let queue = WorkQueue(workers: 1, capacity: 2)
        let first = queue.submit {
            started.signal()
            gate.wait()
            ran.withLock { $0.append(1) }
        }!
        started.wait()
        let second = queue.submit { ran.withLock { $0.append(2) } }!
        #expect(queue.submit { ran.withLock { $0.append(3) } } != nil)
        #expect(queue.submit { ran.withLock { $0.append(4) } } == nil, "capacity 2 is full")
        #expect(!queue.cancel(first), "a running job cannot be withdrawn")
        #expect(queue.cancel(second))
        #expect(queue.depth == 1)
        gate.signal()
        #expect(queue.stop(timeout: 5))
        #expect(ran.withLock { $0 } == [1, 3])
        #expect(queue.submit {} == nil, "a stopped queue accepts nothing")
    }
}
