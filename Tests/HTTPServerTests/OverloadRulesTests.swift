import Testing

@testable import HTTPServer

/// The overload rules as pure values: the body budget's fair share and the connection deadlines.
@Suite struct OverloadRulesTests {
    @Test func bodyBudgetChargesAsBytesArriveAndReleasesPerConnection() {
        var budget = BodyBudget(limit: 100)
        #expect(budget.charge(60, to: 1) == .granted)
        #expect(budget.charge(30, to: 2) == .granted)
        #expect(budget.used == 90)
        budget.release(1)
        #expect(budget.used == 30)
        #expect(budget.holding(1) == 0)
        #expect(budget.holding(2) == 30)
    }

    @Test func whenFullTheHolderMostOverItsFairShareGivesWay() {
        var budget = BodyBudget(limit: 100)
        #expect(budget.charge(90, to: 1) == .granted)  // one large slow upload
        #expect(budget.charge(5, to: 2) == .granted)
        // Connection 3 needs 10: three holders, a fair share of 33; connection 1 holds 90.
        #expect(budget.charge(10, to: 3) == .evict(1))
        budget.release(1)
        #expect(budget.charge(10, to: 3) == .granted)
    }

    @Test func whenFullAndNobodyIsOverTheirShareTheNewBytesAreRefused() {
        var budget = BodyBudget(limit: 100)
        #expect(budget.charge(50, to: 1) == .granted)
        #expect(budget.charge(50, to: 2) == .granted)
        // Connection 1 asks for more beyond its own share: it is the one refused, not connection 2.
        #expect(budget.charge(10, to: 1) == .refuse)
        // A holder that may not be evicted (its request is with a handler) is never chosen.
        #expect(budget.charge(10, to: 3, canEvict: { _ in false }) == .refuse)
    }

    static let start = ContinuousClock.now
    static func at(_ seconds: Double) -> ContinuousClock.Instant { start + .seconds(seconds) }

    @Test func idleConnectionsCloseSilentlyAfterTheIdleTimeoutOrWhenDraining() {
        let limits = ServerLimits()
        let idle = ConnectionPhase.idle(since: Self.start)
        #expect(ConnectionTimeouts.check(idle, lastRead: Self.start, now: Self.at(14), limits: limits, draining: false) == .keep)
        #expect(ConnectionTimeouts.check(idle, lastRead: Self.start, now: Self.at(15), limits: limits, draining: false) == .close)
        #expect(ConnectionTimeouts.check(idle, lastRead: Self.start, now: Self.at(0), limits: limits, draining: true) == .close)
    }

    @Test func headersMustArriveInTimeWithoutGapsAndAboveTheMinimumRate() {
        let limits = ServerLimits()  // header 10 s, read gap 5 s, 1024 B/s after 5 s
        func check(bytes: Int, lastRead: Double, now: Double) -> TimeoutVerdict {
            ConnectionTimeouts.check(
                .headers(start: Self.start, bytes: bytes), lastRead: Self.at(lastRead), now: Self.at(now),
                limits: limits, draining: false)
        }
        #expect(check(bytes: 10, lastRead: 4.9, now: 4.9) == .keep, "slow, but within the grace period")
        #expect(check(bytes: 10, lastRead: 5.5, now: 6) == .reject(.tooSlow(phase: "headers", minBytesPerSecond: 1024)))
        #expect(check(bytes: 8000, lastRead: 1, now: 6) == .reject(.timeout(phase: "data", seconds: 5)))
        #expect(check(bytes: 20000, lastRead: 9.9, now: 10) == .reject(.timeout(phase: "headers", seconds: 10)))
        #expect(check(bytes: 20000, lastRead: 9, now: 9.5) == .keep)
    }

    @Test func bodiesFollowTheSameRulesWithTheirOwnTimeoutAndTheRateCanBeTurnedOff() {
        var limits = ServerLimits()
        func check(bytes: Int, now: Double) -> TimeoutVerdict {
            ConnectionTimeouts.check(
                .body(start: Self.start, bytes: bytes), lastRead: Self.at(now - 1), now: Self.at(now), limits: limits,
                draining: false)
        }
        #expect(check(bytes: 1000, now: 6) == .reject(.tooSlow(phase: "body", minBytesPerSecond: 1024)))
        #expect(check(bytes: 7000, now: 6) == .keep)
        #expect(check(bytes: 1 << 30, now: 60) == .reject(.timeout(phase: "body", seconds: 60)))
        limits.minBytesPerSecond = 0
        #expect(check(bytes: 1000, now: 6) == .keep)
    }

    @Test func handlingHasNoDeadlineWritingAndLingeringDo() {
        let limits = ServerLimits()
        #expect(ConnectionTimeouts.check(.handling, lastRead: Self.start, now: Self.at(3600), limits: limits, draining: true) == .keep)
        #expect(ConnectionTimeouts.check(.writing(progress: Self.start), lastRead: Self.start, now: Self.at(9), limits: limits, draining: false) == .keep)
        #expect(ConnectionTimeouts.check(.writing(progress: Self.start), lastRead: Self.start, now: Self.at(10), limits: limits, draining: false) == .close)
        #expect(ConnectionTimeouts.check(.lingering(until: Self.at(1)), lastRead: Self.start, now: Self.at(1), limits: limits, draining: false) == .close)
    }
}
