import Configuration
import HTTPServer
import StudyStore

/// One setting: its key in config/binsr.json and the `ServiceConfig` field it fills. The other spellings are
/// swift-configuration's: `http.maxBodyBytes` is BINSR_HTTP_MAX_BODY_BYTES in the environment (prefix `binsr`) and
/// `--http-max-body-bytes` on the command line.
struct ConfigSetting: Sendable {
    enum Kind: Sendable, Equatable {
        case integer, number, string, boolean, secretList
        /// One of a typed vocabulary's names (`WeightKind`, `Architecture`), given as text.
        case choice([String])
    }

    let name: String
    let kind: Kind
    /// Reads the setting through the provider hierarchy into `config`; false when no provider held a value of the
    /// right type (absent everywhere, or the first provider holding it has one that does not convert).
    let read: @Sendable (ConfigReader, inout ServiceConfig) -> Bool
    /// The value as the JSON file would hold it, secrets redacted (`binsr serve --print-config`).
    let printed: @Sendable (ServiceConfig) -> any Sendable

    var key: AbsoluteConfigKey { AbsoluteConfigKey(name.split(separator: ".").map(String.init)) }

    static func integer(_ name: String, _ path: WritableKeyPath<ServiceConfig, Int> & Sendable) -> ConfigSetting {
        make(name, .integer, path) { $0.int(forKey: $1) }
    }

    static func number(_ name: String, _ path: WritableKeyPath<ServiceConfig, Double> & Sendable) -> ConfigSetting {
        make(name, .number, path) { $0.double(forKey: $1) }
    }

    static func string(_ name: String, _ path: WritableKeyPath<ServiceConfig, String> & Sendable) -> ConfigSetting {
        make(name, .string, path) { $0.string(forKey: $1) }
    }

    /// JSON true/false; in the environment true/false, yes/no or 1/0, on the command line true/false.
    static func boolean(_ name: String, _ path: WritableKeyPath<ServiceConfig, Bool> & Sendable) -> ConfigSetting {
        make(name, .boolean, path) { $0.bool(forKey: $1) }
    }

    /// API keys: a JSON array of strings; in the environment and on the command line one comma-separated string.
    /// Read as secret, so that swift-configuration's access reports redact them; `APIKey` redacts itself.
    static func keys(_ name: String, _ path: WritableKeyPath<ServiceConfig, [APIKey]> & Sendable) -> ConfigSetting {
        make(name, .secretList, path) { reader, key in
            reader.stringArray(forKey: key, isSecret: true)?.map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }.map(APIKey.init)
        }
    }

    /// A name of a typed vocabulary: a string everywhere, refused (with the names allowed) when it is none of them.
    static func choice<Value: RawRepresentable<String> & CaseIterable & Sendable>(
        _ name: String, _ path: WritableKeyPath<ServiceConfig, Value> & Sendable
    ) -> ConfigSetting {
        let read: @Sendable (ConfigReader, inout ServiceConfig) -> Bool = { reader, config in
            let text = reader.string(forKey: ConfigKey(name))
            guard let value = text.flatMap(Value.init(rawValue:)) else { return false }
            config[keyPath: path] = value
            return true
        }
        return ConfigSetting(name: name, kind: .choice(Value.allCases.map(\.rawValue)), read: read) {
            $0[keyPath: path].rawValue
        }
    }

    private static func make<Value: Sendable>(
        _ name: String, _ kind: Kind, _ path: WritableKeyPath<ServiceConfig, Value> & Sendable,
        _ get: @escaping @Sendable (ConfigReader, ConfigKey) -> Value?
    ) -> ConfigSetting {
        let read: @Sendable (ConfigReader, inout ServiceConfig) -> Bool = { reader, config in
            guard let value = get(reader, ConfigKey(name)) else { return false }
            config[keyPath: path] = value
            return true
        }
        return ConfigSetting(name: name, kind: kind, read: read) { config in
            let value = config[keyPath: path]
            return (value as? [APIKey])?.map(\.description) ?? value
        }
    }
}

enum ConfigKeys {
    static let all: [ConfigSetting] = [
        .string("host", \.host),
        .integer("port", \.port),
        .integer("workers", \.workers),
        .integer("queueDepth", \.queueDepth),
        .integer("retryAfterSeconds", \.retryAfterSeconds),
        .integer("defaultScale", \.defaultScale),
        .choice("defaultModel", \.defaultModel),
        .choice("defaultArch", \.defaultArch),
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
