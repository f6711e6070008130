import ArgumentParser
import Foundation
import Logging
import UpscaleService
import Viewer

/// `binsr serve`: runs the upscale HTTP service until SIGTERM/SIGINT, then drains and exits 0.
///
/// Settings come from the config file, then BINSR_* environment variables, then these flags (highest wins);
/// `--set key=value` reaches any key of config/binsr.json (e.g. `--set http.maxBodyBytes=1048576`).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the upscale HTTP service (see openapi.yaml).")

    @Option(help: "JSON config file. Default: config/binsr.json if it exists.")
    var config: String?

    @Option(help: "Address to bind.")
    var host: String?

    @Option(help: "TCP port (0 = any free port).")
    var port: Int?

    @Option(help: "Inference worker threads (0 = one per core).")
    var workers: Int?

    @Option(help: "Requests that may wait for a worker before 503.")
    var queueDepth: Int?

    @Option(help: "Model loading: eager or lazy.")
    var modelLoading: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    @Option(name: .customLong("set"), help: "Any config key, as key=value (repeatable).")
    var settings: [String] = []

    @Flag(help: "Print the merged configuration as JSON (API keys redacted) and exit without serving.")
    var printConfig = false

    /// The merged, validated configuration; built in `validate()` so bad settings fail before anything starts.
    private var resolved: ServiceConfig?

    private enum CodingKeys: CodingKey {
        case config, host, port, workers, queueDepth, modelLoading, logLevel, settings, printConfig
    }

    mutating func validate() throws {
        var overrides: [String: String] = [:]
        for setting in settings {
            let parts = setting.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw ValidationError("--set expects key=value, got '\(setting)'") }
            overrides[String(parts[0])] = String(parts[1])
        }
        if let host { overrides["host"] = host }
        if let port { overrides["port"] = String(port) }
        if let workers { overrides["workers"] = String(workers) }
        if let queueDepth { overrides["queueDepth"] = String(queueDepth) }
        if let modelLoading { overrides["modelLoading"] = modelLoading }
        if let logLevel { overrides["logLevel"] = logLevel }
        let defaultFile = "config/binsr.json"
        let file = config ?? (FileManager.default.fileExists(atPath: defaultFile) ? defaultFile : nil)
        let environment = ProcessInfo.processInfo.environment
        let merged = overrides
        let loaded = waitForAsync {
            () async -> Result<ServiceConfig, ConfigError> in
            do throws(ConfigError) {
                return .success(try await ConfigLoader.load(file: file, environment: environment, overrides: merged))
            } catch {
                return .failure(error)
            }
        }
        switch loaded {
        case .success(let config): resolved = config
        case .failure(let error): throw ValidationError(error.description)
        }
    }

    func run() throws {
        guard let config = resolved else { throw ValidationError("configuration was not validated") }
        if printConfig {
            print(ConfigLoader.printed(config))
            return
        }
        let level = Logger.Level(rawValue: config.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "binsr.serve")
        let resolver: any SuperResolver
        do {
            resolver = try makeSuperResolver(config: config, logger: logger)
        } catch {
            // A weight file that does not parse is an operator error: say which file and why, then stop.
            logger.critical("cannot read the models", metadata: ["error": "\(error)"])
            throw ExitCode(EX_CONFIG)
        }
        // The viewer and the blind study are served beside the API, from the service's pipeline (module Viewer).
        let service = UpscaleService(
            config: config, resolver: resolver, coder: ImageCodecsCoding(), logger: logger,
            site: { ViewerSite(pipeline: $0, logger: logger) })
        do {
            try service.start()
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(EX_UNAVAILABLE)
        }
        let status = service.runUntilSignalled()
        if status != 0 { throw ExitCode(status) }
    }
}
