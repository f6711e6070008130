import HTTPServer
import StudyStore

/// One setting: its name in the JSON file, how it is parsed from text and where it is stored.
struct ConfigKey: Sendable {
    enum Kind: Sendable { case integer, number, string, boolean, stringList }

    let name: String
    let kind: Kind
    /// Stores the parsed value; returns a problem description when the text does not parse.
    let apply: @Sendable (String, inout ServiceConfig) -> String?

    /// `http.maxBodyBytes` -> `BINSR_HTTP_MAX_BODY_BYTES`.
    var environmentName: String {
        var result = "BINSR_"
        for character in name {
            if character == "." {
                result += "_"
            } else if character.isUppercase {
                result += "_\(character)"
            } else {
                result += character.uppercased()
            }
        }
        return result
    }

    /// `http.maxBodyBytes` -> `http-max-body-bytes`.
    var flagName: String {
        var result = ""
        for character in name {
            if character == "." {
                result += "-"
            } else if character.isUppercase {
                result += "-\(character.lowercased())"
            } else {
                result.append(character)
            }
        }
        return result
    }

    static func integer(_ name: String, _ path: WritableKeyPath<ServiceConfig, Int> & Sendable) -> ConfigKey {
        ConfigKey(name: name, kind: .integer) { text, config in
            guard let value = Int(text) else { return "expected an integer, got \(text)" }
            config[keyPath: path] = value
            return nil
        }
    }

    static func number(_ name: String, _ path: WritableKeyPath<ServiceConfig, Double> & Sendable) -> ConfigKey {
        ConfigKey(name: name, kind: .number) { text, config in
            guard let value = Double(text) else { return "expected a number, got \(text)" }
            config[keyPath: path] = value
            return nil
        }
    }

    static func string(_ name: String, _ path: WritableKeyPath<ServiceConfig, String> & Sendable) -> ConfigKey {
        ConfigKey(name: name, kind: .string) { text, config in
            config[keyPath: path] = text
            return nil
        }
    }

    /// JSON true/false; in the environment and flags `true`/`false` (or 1/0).
    static func boolean(_ name: String, _ path: WritableKeyPath<ServiceConfig, Bool> & Sendable) -> ConfigKey {
        ConfigKey(name: name, kind: .boolean) { text, config in
            switch text.lowercased() {
            case "true", "1": config[keyPath: path] = true
            case "false", "0": config[keyPath: path] = false
            default: return "expected true or false, got \(text)"
            }
            return nil
        }
    }

    /// API keys: a JSON array of strings; in the environment and flags one comma-separated string. The problem text
    /// never quotes the value (it may be a key).
    static func keys(_ name: String, _ path: WritableKeyPath<ServiceConfig, [APIKey]> & Sendable) -> ConfigKey {
        ConfigKey(name: name, kind: .stringList) { text, config in
            config[keyPath: path] = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }.map(APIKey.init)
            return nil
        }
    }
}

enum ConfigKeys {
    static let all: [ConfigKey] = [
        .string("host", \.host),
        .integer("port", \.port),
        .integer("workers", \.workers),
        .integer("queueDepth", \.queueDepth),
        .integer("retryAfterSeconds", \.retryAfterSeconds),
        .integer("defaultScale", \.defaultScale),
        .string("defaultModel", \.defaultModel),
        .string("defaultArch", \.defaultArch),
        .integer("maxInputPixels", \.maxInputPixels),
        .integer("jpegQuality", \.jpegQuality),
        .integer("pngCompressionLevel", \.pngCompressionLevel),
        .string("precision", \.precision),
        .string("precisionCache", \.precisionCache),
        .integer("tileMemoryBudgetMiB", \.tileMemoryBudgetMiB),
        .string("modelLoading", \.modelLoading),
        .number("shutdownGraceSeconds", \.shutdownGraceSeconds),
        .string("logLevel", \.logLevel),
        .string("modelsDirectory", \.modelsDirectory),
        .integer("http.maxRequestLineBytes", \.http.maxRequestLineBytes),
        .integer("http.maxHeaderBytes", \.http.maxHeaderBytes),
        .integer("http.maxHeaderCount", \.http.maxHeaderCount),
        .integer("http.maxBodyBytes", \.http.maxBodyBytes),
        .integer("http.maxBufferedBodyBytes", \.http.maxBufferedBodyBytes),
        .integer("http.maxChunkLineBytes", \.http.maxChunkLineBytes),
        .integer("http.maxMultipartParts", \.http.maxMultipartParts),
        .number("http.idleTimeout", \.http.idleTimeout),
        .number("http.headerTimeout", \.http.headerTimeout),
        .number("http.readTimeout", \.http.readTimeout),
        .number("http.bodyTimeout", \.http.bodyTimeout),
        .number("http.writeTimeout", \.http.writeTimeout),
        .integer("http.minBytesPerSecond", \.http.minBytesPerSecond),
        .number("http.minRateGracePeriod", \.http.minRateGracePeriod),
        .integer("http.maxConnections", \.http.maxConnections),
        .integer("http.maxConnectionsPerAddress", \.http.maxConnectionsPerAddress),
        .integer("http.listenBacklog", \.http.listenBacklog),
        .integer("http.handlerThreads", \.http.handlerThreads),
        .keys("auth.apiKeys", \.auth.apiKeys),
        .string("auth.apiKeyFile", \.auth.apiKeyFile),
        .integer("metrics.port", \.metrics.port),
        .boolean("metrics.requireApiKey", \.metrics.requireApiKey),
        .string("webRoot", \.webRoot),
        .string("study.dataDirectory", \.study.dataDirectory),
        .string("study.inputDirectory", \.study.inputDirectory),
        .integer("study.cropSize", \.study.cropSize),
        .number("study.pairLifetimeSeconds", \.study.pairLifetimeSeconds),
        .number("study.minViewSeconds", \.study.minViewSeconds),
        .integer("study.sessionsPerMinute", \.study.sessionsPerMinute),
        .integer("study.pairsPerMinute", \.study.pairsPerMinute),
        .string("study.clientAddressHeader", \.study.clientAddressHeader),
        .integer("study.imageCacheBytes", \.study.imageCacheBytes),
        .string("jobs.directory", \.jobs.directory),
        .integer("jobs.maxResultBytes", \.jobs.maxResultBytes),
        .number("jobs.resultTtlSeconds", \.jobs.resultTtlSeconds),
        .integer("jobs.maxJobs", \.jobs.maxJobs),
    ]
}
