/// The connections that have not logged in yet, oldest first, overall and by peer address: when a
/// new connection would pass a cap, the oldest of them is the one to go. A client that has logged
/// in has proved itself and leaves the room, so it is never sent away to make room.
struct WaitingRoom<Member: AnyObject> {
    /// Everyone waiting, in the order they came (the oldest first).
    private var order: [Member] = []
    /// Everyone waiting from one address, in the order they came.
    private var byAddress: [String: [Member]] = [:]
    /// Each member's address and place in the order of arrival.
    private var entries: [ObjectIdentifier: (address: String, arrival: Int)] = [:]
    private var arrivals = 0

    /// How many are waiting.
    var count: Int { order.count }

    /// How many are waiting from `address`.
    func count(from address: String) -> Int { byAddress[address]?.count ?? 0 }

    /// The one waiting longest, from `address` or from anywhere.
    func oldest(from address: String? = nil) -> Member? {
        guard let address else { return order.first }
        return byAddress[address]?.first
    }

    /// The address with the most waiting (of two as many, the one whose oldest came first): when
    /// the server is full, a flood from one address pays for itself, not a client of another.
    var busiestAddress: String? {
        byAddress.max { a, b in
            a.value.count != b.value.count ? a.value.count < b.value.count : arrival(of: a.value[0]) > arrival(of: b.value[0])
        }?.key
    }

    private func arrival(of member: Member) -> Int { entries[ObjectIdentifier(member)]?.arrival ?? .max }

    /// Whether `member` is waiting.
    func contains(_ member: Member) -> Bool { entries[ObjectIdentifier(member)] != nil }

    /// `member` came from `address` and waits to log in.
    mutating func enter(_ member: Member, from address: String) {
        precondition(!contains(member), "a connection enters the waiting room once")
        order.append(member)
        byAddress[address, default: []].append(member)
        arrivals += 1
        entries[ObjectIdentifier(member)] = (address, arrivals)
    }

    /// `member` logged in or went away (nothing when it was not waiting). The room holds at most
    /// `maxConnections` (a thousand), so removing from the middle of its lists is cheap.
    mutating func leave(_ member: Member) {
        guard let address = entries.removeValue(forKey: ObjectIdentifier(member))?.address else { return }
        order.removeAll { $0 === member }
        byAddress[address]?.removeAll { $0 === member }
        if byAddress[address]?.isEmpty == true { byAddress[address] = nil }
    }
}

/// Failed logins, counted per peer address and per user name, with lock-outs that double.
///
/// After `limit` failed logins within `window` seconds from one address (or with the revoked
/// token of one user), that address (or name) is locked for `lockout` seconds; each further
/// lock lasts twice as long as the one before, up to `maxLockout`. While locked, a login that
/// fails is refused at once (`421 TOO_MANY_FAILURES`) and its connection closed, so every further
/// guess costs the guesser a new connection. Nothing blocks and nothing sleeps: the times are
/// the server's monotonic clock, given by the caller. A record is forgotten, its doubling with
/// it, after `maxLockout` seconds without a failure.
///
/// The failures are logged once per window per address (and per name), as counts: never a token.
struct LoginThrottle {
    /// The rule's figures (``ServerConfiguration``).
    struct Policy {
        var limit: Int
        var window: Double
        var lockout: Double
        var maxLockout: Double
    }

    /// Whose failures a record counts.
    enum Key: Hashable {
        case address(String)
        case user(String)

        var logField: String {
            switch self {
            case .address(let address): "addr=\(address)"
            case .user(let name): "user=\(name)"
            }
        }
    }

    struct Record {
        /// When the current window began (valid while it has failures or refusals).
        var windowStart: Double
        /// Failures towards the next lock: in this window, since the last lock.
        var strikes = 0
        /// Failures and refusals in this window, for its log line.
        var failures = 0
        var refusals = 0
        var lockedUntil = -Double.infinity
        /// Locks so far: the next one lasts `lockout` doubled this many times.
        var lockouts = 0
        var lastFailure: Double
    }

    let policy: Policy
    private(set) var records: [Key: Record] = [:]
    /// Log lines waiting to be written (window summaries).
    private var pendingLog: [String] = []
    /// The most records kept: an attack from very many addresses must not grow memory without end.
    static let maxRecords = 10_000

    init(policy: Policy) { self.policy = policy }

    /// The seconds until `address` (or `user`) may try again, or nil when neither is locked.
    func lockedFor(address: String, user: String? = nil, now: Double) -> Double? {
        let keys = [Key.address(address)] + (user.map { [Key.user($0)] } ?? [])
        let wait = keys.compactMap { records[$0].map { $0.lockedUntil - now } }.max() ?? 0
        return wait > 0 ? wait : nil
    }

    /// A login from `address` (with the revoked token of `user`) failed; returns the lock it
    /// started, in seconds, if it reached the limit.
    @discardableResult
    mutating func fail(address: String, user: String? = nil, now: Double) -> Double? {
        var started: Double?
        for key in [Key.address(address)] + (user.map { [Key.user($0)] } ?? []) {
            var record = take(key, now: now)
            record.strikes += 1
            record.failures += 1
            record.lastFailure = now
            if record.strikes >= policy.limit {
                // A lock is always shorter than a window times 2^60: no overflow in the doubling.
                let seconds = min(policy.lockout * Double(1 << min(record.lockouts, 60)), policy.maxLockout)
                record.lockedUntil = now + seconds
                record.lockouts += 1
                record.strikes = 0
                started = max(started ?? 0, seconds)
            }
            records[key] = record
        }
        return started
    }

    /// A login was refused because its address (or name) is locked.
    mutating func refuse(address: String, user: String? = nil, now: Double) {
        for key in [Key.address(address)] + (user.map { [Key.user($0)] } ?? []) {
            var record = take(key, now: now)
            record.refusals += 1
            record.lastFailure = now
            records[key] = record
        }
    }

    /// Ends the windows that are over (their log lines wait in ``drainLog()``) and forgets the
    /// records that have been quiet long enough. Cost: one pass over the records.
    mutating func sweep(now: Double) {
        for key in Array(records.keys) {
            guard var record = records[key] else { continue }
            closeWindowIfOver(&record, key: key, now: now)
            if isForgettable(record, now: now) {
                records[key] = nil
            } else {
                records[key] = record
            }
        }
    }

    /// The log lines written since the last call.
    mutating func drainLog() -> [String] {
        defer { pendingLog.removeAll() }
        return pendingLog
    }

    /// The record of `key`, its window rolled forward to `now` (a new one when there was none).
    private mutating func take(_ key: Key, now: Double) -> Record {
        guard var record = records[key] else {
            if records.count >= Self.maxRecords { makeRoom(now: now) }
            return Record(windowStart: now, lastFailure: now)
        }
        closeWindowIfOver(&record, key: key, now: now)
        if record.failures == 0 && record.refusals == 0 { record.windowStart = now }
        return record
    }

    private mutating func closeWindowIfOver(_ record: inout Record, key: Key, now: Double, early: Bool = false) {
        guard record.failures + record.refusals > 0, early || now - record.windowStart >= policy.window else { return }
        // One line per window: how many failed, how many were refused while locked, and the locks so far.
        pendingLog.append(
            "event=login-failures \(key.logField) failures=\(record.failures) refused=\(record.refusals) "
                + "window-s=\(Int(policy.window)) lockouts=\(record.lockouts)")
        record.failures = 0
        record.refusals = 0
        record.strikes = 0
    }

    private func isForgettable(_ record: Record, now: Double) -> Bool {
        record.failures + record.refusals == 0 && now >= record.lockedUntil && now - record.lastFailure >= policy.maxLockout
    }

    /// Drops the records that may be forgotten, else the one quiet longest (a flood from more
    /// addresses than ``maxRecords`` then forgets its own oldest members first).
    private mutating func makeRoom(now: Double) {
        sweep(now: now)
        guard records.count >= Self.maxRecords else { return }
        guard let (key, record) = records.min(by: { $0.value.lastFailure < $1.value.lastFailure }) else { return }
        // Its window ends early, but its failures are still told.
        var last = record
        closeWindowIfOver(&last, key: key, now: now, early: true)
        records[key] = nil
    }
}
