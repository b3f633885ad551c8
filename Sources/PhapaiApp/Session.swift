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

    /// The changes of `run` after `since` for `principal`, and the number of the latest one.
    /// The same refusal answers a run that does not exist and one out of reach.
    public func watch(run: ShiftID, since: Int64, as principal: Principal) throws -> (changes: [RunChange], latest: Int64) {
        guard let shift = try service.findShift(run) else { throw AccessPolicy.refusal("no such run within reach") }
        if let user = principal.user {
            switch user.role {
            case .driver where shift.driver != user.driver:
                throw AccessPolicy.refusal("no such run within reach")
            case .dispatcher:
                // Their own vehicles' runs, and those of the pool their areas plan in.
                let stored = try service.areas()
                let pools = Set(stored.filter { user.areas.contains($0.id) }.compactMap(\.pool))
                let fleet = Set(user.areas).union(stored.filter { $0.pool.map(pools.contains) == true }.map(\.id))
                let vehicleArea = try service.findVehicle(shift.vehicle)?.area
                guard stored.allSatisfy({ user.areas.contains($0.id) }) || vehicleArea.map(fleet.contains) == true else {
                    throw AccessPolicy.refusal("no such run within reach")
                }
            default:
                break
            }
        }
        let changes = try service.runChanges(run, since: since)
        let latest = try changes.last?.seq ?? service.latestRunChange(run)
        return (changes, max(latest, since))
    }

    /// The changes of `run` after `since` (for pushing to a watcher already admitted).
    public func changes(of run: ShiftID, since: Int64) throws -> [RunChange] { try service.runChanges(run, since: since) }

    /// Commit counts and recent commit durations.
    public var commitStatistics: CommitStatistics { service.commitStatistics }
}
