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

    /// Seconds between the later image download of a pair and its vote below which the vote does not count.
    public let minViewSeconds: TimeInterval

    /// Opens or creates `directory/study.sqlite3` (creating the directory too) and its schema (StudySchema).
    public init(directory: URL, pairLifetime: TimeInterval = 3600, minViewSeconds: TimeInterval = 0) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        fileURL = directory.appendingPathComponent(Self.fileName)
        self.pairLifetime = pairLifetime
        self.minViewSeconds = minViewSeconds
        connection = try SQLiteConnection(path: fileURL.path)
        try StudySchema.prepare(connection)
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
        func optional(_ value: Int?) -> SQLiteValue { value.map { .integer(Int64($0)) } ?? .null }
        let purgeDue = try locked {
            try connection.run(
                """
                INSERT INTO pairs (id, session, arch, scale, input, real_on_left, issued_at,
                                   crop_x, crop_y, crop_width, crop_height) VALUES (?,?,?,?,?,?,?,?,?,?,?)
                """,
                [
                    .text(pair.id), .text(session), .text(arch), .integer(Int64(scale)), .text(input),
                    .integer(realOnLeft ? 1 : 0), .real(issuedAt.timeIntervalSince1970),
                    optional(crop?.x), optional(crop?.y), optional(crop?.width), optional(crop?.height),
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
                SELECT \(Self.pairColumns) FROM pairs
                WHERE session = ? AND issued_at > ? AND id NOT IN (SELECT pair_id FROM votes)
                ORDER BY issued_at DESC LIMIT 1
                """, [.text(session), .real(now.timeIntervalSince1970 - pairLifetime)]
            ).first
        }
    }

    /// True when some pair (expired or not, purged ones aside) was issued to `session`: the session is one this
    /// store handed out, not a made-up token.
    public func hasSession(_ session: String) throws -> Bool {
        guard Token.isWellFormed(session) else { return false }
        return try locked {
            var found = false
            try connection.run("SELECT 1 FROM pairs WHERE session = ? LIMIT 1", [.text(session)]) { _ in found = true }
            return found
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

    /// Records that `session` downloaded the `side` image of pair `pairID` (the first download's time is kept) and
    /// returns the pair. Throws like `pair(id:session:)`.
    @discardableResult
    public func recordImageFetch(
        pairID: String, session: String, side: StudyChoice, now: Date = Date()
    ) throws -> StudyPair {
        guard side != .same else { throw StudyError.invalidArgument("side must be left or right") }
        let pair = try self.pair(id: pairID, session: session)
        let column = side == .left ? "left_fetched_at" : "right_fetched_at"
        try locked {
            try connection.run(
                "UPDATE pairs SET \(column) = COALESCE(\(column), ?) WHERE id = ?",
                [.real(now.timeIntervalSince1970), .text(pairID)])
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
        return try locked {
            try connection.transaction {
                guard let pair = try fetchPair(id: pairID) else { throw StudyError.unknownPair }
                guard pair.session == session else { throw StudyError.pairOfAnotherSession }
                guard now.timeIntervalSince(pair.issuedAt) <= pairLifetime else { throw StudyError.pairExpired }
                var fetched: [Double] = []
                try connection.run("SELECT left_fetched_at, right_fetched_at FROM pairs WHERE id = ?", [.text(pairID)])
                { row in
                    fetched = [Int32(0), 1].filter { !row.isNull($0) }.map { row.real($0) }
                }
                let recorded = RecordedVote(
                    preference: pair.preference(for: choice), exclusion: exclusion(fetched: fetched, now: now))
                do {
                    try connection.run(
                        "INSERT INTO votes (pair_id, preference, voted_at, exclusion) VALUES (?, ?, ?, ?)",
                        [
                            .text(pairID), .text(recorded.preference.rawValue), .real(now.timeIntervalSince1970),
                            recorded.exclusion.map { .text($0.rawValue) } ?? .null,
                        ])
                } catch let error as SQLiteError where error.isConstraintViolation {
                    throw StudyError.alreadyVoted
                }
                return recorded
            }
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
        try locked {
            try connection.run("SELECT exclusion, COUNT(*) FROM votes WHERE exclusion IS NOT NULL GROUP BY exclusion") {
                if let reason = $0.text(0).flatMap(StudyExclusion.init) { counts[reason] = Int($0.integer(1)) }
            }
        }
        return counts
    }

    /// Counted votes (those without an exclusion) with shares and 95% Wilson intervals per architecture and scale,
    /// sorted by both.
    public func results() throws -> [StudyResult] {
        var counts: [String: [Int: [StudyPreference: Int]]] = [:]
        try locked {
            try connection.run(
                """
                SELECT p.arch, p.scale, v.preference, COUNT(*) FROM votes v JOIN pairs p ON p.id = v.pair_id
                WHERE v.exclusion IS NULL GROUP BY p.arch, p.scale, v.preference
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

    private static let pairColumns =
        "id, session, arch, scale, input, real_on_left, issued_at, crop_x, crop_y, crop_width, crop_height"

    private func fetchPair(id: String) throws -> StudyPair? {
        try fetchPairs("SELECT \(Self.pairColumns) FROM pairs WHERE id = ?", [.text(id)]).first
    }

    private func fetchPairs(_ sql: String, _ parameters: [SQLiteValue]) throws -> [StudyPair] {
        var pairs: [StudyPair] = []
        try connection.run(sql, parameters) { row in
            pairs.append(
                StudyPair(
                    id: row.text(0) ?? "", session: row.text(1) ?? "", arch: row.text(2) ?? "",
                    scale: Int(row.integer(3)),
                    input: row.text(4) ?? "", realOnLeft: row.integer(5) == 1,
                    issuedAt: Date(timeIntervalSince1970: row.real(6)),
                    crop: row.isNull(9)
                        ? nil
                        : StudyCrop(
                            x: Int(row.integer(7)), y: Int(row.integer(8)), width: Int(row.integer(9)),
                            height: Int(row.integer(10)))))
        }
        return pairs
    }
}
