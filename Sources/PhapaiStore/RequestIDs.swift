import PhapaiCore

/// The answer to a write given with a client's request id (rid), kept so that a retry with the
/// same id gets this answer instead of a second write.
public struct RequestRecord: Sendable, Hashable {
    /// Who gave the request (`user:somchai`, `cli:somchai`): a rid is scoped to its actor.
    public var actor: String
    /// The client's request id.
    public var rid: String
    /// The command's words (`trip book`).
    public var command: String
    /// The SHA-256 (hex) of the command and its arguments as given, to tell a retry from a reuse.
    public var digest: String
    /// The answer as the face that ran the command rendered it (opaque to the store).
    public var reply: String
    /// When the request was done.
    public var createdAt: Instant

    /// Creates a record.
    public init(actor: String, rid: String, command: String, digest: String, reply: String, createdAt: Instant) {
        self.actor = actor
        self.rid = rid
        self.command = command
        self.digest = digest
        self.reply = reply
        self.createdAt = createdAt
    }
}

extension Store {
    /// The record of `rid` by `actor`, unless it is older than `notBefore` (forgotten, even when
    /// not pruned yet). Call inside ``atomically(_:)`` so that the answer cannot change before the
    /// request's own writes.
    public func requestRecord(actor: String, rid: String, notBefore: Instant) throws -> RequestRecord? {
        try query(
            "SELECT command, digest, reply, created_at FROM request_ids WHERE actor = ? AND rid = ? AND created_at >= ?",
            [.text(actor), .text(rid), .integer(notBefore.rawValue)]
        ) { row in
            RequestRecord(actor: actor, rid: rid, command: row.text(0), digest: row.text(1), reply: row.text(2),
                          createdAt: Instant(rawValue: row.int64(3)))
        }.first
    }

    /// Stores `record` in the open unit of ``atomically(_:)``, first deleting the records made
    /// before `pruneBefore` (the table stays bounded, and a forgotten record of the same rid goes).
    public func insertRequestRecord(_ record: RequestRecord, pruneBefore: Instant) throws {
        precondition(connection.inTransaction, "a request's record is written in the unit of its writes")
        do {
            // By created_at's index: cheap, and done with the writes that add records.
            try statement("DELETE FROM request_ids WHERE created_at < ?").run([.integer(pruneBefore.rawValue)])
            try statement(
                "INSERT INTO request_ids (actor, rid, command, digest, reply, created_at) VALUES (?, ?, ?, ?, ?, ?)"
            ).run([
                .text(record.actor), .text(record.rid), .text(record.command), .text(record.digest), .text(record.reply),
                .integer(record.createdAt.rawValue),
            ])
        } catch let error as SQLiteError {
            throw Store.storageError(error)
        }
    }
}
