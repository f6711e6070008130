import Foundation

/// The blind study's persistent state: pairs issued to sessions and the one vote each pair may get.
///
/// A pair is stored server-side when it is issued, so a vote names only the pair id: the server alone knows which
/// side was real, a client cannot invent pairs, and the vote's primary key (the pair id) allows one vote per pair.
/// The database is a SQLite file in WAL mode; one connection serves the whole process behind a lock (writes are
/// tiny, so a serial connection is not the bottleneck), and the busy timeout covers other processes on the same file.
///
/// `@unchecked Sendable`: the only mutable state, the connection, is touched only while `lock` is held.
public final class StudyStore: @unchecked Sendable {
    /// The database file inside the data directory.
    public static let fileName = "study.sqlite3"

    public let fileURL: URL
    /// How long after issue a pair still accepts its vote; later votes get `StudyError.pairExpired`.
    public let pairLifetime: TimeInterval

    private let lock = NSLock()
    private let connection: SQLiteConnection
    /// Pairs issued since the last purge (guarded by `lock`).
    private var issuedSincePurge = 0
    /// Expired unvoted pairs are deleted after every this many issued pairs.
    public static let purgeInterval = 256

    /// Opens or creates `directory/study.sqlite3` (creating the directory too) and its schema.
    public init(directory: URL, pairLifetime: TimeInterval = 3600) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        fileURL = directory.appendingPathComponent(Self.fileName)
        self.pairLifetime = pairLifetime
        connection = try SQLiteConnection(path: fileURL.path)
        try connection.transaction { try connection.execute(Self.schema) }
    }

    // Times are seconds since 1970 as REAL; the CHECKs keep a buggy writer from storing values that the
    // tallies would silently miscount.
    private static let schema = """
        CREATE TABLE IF NOT EXISTS pairs (
            id TEXT PRIMARY KEY,
            session TEXT NOT NULL,
            arch TEXT NOT NULL,
            scale INTEGER NOT NULL CHECK (scale >= 2),
            input TEXT NOT NULL,
            real_on_left INTEGER NOT NULL CHECK (real_on_left IN (0, 1)),
            issued_at REAL NOT NULL
        );
        CREATE INDEX IF NOT EXISTS pairs_by_session ON pairs (session, issued_at);
        CREATE INDEX IF NOT EXISTS pairs_by_time ON pairs (issued_at);
        CREATE TABLE IF NOT EXISTS votes (
            pair_id TEXT PRIMARY KEY REFERENCES pairs (id),
            preference TEXT NOT NULL CHECK (preference IN ('real', 'binary', 'same')),
            voted_at REAL NOT NULL
        );
        """

    /// Records a new pair for `session` and returns it with a fresh random id.
    public func issuePair(
        session: String, arch: String, scale: Int, input: String, realOnLeft: Bool,
        now: Date = Date()
    ) throws -> StudyPair {
        guard Token.isWellFormed(session) else { throw StudyError.invalidSession }
        guard !arch.isEmpty, !input.isEmpty else { throw StudyError.invalidArgument("empty architecture or input") }
        guard scale >= 2 else { throw StudyError.invalidArgument("scale must be at least 2") }
        // Round-trip the time through its stored form so the returned pair equals the one read back later.
        let issuedAt = Date(timeIntervalSince1970: now.timeIntervalSince1970)
        let pair = StudyPair(
            id: Token.random(), session: session, arch: arch, scale: scale, input: input,
            realOnLeft: realOnLeft, issuedAt: issuedAt)
        let purgeDue = try locked {
            try connection.run(
                "INSERT INTO pairs (id, session, arch, scale, input, real_on_left, issued_at) VALUES (?,?,?,?,?,?,?)",
                [
                    .text(pair.id), .text(session), .text(arch), .integer(Int64(scale)), .text(input),
                    .integer(realOnLeft ? 1 : 0), .real(issuedAt.timeIntervalSince1970),
                ])
            issuedSincePurge += 1
            return issuedSincePurge >= Self.purgeInterval
        }
        if purgeDue { try purgeExpiredPairs(now: now) }
        return pair
    }

    /// Deletes pairs that expired without a vote and returns how many. Every anonymous `GET /study/next` stores a
    /// pair, so without this a client that never votes would grow the database without bound.
    @discardableResult
    public func purgeExpiredPairs(now: Date = Date()) throws -> Int {
        try locked {
            issuedSincePurge = 0
            try connection.run(
                "DELETE FROM pairs WHERE issued_at <= ? AND id NOT IN (SELECT pair_id FROM votes)",
                [.real(now.timeIntervalSince1970 - pairLifetime)])
            return connection.changes
        }
    }

    /// The newest unexpired pair of `session` that has no vote yet, if any.
    ///
    /// The service hands this out again instead of a new pair, so reloading the page does not mint pairs and a
    /// session has at most one open pair at a time.
    public func openPair(session: String, now: Date = Date()) throws -> StudyPair? {
        guard Token.isWellFormed(session) else { throw StudyError.invalidSession }
        return try locked {
            try fetchPairs(
                """
                SELECT id, session, arch, scale, input, real_on_left, issued_at FROM pairs
                WHERE session = ? AND issued_at > ? AND id NOT IN (SELECT pair_id FROM votes)
                ORDER BY issued_at DESC LIMIT 1
                """, [.text(session), .real(now.timeIntervalSince1970 - pairLifetime)]
            ).first
        }
    }

    /// The pair with this id if it was issued to `session`; images of a pair are served only to its session.
    public func pair(id: String, session: String) throws -> StudyPair {
        guard Token.isWellFormed(session) else { throw StudyError.invalidSession }
        guard Token.isWellFormed(id) else { throw StudyError.unknownPair }
        let pair = try locked { try fetchPair(id: id) }
        guard let pair else { throw StudyError.unknownPair }
        guard pair.session == session else { throw StudyError.pairOfAnotherSession }
        return pair
    }

    /// Records the vote of `session` on the pair `pairID` and returns the preference it expresses.
    ///
    /// Throws `StudyError` for a malformed or unknown pair, a pair of another session, an expired pair or a second
    /// vote. The check and the insert run in one IMMEDIATE transaction, so two racing votes cannot both count.
    @discardableResult
    public func vote(
        pairID: String, session: String, choice: StudyChoice,
        now: Date = Date()
    ) throws -> StudyPreference {
        guard Token.isWellFormed(session) else { throw StudyError.invalidSession }
        guard Token.isWellFormed(pairID) else { throw StudyError.unknownPair }
        return try locked {
            try connection.transaction {
                guard let pair = try fetchPair(id: pairID) else { throw StudyError.unknownPair }
                guard pair.session == session else { throw StudyError.pairOfAnotherSession }
                guard now.timeIntervalSince(pair.issuedAt) <= pairLifetime else { throw StudyError.pairExpired }
                let preference = pair.preference(for: choice)
                do {
                    try connection.run(
                        "INSERT INTO votes (pair_id, preference, voted_at) VALUES (?, ?, ?)",
                        [.text(pairID), .text(preference.rawValue), .real(now.timeIntervalSince1970)])
                } catch let error as SQLiteError where error.isConstraintViolation {
                    throw StudyError.alreadyVoted
                }
                return preference
            }
        }
    }

    /// Vote counts with shares and 95% Wilson intervals per architecture and scale, sorted by both.
    public func results() throws -> [StudyResult] {
        var counts: [String: [Int: [StudyPreference: Int]]] = [:]
        try locked {
            try connection.run(
                """
                SELECT p.arch, p.scale, v.preference, COUNT(*) FROM votes v JOIN pairs p ON p.id = v.pair_id
                GROUP BY p.arch, p.scale, v.preference
                """
            ) { row in
                guard let arch = row.text(0), let preference = row.text(2).flatMap(StudyPreference.init) else { return }
                counts[arch, default: [:]][Int(row.integer(1)), default: [:]][preference] = Int(row.integer(3))
            }
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

    private func locked<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private func fetchPair(id: String) throws -> StudyPair? {
        try fetchPairs(
            "SELECT id, session, arch, scale, input, real_on_left, issued_at FROM pairs WHERE id = ?", [.text(id)]
        ).first
    }

    private func fetchPairs(_ sql: String, _ parameters: [SQLiteValue]) throws -> [StudyPair] {
        var pairs: [StudyPair] = []
        try connection.run(sql, parameters) { row in
            pairs.append(
                StudyPair(
                    id: row.text(0) ?? "", session: row.text(1) ?? "", arch: row.text(2) ?? "",
                    scale: Int(row.integer(3)),
                    input: row.text(4) ?? "", realOnLeft: row.integer(5) == 1,
                    issuedAt: Date(timeIntervalSince1970: row.real(6))))
        }
        return pairs
    }
}
