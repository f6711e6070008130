import Foundation
import StudyStore
import XCTest

final class StudyStoreTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("studystore-\(Token.random())")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testVoteMapsTheClickedSideToTheHiddenModel() throws {
        let store = try StudyStore(directory: directory)
        let session = Token.random()
        let realLeft = try store.issueViewedPair(
            session: session, arch: "srresnet", scale: 4, input: "a", realOnLeft: true)
        let realRight = try store.issueViewedPair(
            session: session, arch: "srresnet", scale: 4, input: "a", realOnLeft: false)
        let same = try store.issueViewedPair(
            session: session, arch: "srresnet", scale: 4, input: "a", realOnLeft: false)
        XCTAssertEqual(try store.vote(pairID: realLeft.id, session: session, choice: .left).preference, .real)
        XCTAssertEqual(try store.vote(pairID: realRight.id, session: session, choice: .left).preference, .binary)
        XCTAssertEqual(try store.vote(pairID: same.id, session: session, choice: .same).preference, .same)
        XCTAssertEqual(try store.results(), [StudyResult(arch: "srresnet", scale: 4, real: 1, binary: 1, same: 1)])
    }

    func testRejectsInvalidVotes() throws {
        let store = try StudyStore(directory: directory, pairLifetime: 60)
        let alice = Token.random()
        let mallory = Token.random()
        let issued = Date(timeIntervalSince1970: 1_000_000)
        let pair = try store.issueViewedPair(
            session: alice, arch: "lapsrn", scale: 2, input: "x", realOnLeft: true,
            now: issued)

        XCTAssertThrowsError(try store.vote(pairID: Token.random(), session: alice, choice: .left, now: issued)) {
            XCTAssertEqual($0 as? StudyError, .unknownPair)
        }
        XCTAssertThrowsError(try store.vote(pairID: "1; DROP TABLE votes", session: alice, choice: .left)) {
            XCTAssertEqual($0 as? StudyError, .unknownPair)
        }
        XCTAssertThrowsError(try store.vote(pairID: pair.id, session: mallory, choice: .left, now: issued)) {
            XCTAssertEqual($0 as? StudyError, .pairOfAnotherSession)
        }
        XCTAssertThrowsError(try store.vote(pairID: pair.id, session: "not-a-token", choice: .left, now: issued)) {
            XCTAssertEqual($0 as? StudyError, .invalidSession)
        }
        XCTAssertThrowsError(
            try store.vote(
                pairID: pair.id, session: alice, choice: .left,
                now: issued.addingTimeInterval(61))
        ) {
            XCTAssertEqual($0 as? StudyError, .pairExpired)
        }
        XCTAssertEqual(
            try store.vote(pairID: pair.id, session: alice, choice: .right, now: issued + 59).preference, .binary)
        XCTAssertThrowsError(try store.vote(pairID: pair.id, session: alice, choice: .left, now: issued + 59)) {
            XCTAssertEqual($0 as? StudyError, .alreadyVoted)
        }
        // Only the one valid vote counted.
        XCTAssertEqual(try store.results(), [StudyResult(arch: "lapsrn", scale: 2, real: 0, binary: 1, same: 0)])
    }

    func testRejectsInvalidPairArguments() throws {
        let store = try StudyStore(directory: directory)
        let session = Token.random()
        XCTAssertThrowsError(try store.issuePair(session: session, arch: "", scale: 2, input: "x", realOnLeft: true))
        XCTAssertThrowsError(try store.issuePair(session: session, arch: "a", scale: 1, input: "x", realOnLeft: true))
        XCTAssertThrowsError(try store.issuePair(session: "x", arch: "a", scale: 2, input: "x", realOnLeft: true)) {
            XCTAssertEqual($0 as? StudyError, .invalidSession)
        }
    }

    func testOpenPairIsTheUnvotedUnexpiredOneOfThatSession() throws {
        let store = try StudyStore(directory: directory, pairLifetime: 100)
        let session = Token.random()
        let start = Date(timeIntervalSince1970: 2_000_000)
        XCTAssertNil(try store.openPair(session: session, now: start))
        let pair = try store.issueViewedPair(
            session: session, arch: "srresnet", scale: 2, input: "x", realOnLeft: false,
            now: start)
        XCTAssertEqual(try store.openPair(session: session, now: start + 10), pair)
        XCTAssertNil(try store.openPair(session: Token.random(), now: start + 10))
        XCTAssertNil(try store.openPair(session: session, now: start + 101))
        try store.vote(pairID: pair.id, session: session, choice: .same, now: start + 20)
        XCTAssertNil(try store.openPair(session: session, now: start + 30))
    }

    func testPurgeDeletesOnlyExpiredUnvotedPairs() throws {
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
        XCTAssertEqual(try store.purgeExpiredPairs(now: start + 200), 1)
        XCTAssertThrowsError(try store.pair(id: unvotedOld.id, session: session)) {
            XCTAssertEqual($0 as? StudyError, .unknownPair)
        }
        XCTAssertEqual(try store.pair(id: unvotedNew.id, session: session), unvotedNew)
        XCTAssertEqual(try store.results(), [StudyResult(arch: "srresnet", scale: 2, real: 1, binary: 0, same: 0)])
        XCTAssertEqual(try store.purgeExpiredPairs(now: start + 200), 0)
    }

    func testIssuingPurgesPeriodically() throws {
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
        XCTAssertThrowsError(try store.pair(id: first.id, session: first.session)) {
            XCTAssertEqual($0 as? StudyError, .unknownPair)
        }
    }

    func testPairLookupIsScopedToItsSession() throws {
        let store = try StudyStore(directory: directory)
        let session = Token.random()
        let pair = try store.issueViewedPair(session: session, arch: "srresnet", scale: 2, input: "x", realOnLeft: true)
        XCTAssertEqual(try store.pair(id: pair.id, session: session), pair)
        XCTAssertThrowsError(try store.pair(id: pair.id, session: Token.random())) {
            XCTAssertEqual($0 as? StudyError, .pairOfAnotherSession)
        }
        XCTAssertThrowsError(try store.pair(id: Token.random(), session: session)) {
            XCTAssertEqual($0 as? StudyError, .unknownPair)
        }
    }

    func testVotesSurviveReopeningTheFile() throws {
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
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("study.sqlite3").path))
        let reopened = try StudyStore(directory: directory)
        XCTAssertEqual(try reopened.results(), [StudyResult(arch: "srresnet", scale: 4, real: 2, binary: 1, same: 1)])
        // The pair issued before the restart can still be voted on, exactly once.
        XCTAssertEqual(try reopened.openPair(session: session), open)
        XCTAssertEqual(try reopened.vote(pairID: open!.id, session: session, choice: .right).preference, .real)
        XCTAssertThrowsError(try reopened.vote(pairID: open!.id, session: session, choice: .right))
    }

    func testResultsGroupByArchitectureAndScale() throws {
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
        XCTAssertEqual(
            try store.results(),
            [
                StudyResult(arch: "lapsrn", scale: 4, real: 0, binary: 1, same: 1),
                StudyResult(arch: "srresnet", scale: 2, real: 1, binary: 0, same: 0),
                StudyResult(arch: "srresnet", scale: 4, real: 0, binary: 2, same: 0),
            ])
        let row = try store.results()[2]
        XCTAssertEqual(row.binaryAmongDecisive.successes, 2)
        XCTAssertEqual(row.binary.share, 1)
    }
}
