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
    /// Worker threads for plans and long reports, each with its own database connection; 0: one
    /// per core. One more thread is kept for drivers' reports, so they never wait behind plans.
    public var workers: Int = 0
    /// Most seconds a client may ask a plan to search (`PLAN time=`); more is refused with
    /// `553 OUT_OF_RANGE field=time`. A plan with only an iteration budget stops here too.
    public var maxPlanSeconds: Double = 60
    /// Most search iterations a client may ask of a plan (`PLAN iterations=`); more is refused
    /// with `553 OUT_OF_RANGE field=iterations`.
    public var maxPlanIterations: Int = 200_000
    /// Most changes one `WATCH` replays; past it the reply says `more=yes` and the client asks
    /// again from the `seq` it got (a long history is sent a page at a time).
    public var maxWatchReplay: Int = 100
    /// Driver's status reports (`TRIP STATUS`) a user may send a minute, in bursts of as many;
    /// more is refused with `450 RATE_LIMITED`.
    public var maxStatusReportsPerMinute: Int = 60

    /// Workers that may run long work (plans, reports) at once: `workers`, or the cores.
    public var longWorkers: Int { workers > 0 ? workers : max(1, ProcessInfo.processInfo.activeProcessorCount) }

    public init() {}
}
