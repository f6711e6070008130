import Foundation
import Testing

@testable import StudyStore

/// The ballot rules of issue 14: a vote counts only when its session downloaded both images of the pair and voted
/// at least `minViewSeconds` after the later download; every other vote is kept, excluded with its reason.
@Suite("Ballot rules")
struct BallotRulesTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballot-\(Token.random())")
    let start = Date(timeIntervalSince1970: 5_000_000)

    @Test func aVoteCountsOnlyAfterBothImagesAndTheMinimumTime() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try StudyStore(directory: directory, minViewSeconds: 2)
        let session = Token.random()
        func pair() throws -> StudyPair {
            try store.issuePair(session: session, arch: "srresnet", scale: 4, input: "x", realOnLeft: true, now: start)
        }
        let unseen = try pair()
        let halfSeen = try pair()
        try store.recordImageFetch(pairID: halfSeen.id, session: session, side: .left, now: start + 1)
        let hurried = try pair()
        let patient = try pair()
        for side in [StudyChoice.left, .right] {
            try store.recordImageFetch(pairID: hurried.id, session: session, side: side, now: start + 1)
            try store.recordImageFetch(pairID: patient.id, session: session, side: side, now: start + 1)
        }
        // A second download does not move the clock forward for the voter, nor back.
        try store.recordImageFetch(pairID: patient.id, session: session, side: .right, now: start + 50)

        #expect(
            try store.vote(pairID: unseen.id, session: session, choice: .left, now: start + 9).exclusion
                == .imagesNotFetched)
        #expect(
            try store.vote(pairID: halfSeen.id, session: session, choice: .left, now: start + 9).exclusion
                == .imagesNotFetched)
        #expect(
            try store.vote(pairID: hurried.id, session: session, choice: .left, now: start + 2.5).exclusion
                == .tooFast)
        let counted = try store.vote(pairID: patient.id, session: session, choice: .left, now: start + 3)
        #expect(counted == RecordedVote(preference: .real, exclusion: nil))

        #expect(try store.results() == [StudyResult(arch: "srresnet", scale: 4, real: 1, binary: 0, same: 0)])
        #expect(try store.exclusions() == [.imagesNotFetched: 2, .tooFast: 1, .unverified: 0])
        // An excluded vote still closes its pair: no second try on the same pair.
        #expect(throws: StudyError.alreadyVoted) {
            try store.vote(pairID: hurried.id, session: session, choice: .left, now: start + 9)
        }
    }

    @Test func downloadsAreBoundToTheSessionOfThePair() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try StudyStore(directory: directory)
        let alice = Token.random()
        let pair = try store.issuePair(session: alice, arch: "lapsrn", scale: 2, input: "x", realOnLeft: false)
        #expect(throws: StudyError.pairOfAnotherSession) {
            try store.recordImageFetch(pairID: pair.id, session: Token.random(), side: .left)
        }
        #expect(throws: StudyError.unknownPair) {
            try store.recordImageFetch(pairID: Token.random(), session: alice, side: .left)
        }
        #expect(try store.hasSession(alice))
        #expect(try !store.hasSession(Token.random()), "a made-up session id is not a session")
    }

    @Test func cropsAreStoredWithThePair() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try StudyStore(directory: directory)
        let session = Token.random()
        let crop = StudyCrop(x: 17, y: 3, width: 128, height: 96)
        let pair = try store.issuePair(
            session: session, arch: "srresnet", scale: 2, input: "pool/a.png", realOnLeft: true, crop: crop)
        #expect(try store.pair(id: pair.id, session: session).crop == crop)
        #expect(try StudyStore(directory: directory).openPair(session: session)?.crop == crop)
    }

    @Test(arguments: [(200, 150), (128, 128), (40, 300)])
    func randomCropsStayInsideTheImage(width: Int, height: Int) {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let crop = StudyCrop.random(size: 128, width: width, height: height, using: &generator)
            #expect(crop.width == min(128, width) && crop.height == min(128, height))
            #expect(crop.x >= 0 && crop.y >= 0 && crop.x + crop.width <= width && crop.y + crop.height <= height)
        }
    }

    /// A database written before these rules (schema version 0) is upgraded in place: its pairs and votes stay, and
    /// its votes, whose image downloads nobody recorded, are marked unverified instead of counted.
    @Test func aDatabaseFromBeforeTheRulesIsUpgradedAndItsVotesMarkedUnverified() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = Token.random()
        let (voted, open) = (Token.random(), Token.random())
        try LegacyStudyFile.write(
            in: directory, version: 0,
            sql: LegacyStudyFile.version0 + """
                INSERT INTO pairs VALUES ('\(voted)', '\(session)', 'srresnet', 4, 'samples/a.png', 1, 1.0);
                INSERT INTO pairs VALUES ('\(open)', '\(session)', 'srresnet', 4, 'samples/a.png', 0, 1e10);
                INSERT INTO votes VALUES ('\(voted)', 'real', 2.0);
                """)
        let store = try StudyStore(directory: directory)
        #expect(try store.results() == [])
        #expect(try store.exclusions()[.unverified] == 1)
        let reopened = try StudyStore(directory: directory)  // the upgrade runs once
        #expect(try reopened.exclusions()[.unverified] == 1)
        let pair = try reopened.pair(id: open, session: session)
        #expect(pair.crop == nil, "an old pair shows its whole input")
        for side in [StudyChoice.left, .right] {
            try reopened.recordImageFetch(
                pairID: open, session: session, side: side, now: Date(timeIntervalSince1970: 1e10))
        }
        let vote = try reopened.vote(
            pairID: open, session: session, choice: .left, now: Date(timeIntervalSince1970: 1e10 + 5))
        #expect(vote == RecordedVote(preference: .binary, exclusion: nil))
    }
}
