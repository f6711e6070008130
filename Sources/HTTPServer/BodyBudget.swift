import Foundation

/// The bytes of request bodies all connections may hold at once (`ServerLimits.maxBufferedBodyBytes`): each
/// connection reserves its request's declared body size before reading it and gives it back after the response.
final class BodyBudget: @unchecked Sendable {
    private let lock = NSLock()
    private var available: Int
    let limit: Int

    init(limit: Int) {
        self.limit = limit
        available = limit
    }

    /// Takes `bytes` if that many are free.
    func reserve(_ bytes: Int) -> Bool {
        lock.withLock {
            guard bytes <= available else { return false }
            available -= bytes
            return true
        }
    }

    func release(_ bytes: Int) { lock.withLock { available += bytes } }

    var inUse: Int { lock.withLock { limit - available } }
}
