import Foundation
import GRDB
import StudyStore

/// Vote files as binsr wrote them before GRDB (its hand-written SQLite connection, up to commit 57579bd), made with
/// raw SQL: the schema text is copied from that code and must never follow later changes to StudySchema.
enum LegacyStudyFile {
    /// Schema version 0, before issue 14: no crops, no downloads recorded, no exclusions.
    static let version0 = """
        CREATE TABLE pairs (id TEXT PRIMARY KEY, session TEXT NOT NULL, arch TEXT NOT NULL,
            scale INTEGER NOT NULL, input TEXT NOT NULL, real_on_left INTEGER NOT NULL, issued_at REAL NOT NULL);
        CREATE TABLE votes (pair_id TEXT PRIMARY KEY REFERENCES pairs (id), preference TEXT NOT NULL,
            voted_at REAL NOT NULL);
        """

    /// Schema version 1 (issue 14), as `StudySchema.tables` built it.
    static let version1 = """
        CREATE TABLE pairs (
            id TEXT PRIMARY KEY,
            session TEXT NOT NULL,
            arch TEXT NOT NULL,
            scale INTEGER NOT NULL CHECK (scale >= 2),
            input TEXT NOT NULL,
            real_on_left INTEGER NOT NULL CHECK (real_on_left IN (0, 1)),
            issued_at REAL NOT NULL,
            \(cropColumns),
            \(fetchColumns)
        );
        CREATE INDEX pairs_by_session ON pairs (session, issued_at);
        CREATE INDEX pairs_by_time ON pairs (issued_at);
        CREATE TABLE votes (
            pair_id TEXT PRIMARY KEY REFERENCES pairs (id),
            preference TEXT NOT NULL CHECK (preference IN ('real', 'binary', 'same')),
            voted_at REAL NOT NULL,
            \(exclusionColumn)
        );
        """
    private static let cropColumns =
        "crop_x INTEGER, crop_y INTEGER, crop_width INTEGER CHECK (crop_width > 0), "
        + "crop_height INTEGER CHECK (crop_height > 0)"
    private static let fetchColumns = "left_fetched_at REAL, right_fetched_at REAL"
    private static let exclusionColumn =
        "exclusion TEXT CHECK (exclusion IS NULL OR exclusion IN ('images_not_fetched', 'too_fast', 'unverified'))"

    /// Writes `directory/study.sqlite3` as the old code did: WAL, foreign keys on, then `sql` (the schema and rows)
    /// and `user_version` in one transaction. Version 0 files had `user_version` 0.
    static func write(in directory: URL, version: Int, sql: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: directory.appendingPathComponent(StudyStore.fileName).path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
            try db.inTransaction(.immediate) {
                try db.execute(sql: sql)
                try db.execute(sql: "PRAGMA user_version = \(version)")
                return .commit
            }
        }
    }

    /// The schema as SQLite keeps it (tables and indexes with their SQL text) and `user_version`, without GRDB's own
    /// bookkeeping table.
    static func schema(in directory: URL) throws -> [String] {
        let queue = try DatabaseQueue(path: directory.appendingPathComponent(StudyStore.fileName).path)
        return try queue.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT type || ' ' || name || ': ' || sql FROM sqlite_master
                    WHERE name NOT LIKE 'grdb_%' AND sql IS NOT NULL ORDER BY name
                    """) + ["user_version \(try Int.fetchOne(db, sql: "PRAGMA user_version") ?? -1)"]
        }
    }
}
