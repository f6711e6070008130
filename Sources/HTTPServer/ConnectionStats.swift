/// A snapshot of the connections and of the overload rules' work since start, for metrics and tests.
public struct ConnectionStats: Sendable, Equatable {
    /// Open connections by what they are doing.
    public var idle = 0, receiving = 0, handling = 0, sending = 0, closing = 0
    /// Connections closed to make room (the longest-idle, at a connection limit).
    public var evicted = 0
    /// New connections refused with 503 at a connection limit (none idle to close).
    public var refused = 0
    /// Requests answered 408 for a deadline, and for a rate below `minBytesPerSecond`.
    public var timedOut = 0, tooSlow = 0
    /// Requests answered 503 because the body budget could not hold their bytes.
    public var overBudget = 0

    public var open: Int { idle + receiving + handling + sending + closing }

    public init() {}

    mutating func count(_ phase: ConnectionPhase) {
        switch phase {
        case .idle: idle += 1
        case .headers, .body: receiving += 1
        case .handling: handling += 1
        case .writing: sending += 1
        case .lingering: closing += 1
        }
    }

    mutating func count(_ error: ConnectionError) {
        switch error {
        case .timeout: timedOut += 1
        case .tooSlow: tooSlow += 1
        case .bodyBudgetExhausted: overBudget += 1
        case .tooManyConnections, .tooManyConnectionsFromAddress: refused += 1
        }
    }
}
