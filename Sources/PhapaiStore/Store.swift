import Dispatch
import Foundation
import PhapaiCore

/// The durable store: one SQLite file in WAL mode with `synchronous=FULL`. Every write runs in one
/// transaction together with its audit events, so a crash leaves either all of it or none.
public final class Store {
    /// The open connection.
    public let connection: SQLiteConnection
    /// Where the file is.
    public let path: String
    /// Called at named points inside writes, so tests can fail or kill a write half-way. The
    /// default kills the process at the point named by the `PHAPAI_FAULT` environment variable.
    public var faultHandler: (String) throws -> Void = Store.environmentFault

    private var statements: [String: SQLiteStatement] = [:]
    var policiesCache: [String: Policies] = [:]
    /// The areas as last read, with the `data_version` they were read at (see `areas()`).
    var areasCache: (version: Int64, areas: [AreaSettings])?
    /// This connection changed an area in a transaction that may still be open.
    var areasChanged = false
    /// Durations of the most recent COMMITs, in seconds (a ring of 4096).
    public private(set) var commitSeconds: [Double] = []
    /// COMMITs since the store was opened.
    public private(set) var commitCount = 0
    private var commitCursor = 0
    private var pendingEvents: [AuditEvent] = []
    private var transactionActor: String?
    private var transactionTime = Instant(rawValue: 0)
    private var grouping = false
    private var groupFailed = false
    private var groupWrites = 0

    /// Opens the store at `path`, creating it when `create` is set, and applies pending migrations.
    public init(path: String, create: Bool) throws {
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw PhapaiError(.storage, keyword: "NO_DATABASE", field: "db", message: "no database at \(path); run 'phapai init' first or give --db")
        }
        do {
            connection = try SQLiteConnection(path: path, create: create)
            self.path = path
            try migrate()
        } catch let error as SQLiteError {
            throw Store.storageError(error)
        }
    }

    /// The schema version this program writes.
    public static var schemaVersion: Int { Schema.migrations.count }

    private func migrate() throws {
        let current = Int(try connection.scalarInt("PRAGMA user_version") ?? 0)
        guard current <= Schema.migrations.count else {
            throw PhapaiError(.storage, keyword: "SCHEMA_TOO_NEW", field: "db", message: "the database has schema version \(current); this program knows up to \(Schema.migrations.count)")
        }
        for version in current..<Schema.migrations.count {
            try connection.execute("BEGIN IMMEDIATE")
            do {
                try connection.execute(Schema.migrations[version])
                try connection.execute("PRAGMA user_version = \(version + 1)")
                try connection.execute("COMMIT")
            } catch {
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs `body` as one write transaction by `actor` at `time`. The body must record at least one
    /// audit event; the events are written just before COMMIT. Any error rolls everything back.
    /// Inside a group (`beginGroup`), the write is a savepoint of the group's transaction instead,
    /// and becomes durable with `commitGroup`.
    public func write<T>(actor: String, at time: Instant, _ body: () throws -> T) throws -> T {
        precondition(transactionActor == nil, "write transactions do not nest")
        transactionActor = actor
        transactionTime = time
        pendingEvents = []
        defer {
            transactionActor = nil
            pendingEvents = []
        }
        if grouping { return try groupedWrite(body) }
        do {
            try connection.execute("BEGIN IMMEDIATE")
            let result = try body()
            try writePendingEvents()
            try faultPoint("store.before-commit")
            try timedCommit()
            try faultPoint("store.after-commit")
            return result
        } catch {
            if connection.inTransaction { try? connection.execute("ROLLBACK") }
            if let sqliteError = error as? SQLiteError { throw Store.storageError(sqliteError) }
            throw error
        }
    }

    /// Starts a group: the writes that follow share one transaction, committed by `commitGroup`
    /// (group commit: one fsync for many writes). Nothing is durable, and nothing should be
    /// acknowledged, before that.
    public func beginGroup() {
        precondition(!grouping && transactionActor == nil, "groups do not nest")
        grouping = true
        groupFailed = false
        groupWrites = 0
    }

    /// Commits the group's writes together and returns how many there were (0: nothing to commit).
    /// When it throws, none of the group's writes is stored.
    @discardableResult
    public func commitGroup() throws -> Int {
        precondition(grouping, "no group to commit")
        grouping = false
        let writes = groupWrites
        groupWrites = 0
        if groupFailed {
            groupFailed = false
            if connection.inTransaction { try? connection.execute("ROLLBACK") }
            throw PhapaiError(.storage, keyword: "STORAGE", field: nil, message: "a write of the group failed in storage; the group was rolled back")
        }
        guard connection.inTransaction else { return 0 }
        do {
            try faultPoint("store.before-commit")
            try timedCommit()
            // Stored, not yet answered: where a crash loses the answer of a write that was done
            // (a group that only read, or whose writes were all refused, has none to lose).
            if writes > 0 { try faultPoint("store.after-commit") }
            return writes
        } catch {
            if connection.inTransaction { try? connection.execute("ROLLBACK") }
            if let sqliteError = error as? SQLiteError { throw Store.storageError(sqliteError) }
            throw error
        }
    }

    private func groupedWrite<T>(_ body: () throws -> T) throws -> T {
        guard !groupFailed else {
            throw PhapaiError(.storage, keyword: "STORAGE", field: nil, message: "an earlier write of this group failed in storage")
        }
        do {
            if !connection.inTransaction { try connection.execute("BEGIN IMMEDIATE") }
            try connection.execute("SAVEPOINT write")
        } catch let error as SQLiteError {
            groupFailed = true
            throw Store.storageError(error)
        }
        do {
            let result = try body()
            try writePendingEvents()
            try connection.execute("RELEASE write")
            groupWrites += 1
            return result
        } catch {
            if connection.inTransaction {
                try? connection.execute("ROLLBACK TO write")
                try? connection.execute("RELEASE write")
            } else {
                // SQLite rolled the whole transaction back (disk full, I/O error): the earlier
                // writes of the group are gone too, so the group must fail as a whole.
                groupFailed = true
            }
            if let sqliteError = error as? SQLiteError { throw Store.storageError(sqliteError) }
            throw error
        }
    }

    /// Runs `body` as one unit that is stored whole or not at all: a request given with a client's
    /// request id reads its record, does its writes and records its answer inside it, so a crash
    /// can never keep the write without the answer, nor the answer without the write. Inside a
    /// group it is a savepoint of the group's transaction (durable with `commitGroup`); outside,
    /// it is a group of its own, committed before it returns. Writes inside are savepoints of it.
    /// Its transaction is taken for writing at once, so no other connection can slip a write with
    /// the same request id between the read of the record and the writing of it.
    public func atomically<T>(_ body: () throws -> T) throws -> T {
        precondition(transactionActor == nil, "a request's unit holds writes; it is not inside one")
        guard grouping else {
            beginGroup()
            do {
                let result = try unitSavepoint(body)
                try commitGroup()
                return result
            } catch {
                abandonGroup()
                throw error
            }
        }
        return try unitSavepoint(body)
    }

    private func unitSavepoint<T>(_ body: () throws -> T) throws -> T {
        guard !groupFailed else {
            throw PhapaiError(.storage, keyword: "STORAGE", field: nil, message: "an earlier write of this group failed in storage")
        }
        do {
            if !connection.inTransaction { try connection.execute("BEGIN IMMEDIATE") }
            try connection.execute("SAVEPOINT request")
        } catch let error as SQLiteError {
            groupFailed = true
            throw Store.storageError(error)
        }
        do {
            let result = try body()
            try connection.execute("RELEASE request")
            return result
        } catch {
            do {
                guard connection.inTransaction else {
                    // SQLite rolled the whole transaction back: the group's earlier writes are gone too.
                    throw error
                }
                try connection.execute("ROLLBACK TO request")
                try connection.execute("RELEASE request")
            } catch {
                // Either way the group no longer holds what it was told it holds: it must fail whole.
                groupFailed = true
            }
            if let sqliteError = error as? SQLiteError { throw Store.storageError(sqliteError) }
            throw error
        }
    }

    /// Ends a group without committing it (what `atomically` does when its unit failed).
    private func abandonGroup() {
        guard grouping else { return }
        grouping = false
        groupFailed = false
        groupWrites = 0
        // Undoing, not writing: should it fail, SQLite rolls back the open transaction when the
        // connection closes, and the next BEGIN reports the connection's state.
        if connection.inTransaction { try? connection.execute("ROLLBACK") }
    }

    private func writePendingEvents() throws {
        precondition(!pendingEvents.isEmpty, "every write must record an audit event")
        let insert = try statement("INSERT INTO events (at, actor, action, entity, detail) VALUES (?, ?, ?, ?, ?)")
        for event in pendingEvents {
            try insert.run([.integer(event.at.rawValue), .text(event.actor), .text(event.action), .text(event.entity), .text(event.detail)])
        }
    }

    private func timedCommit() throws {
        let started = DispatchTime.now().uptimeNanoseconds
        try connection.execute("COMMIT")
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        commitCount += 1
        if commitSeconds.count < 4096 {
            commitSeconds.append(seconds)
        } else {
            commitSeconds[commitCursor] = seconds
            commitCursor = (commitCursor + 1) % 4096
        }
    }

    /// Runs the reads of `body` on one snapshot of the database: another connection's commits
    /// made meanwhile are not seen half (a day read in several queries stays one state of it).
    /// Inside an open transaction (a write, a server's round) the reads already share one.
    public func readSnapshot<T>(_ body: () throws -> T) throws -> T {
        guard !connection.inTransaction else { return try body() }
        do {
            try connection.execute("BEGIN DEFERRED")
        } catch let error as SQLiteError {
            throw Store.storageError(error)
        }
        do {
            let result = try body()
            // A read transaction ends without writing anything: COMMIT only lets the snapshot go.
            try connection.execute("COMMIT")
            return result
        } catch {
            if connection.inTransaction { try? connection.execute("ROLLBACK") }
            if let sqliteError = error as? SQLiteError { throw Store.storageError(sqliteError) }
            throw error
        }
    }

    /// Runs `body` as a write that is always undone: a trial ("would this booking be accepted?")
    /// that sees and checks everything a real write would, and leaves nothing behind. Inside a
    /// group it is a savepoint of the group's transaction, rolled back.
    public func dryRun<T>(actor: String, at time: Instant, _ body: () throws -> T) throws -> T {
        precondition(transactionActor == nil, "write transactions do not nest")
        transactionActor = actor
        transactionTime = time
        pendingEvents = []
        defer {
            transactionActor = nil
            pendingEvents = []
        }
        let ownTransaction = !connection.inTransaction
        do {
            try connection.execute(ownTransaction ? "BEGIN IMMEDIATE" : "SAVEPOINT trial")
        } catch let error as SQLiteError {
            throw Store.storageError(error)
        }
        defer {
            if ownTransaction {
                if connection.inTransaction { try? connection.execute("ROLLBACK") }
            } else if connection.inTransaction {
                try? connection.execute("ROLLBACK TO trial")
                try? connection.execute("RELEASE trial")
            }
        }
        do {
            return try body()
        } catch let error as SQLiteError {
            throw Store.storageError(error)
        }
    }

    /// Runs `body` inside a savepoint of the open write: on error only its own changes and audit
    /// events are undone, and the error is rethrown.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        precondition(transactionActor != nil, "savepoints live inside a write")
        let eventCount = pendingEvents.count
        try connection.execute("SAVEPOINT step")
        do {
            let result = try body()
            try connection.execute("RELEASE step")
            return result
        } catch {
            try? connection.execute("ROLLBACK TO step")
            try? connection.execute("RELEASE step")
            pendingEvents.removeSubrange(eventCount...)
            throw error
        }
    }

    /// Adds an audit event to the open write transaction. `detail` holds identifiers and statuses,
    /// never names, phones or notes.
    public func record(_ action: String, entity: String, detail: [String: String] = [:]) {
        precondition(transactionActor != nil, "audit events are recorded inside a write")
        let encoded = detail.keys.sorted().map { "\($0)=\(detail[$0]!)" }.joined(separator: " ")
        pendingEvents.append(AuditEvent(id: 0, at: transactionTime, actor: transactionActor!, action: action, entity: entity, detail: encoded))
    }

    /// A named point inside a write where a fault can be injected.
    public func faultPoint(_ name: String) throws { try faultHandler(name) }

    /// Sends SIGKILL to this process when `PHAPAI_FAULT` names this point: a `kill -9` half-way
    /// through a write, for crash tests.
    public static func environmentFault(_ name: String) throws {
        if faultNamedInEnvironment == name { kill(getpid(), SIGKILL) }
    }

    /// Read once: building the environment dictionary on every write was a tenth of a booking's time.
    private static let faultNamedInEnvironment = ProcessInfo.processInfo.environment["PHAPAI_FAULT"]

    /// A prepared statement for `sql`, kept for reuse.
    func statement(_ sql: String) throws -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        let prepared = try connection.prepare(sql)
        statements[sql] = prepared
        return prepared
    }

    /// Runs a write statement.
    func run(_ sql: String, _ values: [SQLiteValue]) throws {
        precondition(transactionActor != nil, "writes go through write(actor:at:_:)")
        try statement(sql).run(values)
    }

    /// Reads rows.
    func query<T>(_ sql: String, _ values: [SQLiteValue] = [], _ read: (SQLiteStatement) throws -> T) throws -> [T] {
        do {
            return try statement(sql).rows(values, read)
        } catch let error as SQLiteError {
            throw Store.storageError(error)
        }
    }

    /// Copies the database to a new file at `path` while it stays in use. When the database stays
    /// busy or locked for `busyBudgetSeconds` in all, gives up with BACKUP_BUSY; a failed backup
    /// leaves no file behind.
    public func backup(to path: String, busyBudgetSeconds: Double = 10) throws {
        guard !path.isEmpty else { throw PhapaiError.invalid("path", "EMPTY", "the backup path must not be empty") }
        if FileManager.default.fileExists(atPath: path) {
            throw PhapaiError.conflict("path", "FILE_EXISTS", "\(path) already exists; a backup never overwrites a file")
        }
        do {
            try connection.backup(to: path, busyBudgetSeconds: busyBudgetSeconds)
        } catch let error as SQLiteError {
            let busy = error.code.primary == .busy || error.code.primary == .locked
            var failure = busy
                ? PhapaiError(
                    .storage, keyword: "BACKUP_BUSY", field: nil,
                    message: "the database stayed busy for \(String(format: "%g", busyBudgetSeconds)) s, so the backup gave up")
                : Store.storageError(error)
            let leftovers = Store.removePartialBackup(at: path)
            failure.message += leftovers.isEmpty
                ? "; nothing was written to \(path)"
                : "; the incomplete copy could not be removed, delete it by hand: \(leftovers.joined(separator: ", "))"
            throw failure
        }
    }

    /// Removes what a failed backup left at `path` (the file and its WAL companions), so that no
    /// half copy can pass for a backup. Returns the files that could not be removed.
    static func removePartialBackup(at path: String) -> [String] {
        [path, path + "-wal", path + "-shm"].filter { file in
            guard FileManager.default.fileExists(atPath: file) else { return false }
            do {
                try FileManager.default.removeItem(atPath: file)
                return false
            } catch {
                return true
            }
        }
    }

    /// `PRAGMA integrity_check` result ("ok" when sound).
    public func integrityCheck() throws -> String {
        try query("PRAGMA integrity_check") { $0.text(0) }.joined(separator: "; ")
    }

    static func storageError(_ error: SQLiteError) -> PhapaiError {
        if error.constraint != nil {
            return PhapaiError(.conflict, keyword: "CONSTRAINT", field: nil, message: error.description)
        }
        return PhapaiError(.storage, keyword: "STORAGE", field: nil, message: error.description)
    }
}

