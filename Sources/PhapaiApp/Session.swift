import PhapaiCore
import PhapaiService

/// What a server needs of the application besides commands: logins, rounds of writes that share
/// one commit, the changes of watched runs, and commit statistics. Kept here so the server never
/// reaches past the application into the service's store.
extension Application {
    /// The user whose token this is, or nil for an unknown or revoked token.
    public func authenticate(token: String) throws -> User? { try service.authenticate(token: token) }

    /// The name of the user whose revoked token this is, or nil (an unknown token, or an active
    /// one): failed logins are then counted by user name as well as by address.
    public func revokedTokenOwner(token: String) throws -> String? { try service.revokedTokenOwner(token: token) }

    /// Which of `names` no longer log in (revoked, or removed): their open sessions must end.
    public func revokedUsers(among names: Set<String>) throws -> Set<String> {
        let active = Set(try service.users().filter { $0.revokedAt == nil }.map(\.name))
        return names.subtracting(active)
    }

    /// Starts a round: the writes of the commands run until ``endRound()`` share one commit.
    public func beginRound() { service.beginWrites() }

    /// Commits the round's writes; returns how many there were. When it fails nothing of the
    /// round is stored, and no reply may say otherwise.
    public func endRound() throws -> Int { try service.commitWrites() }

    /// Whether `principal`'s role may give `command` at all (its arguments and reach are judged
    /// when it runs). The server asks before it hands a command to a worker.
    public func grants(_ command: Command, to principal: Principal) -> Bool {
        guard let user = principal.user else { return true }
        return AccessPolicy.grants[user.role, default: []].contains(command)
    }

    /// The changes of `run` after `since` for `principal`, at most `limit` of them (a long history
    /// is read a page at a time), the number of the last one given (or of the run's latest when
    /// none), and whether more follow it. The same refusal answers a run that does not exist and
    /// one out of reach.
    public func watch(run: ShiftID, since: Int64, limit: Int, as principal: Principal) throws -> (changes: [RunChange], latest: Int64, more: Bool) {
        precondition(limit > 0, "a page holds at least one change")
        try checkWatch(run: run, as: principal)
        // One more than the page: whether more follow, without counting the rest.
        let changes = try service.runChanges(run, since: since, limit: limit + 1)
        if changes.count > limit { return (Array(changes.prefix(limit)), changes[limit - 1].seq, true) }
        let latest = try changes.last?.seq ?? service.latestRunChange(run)
        return (changes, max(latest, since), false)
    }

    /// Refuses a run that does not exist or is out of `principal`'s reach, with the same answer.
    private func checkWatch(run: ShiftID, as principal: Principal) throws {
        guard let shift = try service.findShift(run) else { throw AccessPolicy.refusal("no such run within reach") }
        if let user = principal.user {
            switch user.role {
            case .driver where shift.driver != user.driver:
                throw AccessPolicy.refusal("no such run within reach")
            case .dispatcher:
                // Their own vehicles' runs, and those of the pool their areas plan in.
                let everyArea = try service.areas().allSatisfy { user.areas.contains($0.id) }
                let vehicleArea = try service.findVehicle(shift.vehicle)?.area
                guard try everyArea || vehicleArea.map(service.fleetAreas(of: Set(user.areas)).contains) == true else {
                    throw AccessPolicy.refusal("no such run within reach")
                }
            default:
                break
            }
        }
    }

    /// The changes of `run` after `since` (for pushing to a watcher already admitted).
    public func changes(of run: ShiftID, since: Int64) throws -> [RunChange] { try service.runChanges(run, since: since) }

    /// Commit counts and recent commit durations.
    public var commitStatistics: CommitStatistics { service.commitStatistics }
}
