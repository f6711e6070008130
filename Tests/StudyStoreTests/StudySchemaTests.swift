import Foundation
import GRDB
import StudyStore
import Synchronization
import Testing

/// The move to GRDB's migrator: a new file gets the schema binsr wrote before, and files that binsr wrote keep their
/// pairs and votes. The version 0 upgrade is `BallotRulesTests.aDatabaseFromBeforeTheRulesIsUpgraded...`.
@Suite final class StudySchemaTests {
    private let root = FileManager.default.temporaryDirectory.appendingPathComponent("studyschema-\(Token.random())")

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    @Test func aNewFileHasTheSchemaOfTheCodeBeforeGRDB() throws {
        let legacy = root.appendingPathComponent("legacy")
        let current = root.appendingPathComponent("current")
        try LegacyStudyFile.write(in: legacy, version: 1, sql: LegacyStudyFile.version1)
        _ = try StudyStore(directory: current)
        let schema = try LegacyStudyFile.schema(in: current)
        #expect(schema == (try LegacyStudyFile.schema(in: legacy)))
        #expect(schema.count == 5)  // two tables, two indexes (automatic ones have no SQL), user_version
    }

    /// A file of schema version 1 (issue 14 to GRDB), in WAL mode: votes, exclusions and open pairs stay as they are.
    @Test func aVersion1FileKeepsItsVotesExclusionsAndOpenPairs() throws {
        let session = Token.random()
        let (counted, hurried, unseen, open) = (Token.random(), Token.random(), Token.random(), Token.random())
        let issued = 1e10
        try LegacyStudyFile.write(
            in: root, version: 1,
            sql: LegacyStudyFile.version1 + """
                INSERT INTO pairs VALUES ('\(counted)', '\(session)', 'srresnet', 4, 'a', 1, \(issued),
                    1, 2, 128, 96, \(issued + 1), \(issued + 1));
                INSERT INTO pairs VALUES ('\(hurried)', '\(session)', 'srresnet', 4, 'a', 0, \(issued),
                    NULL, NULL, NULL, NULL, \(issued + 1), \(issued + 1));
                INSERT INTO pairs VALUES ('\(unseen)', '\(session)', 'lapsrn', 2, 'b', 0, \(issued),
                    NULL, NULL, NULL, NULL, NULL, NULL);
                INSERT INTO pairs VALUES ('\(open)', '\(session)', 'lapsrn', 2, 'b', 1, \(issued + 5),
                    0, 0, 64, 64, \(issued + 6), \(issued + 6));
                INSERT INTO votes VALUES ('\(counted)', 'real', \(issued + 9), NULL);
                INSERT INTO votes VALUES ('\(hurried)', 'binary', \(issued + 1.5), 'too_fast');
                INSERT INTO votes VALUES ('\(unseen)', 'same', \(issued + 9), 'images_not_fetched');
                """)
        let now = Date(timeIntervalSince1970: issued + 10)
        for _ in 0..<2 {  // the first open adopts the file, the second finds nothing to do
            let store = try StudyStore(directory: root)
            #expect(try store.results() == [StudyResult(arch: "srresnet", scale: 4, real: 1, binary: 0, same: 0)])
            #expect(try store.exclusions() == [.imagesNotFetched: 1, .tooFast: 1, .unverified: 0])
            #expect(try store.pair(id: counted, session: session).crop == StudyCrop(x: 1, y: 2, width: 128, height: 96))
            #expect(try store.openPair(session: session, now: now)?.id == open)
        }
        let store = try StudyStore(directory: root)
        #expect(try store.vote(pairID: open, session: session, choice: .left, now: now).exclusion == nil)
        #expect(throws: StudyError.alreadyVoted) {
            try store.vote(pairID: counted, session: session, choice: .left, now: now)
        }
        #expect(try store.results().count == 2)
        #expect(try LegacyStudyFile.schema(in: root).last == "user_version 1")
    }

    /// The lock under the race above, made to happen every time: another connection holds the write lock of a file
    /// still in rollback mode (as a second process does while it switches the file to WAL) when the store opens it.
    /// SQLite refuses the store's own switch at once, without the busy handler (StudyStore.openPool says why), so
    /// without the retry this fails with "database is locked" however long the busy timeout.
    @Test func aStoreOpensAFileWhoseSwitchToWALAnotherConnectionHoldsUp() throws {
        let directory = root.appendingPathComponent("held")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let other = try DatabaseQueue(path: directory.appendingPathComponent(StudyStore.fileName).path)
        let held = DispatchSemaphore(value: 0)
        let released = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? other.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    held.signal()
                    Thread.sleep(forTimeInterval: 0.3)
                    return .commit
                }
            }
            released.signal()
        }
        try #require(held.wait(timeout: .now() + 10) == .success)
        let store = try StudyStore(directory: directory)
        released.wait()
        #expect(try store.results() == [])
    }

    /// Several processes starting on one new file at once (here, stores with their own connections on many
    /// threads): each opens it, one creates the tables, and none fails on the migration record of another. Without
    /// the second pass in `StudySchema.migrate`, ten rounds of eight failed about every other run.
    @Test func storesOpeningOneNewFileAtOnceAllSucceed() throws {
        for round in 0..<10 {
            let failures = Mutex<[String]>([])
            let directory = root.appendingPathComponent("round\(round)")
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                do {
                    let store = try StudyStore(directory: directory)
                    let session = Token.random()
                    let pair = try store.issuePair(session: session, arch: "a", scale: 2, input: "x", realOnLeft: true)
                    try store.vote(pairID: pair.id, session: session, choice: .same)
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            #expect(try StudyStore(directory: directory).exclusions()[.imagesNotFetched] == 8)
        }
    }
}
