import PhapaiCore
import PhapaiStore

/// Commit statistics of the database: how many commits, and how long recent ones took.
public struct CommitStatistics: Sendable {
    /// Commits since the database was opened.
    public var commits: Int
    /// Durations of recent commits, seconds (the last few thousand).
    public var recentSeconds: [Double]
}

extension PhapaiService {
    /// Starts a group of writes that become durable together with ``commitWrites()`` (a server's
    /// round: writes that arrive together share one commit).
    public func beginWrites() { store.beginGroup() }

    /// Commits the group of writes begun with ``beginWrites()``; returns how many writes it held.
    /// When it fails nothing of the group is stored.
    public func commitWrites() throws -> Int { try store.commitGroup() }

    /// The numbered changes of a run after `since`, oldest first (identifiers only, no patient
    /// data); at most `limit` of them when it is given.
    public func runChanges(_ run: ShiftID, since: Int64, limit: Int? = nil) throws -> [RunChange] {
        try store.runChanges(run, since: since, limit: limit)
    }

    /// The number of the run's latest change (0 when it has none).
    public func latestRunChange(_ run: ShiftID) throws -> Int64 { try store.latestRunChange(run) }

    /// The shift `id` (a run is identified by its shift), or nil when there is none.
    public func findShift(_ id: ShiftID) throws -> Shift? { try store.shift(id) }

    /// Commit counts and recent durations.
    public var commitStatistics: CommitStatistics {
        CommitStatistics(commits: store.commitCount, recentSeconds: store.commitSeconds)
    }

    /// Called with a named point inside writes, where a test may throw to simulate a crash.
    public var faultHandler: (String) throws -> Void {
        get { store.faultHandler }
        set { store.faultHandler = newValue }
    }
}
