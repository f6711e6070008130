import Configuration
import Foundation
import HTTPServer
import SystemPackage

/// A configuration problem, reported at start with the source and key so the operator can fix it.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let messages: [String]
    public var description: String { "invalid configuration:\n  " + messages.joined(separator: "\n  ") }
}

/// Reads defaults < JSON file < BINSR_* environment < flags into a validated `ServiceConfig`, through one
/// swift-configuration `ConfigReader` whose providers are asked in that order, highest first.
///
/// Each key is listed once in `ConfigKeys.all`; swift-configuration derives its environment name (`queueDepth` ->
/// BINSR_QUEUE_DEPTH, `http.maxBodyBytes` -> BINSR_HTTP_MAX_BODY_BYTES) and its flag (`--queue-depth`). What the
/// library leaves to the application is kept here: a value of the wrong type is an error naming its source (the
/// reader would quietly fall back to the default), and so is a key nobody reads (a typo).
public enum ConfigLoader {
    public static func load(
        file: String?, environment: [String: String], overrides: [String: String]
    ) async throws(ConfigError) -> ServiceConfig {
        var problems: [String] = []
        var arguments = ["binsr"]
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let setting = ConfigKeys.all.first(where: { $0.name == name || flagName($0) == "--" + name }) else {
                problems.append("unknown setting '\(name)'")
                continue
            }
            arguments.append("\(flagName(setting))=\(value)")
        }
        // API keys are marked secret where they are read (`ConfigSetting.keys`), whichever provider holds them.
        let flags = CommandLineArgumentsProvider(arguments: arguments)
        let variables = EnvironmentVariablesProvider(environmentVariables: environment)
            .prefixKeys(with: ConfigKey("binsr"))
        var providers: [any ConfigProvider] = [flags, variables]
        var fileValues: [String: Any] = [:]
        if let file {
            fileValues = try JSONKeyPaths.read(file)
            problems += JSONKeyPaths.problems(fileValues, source: file)
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(file)))
            } catch {
                throw ConfigError(messages: ["\(file): \(error)"])
            }
        }
        let reader = ConfigReader(providers: providers)
        var config = ServiceConfig()
        for setting in ConfigKeys.all where !setting.read(reader, &config) {
            // Absent everywhere keeps the default; otherwise the first provider that holds it (the one the reader
            // stopped at) has a value of the wrong type.
            if let raw = text(of: setting, in: flags) {
                problems.append("\(flagName(setting)): \(mismatch(setting.kind, raw))")
            } else if let raw = text(of: setting, in: variables) {
                problems.append("\(environmentName(setting)): \(mismatch(setting.kind, raw))")
            } else if let value = fileValues[setting.name] {
                problems.append("\(file ?? ""): \(JSONKeyPaths.mismatch(setting, value))")
            }
        }
        if let problem = config.auth.loadKeyFile() { problems.append(problem) }
        problems += config.validationProblems()
        if !problems.isEmpty { throw ConfigError(messages: problems) }
        return config
    }

    /// The configuration as a JSON object shaped like config/binsr.json, API keys shown as `<redacted>`
    /// (`binsr serve --print-config`).
    public static func printed(_ config: ServiceConfig) -> String {
        var root: [String: any Sendable] = [:]
        for setting in ConfigKeys.all {
            let parts = setting.name.split(separator: ".").map(String.init)
            if parts.count == 1 {
                root[parts[0]] = setting.printed(config)
            } else {
                var section = root[parts[0]] as? [String: any Sendable] ?? [:]
                section[parts[1]] = setting.printed(config)
                root[parts[0]] = section
            }
        }
        let data = try? JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data ?? Data(), as: UTF8.self)
    }

    /// `--http-max-body-bytes`, as `CommandLineArgumentsProvider` spells the key.
    static func flagName(_ setting: ConfigSetting) -> String {
        (try? CommandLineArgumentsProvider(arguments: []).value(forKey: setting.key, type: .string).encodedKey) ?? ""
    }

    /// `BINSR_HTTP_MAX_BODY_BYTES`, as `EnvironmentVariablesProvider` spells the prefixed key.
    static func environmentName(_ setting: ConfigSetting) -> String {
        let provider = EnvironmentVariablesProvider(environmentVariables: [:]).prefixKeys(with: ConfigKey("binsr"))
        return (try? provider.value(forKey: setting.key, type: .string).encodedKey) ?? ""
    }

    /// The provider's text for the setting, nil when it has none. Asked as text, which never fails to convert.
    private static func text(of setting: ConfigSetting, in provider: some ConfigProvider) -> String? {
        switch try? provider.value(forKey: setting.key, type: .stringArray).value?.content {
        case .stringArray(let values): values.joined(separator: ",")
        default: nil
        }
    }

    /// Environment and flag values are text; only numbers and booleans can fail to convert, and neither is a secret.
    private static func mismatch(_ kind: ConfigSetting.Kind, _ raw: String) -> String {
        switch kind {
        case .integer: "expected an integer, got \(raw)"
        case .number: "expected a number, got \(raw)"
        case .boolean: "expected true or false, got \(raw)"
        // Only the command line fails here: it splits values at commas, swift-configuration's list convention.
        case .string: "expected one value, got \(raw)"
        case .secretList: "expected a list of keys"
        case .choice(let names): "expected one of \(names.joined(separator: ", ")), got \(raw)"
        }
    }
}
