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
    /// Drivers' reports each user may still send (`maxStatusReportsPerMinute`).
    var reportAllowances: [String: ReportAllowance] = [:]

    init(seed: Seed, configuration: ServerConfiguration, shared: Server.Shared, wakeRead: Int32) {
        application = seed.application
        listener = seed.listener
        workers = seed.workers
        self.configuration = configuration
        self.shared = shared
        self.wakeRead = wakeRead
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
            if entries[0].readable { acceptAll() }
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
            // After reading: bytes that arrived while the loop was busy (a long round, a slow
            // commit) count as arrived, not as late.
            enforceDeadlines()
            runRound(open)
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

    private func acceptAll() {
        while true {
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
            guard connections.count < configuration.maxConnections else {
                // Best effort: the client learns why before the socket closes.
                _ = try? socket.write(Array("421 TOO_MANY_CONNECTIONS \"try again later\"\r\n".utf8))
                socket.close()
                continue
            }
            accepted += 1
            shared.counters.withLock { $0.accepted = accepted }
            let connection = Connection(socket: socket, number: accepted, now: shared.now())
            connections[socket.descriptor] = connection
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
        if reply.code >= 400 { shared.counters.withLock { $0.errors += 1 } }
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

    init(socket: Socket, number: Int, now: Double) {
        self.socket = socket
        self.number = number
        openedAt = now
        lastActivity = now
    }
}
