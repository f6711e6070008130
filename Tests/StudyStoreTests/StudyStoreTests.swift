import Foundation
import StudyStore
import Testing

@Suite final class StudyStoreTests {
    private let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("studystore-\(Token.random())")
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func voteMapsTheClickedSideToTheHiddenModel() throws {
        let store = try StudyStore(directory: directory)
        let session = Token.random()
        let realLeft = try store.issueViewedPair(
            session: session, arch: "srresnet", scale: 4, input: "a", realOnLeft: true)
        let realRight = try store.issueViewedPair(
            session: session, arch: "srresnet", scale: 4, input: "a", realOnLeft: false)
        let same = try store.issueViewedPair(
            session: session, arch: "srresnet", scale: 4, input: "a", realOnLeft: false)
        #expect(try store.vote(pairID: realLeft.id, session: session, choice: .left).preference == .real)
        #expect(try store.vote(pairID: realRight.id, session: session, choice: .left).preference == .binary)
        #expect(try store.vote(pairID: same.id, session: session, choice: .same).preference == .same)
        #expect(try store.results() == [StudyResult(arch: "srresnet", scale: 4, real: 1, binary: 1, same: 1)])
    }

    @Test func rejectsInvalidVotes() throws {
        let store = try StudyStore(directory: directory, pairLifetime: 60)
        let alice = Token.random()
        let mallory = Token.random()
        let issued = Date(timeIntervalSince1970: 1_000_000)
        let pair = try store.issueViewedPair(
            session: alice, arch: "lapsrn", scale: 2, input: "x", realOnLeft: true,
            now: issued)

        #expect(throws: StudyError.unknownPair) { try store.vote(pairID: Token.random(), session: alice, choice: .left, now: issued) }
        #expect(throws: StudyError.unknownPair) { try store.vote(pairID: "1; DROP TABLE votes", session: alice, choice: .left) }
        #expect(throws: StudyError.pairOfAnotherSession) { try store.vote(pairID: pair.id, session: mallory, choice: .left, now: issued) }
        #expect(throws: StudyError.invalidSession) { try store.vote(pairID: pair.id, session: "not-a-token", choice: .left, now: issued) }
        #expect(throws: StudyError.pairExpired) { try store.vote(
                pairID: pair.id, session: alice, choice: .left,
                now: issued.addingTimeInterval(61)) }
        #expect((try store.vote(pairID: pair.id, session: alice, choice: .right, now: issued + 59).preference) == .binary)
        #expect(throws: StudyError.alreadyVoted) { try store.vote(pairID: pair.id, session: alice, choice: .left, now: issued + 59) }
        // Only the one valid vote counted.
        #expect(try store.results() == [StudyResult(arch: "lapsrn", scale: 2, real: 0, binary: 1, same: 0)])
    }

    @Test func rejectsInvalidPairArguments() throws {
        let store = try StudyStore(directory: directory)
        let session = Token.random()
        #expect(throws: (any Error).self) { try store.issuePair(session: session, arch: "", scale: 2, input: "x", realOnLeft: true) }
        #expect(throws: (any Error).self) { try store.issuePair(session: session, arch: "a", scale: 1, input: "x", realOnLeft: true) }
        #expect(throws: StudyError.invalidSession) { try store.issuePair(session: "x", arch: "a", scale: 2, input: "x", realOnLeft: true) }
    }

    @Test func openPairIsTheUnvotedUnexpiredOneOfThatSession() throws {
        let store = try StudyStore(directory: directory, pairLifetime: 100)
        let session = Token.random()
        let start = Date(timeIntervalSince1970: 2_000_000)
        #expect(try store.openPair(session: session, now: start) == nil)
        let pair = try store.issueViewedPair(
            session: session, arch: "srresnet", scale: 2, input: "x", realOnLeft: false,
            now: start)
        #expect((try store.openPair(session: session, now: start + 10)) == pair)
        #expect((try store.openPair(session: Token.random(), now: start + 10)) == nil)
        #expect((try store.openPair(session: session, now: start + 101)) == nil)
        try store.vote(pairID: pair.id, session: session, choice: .same, now: start + 20)
        #expect((try store.openPair(session: session, now: start + 30)) == nil)
    }

    @Test func purgeDeletesOnlyExpiredUnvotedPairs() throws {
        let store = try StudyStore(directory: directory, pairLifetime: 100)
        let session = Token.random()
        let start = Date(timeIntervalSince1970: 3_000_000)
        func issue(_ offset: TimeInterval) throws -> StudyPair {
            try store.issueViewedPair(
                session: session, arch: "srresnet", scale: 2, input: "x", realOnLeft: true,
                now: start + offset)
        }
        let votedOld = try issue(0)
        let unvotedOld = try issue(1)
        let unvotedNew = try issue(150)
        try store.vote(pairID: votedOld.id, session: session, choice: .left, now: start + 10)
        #expect((try store.purgeExpiredPairs(now: start + 200)) == 1)
        #expect(throws: StudyError.unknownPair) { try store.pair(id: unvotedOld.id, session: session) }
        #expect(try store.pair(id: unvotedNew.id, session: session) == unvotedNew)
        #expect(try store.results() == [StudyResult(arch: "srresnet", scale: 2, real: 1, binary: 0, same: 0)])
        #expect((try store.purgeExpiredPairs(now: start + 200)) == 0)
    }

    @Test func issuingPurgesPeriodically() throws {
        let store = try StudyStore(directory: directory, pairLifetime: 1)
        let start = Date(timeIntervalSince1970: 4_000_000)
        let first = try store.issueViewedPair(
            session: Token.random(), arch: "a", scale: 2, input: "x", realOnLeft: true,
            now: start)
        for index in 1..<StudyStore.purgeInterval {
            _ = try store.issueViewedPair(
                session: Token.random(), arch: "a", scale: 2, input: "x", realOnLeft: true,
                now: start + 10 + Double(index))
        }
        #expect(throws: StudyError.unknownPair) { try store.pair(id: first.id, session: first.session) }
    }

    @Test func pairLookupIsScopedToItsSession() throws {
        let store = try StudyStore(directory: directory)
        let session = Token.random()
        let pair = try store.issueViewedPair(session: session, arch: "srresnet", scale: 2, input: "x", realOnLeft: true)
        #expect(try store.pair(id: pair.id, session: session) == pair)
        #expect(throws: StudyError.pairOfAnotherSession) { try store.pair(id: pair.id, session: Token.random()) }
        #expect(throws: StudyError.unknownPair) { try store.pair(id: Token.random(), session: session) }
    }

    @Test func votesSurviveReopeningTheFile() throws {
        let session = Token.random()
        var open: StudyPair?
        do {
            let store = try StudyStore(directory: directory)
            for (index, choice) in [StudyChoice.left, .left, .right, .same].enumerated() {
                let pair = try store.issueViewedPair(
                    session: session, arch: "srresnet", scale: 4, input: "in\(index)",
                    realOnLeft: true)
                try store.vote(pairID: pair.id, session: session, choice: choice)
            }
            open = try store.issueViewedPair(session: session, arch: "lapsrn", scale: 2, input: "y", realOnLeft: false)
        }
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("study.sqlite3").path))
        let reopened = try StudyStore(directory: directory)
        #expect(try reopened.results() == [StudyResult(arch: "srresnet", scale: 4, real: 2, binary: 1, same: 1)])
        // The pair issued before the restart can still be voted on, exactly once.
        #expect(try reopened.openPair(session: session) == open)
        #expect(try reopened.vote(pairID: open!.id, session: session, choice: .right).preference == .real)
        #expect(throws: (any Error).self) { try reopened.vote(pairID: open!.id, session: session, choice: .right) }
    }

    @Test func resultsGroupByArchitectureAndScale() throws {
        let store = try StudyStore(directory: directory)
        let session = Token.random()
        let plan: [(String, Int, StudyChoice)] = [
            ("srresnet", 4, .left), ("srresnet", 2, .right), ("lapsrn", 4, .same), ("srresnet", 4, .left),
            ("lapsrn", 4, .left),
        ]
        for (arch, scale, choice) in plan {
            let pair = try store.issueViewedPair(
                session: session, arch: arch, scale: scale, input: "x", realOnLeft: false)
            try store.vote(pairID: pair.id, session: session, choice: choice)
        }
        // realOnLeft is false throughout: left means binary, right means real.
        #expect(try store.results() == [
                StudyResult(arch: "lapsrn", scale: 4, real: 0, binary: 1, same: 1),
                StudyResult(arch: "srresnet", scale: 2, real: 1, binary: 0, same: 0),
                StudyResult(arch: "srresnet", scale: 4, real: 0, binary: 2, same: 0),
            ])
        let row = try store.results()[2]
        #expect(row.binaryAmongDecisive.successes == 2)
        #expect(row.binary.share == 1)
    }
}
