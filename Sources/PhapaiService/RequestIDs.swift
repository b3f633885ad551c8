import PhapaiCore
import PhapaiStore

extension PhapaiService {
    /// How long the answer to a write given with a client's request id is kept: a retry within
    /// this time gets the original answer; after it the rid is forgotten and may be used again.
    /// Retries come seconds or minutes after a crash; a week covers an office offline for days.
    public static let requestRetentionSeconds: Int64 = 7 * 86_400

    /// Runs `body` as one unit, stored whole or not at all: the writes of a request with a
    /// client's request id together with its record (see ``Store/atomically(_:)``). Inside a
    /// server's round it is part of the round's commit; outside, it commits before it returns.
    public func atomically<T>(_ body: () throws -> T) throws -> T { try store.atomically(body) }

    /// The answer kept for `rid` of `actor`, if one was recorded within the retention time.
    public func requestRecord(actor: String, rid: String) throws -> RequestRecord? {
        try store.requestRecord(actor: actor, rid: rid, notBefore: Instant(rawValue: clock().rawValue - Self.requestRetentionSeconds))
    }

    /// Records the answer to `rid` of `actor`, inside ``atomically(_:)`` with the request's writes;
    /// records past the retention time are deleted with it.
    public func recordRequest(actor: String, rid: String, command: String, digest: String, reply: String) throws {
        let now = clock()
        try store.insertRequestRecord(
            RequestRecord(actor: actor, rid: rid, command: command, digest: digest, reply: reply, createdAt: now),
            pruneBefore: Instant(rawValue: now.rawValue - Self.requestRetentionSeconds))
    }
}
