import CSQLite
import Foundation

/// SQLite's "copy this value now" destructor, a macro Swift cannot import.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A SQLite result code, matchable in `catch` patterns: `catch let e as SQLiteError where e.code == .constraint`.
public struct SQLiteResultCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The extended result code.
    public let rawValue: Int32
    /// Wraps a result code.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The primary code (the low byte of an extended code).
    public var primary: SQLiteResultCode { SQLiteResultCode(rawValue: rawValue & 0xFF) }

    public static let ok = SQLiteResultCode(rawValue: SQLITE_OK)
    public static let busy = SQLiteResultCode(rawValue: SQLITE_BUSY)
    /// A table is locked by this process's own use of the database (primary code).
    public static let locked = SQLiteResultCode(rawValue: SQLITE_LOCKED)
    public static let constraint = SQLiteResultCode(rawValue: SQLITE_CONSTRAINT)
    public static let cantOpen = SQLiteResultCode(rawValue: SQLITE_CANTOPEN)
    public static let corrupt = SQLiteResultCode(rawValue: SQLITE_CORRUPT)
    public static let notADatabase = SQLiteResultCode(rawValue: SQLITE_NOTADB)

    /// Matches an extended code against a primary one.
    public static func ~= (pattern: SQLiteResultCode, value: SQLiteResultCode) -> Bool {
        pattern == value || pattern == value.primary
    }

    public var description: String { String(cString: sqlite3_errstr(rawValue)) + " (\(rawValue))" }
}

/// A failure reported by SQLite. Names the SQL statement, never the values bound to it, so
/// patient data never reaches a log through an error.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The (extended) result code.
    public let code: SQLiteResultCode
    /// SQLite's message.
    public let message: String
    /// The SQL text being run, if any.
    public let sql: String?

    /// The kinds of constraint a write can break, told apart by SQLite's extended result codes.
    public enum Constraint: Sendable, Hashable {
        /// A UNIQUE column or index already holds the value.
        case unique
        /// The primary key (or rowid) is taken: the row already exists.
        case primaryKey
        /// A reference to a row that does not exist, or a delete of a row still referred to.
        case foreignKey
        /// A CHECK constraint failed.
        case check
        /// NULL in a NOT NULL column.
        case notNull
        /// Any other constraint (a trigger's RAISE, ...).
        case other
    }

    /// For a constraint failure, which kind of constraint was broken; nil for any other failure.
    /// Callers act on this, never on SQLite's message. (The `SQLITE_CONSTRAINT_*` macros are
    /// expressions Swift does not import, so their sub-codes, the high bits, are spelled here.)
    public var constraint: Constraint? {
        guard code.primary == .constraint else { return nil }
        switch code.rawValue >> 8 {
        case 8: return .unique  // SQLITE_CONSTRAINT_UNIQUE (2067)
        case 6, 10: return .primaryKey  // SQLITE_CONSTRAINT_PRIMARYKEY (1555), SQLITE_CONSTRAINT_ROWID (2579)
        case 3: return .foreignKey  // SQLITE_CONSTRAINT_FOREIGNKEY (787)
        case 1: return .check  // SQLITE_CONSTRAINT_CHECK (275)
        case 5: return .notNull  // SQLITE_CONSTRAINT_NOTNULL (1299)
        default: return .other
        }
    }

    public var description: String {
        var text = "SQLite error \(code.rawValue): \(message)"
        if let sql { text += " while running: \(sql)" }
        return text
    }
}

/// One open SQLite connection. Not thread-safe by itself: use it from one thread at a time.
public final class SQLiteConnection {
    /// The C handle, closed in `deinit`.
    let handle: OpaquePointer
    /// How long a statement waits for a lock held by another connection.
    let busyTimeoutMilliseconds: Int32

    /// Opens (and with `create`, creates) the database at `path`, and sets the durability pragmas:
    /// WAL journal, `synchronous=FULL`, foreign keys on, and a bounded busy timeout. Each is read
    /// back and checked.
    public init(path: String, create: Bool, busyTimeoutMilliseconds: Int32 = 5000) throws {
        var pointer: OpaquePointer?
        var flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX
        if create { flags |= SQLITE_OPEN_CREATE }
        let code = sqlite3_open_v2(path, &pointer, flags, nil)
        guard let pointer else { throw SQLiteError(code: SQLiteResultCode(rawValue: code), message: "cannot open database", sql: nil) }
        guard code == SQLITE_OK else {
            let message = String(cString: sqlite3_errmsg(pointer))
            sqlite3_close_v2(pointer)
            throw SQLiteError(code: SQLiteResultCode(rawValue: code), message: message, sql: nil)
        }
        handle = pointer
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        // Extended codes tell a taken key from a broken reference or CHECK (see `SQLiteError.constraint`);
        // wherever only the kind of result matters, compare the primary code (`code & 0xFF`).
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        try configure()
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    private func configure() throws {
        let mode = try scalarText("PRAGMA journal_mode=WAL")
        guard mode?.lowercased() == "wal" else {
            throw SQLiteError(code: .cantOpen, message: "could not switch to WAL journal mode (got \(mode ?? "nothing"))", sql: "PRAGMA journal_mode=WAL")
        }
        try execute("PRAGMA synchronous=FULL")
        guard try scalarInt("PRAGMA synchronous") == 2 else {
            throw SQLiteError(code: .cantOpen, message: "synchronous=FULL did not take effect", sql: "PRAGMA synchronous")
        }
        try execute("PRAGMA foreign_keys=ON")
        guard try scalarInt("PRAGMA foreign_keys") == 1 else {
            throw SQLiteError(code: .cantOpen, message: "foreign keys could not be enabled", sql: "PRAGMA foreign_keys")
        }
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if code != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(errorMessage)
            throw SQLiteError(code: SQLiteResultCode(rawValue: code), message: message, sql: sql)
        }
    }

    /// Prepares a statement.
    public func prepare(_ sql: String) throws -> SQLiteStatement {
        try SQLiteStatement(connection: self, sql: sql)
    }

    /// Runs a statement with `bindings` and returns the first column of the first row as an integer.
    public func scalarInt(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> Int64? {
        let statement = try prepare(sql)
        try statement.bind(bindings)
        return try statement.step() ? statement.int64OrNil(0) : nil
    }

    /// Runs a statement and returns the first column of the first row as text.
    public func scalarText(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> String? {
        let statement = try prepare(sql)
        try statement.bind(bindings)
        return try statement.step() ? statement.textOrNil(0) : nil
    }

    /// The rowid of the last inserted row.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last statement.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Whether a transaction is open.
    public var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Copies the whole database into a new file at `path` with SQLite's online backup API, so
    /// readers and writers may go on meanwhile. The copy is switched to WAL like the original.
    /// While the database is busy or locked the copy waits and retries, `busyBudgetSeconds` in
    /// all; then it gives up with that busy (or locked) code, and the file at `path` is incomplete.
    public func backup(to path: String, busyBudgetSeconds: Double = 10) throws {
        // This loop does the waiting, so neither connection's busy handler may wait on its own
        // (5 s a step would overrun the budget).
        let target = try SQLiteConnection(path: path, create: true, busyTimeoutMilliseconds: 0)
        sqlite3_busy_timeout(handle, 0)
        defer { sqlite3_busy_timeout(handle, busyTimeoutMilliseconds) }
        guard let backup = sqlite3_backup_init(target.handle, "main", handle, "main") else {
            throw SQLiteError(code: SQLiteResultCode(rawValue: sqlite3_errcode(target.handle)), message: String(cString: sqlite3_errmsg(target.handle)), sql: nil)
        }
        let budget = max(0, busyBudgetSeconds)
        var busySeconds = 0.0
        var code: Int32
        while true {
            let started = DispatchTime.now().uptimeNanoseconds
            code = sqlite3_backup_step(backup, 256)
            let primary = code & 0xFF
            if primary == SQLITE_OK { continue }
            guard primary == SQLITE_BUSY || primary == SQLITE_LOCKED, busySeconds < budget else { break }
            sqlite3_sleep(Int32(min(20, ((budget - busySeconds) * 1000).rounded(.up))))
            busySeconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        }
        let finish = sqlite3_backup_finish(backup)
        guard code == SQLITE_DONE, finish == SQLITE_OK else {
            let primary = code & 0xFF
            let message = primary == SQLITE_BUSY || primary == SQLITE_LOCKED
                ? "the database stayed busy or locked for \(String(format: "%.2f", busySeconds)) s in all; the backup gave up"
                : String(cString: sqlite3_errmsg(target.handle))
            throw SQLiteError(code: SQLiteResultCode(rawValue: code == SQLITE_DONE ? finish : code), message: message, sql: nil)
        }
        guard try target.scalarText("PRAGMA integrity_check") == "ok" else {
            throw SQLiteError(code: .corrupt, message: "the backup copy failed its integrity check", sql: "PRAGMA integrity_check")
        }
    }

    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }
}

/// A value to bind to or read from a statement.
public enum SQLiteValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

/// A prepared statement, finalised in `deinit`.
public final class SQLiteStatement {
    let handle: OpaquePointer
    let connection: SQLiteConnection
    /// The SQL text, for error messages.
    public let sql: String

    init(connection: SQLiteConnection, sql: String) throws {
        var pointer: OpaquePointer?
        let code = sqlite3_prepare_v2(connection.handle, sql, -1, &pointer, nil)
        guard code == SQLITE_OK, let pointer else {
            throw SQLiteError(code: SQLiteResultCode(rawValue: code), message: connection.lastMessage, sql: sql)
        }
        self.handle = pointer
        self.connection = connection
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds values to the statement's parameters, 1-based in order.
    public func bind(_ values: [SQLiteValue]) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(handle, index)
            case .integer(let v): code = sqlite3_bind_int64(handle, index, v)
            case .real(let v): code = sqlite3_bind_double(handle, index, v)
            case .text(let v): code = sqlite3_bind_text(handle, index, v, -1, sqliteTransient)
            }
            guard code == SQLITE_OK else {
                throw SQLiteError(code: SQLiteResultCode(rawValue: code), message: connection.lastMessage, sql: sql)
            }
        }
    }

    /// Advances to the next row; `false` when done.
    @discardableResult
    public func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code & 0xFF {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteError(code: SQLiteResultCode(rawValue: code), message: connection.lastMessage, sql: sql)
        }
    }

    /// Runs the statement to completion with `values` bound.
    public func run(_ values: [SQLiteValue] = []) throws {
        try bind(values)
        while try step() {}
    }

    /// Reads every row with `values` bound.
    public func rows<T>(_ values: [SQLiteValue] = [], _ read: (SQLiteStatement) throws -> T) throws -> [T] {
        try bind(values)
        var result: [T] = []
        do {
            while try step() { result.append(try read(self)) }
        } catch {
            // A row that fails to decode stops the reading half-way; reset so the cached statement
            // does not keep its read snapshot open until its next use.
            sqlite3_reset(handle)
            throw error
        }
        return result
    }

    /// Whether column `index` is NULL.
    public func isNull(_ index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }
    /// Column `index` as an integer.
    public func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }
    /// Column `index` as an integer, or nil when NULL.
    public func int64OrNil(_ index: Int32) -> Int64? { isNull(index) ? nil : int64(index) }
    /// Column `index` as a double.
    public func double(_ index: Int32) -> Double { sqlite3_column_double(handle, index) }
    /// Column `index` as text ("" when NULL).
    public func text(_ index: Int32) -> String {
        guard let pointer = sqlite3_column_text(handle, index) else { return "" }
        return String(cString: pointer)
    }
    /// Column `index` as text, or nil when NULL.
    public func textOrNil(_ index: Int32) -> String? { isNull(index) ? nil : text(index) }
}
