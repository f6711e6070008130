import Foundation
import HTTPServer

/// A configuration problem, reported at start with the source and key so the operator can fix it.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let messages: [String]
    public var description: String { "invalid configuration:\n  " + messages.joined(separator: "\n  ") }
}

/// Merges defaults < JSON file < BINSR_* environment < flags into a validated `ServiceConfig`.
///
/// Each key is defined once in `ConfigKeys.all`; its environment name is derived (`queueDepth` -> BINSR_QUEUE_DEPTH,
/// `http.maxBodyBytes` -> BINSR_HTTP_MAX_BODY_BYTES) and its flag name too (`--queue-depth`).
public enum ConfigLoader {
    public static func load(
        file: String?, environment: [String: String], overrides: [String: String]
    ) throws(ConfigError) -> ServiceConfig {
        var config = ServiceConfig()
        var problems: [String] = []
        if let file {
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: file))
                guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                    throw ConfigError(messages: ["\(file): the top level must be a JSON object"])
                }
                problems += apply(json: object, prefix: "", to: &config, source: file)
            } catch let error as ConfigError {
                throw error
            } catch {
                throw ConfigError(messages: ["\(file): \(error.localizedDescription)"])
            }
        }
        for key in ConfigKeys.all {
            if let value = environment[key.environmentName] {
                if let problem = key.apply(value, &config) { problems.append("\(key.environmentName): \(problem)") }
            }
        }
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let key = ConfigKeys.all.first(where: { $0.name == name || $0.flagName == name }) else {
                problems.append("unknown setting '\(name)'")
                continue
            }
            if let problem = key.apply(value, &config) { problems.append("--\(key.flagName): \(problem)") }
        }
        if let problem = config.auth.loadKeyFile() { problems.append(problem) }
        problems += config.validationProblems()
        if !problems.isEmpty { throw ConfigError(messages: problems) }
        return config
    }

    private static func apply(
        json: [String: Any], prefix: String, to config: inout ServiceConfig,
        source: String
    ) -> [String] {
        var problems: [String] = []
        for (name, value) in json.sorted(by: { $0.key < $1.key }) {
            let path = prefix + name
            if let nested = value as? [String: Any] {
                problems += apply(json: nested, prefix: path + ".", to: &config, source: source)
                continue
            }
            guard let key = ConfigKeys.all.first(where: { $0.name == path }) else {
                problems.append("\(source): unknown key '\(path)'")
                continue
            }
            // JSON types must match the key: a quoted number or a numeric host is a mistake worth reporting.
            let text: String
            switch (value, key.kind) {
            case (let string as String, .string): text = string
            case (let number as NSNumber, .integer) where !number.isBoolean,
                (let number as NSNumber, .number) where !number.isBoolean:
                text = number.stringValue
            case (let flag as NSNumber, .boolean) where flag.isBoolean: text = flag.boolValue ? "true" : "false"
            case (let list as [String], .stringList) where !list.contains(where: { $0.contains(",") }):
                text = list.joined(separator: ",")
            default:
                let expected: String
                switch key.kind {
                case .string: expected = "a string"
                case .integer, .number: expected = "a number"
                case .boolean: expected = "true or false"
                case .stringList: expected = "a list of strings without commas"
                }
                problems.append("\(source): '\(path)' must be \(expected)")
                continue
            }
            if let problem = key.apply(text, &config) { problems.append("\(source): '\(path)': \(problem)") }
        }
        return problems
    }
}

extension NSNumber {
    /// JSONSerialization hands out JSON true/false as NSNumber too; their type encoding is `c` (char), a number's
    /// is not, so `"port": true` is reported instead of read as port 1.
    fileprivate var isBoolean: Bool { String(cString: objCType) == "c" }
}
