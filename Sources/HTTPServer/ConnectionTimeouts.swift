/// What a connection is doing, as far as its deadlines are concerned.
enum ConnectionPhase: Sendable, Equatable {
    /// Between requests (or before the first): no byte of a request buffered, nothing in flight.
    case idle(since: ContinuousClock.Instant)
    /// Reading a request's line and headers, begun at `start`, `bytes` received so far.
    case headers(start: ContinuousClock.Instant, bytes: Int)
    /// Reading a request's body, begun when its head was complete.
    case body(start: ContinuousClock.Instant, bytes: Int)
    /// A handler has the request; the client waits. No deadline of the HTTP layer applies.
    case handling
    /// Sending a response; `progress` is when the kernel last took bytes.
    case writing(progress: ContinuousClock.Instant)
    /// The last response is out and FIN sent; unread input is discarded until `until` (lingering close).
    case lingering(until: ContinuousClock.Instant)

    /// No request in progress and nothing in flight: may be closed to admit another connection.
    var isIdle: Bool {
        if case .idle = self { return true }
        return false
    }
}

/// The verdict of the deadline check.
enum TimeoutVerdict: Equatable {
    case keep
    /// Close without a word: an idle keep-alive connection, a stuck write, a finished linger.
    case close
    /// An incomplete request ran out of time: answer 408 with this error, then close (RFC 9110 §15.5.9).
    case reject(ConnectionError)
}

/// The deadlines of `ServerLimits` as one pure function of a connection's phase and clock, checked by the event
/// loop's timer.
enum ConnectionTimeouts {
    static func check(
        _ phase: ConnectionPhase, lastRead: ContinuousClock.Instant, now: ContinuousClock.Instant,
        limits: ServerLimits, draining: Bool
    ) -> TimeoutVerdict {
        switch phase {
        case .idle(let since):
            return draining || now - since >= .seconds(limits.idleTimeout) ? .close : .keep
        case .headers(let start, let bytes):
            return request(
                phase: "headers", start: start, bytes: bytes, total: limits.headerTimeout, lastRead: lastRead, now: now,
                limits: limits)
        case .body(let start, let bytes):
            return request(
                phase: "body", start: start, bytes: bytes, total: limits.bodyTimeout, lastRead: lastRead, now: now,
                limits: limits)
        case .handling:
            return .keep
        case .writing(let progress):
            return now - progress >= .seconds(limits.writeTimeout) ? .close : .keep
        case .lingering(let until):
            return now >= until ? .close : .keep
        }
    }

    /// A phase's whole-phase deadline, the gap between reads, and the minimum average rate after the grace period.
    private static func request(
        phase: String, start: ContinuousClock.Instant, bytes: Int, total: Double, lastRead: ContinuousClock.Instant,
        now: ContinuousClock.Instant, limits: ServerLimits
    ) -> TimeoutVerdict {
        let elapsed = now - start
        if elapsed >= .seconds(total) { return .reject(.timeout(phase: phase, seconds: total)) }
        if now - lastRead >= .seconds(limits.readTimeout) {
            return .reject(.timeout(phase: "data", seconds: limits.readTimeout))
        }
        if limits.minBytesPerSecond > 0, elapsed >= .seconds(limits.minRateGracePeriod) {
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            if Double(bytes) < Double(limits.minBytesPerSecond) * seconds {
                return .reject(.tooSlow(phase: phase, minBytesPerSecond: limits.minBytesPerSecond))
            }
        }
        return .keep
    }
}
