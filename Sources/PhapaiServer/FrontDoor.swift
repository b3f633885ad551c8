/// The connections that have not logged in yet, oldest first, overall and by peer address: when a
/// new connection would pass a cap, the oldest of them is the one to go. A client that has logged
/// in has proved itself and leaves the room, so it is never sent away to make room.
struct WaitingRoom<Member: AnyObject> {
    /// Everyone waiting, in the order they came (the oldest first).
    private var order: [Member] = []
    /// Everyone waiting from one address, in the order they came.
    private var byAddress: [String: [Member]] = [:]
    private var addressOf: [ObjectIdentifier: String] = [:]

    /// How many are waiting.
    var count: Int { order.count }

    /// How many are waiting from `address`.
    func count(from address: String) -> Int { byAddress[address]?.count ?? 0 }

    /// The one waiting longest, from `address` or from anywhere.
    func oldest(from address: String? = nil) -> Member? {
        guard let address else { return order.first }
        return byAddress[address]?.first
    }

    /// Whether `member` is waiting.
    func contains(_ member: Member) -> Bool { addressOf[ObjectIdentifier(member)] != nil }

    /// `member` came from `address` and waits to log in.
    mutating func enter(_ member: Member, from address: String) {
        precondition(!contains(member), "a connection enters the waiting room once")
        order.append(member)
        byAddress[address, default: []].append(member)
        addressOf[ObjectIdentifier(member)] = address
    }

    /// `member` logged in or went away (nothing when it was not waiting). The caps keep the room
    /// small (hundreds), so removing from the middle of its lists is cheap.
    mutating func leave(_ member: Member) {
        guard let address = addressOf.removeValue(forKey: ObjectIdentifier(member)) else { return }
        order.removeAll { $0 === member }
        byAddress[address]?.removeAll { $0 === member }
        if byAddress[address]?.isEmpty == true { byAddress[address] = nil }
    }
}
