import Foundation
internal import GRDB
import Synchronization

/// The blind study's persistent state: pairs issued to sessions and the one vote each pair may get.
///
/// A pair is stored server-side when it is issued, so a vote names only the pair id: the server alone knows which
/// side was real, a client cannot invent pairs, and the vote's primary key (the pair id) allows one vote per pair.
/// The database is a SQLite file in WAL mode behind a GRDB `DatabasePool`: reads (results, open pairs) run on reader
/// connections without waiting for a write, writes are serialised on one writer connection in IMMEDIATE transactions,
/// and the busy timeout covers other processes on the same file (https://sqlite.org/wal.html).
public final class StudyStore: Sendable {
    /// The database file inside the data directory.
    public static let fileName = "study.sqlite3"

    public let fileURL: URL
    /// How long after issue a pair still accepts its vote; later votes get `StudyError.pairExpired`.
    public let pairLifetime: TimeInterval

    private let database: DatabasePool
    /// Pairs issued since the last purge.
    private let issuedSincePurge = Mutex(0)
    /// Expired unvoted pairs are deleted after every this many issued pairs.
    public static let purgeInterval = 256

    /// Seconds between the later image download of a pair and its vote below which the vote does not count.
    public let minViewSeconds: TimeInterval

    /// Opens or creates `directory/study.sqlite3` (creating the directory too) and its schema (StudySchema).
    ///
    /// GRDB's pool sets WAL and `synchronous=NORMAL` (durable across application crashes in WAL mode; only a power
    /// loss may drop the last commits) and enables foreign keys; the busy timeout makes a second process wait for the
    /// write lock instead of failing at once with SQLITE_BUSY (and `openPool` covers the one lock it does not).
    public init(directory: URL, pairLifetime: TimeInterval = 3600, minViewSeconds: TimeInterval = 0) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        fileURL = directory.appendingPathComponent(Self.fileName)
        self.pairLifetime = pairLifetime
        self.minViewSeconds = minViewSeconds
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeoutSeconds)
        database = try Self.openPool(path: fileURL.path, configuration: configuration)
        try StudySchema.migrate(database)
    }

    /// How long a connection waits for another one's lock before SQLITE_BUSY, and how long opening keeps retrying.
    static let busyTimeoutSeconds: TimeInterval = 5

    /// Opens the pool, trying again while a new file's switch to WAL meets another connection's lock.
    ///
    /// GRDB's pool runs `PRAGMA journal_mode = WAL` on its writer. On a file still in rollback mode SQLite makes the
    /// switch by upgrading a read transaction to a write one (`sqlite3BtreeSetVersion`), and `btreeBeginTrans` calls
    /// the busy handler only when no transaction is open: waiting while holding a read lock could deadlock. So the
    /// busy timeout does not cover it, and when several processes open one new file at once all but one can get
    /// "database is locked" (StudySchemaTests.storesOpeningOneNewFileAtOnceAllSucceed; the same race is described in
    /// https://github.com/elixir-sqlite/exqlite/issues/138). WAL is a property of the file: once one connection has
    /// switched it, the pragma takes no write lock, so a short retry within the busy timeout succeeds.
    private static func openPool(path: String, configuration: Configuration) throws -> DatabasePool {
        let deadline = Date(timeIntervalSinceNow: busyTimeoutSeconds)
        var pause: TimeInterval = 0.005
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && Date() < deadline {
                // Random, so that the connections that lost together do not meet again on the next try.
                Thread.sleep(forTimeInterval: .random(in: pause...(2 * pause)))
                pause = min(2 * pause, 0.1)
            }
        }
    }

    /// Records a new pair for `session` and returns it with a fresh random id.
    public func issuePair(
        session: String, arch: String, scale: Int, input: String, realOnLeft: Bool, crop: StudyCrop? = nil,
        now: Date = Date()
    ) throws -> StudyPair {
        guard Token.isWellFormed(session) else { throw StudyError.invalidSession }
        guard !arch.isEmpty, !input.isEmpty else { throw StudyError.invalidArgument("empty architecture or input") }
        guard scale >= 2 else { throw StudyError.invalidArgument("scale must be at least 2") }
        // Round-trip the time through its stored form so the returned pair equals the one read back later.
        let issuedAt = Date(timeIntervalSince1970: now.timeIntervalSince1970)
        let pair = StudyPair(
            id: Token.random(), session: session, arch: arch, scale: scale, input: input,
            realOnLeft: realOnLeft, issuedAt: issuedAt, crop: crop)
        try database.write { db in
            // Times as seconds since 1970: GRDB would store a `Date` as text.
            try db.execute(
                sql: """
                    INSERT INTO pairs (id, session, arch, scale, input, real_on_left, issued_at,
                                       crop_x, crop_y, crop_width, crop_height) VALUES (?,?,?,?,?,?,?,?,?,?,?)
                    """,
                arguments: [
                    pair.id, session, arch, scale, input, realOnLeft, issuedAt.timeIntervalSince1970,
                    crop?.x, crop?.y, crop?.width, crop?.height,
                ])
        }
        let purgeDue = issuedSincePurge.withLock { count in
            count += 1
            return count >= Self.purgeInterval
        }
        if purgeDue { try purgeExpiredPairs(now: now) }
        return pair
    }

    /// Deletes pairs that expired without a vote and returns how many. Every anonymous `GET /study/next` stores a
    /// pair, so without this a client that never votes would grow the database without bound.
    @discardableResult
    public func purgeExpiredPairs(now: Date = Date()) throws -> Int {
        issuedSincePurge.withLock { $0 = 0 }
        return try database.write { db in
            try db.execute(
                sql: "DELETE FROM pairs WHERE issued_at <= ? AND id NOT IN (SELECT pair_id FROM votes)",
                arguments: [now.timeIntervalSince1970 - pairLifetime])
            return db.changesCount
        }
    }

    /// The newest unexpired pair of `session` that has no vote yet, if any.
    ///
    /// The service hands this out again instead of a new pair, so reloading the page does not mint pairs and a
    /// session has at most one open pair at a time.
    public func openPair(session: String, now: Date = Date()) throws -> StudyPair? {
        guard Token.isWellFormed(session) else { throw StudyError.invalidSession }
        return try database.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT * FROM pairs
                    WHERE session = ? AND issued_at > ? AND id NOT IN (SELECT pair_id FROM votes)
                    ORDER BY issued_at DESC LIMIT 1
                    """,
                arguments: [session, now.timeIntervalSince1970 - pairLifetime]
            ).map(StudyPair.init(row:))
        }
    }

    /// True when some pair (expired or not, purged ones aside) was issued to `session`: the session is one this
    /// store handed out, not a made-up token.
    public func hasSession(_ session: String) throws -> Bool {
        guard Token.isWellFormed(session) else { return false }
        return try database.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM pairs WHERE session = ?)", arguments: [session])
                ?? false
        }
    }

    /// The pair with this id if it was issued to `session`; images of a pair are served only to its session.
    public func pair(id: String, session: String) throws -> StudyPair {
        guard Token.isWellFormed(session) else { throw StudyError.invalidSession }
        guard Token.isWellFormed(id) else { throw StudyError.unknownPair }
        let pair = try database.read { db in try fetchPair(db, id: id) }
        guard let pair else { throw StudyError.unknownPair }
        guard pair.session == session else { throw StudyError.pairOfAnotherSession }
        return pair
    }

    /// Records that `session` downloaded the `side` image of pair `pairID` (the first download's time is kept) and
    /// returns the pair. Throws like `pair(id:session:)`.
    @discardableResult
    public func recordImageFetch(
        pairID: String, session: String, side: StudyChoice, now: Date = Date()
    ) throws -> StudyPair {
        guard side != .same else { throw StudyError.invalidArgument("side must be left or right") }
        let pair = try self.pair(id: pairID, session: session)
        let column = side == .left ? "left_fetched_at" : "right_fetched_at"
        try database.write { db in
            try db.execute(
                sql: "UPDATE pairs SET \(column) = COALESCE(\(column), ?) WHERE id = ?",
                arguments: [now.timeIntervalSince1970, pairID])
        }
        return pair
    }

    /// Records the vote of `session` on the pair `pairID`: what it means and, when it breaks a ballot rule, why it
    /// does not count.
    ///
    /// Throws `StudyError` for a malformed or unknown pair, a pair of another session, an expired pair or a second
    /// vote. The check and the insert run in one IMMEDIATE transaction, so two racing votes cannot both count.
    /// A vote that breaks a rule (images not both downloaded, less than `minViewSeconds` after the later download)
    /// is stored with its exclusion and closes the pair like any other: the answer is the same, and the pair cannot
    /// be retried until a vote passes.
    @discardableResult
    public func vote(
        pairID: String, session: String, choice: StudyChoice,
        now: Date = Date()
    ) throws -> RecordedVote {
        guard Token.isWellFormed(session) else { throw StudyError.invalidSession }
        guard Token.isWellFormed(pairID) else { throw StudyError.unknownPair }
        // A thrown StudyError rolls the transaction back.
        return try database.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM pairs WHERE id = ?", arguments: [pairID]) else {
                throw StudyError.unknownPair
            }
            let pair = try StudyPair(row: row)
            guard pair.session == session else { throw StudyError.pairOfAnotherSession }
            guard now.timeIntervalSince(pair.issuedAt) <= pairLifetime else { throw StudyError.pairExpired }
            let fetched = try ["left_fetched_at", "right_fetched_at"].compactMap {
                try row.decode(Double?.self, forColumn: $0)
            }
            let recorded = RecordedVote(
                preference: pair.preference(for: choice), exclusion: exclusion(fetched: fetched, now: now))
            do {
                try db.execute(
                    sql: "INSERT INTO votes (pair_id, preference, voted_at, exclusion) VALUES (?, ?, ?, ?)",
                    arguments: [
                        pairID, recorded.preference.rawValue, now.timeIntervalSince1970, recorded.exclusion?.rawValue,
                    ])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw StudyError.alreadyVoted
            }
            return recorded
        }
    }

    /// The ballot rules: both images downloaded, and at least `minViewSeconds` since the later download.
    private func exclusion(fetched: [Double], now: Date) -> StudyExclusion? {
        guard fetched.count == 2, let later = fetched.max() else { return .imagesNotFetched }
        return now.timeIntervalSince1970 - later < minViewSeconds ? .tooFast : nil
    }

    /// Recorded votes that do not count, by reason (every reason present, 0 when none).
    public func exclusions() throws -> [StudyExclusion: Int] {
        var counts = Dictionary(uniqueKeysWithValues: StudyExclusion.allCases.map { ($0, 0) })
        let rows = try database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT exclusion, COUNT(*) AS n FROM votes WHERE exclusion IS NOT NULL GROUP BY exclusion")
        }
        for row in rows {
            if let reason = StudyExclusion(rawValue: try row.decode(forColumn: "exclusion")) {
                counts[reason] = try row.decode(forColumn: "n")
            }
        }
        return counts
    }

    /// Counted votes (those without an exclusion) with shares and 95% Wilson intervals per architecture and scale,
    /// sorted by both.
    public func results() throws -> [StudyResult] {
        var counts: [String: [Int: [StudyPreference: Int]]] = [:]
        let rows = try database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT p.arch, p.scale, v.preference, COUNT(*) AS n FROM votes v JOIN pairs p ON p.id = v.pair_id
                    WHERE v.exclusion IS NULL GROUP BY p.arch, p.scale, v.preference
                    """)
        }
        for row in rows {
            guard let preference = StudyPreference(rawValue: try row.decode(forColumn: "preference")) else { continue }
            let arch: String = try row.decode(forColumn: "arch")
            counts[arch, default: [:]][try row.decode(forColumn: "scale"), default: [:]][preference] =
                try row.decode(forColumn: "n")
        }
        return counts.keys.sorted().flatMap { arch in
            counts[arch]!.keys.sorted().map { scale in
                let tally = counts[arch]![scale]!
                return StudyResult(
                    arch: arch, scale: scale, real: tally[.real] ?? 0, binary: tally[.binary] ?? 0,
                    same: tally[.same] ?? 0)
            }
        }
    }

    private func fetchPair(_ db: Database, id: String) throws -> StudyPair? {
        try Row.fetchOne(db, sql: "SELECT * FROM pairs WHERE id = ?", arguments: [id]).map(StudyPair.init(row:))
    }
}

extension StudyPair {
    /// A row of `pairs`. Decoding throws (instead of trapping, as GRDB's subscripts do) on a NULL in a NOT NULL
    /// column or a value of the wrong type: a damaged file then fails one request, not the process.
    fileprivate init(row: Row) throws {
        let cropWidth = try row.decode(Int?.self, forColumn: "crop_width")
        try self.init(
            id: row.decode(forColumn: "id"), session: row.decode(forColumn: "session"),
            arch: row.decode(forColumn: "arch"), scale: row.decode(forColumn: "scale"),
            input: row.decode(forColumn: "input"), realOnLeft: row.decode(forColumn: "real_on_left"),
            issuedAt: Date(timeIntervalSince1970: row.decode(forColumn: "issued_at")),
            crop: cropWidth.map { width in
                StudyCrop(
                    x: try row.decode(forColumn: "crop_x"), y: try row.decode(forColumn: "crop_y"), width: width,
                    height: try row.decode(forColumn: "crop_height"))
            })
    }
}
