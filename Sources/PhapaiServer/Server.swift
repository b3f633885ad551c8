#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import PhapaiApp
import PhapaiCore
import PhapaiNet
import Synchronization

/// Counters a running server keeps, readable from any thread (STATS, tests, the daemon).
public struct ServerCounters: Sendable {
    /// Connections accepted since the start.
    public var accepted = 0
    /// Request lines answered.
    public var requests = 0
    /// Replies with a code of 400 or more.
    public var errors = 0
    /// Writes stored in rounds (group commit).
    public var groupedWrites = 0
    /// Connections cut off for leaving too much unread.
    public var slowConsumers = 0
    /// The most input bytes any connection held unanswered (the pipelining bound).
    public var peakBufferedInput = 0
    /// Connections sent away before logging in, to make room (`421 TOO_MANY_UNAUTHENTICATED`).
    public var evicted = 0
    /// Logins that failed (`535 BAD_TOKEN`).
    public var failedLogins = 0
    /// Logins refused while their address or name was locked (`421 TOO_MANY_FAILURES`).
    public var refusedLogins = 0
    /// Open connections closed because their user's token was revoked (`421 REVOKED`).
    public var revokedSessions = 0
}

/// The TCP server. `start()` binds and runs a poll loop on its own thread; that thread owns the
/// application (and so its database connection) and every connection, so nothing of them is
/// shared. Plans and long reads run on worker threads, each with an application of its own on
/// its own connection to the same database file (WAL: their reads never wait for the loop's
/// writes). Other threads talk to the server only through `stop()` and `counters`, which are
/// locked.
public final class Server: Sendable {
    /// The listening address and limits.
    public let configuration: ServerConfiguration
    /// The application until the loop's thread takes it over.
    private let handoff: Mutex<Application?>
    private let control = Mutex(Control())
    private let finished = DispatchSemaphore(value: 0)
    /// Signalled when the driver web face's loop ends (when it runs).
    private let webFinished = DispatchSemaphore(value: 0)
    /// Opens a worker's application, on the worker's thread; nil: no workers.
    private let openWorker: (@Sendable () throws -> Application)?
    let shared: Shared

    /// State between `start`, `stop` and the loop.
    private struct Control {
        var wakeRead: Int32 = -1
        var wakeWrite: Int32 = -1
        var started = false
        var stopped = false
        var driverWebPort: UInt16?
    }

    /// What the loop and other threads both read.
    final class Shared: Sendable {
        let counters = Mutex(ServerCounters())
        let stopping = Atomic(false)
        /// Set when the driver web face stored a report: the loop tells watchers on its next turn.
        let externalWrites = Atomic(false)
        /// One log line per request, with a request id and never an argument's value.
        let log: @Sendable (String) -> Void
        /// Called after each round on the loop's thread (the daemon writes its buffered log then).
        let afterRound: @Sendable () -> Void
        /// Monotonic seconds, for deadlines (a test moves it by hand).
        let now: @Sendable () -> Double

        init(log: @escaping @Sendable (String) -> Void, afterRound: @escaping @Sendable () -> Void, now: @escaping @Sendable () -> Double) {
            self.log = log
            self.afterRound = afterRound
            self.now = now
        }
    }

    /// Creates a server over `application`, which from `start()` on belongs to the server's thread.
    /// `openWorker` opens another application on the same database for each worker thread (called
    /// on that thread); without it every command runs on the loop's thread, plans included.
    /// `log` hears one line per request; `now` is the monotonic clock of the deadlines.
    public init(
        configuration: ServerConfiguration, application: sending Application,
        openWorker: (@Sendable () throws -> Application)? = nil, log: @escaping @Sendable (String) -> Void = { _ in },
        afterRound: @escaping @Sendable () -> Void = {}, now: @escaping @Sendable () -> Double = Server.monotonicSeconds
    ) {
        self.configuration = configuration
        self.openWorker = openWorker
        handoff = Mutex(application)
        shared = Shared(log: log, afterRound: afterRound, now: now)
    }

    /// The counters so far.
    public var counters: ServerCounters { shared.counters.withLock { $0 } }

    /// The driver web face's port, once started (nil when it is off).
    public var driverWebPort: UInt16? { control.withLock { $0.driverWebPort } }

    /// Binds and starts the loop on its own thread; returns the port (useful with port 0).
    /// Refuses an address beyond loopback unless the configuration allows it
    /// (``ServerConfiguration/checkListenAddress()``).
    public func start() throws -> UInt16 {
        try configuration.checkListenAddress()
        if configuration.driverWeb != nil && openWorker == nil {
            throw PhapaiError.invalid("driverWeb", "INVALID_CONFIG", "the driver web face needs its own connection to the database (a server with workers)")
        }
        // A deep backlog: many clients may connect at once (a dispatch office's morning, a load test).
        let socket = try Socket.listen(host: configuration.host, port: configuration.port, backlog: 1024)
        try socket.setNonBlocking()
        let port = try socket.localPort
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw NetError(operation: "pipe", code: errno) }
        let started = control.withLock { control in
            defer { control.started = true }
            (control.wakeRead, control.wakeWrite) = (fds[0], fds[1])
            return control.started
        }
        precondition(!started, "a server starts once")
        let workers = try openWorker.map { open in
            // One thread more than may plan at once: drivers' reports never wait behind plans.
            let log = shared.log
            let searchThreads = configuration.searchThreads
            return try Workers(
                // Nice 10: a plan that fills a core gives way to the loop the moment a request
                // comes (at the same priority a bystander's PING p90 went to 4 ms in some runs).
                threads: configuration.longWorkers + 1, longLimit: configuration.longWorkers, niceness: 10,
                makeContext: { number in
                    do {
                        let application = try open()
                        application.service.searchThreads = searchThreads
                        return .success(application)
                    } catch {
                        // Each job this worker takes is answered with a storage error; here is why.
                        log("event=worker-open-failed worker=\(number) error=\(error)")
                        return .failure(error)
                    }
                },
                perform: Job.perform)
        }
        // The application and the listener move to the loop's thread together, and only there are used.
        let application = handoff.withLock { $0.take() }!
        let seed = Mutex<EventLoop.Seed?>(EventLoop.Seed(application: application, listener: socket, workers: workers))
        let wakeRead = fds[0]
        let thread = Thread { [self] in
            if let seed = seed.withLock({ $0.take() }) {
                EventLoop(seed: seed, configuration: configuration, shared: shared, wakeRead: wakeRead).run()
            }
            finished.signal()
        }
        thread.name = "phapaid"
        thread.start()
        if let web = configuration.driverWeb, let openWorker { try startDriverWeb(web, open: openWorker) }
        return port
    }

    /// Binds the driver web face and runs its loop on a thread of its own, with an application of
    /// its own opened there.
    private func startDriverWeb(_ web: DriverWebConfiguration, open: @escaping @Sendable () throws -> Application) throws {
        var bound: Socket?
        do {
            let socket = try Socket.listen(host: web.host, port: web.port, backlog: 128)
            bound = socket
            try socket.setNonBlocking()
            let port = try socket.localPort
            control.withLock { $0.driverWebPort = port }
        } catch {
            // The line protocol already runs: stop it, so a failed start leaves nothing behind.
            bound?.close()
            stop()
            throw error
        }
        let socket = bound!
        let listener = Mutex<Socket?>(socket)
        let reports = configuration.maxStatusReportsPerMinute
        let thread = Thread { [self] in
            let face: DriverFace?
            do {
                face = DriverFace(application: try open())
            } catch {
                shared.log("event=driver-web-open-failed error=\(error)")
                face = nil
            }
            if let socket = listener.withLock({ $0.take() }) {
                DriverWebLoop(configuration: web, shared: shared, listener: socket, face: face, reportsPerMinute: reports).run()
            }
            webFinished.signal()
        }
        thread.name = "phapaid-web"
        thread.start()
    }

    /// Stops accepting, tells and closes every connection, and waits for the loop to end.
    public func stop() {
        let fds: (Int32, Int32)? = control.withLock { control in
            guard control.started, !control.stopped else { return nil }
            control.stopped = true
            return (control.wakeRead, control.wakeWrite)
        }
        guard let (wakeRead, wakeWrite) = fds else { return }
        shared.stopping.store(true, ordering: .sequentiallyConsistent)
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        finished.wait()
        if configuration.driverWeb != nil, driverWebPort != nil { webFinished.wait() }
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
    }

    /// Seconds on the system's monotonic clock.
    @Sendable public static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// The most a connection's socket is read at once.
    public static let readChunkBytes = 16_384
    /// How long a round keeps taking requests before it commits and lets the loop go round.
    static let roundBudgetSeconds = 0.05
    /// The most connections accepted in one turn of the loop; the rest wait in the kernel's backlog.
    static let acceptsPerTurn = 64
    /// How often the server looks for users revoked by another process (`phapai user revoke` on
    /// the database file) to close their sessions; a revocation over the wire closes them at once.
    static let revocationCheckSeconds = 5.0
}
