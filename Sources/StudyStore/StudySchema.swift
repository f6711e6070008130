import Foundation

/// The vote database's tables, and the upgrade of a file written by an older binsr.
///
/// `PRAGMA user_version` holds the schema version (https://sqlite.org/pragma.html#pragma_user_version). Version 0 is
/// either a new file or one from before issue 14 (pairs without crops, no image downloads recorded); version 1 adds
/// crops, the first download time of each side and the exclusion of each vote.
enum StudySchema {
    static let version: Int64 = 1

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

    /// Creates the tables or upgrades them to `version`, in one transaction (a second process waits, then sees the
    /// new version).
    static func prepare(_ connection: SQLiteConnection) throws {
        try connection.transaction {
            var current: Int64 = 0
            try connection.run("PRAGMA user_version") { current = $0.integer(0) }
            guard current < version else { return }
            var exists = false
            try connection.run("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pairs'") { _ in
                exists = true
            }
            if exists {
                try upgradeFromVersion0(connection)
            } else {
                try connection.execute(tables)
            }
            try connection.execute("PRAGMA user_version = \(version)")
        }
    }

    /// Adds the new columns. The votes already there were cast when nobody recorded whether the images were seen,
    /// so they are kept but marked `unverified` instead of being counted as if they had passed the checks.
    private static func upgradeFromVersion0(_ connection: SQLiteConnection) throws {
        for column in (cropColumns + ", " + fetchColumns).split(separator: ",") {
            try connection.execute("ALTER TABLE pairs ADD COLUMN \(column.trimmingCharacters(in: .whitespaces))")
        }
        try connection.execute("ALTER TABLE votes ADD COLUMN \(exclusionColumn)")
        try connection.execute("UPDATE votes SET exclusion = 'unverified'")
    }
}
