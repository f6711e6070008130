import CSQLite
import Foundation

/// A failed SQLite call: the result code, SQLite's own message and the call that failed.
public struct SQLiteError: Error, CustomStringConvertible, Equatable {
    public let code: Int32
    public let message: String
    public let call: String

    public var description: String { "SQLite \(call) failed (\(code)): \(message)" }

    /// SQLITE_CONSTRAINT and its extended codes (the low byte is the primary code, https://sqlite.org/rescode.html).
    public var isConstraintViolation: Bool { code & 0xff == SQLITE_CONSTRAINT }
}

/// SQLite's SQLITE_TRANSIENT: tells `sqlite3_bind_text` to copy the string before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One open database connection. Not thread-safe by itself: the owner serialises access (StudyStore holds a lock).
///
/// Every C call goes through `check`, so errors carry the call name and SQLite's message instead of a bare code.
final class SQLiteConnection {
    private let handle: OpaquePointer

    /// Opens (creating if needed) the database file, switches it to WAL and sets a busy timeout.
    ///
    /// WAL lets readers proceed while one writer commits, and the busy timeout makes a second process (or a second
    /// connection) wait for the write lock instead of failing at once with SQLITE_BUSY (https://sqlite.org/wal.html).
    init(path: String, busyTimeoutMilliseconds: Int32 = 5000) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: message, call: "sqlite3_open_v2(\(path))")
        }
        handle = db
        try check(sqlite3_busy_timeout(db, busyTimeoutMilliseconds), "sqlite3_busy_timeout")
        let mode = try queryText("PRAGMA journal_mode=WAL")
        guard mode?.lowercased() == "wal" else {
            throw SQLiteError(code: SQLITE_ERROR, message: "journal_mode is \(mode ?? "nil"), not wal", call: "PRAGMA")
        }
        // NORMAL is durable across application crashes in WAL mode; only a power loss may drop the last commits.
        try execute("PRAGMA synchronous=NORMAL")
        try execute("PRAGMA foreign_keys=ON")
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that take no parameters and return no rows.
    func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errorMessage)
            throw SQLiteError(code: rc, message: message, call: "sqlite3_exec")
        }
    }

    /// Prepares `sql`, binds `parameters` (1-based, in order), steps through every row and hands each to `row`.
    func run(_ sql: String, _ parameters: [SQLiteValue] = [], row: ((Row) throws -> Void)? = nil) throws {
        var statement: OpaquePointer?
        try check(sqlite3_prepare_v2(handle, sql, -1, &statement, nil), "sqlite3_prepare_v2")
        defer { sqlite3_finalize(statement) }
        for (index, value) in parameters.enumerated() {
            let position = Int32(index + 1)
            switch value {
            case .integer(let number):
                try check(sqlite3_bind_int64(statement, position, number), "sqlite3_bind_int64")
            case .real(let number):
                try check(sqlite3_bind_double(statement, position, number), "sqlite3_bind_double")
            case .text(let string):
                try check(sqlite3_bind_text(statement, position, string, -1, transient), "sqlite3_bind_text")
            case .null:
                try check(sqlite3_bind_null(statement, position), "sqlite3_bind_null")
            }
        }
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else {
                try check(rc, "sqlite3_step")
                return
            }
            try row?(Row(statement: statement!))
        }
    }

    /// Runs `body` inside BEGIN IMMEDIATE ... COMMIT, rolling back if it throws.
    ///
    /// IMMEDIATE takes the write lock up front, so two writers never both read and then fail on upgrade.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Number of rows the last INSERT/UPDATE/DELETE changed.
    var changes: Int { Int(sqlite3_changes(handle)) }

    private func queryText(_ sql: String) throws -> String? {
        var result: String?
        try run(sql) { result = $0.text(0) }
        return result
    }

    private func check(_ rc: Int32, _ call: String) throws {
        guard rc == SQLITE_OK else {
            throw SQLiteError(
                code: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)),
                call: call)
        }
    }
}

/// A value bound to a statement parameter.
enum SQLiteValue {
    case integer(Int64)
    case real(Double)
    case text(String)
    case null
}

/// The current row of a stepping statement; valid only inside the `row` callback.
struct Row {
    fileprivate let statement: OpaquePointer

    func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
    func real(_ column: Int32) -> Double { sqlite3_column_double(statement, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

    func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(statement, column) else { return nil }
        return String(cString: pointer)
    }
}
