import Foundation

/// One API key. Its text never leaves this type by accident: `description`, `debugDescription` and the mirror all
/// say `<redacted>`, so logging a config (or a test failure printing one) cannot leak a key.
public struct APIKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The key's bytes; read only by `APIKeyAuthenticator`'s constant-time comparison.
    let bytes: [UInt8]

    public init(_ text: String) { bytes = Array(text.utf8) }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }

    /// Shortest key accepted: 16 characters. `openssl rand -hex 32` gives 64 (256 bits), well above it.
    static let minimumLength = 16
    static let maximumLength = 512

    /// Why the key cannot be used, without quoting it; nil when it is fine. Keys are RFC 6750 `b64token`s
    /// (letters, digits, `-._~+/`, trailing `=`), so every key can travel in `Authorization: Bearer`.
    func problem() -> String? {
        guard (Self.minimumLength...Self.maximumLength).contains(bytes.count) else {
            return "is \(bytes.count) characters; use \(Self.minimumLength)...\(Self.maximumLength) random characters "
                + "(e.g. `openssl rand -hex 32`)"
        }
        let body = bytes.reversed().drop { $0 == UInt8(ascii: "=") }
        let allowed = Set("-._~+/".utf8)
        guard !body.isEmpty, body.allSatisfy({ $0.isASCIIAlphanumeric || allowed.contains($0) }) else {
            return "has characters other than letters, digits, - . _ ~ + / and a trailing ="
        }
        return nil
    }
}

extension UInt8 {
    fileprivate var isASCIIAlphanumeric: Bool {
        (48...57).contains(self) || (65...90).contains(self) || (97...122).contains(self)
    }
}

/// Who may call the API: the keys, where they come from, and what `/metrics` needs. Off by default (no keys): a
/// local `binsr serve` answers everyone, as before keys existed.
public struct AuthConfiguration: Sendable, Equatable {
    /// Keys accepted, from the config file (`"auth": {"apiKeys": [...]}`) or `BINSR_AUTH_API_KEYS` (comma-separated).
    /// Several at once so a key can be rotated: add the new one, move the clients, remove the old one.
    public var apiKeys: [APIKey] = []
    /// A file of further keys, one per line (`#` comments and blank lines skipped), read once at start: the form a
    /// Kubernetes Secret takes when mounted as a volume. Default "" (none). A named file that is missing, unreadable
    /// or empty stops the start instead of leaving the API open.
    public var apiKeyFile = ""
    /// The keys read from `apiKeyFile` (`ConfigLoader` fills this in).
    public var fileKeys: [APIKey] = []

    public init() {}

    /// Every key accepted; empty means the API is open.
    public var keys: [APIKey] { apiKeys + fileKeys }

    public var isEnabled: Bool { !keys.isEmpty }

    /// Parses the key file's text (one key per line).
    static func parseKeyFile(_ text: String) -> [APIKey] {
        text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            .map(APIKey.init)
    }

    /// Reads `apiKeyFile` into `fileKeys`; returns a problem (naming the file, never a key) or nil.
    mutating func loadKeyFile() -> String? {
        guard !apiKeyFile.isEmpty else { return nil }
        guard let data = FileManager.default.contents(atPath: apiKeyFile) else {
            return "auth.apiKeyFile: cannot read \(apiKeyFile)"
        }
        fileKeys = Self.parseKeyFile(String(decoding: data, as: UTF8.self))
        if fileKeys.isEmpty { return "auth.apiKeyFile: \(apiKeyFile) holds no key" }
        return nil
    }

    func validationProblems() -> [String] {
        var problems: [String] = []
        for (index, key) in apiKeys.enumerated() {
            if let problem = key.problem() { problems.append("auth.apiKeys: key \(index + 1) \(problem)") }
        }
        for (index, key) in fileKeys.enumerated() {
            if let problem = key.problem() { problems.append("auth.apiKeyFile: key \(index + 1) \(problem)") }
        }
        return problems
    }
}

/// Where `/metrics` is served and whether it needs a key.
public struct MetricsConfiguration: Sendable, Equatable {
    /// A second port serving only `/metrics`, for the cluster's scraper (kept off the ingress and the API's port,
    /// where `/metrics` then answers 404). Default 0: `/metrics` on the main port.
    public var port = 0
    /// With API keys on, `/metrics` on the main port needs a key too (Prometheus: `authorization.credentials_file`).
    /// Default false: it shows request counts and latencies, no images and no keys. Ignored on `metrics.port`.
    public var requireApiKey = false

    public init() {}

    func validationProblems(mainPort: Int) -> [String] {
        var problems: [String] = []
        if !(0...65535).contains(port) { problems.append("metrics.port must be 0...65535 (got \(port))") }
        if port != 0 && port == mainPort { problems.append("metrics.port must differ from port (both \(port))") }
        return problems
    }
}
