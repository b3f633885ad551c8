import PhapaiCore


extension Store {
    /// Records a change of `run` with the next sequence number (inside a write).
    @discardableResult
    public func recordRunChange(_ run: ShiftID, kind: String, detail: String, at: Instant) throws -> Int64 {
        let next = try latestRunChange(run) + 1
        try self.run(
            "INSERT INTO run_changes (shift_id, seq, at, kind, detail) VALUES (?, ?, ?, ?, ?)",
            [.integer(run.rawValue), .integer(next), .integer(at.rawValue), .text(kind), .text(detail)])
        return next
    }

    /// Changes of `run` after `since`, oldest first; at most `limit` of them when it is given (a
    /// long history is then read a page at a time, not held in memory whole).
    public func runChanges(_ run: ShiftID, since: Int64, limit: Int? = nil) throws -> [RunChange] {
        // SQLite reads LIMIT -1 as no limit: one statement serves both.
        try query(
            "SELECT shift_id, seq, at, kind, detail FROM run_changes WHERE shift_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            [.integer(run.rawValue), .integer(since), .integer(Int64(limit ?? -1))]
        ) { RunChange(run: ShiftID($0.int64(0)), seq: $0.int64(1), at: Instant(rawValue: $0.int64(2)), kind: $0.text(3), detail: $0.text(4)) }
    }

    /// The latest sequence number of `run` (0 when it never changed).
    public func latestRunChange(_ run: ShiftID) throws -> Int64 {
        let latest: [Int64?] = try query("SELECT MAX(seq) FROM run_changes WHERE shift_id = ?", [.integer(run.rawValue)]) { $0.int64OrNil(0) }
        return (latest.first ?? nil) ?? 0
    }
}
