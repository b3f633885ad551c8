#if canImport(Glibc)
import Glibc
#endif
import PhapaiCore
import Foundation

/// What the server listens on and the limits it enforces (docs/protocol.md, "Limits").
public struct ServerConfiguration: Sendable, Codable {
    public var host: String = "127.0.0.1"
    public var port: UInt16 = 7878
    /// Over this many open connections, a new one gets `421 TOO_MANY_CONNECTIONS` and is closed.
    public var maxConnections: Int = 1024
    /// Seconds a new connection has to log in (`421 HELLO_TIMEOUT`).
    public var helloDeadline: Double = 30
    /// Seconds to finish a line once its first byte came (`421 LINE_TIMEOUT`: slowloris).
    public var lineDeadline: Double = 10
    /// Seconds of silence before a connection is closed (`421 IDLE_TIMEOUT`).
    public var idleTimeout: Double = 300
    /// Bytes of replies a client may leave unread before it is cut off (`421 SLOW_CONSUMER`).
    public var maxOutgoingBytes: Int = 1 << 20
    /// Requests taken from one connection per round (pipelining fairness). The server reads a
    /// connection's next bytes only once it has answered every whole line read before, so at most
    /// one read (`readChunkBytes`) plus a started line waits unanswered per connection.
    public var maxPipelined: Int = 64
    /// Whether PING gets a log line like every other request. Off by default: keepalives and
    /// health checks would bury the log (a PING flood wrote 300 MB of log in 20 s, and the
    /// kernel's writeback of it stalled commits for 100 ms).
    public var logPings = false
    /// Most connections that have not logged in yet. A new one past it sends the oldest of them
    /// away (`421 TOO_MANY_UNAUTHENTICATED`): a client reconnecting in a loop then only pushes
    /// out its own connections, and a client that logs in is never sent away for this.
    public var maxUnauthenticated: Int = 256
    /// Most connections from one peer address that have not logged in yet; past it the oldest of
    /// that address goes. Behind one address (a tambon office's router, an SSH tunnel) clients
    /// log in within a round trip, so 32 waiting at once is already a crowd.
    public var maxUnauthenticatedPerAddress: Int = 32
    /// Seconds a connection that has not logged in is left to say HELLO before a cap may send it
    /// away. Until then a newcomer is taken beyond the cap (up to `maxConnections`): a burst of
    /// clients behind one address all get their turn, while an address that never logs in only
    /// ever pushes out its own old connections.
    public var unauthenticatedGrace: Double = 2
    /// Failed logins (`535 BAD_TOKEN`) allowed from one address, or with one user's revoked token,
    /// within `loginFailureWindow`; past it the address (or name) is locked (`421 TOO_MANY_FAILURES`).
    public var maxLoginFailures: Int = 5
    /// Seconds of the window in which failed logins are counted (and logged once, as a count).
    public var loginFailureWindow: Double = 60
    /// Seconds of the first lock; each further lock lasts twice as long as the one before.
    public var loginLockout: Double = 10
    /// The longest lock, in seconds.
    public var loginLockoutMax: Double = 600
    /// Whether the server may listen on an address other than loopback (127.0.0.0/8). The protocol
    /// is plaintext, tokens included: off by default, so that reaching the server from another
    /// machine goes through SSH, WireGuard or stunnel (docs/deployment.md) unless someone says so.
    public var allowNonLoopback = false
    /// Worker threads for plans and long reports, each with its own database connection; 0: one
    /// per core. One more thread is kept for drivers' reports, so they never wait behind plans.
    public var workers: Int = 0
    /// Most seconds a client may ask a plan to search (`PLAN time=`); more is refused with
    /// `553 OUT_OF_RANGE field=time`. A plan with only an iteration budget stops here too.
    public var maxPlanSeconds: Double = 60
    /// Most search iterations a client may ask of a plan (`PLAN iterations=`); more is refused
    /// with `553 OUT_OF_RANGE field=iterations`.
    public var maxPlanIterations: Int = 200_000
    /// Search threads of a plan (0: one per core): a plan that names none searches on this many,
    /// and `PLAN threads=` above it is refused with `553 OUT_OF_RANGE field=threads`.
    public var planThreads: Int = 0
    /// ``planThreads`` with 0 read as the machine's cores.
    public var searchThreads: Int { planThreads == 0 ? max(1, ProcessInfo.processInfo.activeProcessorCount) : planThreads }
    /// Most changes one `WATCH` replays; past it the reply says `more=yes` and the client asks
    /// again from the `seq` it got (a long history is sent a page at a time).
    public var maxWatchReplay: Int = 100
    /// Driver's status reports (`TRIP STATUS`) a user may send a minute, in bursts of as many;
    /// more is refused with `450 RATE_LIMITED`.
    public var maxStatusReportsPerMinute: Int = 60
    /// The driver web face (drivers' links open their run on a phone), when it is on.
    public var driverWeb: DriverWebConfiguration?

    /// Workers that may run long work (plans, reports) at once: `workers`, or the cores.
    public var longWorkers: Int { workers > 0 ? workers : max(1, ProcessInfo.processInfo.activeProcessorCount) }

    public init() {}

    /// Checks that `host` (and the driver web face's) is an IPv4 address, and a loopback one
    /// unless ``allowNonLoopback`` is on. Errors name the field (`listen`) and the rule.
    public func checkListenAddress() throws {
        try checkListenAddress(host, field: "listen")
        if let web = driverWeb { try checkListenAddress(web.host, field: "driverWeb.listen") }
    }

    private func checkListenAddress(_ host: String, field: String) throws {
        var address = in_addr()
        guard inet_pton(AF_INET, host, &address) == 1 else {
            throw PhapaiError.invalid(field, "INVALID_ADDRESS", "\(host) is not an IPv4 address; use HOST:PORT, e.g. 127.0.0.1:7878")
        }
        // In network byte order: the first byte in memory is the first number of the address.
        let isLoopback = withUnsafeBytes(of: &address) { $0[0] } == 127
        guard isLoopback || allowNonLoopback else {
            throw PhapaiError.invalid(
                field, "NOT_LOOPBACK",
                "\(host) is not a loopback address (127.0.0.0/8): the protocol is plaintext, tokens included, so phapaid listens "
                    + "beyond this machine only when the configuration sets \"allowNonLoopback\": true; to reach it from other "
                    + "machines use an SSH tunnel, WireGuard or stunnel (docs/deployment.md)")
        }
    }
}

/// The driver web face: a small HTTP/1.1 server on its own port that opens a driver's run of the
/// day on a phone from the driver's personal link (`phapai driver link`). Plain HTTP: from the
/// internet it is reached through HTTPS in front (docs/deployment.md).
public struct DriverWebConfiguration: Sendable, Codable {
    public var host: String = "127.0.0.1"
    public var port: UInt16 = 7880
    /// Open connections at most; past it a newcomer gets 503 and is closed.
    public var maxConnections: Int = 64
    /// Seconds to send a whole request once connected (408 after: slowloris), and to take the answer.
    public var requestDeadline: Double = 10

    public init() {}
}
