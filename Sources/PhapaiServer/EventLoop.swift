#if canImport(Glibc)
import Glibc
#endif
import PhapaiApp
import PhapaiCore
import PhapaiNet
import PhapaiProtocol

/// The server's loop: polls the listener and the connections, reads what clients send, runs
/// rounds of requests (``Rounds.swift``), hands plans and long reads to the workers and answers
/// them when they are done (``Offload.swift``), writes replies, and closes what breaks a
/// deadline. Confined to the server's thread.
final class EventLoop {
    /// What the loop takes over from the thread that started the server.
    struct Seed {
        var application: Application
        var listener: Socket
        /// The workers, when the server has them (else every command runs on the loop).
        var workers: Workers?
    }

    let configuration: ServerConfiguration
    let shared: Server.Shared
    let application: Application
    let listener: Socket
    let workers: Workers?
    let wakeRead: Int32
    var connections: [Int32: Connection] = [:]
    /// Which connection a round starts with: each round one further on, so that when a round
    /// runs out of time (slow commands) every client still gets its turn.
    var roundOffset = 0
    var accepted = 0
    /// The connections not logged in yet, oldest first (the caps on them: ``acceptBatch()``).
    var waiting = WaitingRoom<Connection>()
    /// Failed logins by address and user name.
    var throttle: LoginThrottle
    /// Users whose token a command of this round revoked: their sessions end once the round commits.
    var revokedInRound: Set<String> = []
    /// When the failed-login windows were last swept and revocations last looked for (monotonic seconds).
    var lastSweep: Double
    var lastRevocationCheck: Double
    /// Drivers' reports each user may still send (`maxStatusReportsPerMinute`).
    var reportAllowances: [String: ReportAllowance] = [:]

    init(seed: Seed, configuration: ServerConfiguration, shared: Server.Shared, wakeRead: Int32) {
        application = seed.application
        listener = seed.listener
        workers = seed.workers
        self.configuration = configuration
        self.shared = shared
        self.wakeRead = wakeRead
        throttle = LoginThrottle(policy: .init(
            limit: configuration.maxLoginFailures, window: configuration.loginFailureWindow,
            lockout: configuration.loginLockout, maxLockout: configuration.loginLockoutMax))
        lastSweep = shared.now()
        lastRevocationCheck = lastSweep
    }

    func run() {
        while !shared.stopping.load(ordering: .sequentiallyConsistent) {
            let open = connections.values.sorted { $0.number < $1.number }
            var entries = [Poller.Entry(descriptor: listener.descriptor), Poller.Entry(descriptor: wakeRead)]
            if let workers { entries.append(Poller.Entry(descriptor: workers.wakeDescriptor)) }
            let first = entries.count
            // A connection with lines still waiting, or a request at a worker, is not read from:
            // that is the pipelining bound.
            entries += open.map {
                Poller.Entry(
                    descriptor: $0.socket.descriptor, wantsRead: !$0.mayHaveMore && !$0.atWorker, wantsWrite: !$0.outgoing.isEmpty)
            }
            let tick = min(1.0, configuration.helloDeadline, configuration.lineDeadline, configuration.idleTimeout) / 4
            let waiting = open.contains { $0.mayHaveMore && !$0.atWorker }
            do {
                try Poller.wait(&entries, milliseconds: waiting ? 0 : Int32(max(10, tick * 1000)))
            } catch {
                continue
            }
            if entries[1].readable { break }
            for (index, connection) in open.enumerated() {
                let entry = entries[first + index]
                if connection.atWorker {
                    // Gone while its job runs (it is not read meanwhile, so a hang-up would wake the poll for nothing).
                    if entry.failed { close(connection) }
                } else if (entry.readable || entry.failed) && !connection.mayHaveMore {
                    receive(connection)
                }
                if entry.writable { flush(connection) }
            }
            deliverOutcomes()
            if shared.externalWrites.exchange(false, ordering: .sequentiallyConsistent) { pushChanges() }
            // After reading: bytes that arrived while the loop was busy (a long round, a slow
            // commit) count as arrived, not as late.
            enforceDeadlines()
            runRound(open)
            // New connections after the round: a HELLO that had arrived is answered before any
            // newcomer can send its sender away to make room.
            if entries[0].readable { acceptBatch() }
            housekeeping()
            shared.afterRound()
        }
        // Every request received so far has been answered and committed; say goodbye and send what is pending.
        listener.close()
        if let workers {
            // Jobs not started never ran (their clients hear SHUTTING_DOWN); running ones finish and are answered.
            _ = workers.stop()
            workers.waitUntilStopped()
            deliverOutcomes()
            workers.closeWakeDescriptor()
        }
        for connection in connections.values {
            send(Reply(code: 421, keyword: "SHUTTING_DOWN", text: "the server is stopping"), to: connection)
            connection.closeAfterFlush = true
            flush(connection)
            connection.socket.close()
        }
        connections.removeAll()
    }

    private func acceptBatch() {
        // A bounded batch: a flood of connections must not keep the loop from the clients it has.
        for _ in 0..<Server.acceptsPerTurn {
            let next: Socket?
            do {
                next = try listener.accept()
            } catch {
                // Out of descriptors, say: the waiting clients are taken in a later round.
                return
            }
            guard let socket = next else { return }
            do {
                try socket.setNonBlocking()
                try socket.setNoDelay()
            } catch {
                // A connection that broke at once.
                socket.close()
                continue
            }
            let address = socket.peerAddress ?? "-"
            // Room for the newcomer: the oldest connection still not logged in goes, of the same
            // address when that address has its fill, else of all; but only once it has had its
            // grace to log in (a burst of clients behind one router or tunnel all get their turn).
            // A full server sends away the oldest of the address with the most waiting, however
            // young. Logged-in clients always stay.
            let now = shared.now()
            let hadItsChance = { (connection: Connection) in now - connection.openedAt >= self.configuration.unauthenticatedGrace }
            var madeRoom = false
            if waiting.count(from: address) >= configuration.maxUnauthenticatedPerAddress, let oldest = waiting.oldest(from: address),
                hadItsChance(oldest)
            {
                evict(oldest, text: "too many connections from your address are waiting to log in")
                madeRoom = true
            }
            if !madeRoom, waiting.count >= configuration.maxUnauthenticated, let oldest = waiting.oldest(), hadItsChance(oldest) {
                evict(oldest, text: "too many connections are waiting to log in")
            }
            if connections.count >= configuration.maxConnections, let busiest = waiting.busiestAddress, let oldest = waiting.oldest(from: busiest) {
                evict(oldest, text: "the server is full")
            }
            guard connections.count < configuration.maxConnections else {
                // Best effort: the client learns why before the socket closes (a full socket buffer
                // on a brand-new connection only loses this courtesy line).
                _ = try? socket.write(Array("421 TOO_MANY_CONNECTIONS \"try again later\"\r\n".utf8))
                socket.close()
                continue
            }
            accepted += 1
            shared.counters.withLock { $0.accepted = accepted }
            let connection = Connection(socket: socket, number: accepted, address: address, now: now)
            connections[socket.descriptor] = connection
            waiting.enter(connection, from: address)
            send(Reply(code: 220, keyword: "READY", fields: [.init("proto", String(ProtocolLimits.version))], text: "phapai"), to: connection)
            flush(connection)
        }
    }

    private func receive(_ connection: Connection) {
        let bytes: [UInt8]?
        do {
            bytes = try connection.socket.read(maximum: Server.readChunkBytes)
        } catch {
            close(connection)
            return
        }
        guard let bytes else { return }  // nothing to read yet
        if bytes.isEmpty {
            close(connection)
            return
        }
        let now = shared.now()
        connection.lastActivity = now
        // Arrival times are stamped when the bytes are read: a line left unfinished after them
        // started in them when they hold a line ending, or when no line was started before.
        if bytes.contains(0x0A) || !connection.framer.hasPartialLine { connection.lineStartedAt = now }
        connection.framer.feed(bytes)
        let buffered = connection.framer.bufferedBytes
        shared.counters.withLock { $0.peakBufferedInput = max($0.peakBufferedInput, buffered) }
        connection.mayHaveMore = true
    }

    /// Sends away a connection that has not logged in, to make room for a newer one.
    private func evict(_ connection: Connection, text: String) {
        shared.counters.withLock { $0.evicted += 1 }
        send(Reply(code: 421, keyword: "TOO_MANY_UNAUTHENTICATED", text: text), to: connection)
        connection.closeAfterFlush = true
        flush(connection)
        // Whatever the kernel did not take now is dropped: the slot is needed at once.
        if isOpen(connection) { close(connection) }
    }

    /// Once a second of the server's clock, ends the failed-login windows that are over (their
    /// one log line each); every ``Server/revocationCheckSeconds``, closes the sessions of users
    /// revoked by another process (`phapai user revoke` on the database file).
    private func housekeeping() {
        let now = shared.now()
        if now - lastSweep >= 1 {
            lastSweep = now
            throttle.sweep(now: now)
        }
        for line in throttle.drainLog() { shared.log(line) }
        guard now - lastRevocationCheck >= Server.revocationCheckSeconds else { return }
        lastRevocationCheck = now
        let names = Set(connections.values.compactMap { $0.principal?.user?.name })
        guard !names.isEmpty else { return }
        let revoked: Set<String>
        do {
            revoked = try application.revokedUsers(among: names)
        } catch {
            // The next check tries again; the log says that one was missed (no names in it).
            shared.log("event=revocation-check code=451 keyword=STORAGE")
            return
        }
        if !revoked.isEmpty { endSessions(of: revoked) }
    }

    /// Tells every open session of `names` that its token was revoked, and closes it.
    func endSessions(of names: Set<String>) {
        for connection in Array(connections.values) {
            guard let name = connection.principal?.user?.name, names.contains(name) else { continue }
            shared.counters.withLock { $0.revokedSessions += 1 }
            send(Reply(code: 421, keyword: "REVOKED", text: "the token of \(name) was revoked; closing"), to: connection)
            connection.closeAfterFlush = true
            flush(connection)
            // A revoked session does not stay open waiting for a client that does not read.
            if isOpen(connection) { close(connection) }
        }
    }

    /// Closes connections that waited too long to log in, to finish a line, or at all. Not one
    /// whose whole lines wait for the loop, or whose request is at a worker: the server is late
    /// then, not the client.
    private func enforceDeadlines() {
        let now = shared.now()
        for connection in Array(connections.values) where !connection.mayHaveMore && !connection.atWorker {
            let keyword: String
            if connection.principal == nil && now - connection.openedAt > configuration.helloDeadline {
                keyword = "HELLO_TIMEOUT"
            } else if let started = connection.lineStartedAt, now - started > configuration.lineDeadline {
                keyword = "LINE_TIMEOUT"
            } else if now - connection.lastActivity > configuration.idleTimeout {
                keyword = "IDLE_TIMEOUT"
            } else {
                continue
            }
            send(Reply(code: 421, keyword: keyword, text: "closing"), to: connection)
            connection.closeAfterFlush = true
            flush(connection)
            if connections[connection.socket.descriptor] != nil { close(connection) }
        }
    }

    /// Queues a reply; cuts off a client that has left too much unread.
    func send(_ reply: Reply, to connection: Connection) {
        guard !connection.cutOff else { return }
        // 600 is a WATCH push, not an error.
        if (400..<600).contains(reply.code) { shared.counters.withLock { $0.errors += 1 } }
        // A client that reads is not cut off for one large reply: try the kernel first.
        if connection.outgoing.count > configuration.maxOutgoingBytes { flush(connection) }
        if connection.outgoing.count > configuration.maxOutgoingBytes {
            // The client has left too much unread: finish the line under way, say why, close.
            let rest = connection.outgoing.firstIndex(of: 0x0A).map { Array(connection.outgoing[...$0]) } ?? []
            connection.outgoing = rest + Array("421 SLOW_CONSUMER \"closing\"\r\n".utf8)
            connection.cutOff = true
            connection.closeAfterFlush = true
            shared.counters.withLock { $0.slowConsumers += 1 }
            return
        }
        for line in reply.lines { connection.outgoing += Array((line + "\r\n").utf8) }
    }

    /// Writes what the kernel takes now.
    func flush(_ connection: Connection) {
        guard connections[connection.socket.descriptor] === connection else { return }
        while !connection.outgoing.isEmpty {
            let written: Int
            do {
                written = try connection.socket.write(connection.outgoing)
            } catch {
                // The peer is gone (reset, broken pipe): drop the connection and the requests it left.
                close(connection)
                return
            }
            guard written > 0 else { break }
            connection.outgoing.removeFirst(written)
        }
        if connection.closeAfterFlush && connection.outgoing.isEmpty { close(connection) }
    }

    func close(_ connection: Connection) {
        connections[connection.socket.descriptor] = nil
        waiting.leave(connection)
        connection.socket.close()
    }

    /// Whether `connection` is still open (not closed during the round).
    func isOpen(_ connection: Connection) -> Bool { connections[connection.socket.descriptor] === connection }
}

/// One client's state, owned by the loop.
final class Connection {
    let socket: Socket
    /// The connection's number, for request ids in the log.
    let number: Int
    /// The peer's IPv4 address: what the caps on waiting connections and failed logins count by.
    let address: String
    var framer = LineFramer(limit: ProtocolLimits.maxLineBytesBeforeHello)
    var outgoing: [UInt8] = []
    /// Who logged in (nil before HELLO).
    var principal: Principal?
    var lines = 0
    var closeAfterFlush = false
    var cutOff = false
    let openedAt: Double
    var lastActivity: Double
    var lineStartedAt: Double?
    /// Whether whole lines may still wait in the framer (then the socket is not read).
    var mayHaveMore = false
    /// Whether a request of this connection is at a worker (then its later lines wait, and the
    /// socket is not read).
    var atWorker = false
    /// Runs watched, with the last change sent.
    var watching: [ShiftID: Int64] = [:]

    init(socket: Socket, number: Int, address: String, now: Double) {
        self.socket = socket
        self.number = number
        self.address = address
        openedAt = now
        lastActivity = now
    }
}
