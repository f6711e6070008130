import Foundation
internal import GRDB

/// The vote database's tables, and the upgrade of a file written by an older binsr.
///
/// GRDB's `DatabaseMigrator` records applied migrations in `grdb_migrations`. Files written before GRDB have no such
/// table; their `PRAGMA user_version` (https://sqlite.org/pragma.html#pragma_user_version) says what they hold.
/// Version 0 is either a new file or one from before issue 14 (pairs without crops, no image downloads recorded);
/// version 1 adds crops, the first download time of each side and the exclusion of each vote. The first migration
/// reads it, so a file of either version, or a new one, ends at the same schema, and it still writes
/// `user_version` so that a binsr from before GRDB (a rollback) opens the file as its own.
enum StudySchema {
    static let version = 1

    /// The migrations in order. Identifiers are stored in files: never rename one, only append.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        // Immediate foreign key checks, as the upgrade ran before GRDB: it only adds columns, and a deferred
        // `foreign_key_check` would refuse an old file over a dangling vote that the old code accepted.
        migrator.registerMigration("v1 pairs and votes (user_version 1)", foreignKeyChecks: .immediate) { db in
            let legacyVersion = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            guard legacyVersion < version else { return }  // written by a binsr before GRDB: already this schema
            if try db.tableExists("pairs") {
                try upgradeFromVersion0(db)
            } else {
                try db.execute(sql: tables)
            }
            try db.execute(sql: "PRAGMA user_version = \(version)")
        }
        return migrator
    }

    /// Creates the tables or upgrades them to the last migration.
    ///
    /// GRDB reads which migrations were applied before it takes the write lock (`DatabaseMigrator.runMigrations`), so
    /// when two processes open the same new file at once, the second runs the first migration again after the first
    /// has committed it; the migration then finds `user_version` current and does nothing, but recording it breaks
    /// `grdb_migrations`' primary key. A second pass then sees every migration applied.
    static func migrate(_ writer: any DatabaseWriter) throws {
        do {
            try migrator.migrate(writer)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            try migrator.migrate(writer)
        }
    }

    // Times are seconds since 1970 as REAL; the CHECKs keep a buggy writer from storing values that the
    // tallies would silently miscount.
    private static let tables = """
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

    // NULL crop: the whole input. NULL download time: that side was never downloaded.
    private static let cropColumns =
        "crop_x INTEGER, crop_y INTEGER, crop_width INTEGER CHECK (crop_width > 0), "
        + "crop_height INTEGER CHECK (crop_height > 0)"
    private static let fetchColumns = "left_fetched_at REAL, right_fetched_at REAL"
    // NULL: the vote counts.
    private static let exclusionColumn =
        "exclusion TEXT CHECK (exclusion IS NULL OR exclusion IN ('images_not_fetched', 'too_fast', 'unverified'))"

    /// Adds the new columns. The votes already there were cast when nobody recorded whether the images were seen,
    /// so they are kept but marked `unverified` instead of being counted as if they had passed the checks.
    private static func upgradeFromVersion0(_ db: Database) throws {
        for column in (cropColumns + ", " + fetchColumns).split(separator: ",") {
            try db.execute(sql: "ALTER TABLE pairs ADD COLUMN \(column.trimmingCharacters(in: .whitespaces))")
        }
        try db.execute(sql: "ALTER TABLE votes ADD COLUMN \(exclusionColumn)")
        try db.execute(sql: "UPDATE votes SET exclusion = 'unverified'")
    }
}
