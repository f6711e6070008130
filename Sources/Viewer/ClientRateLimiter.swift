import Foundation
import Synchronization

/// A token bucket per client (`ClientAddress`): `perMinute` tokens at most, refilled evenly over a minute, one taken
/// per admitted action. Bursts up to the bucket size pass; a steady stream is held to the rate.
///
/// Memory is bounded: past `maxClients` tracked clients, clients whose bucket is full again (idle for a minute) are
/// forgotten; if that frees nothing, new clients are refused until it does. The limiter then fails closed, which
/// suits what it guards (study sessions and pairs), not the API.
final class ClientRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let perMinute: Int
    let maxClients: Int
    private let buckets = Mutex<[ClientAddress: Bucket]>([:])

    init(perMinute: Int, maxClients: Int = 10_000) {
        self.perMinute = perMinute
        self.maxClients = maxClients
    }

    private var refillPerSecond: Double { Double(perMinute) / 60 }

    /// Takes a token for `client`: nil when admitted, else whole seconds until the next token (for Retry-After).
    func admit(_ client: ClientAddress, now: ContinuousClock.Instant = .now) -> Int? {
        buckets.withLock { buckets in
            var bucket = buckets[client] ?? Bucket(tokens: Double(perMinute), updated: now)
            if buckets[client] == nil && buckets.count >= maxClients {
                forgetIdleClients(&buckets, now: now)
                if buckets.count >= maxClients { return 60 }
            }
            let elapsed = (now - bucket.updated) / .seconds(1)
            bucket.tokens = min(Double(perMinute), bucket.tokens + max(0, elapsed) * refillPerSecond)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                buckets[client] = bucket
                return max(1, Int(((1 - bucket.tokens) / refillPerSecond).rounded(.up)))
            }
            bucket.tokens -= 1
            buckets[client] = bucket
            return nil
        }
    }

    /// Clients tracked right now (tests).
    var trackedClients: Int { buckets.withLock { $0.count } }

    private func forgetIdleClients(_ buckets: inout [ClientAddress: Bucket], now: ContinuousClock.Instant) {
        buckets = buckets.filter { _, bucket in
            bucket.tokens + (now - bucket.updated) / .seconds(1) * refillPerSecond < Double(perMinute)
        }
    }
}
