/// Maps `(method, path)` to a handler: a pure value, tested without sockets (habit: Hummingbird `TrieRouter`).
///
/// Paths match exactly (this service has no path parameters). A path that exists with other methods resolves to
/// `.methodNotAllowed` with the `Allow` list (RFC 9110 §15.5.6); HEAD is served by the GET handler (§9.3.2).
public struct Router<Handler: Sendable>: Sendable {
    public enum Resolution {
        case matched(Handler)
        case methodNotAllowed(allow: [HTTPRequest.Method])
        case notFound
    }

    private var routes: [String: [(method: HTTPRequest.Method, handler: Handler)]] = [:]

    public init() {}

    public mutating func add(_ method: HTTPRequest.Method, _ path: String, _ handler: Handler) {
        precondition(path.hasPrefix("/"), "route paths start with /")
        precondition(!(routes[path]?.contains { $0.method == method } ?? false), "duplicate route \(method) \(path)")
        routes[path, default: []].append((method, handler))
    }

    /// Every registered (method, path), sorted: for contract tests against an API description.
    public var registered: [(method: HTTPRequest.Method, path: String)] {
        routes.flatMap { path, entries in entries.map { (method: $0.method, path: path) } }
            .sorted { ($0.path, $0.method.rawValue) < ($1.path, $1.method.rawValue) }
    }

    public func resolve(_ method: HTTPRequest.Method, _ path: String) -> Resolution {
        guard let candidates = routes[path] else { return .notFound }
        if let match = candidates.first(where: { $0.method == method }) { return .matched(match.handler) }
        if method == .head, let get = candidates.first(where: { $0.method == .get }) { return .matched(get.handler) }
        return .methodNotAllowed(allow: allowed(candidates.map(\.method)))
    }

    private func allowed(_ methods: [HTTPRequest.Method]) -> [HTTPRequest.Method] {
        var result = methods
        if result.contains(.get) && !result.contains(.head) { result.append(.head) }
        return result.sorted { $0.rawValue < $1.rawValue }
    }
}
