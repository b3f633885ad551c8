#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PhapaiCLI
import PhapaiCore
import PhapaiNet
import PhapaiProtocol
import PhapaiService
import PhapaiStore

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

    public init() {}
}

/// The TCP server: one thread runs a poll loop over the listener and the connections, and runs
/// every request on the service in order (the store is used from that thread only).
public final class Server: @unchecked Sendable {
    let configuration: ServerConfiguration
    let service: PhapaiService
    /// Where log lines go: one `key=value` line per request, with a request id and never an
    /// argument's value (arguments can hold names, phones and notes).
    public var log: @Sendable (String) -> Void = { _ in }
    /// Called after each round of the loop, on the loop's thread (the daemon writes out its
    /// buffered log lines there, rather than one write per request).
    public var afterRound: @Sendable () -> Void = {}
    private var listener: Socket?
    private var thread: Thread?
    private var connections: [Int32: Connection] = [:]
    private var wakeRead: Int32 = -1
    private var wakeWrite: Int32 = -1
    private let stopping = Mutex()
    private let finished = DispatchSemaphore(value: 0)
    private var accepted = 0
    private var requests = 0
    private var errors = 0
    private var groupedWrites = 0
    /// Connections cut off for leaving too much unread.
    private(set) var slowConsumers = 0

    /// Creates a server over `service`.
    public init(configuration: ServerConfiguration, service: PhapaiService) {
        self.configuration = configuration
        self.service = service
    }

    /// Binds and starts the loop on its own thread; returns the port (useful with port 0).
    public func start() throws -> UInt16 {
        // A deep backlog: many clients may connect at once (a dispatch office's morning, a load test).
        let socket = try Socket.listen(host: configuration.host, port: configuration.port, backlog: 1024)
        try socket.setNonBlocking()
        listener = socket
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw NetError(operation: "pipe", code: errno) }
        (wakeRead, wakeWrite) = (fds[0], fds[1])
        let thread = Thread { [self] in
            loop()
            finished.signal()
        }
        thread.name = "phapaid"
        self.thread = thread
        thread.start()
        return try socket.localPort
    }

    /// Stops accepting, closes every connection and waits for the loop to end.
    public func stop() {
        guard stopping.set() else { return }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        finished.wait()
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
    }

    private func loop() {
        guard let listener else { return }
        while !stopping.isSet {
            let open = connections.values.sorted { $0.number < $1.number }
            var entries = [Poller.Entry(descriptor: listener.descriptor), Poller.Entry(descriptor: wakeRead)]
            // A connection with lines still waiting is not read from: that is the pipelining bound.
            entries += open.map {
                Poller.Entry(descriptor: $0.socket.descriptor, wantsRead: !$0.mayHaveMore, wantsWrite: !$0.outgoing.isEmpty)
            }
            let tick = min(1.0, configuration.helloDeadline, configuration.lineDeadline, configuration.idleTimeout) / 4
            let waiting = open.contains { $0.mayHaveMore }
            do {
                try Poller.wait(&entries, milliseconds: waiting ? 0 : Int32(max(10, tick * 1000)))
            } catch {
                continue
            }
            if entries[1].readable { break }
            if entries[0].readable { acceptAll(listener) }
            for (index, connection) in open.enumerated() {
                let entry = entries[index + 2]
                if (entry.readable || entry.failed) && !connection.mayHaveMore { receive(connection) }
                if entry.writable { flush(connection) }
            }
            runRound(open)
            enforceDeadlines()
            afterRound()
        }
        // Every request received so far has been answered and committed; say goodbye and send what is pending.
        listener.close()
        for connection in connections.values {
            send(Reply(code: 421, keyword: "SHUTTING_DOWN", text: "the server is stopping"), to: connection)
            connection.closeAfterFlush = true
            flush(connection)
            connection.socket.close()
        }
        connections.removeAll()
    }

    /// Closes connections that waited too long to log in, to finish a line, or at all.
    private func enforceDeadlines() {
        let now = Server.seconds()
        for connection in Array(connections.values) {
            let keyword: String
            if connection.user == nil && now - connection.openedAt > configuration.helloDeadline {
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

    /// A kilobyte figure of this process from /proc/self/status ("-" where there is none).
    static func memoryStatus(_ key: String) -> String {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }),
            let kilobytes = line.split(separator: " ").dropFirst().first
        else { return "-" }
        return String(kilobytes)
    }

    static func seconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    private func acceptAll(_ listener: Socket) {
        while let socket = try? listener.accept() {
            try? socket.setNonBlocking()
            try? socket.setNoDelay()
            let connection = Connection(socket: socket)
            guard connections.count < configuration.maxConnections else {
                _ = try? socket.write(Array("421 TOO_MANY_CONNECTIONS \"try again later\"\r\n".utf8))
                socket.close()
                continue
            }
            accepted += 1
            connection.number = accepted
            connections[socket.descriptor] = connection
            send(Reply(code: 220, keyword: "READY", fields: [.init("proto", String(ProtocolLimits.version))], text: "phapai"), to: connection)
            flush(connection)
        }
    }

    private func receive(_ connection: Connection) {
        guard let bytes = try? connection.socket.read(maximum: Server.readChunkBytes) else { return }
        if bytes.isEmpty {
            close(connection)
            return
        }
        connection.lastActivity = Server.seconds()
        connection.framer.feed(bytes)
        peakBufferedInput = max(peakBufferedInput, connection.framer.bufferedBytes)
        connection.mayHaveMore = true
    }

    /// How long a round keeps taking requests before it commits and lets the loop go round.
    static let roundBudgetSeconds = 0.05
    private var roundOffset = 0

    /// The most a connection's socket is read at once.
    static let readChunkBytes = 16_384
    /// The most input bytes any connection held unanswered (for the pipelining bound's test).
    private(set) var peakBufferedInput = 0

    /// One round: takes up to `maxPipelined` requests from each connection in turn, runs them with
    /// their writes in one group, commits the group, and only then sends the replies (a write is
    /// acknowledged after its COMMIT; writes that arrive together share one fsync).
    private func runRound(_ open: [Connection]) {
        var answers: [Answer] = []
        service.store.beginGroup()
        let roundStarted = Server.seconds()
        // Each round starts one connection further on, so that when a round runs out of time
        // (slow commands) every client still gets its turn.
        roundOffset = open.isEmpty ? 0 : (roundOffset + 1) % open.count
        for connection in open[roundOffset...] + open[..<roundOffset]
        where connection.mayHaveMore && connections[connection.socket.descriptor] === connection {
            // Past the budget, leave the rest for the next round: accepting, greeting and deadlines wait for rounds.
            if Server.seconds() - roundStarted > Server.roundBudgetSeconds { break }
            var taken = 0
            connection.mayHaveMore = false
            var outOfTime = false
            while taken < configuration.maxPipelined, !connection.closeAfterFlush, !outOfTime, let event = connection.framer.next() {
                taken += 1
                switch event {
                case .tooLong:
                    connection.closeAfterFlush = true
                    answers.append(Answer(
                        connection: connection, replies: [Reply(code: 500, keyword: "LINE_TOO_LONG", text: "lines are at most \(connection.framer.limit) bytes")],
                        logLine: "event=request id=\(connection.number)-\(connection.lines + 1) verb=-", started: Server.seconds(), touchesStore: false))
                case .line(let line):
                    if let answer = handle(line, on: connection) { answers.append(answer) }
                }
                if connections[connection.socket.descriptor] !== connection { break }
                outOfTime = Server.seconds() - roundStarted > Server.roundBudgetSeconds
            }
            if (taken == configuration.maxPipelined || outOfTime) && !connection.closeAfterFlush { connection.mayHaveMore = true }
            connection.lineStartedAt = !connection.mayHaveMore && connection.framer.hasPartialLine
                ? (connection.lineStartedAt ?? connection.lastActivity) : nil
        }
        var writes = 0
        do {
            writes = try service.store.commitGroup()
            groupedWrites += writes
        } catch {
            // Nothing of the round was stored: no reply may claim otherwise, nor show what was rolled back.
            for index in answers.indices where answers[index].touchesStore {
                answers[index].replies = [Reply(code: 451, keyword: "STORAGE", text: "the commit failed; nothing was stored; try again",
                                                tag: answers[index].replies.last?.tag)]
            }
        }
        var touched: [ObjectIdentifier: Connection] = [:]
        for answer in answers {
            for reply in answer.replies { send(reply, to: answer.connection) }
            touched[ObjectIdentifier(answer.connection)] = answer.connection
            if answer.isPing && !configuration.logPings { continue }
            log(answer.logLine + " code=\(answer.replies.last.map { String($0.code) } ?? "-") "
                + String(format: "ms=%.1f", (Server.seconds() - answer.started) * 1000))
        }
        for connection in touched.values where connections[connection.socket.descriptor] === connection { flush(connection) }
        if writes > 0 { pushChanges() }
    }

    /// Runs one request line; its replies are held until the round commits. Nil when the
    /// connection was closed at once (HTTP).
    private func handle(_ line: [UInt8], on connection: Connection) -> Answer? {
        // Something speaking HTTP to the port is not a client: close at once.
        if connection.lines == 0, let text = String(validating: line.prefix(8), as: UTF8.self),
            ["GET ", "POST ", "HEAD ", "PUT ", "OPTIONS ", "DELETE "].contains(where: text.hasPrefix)
        {
            close(connection)
            return nil
        }
        connection.lines += 1
        requests += 1
        let started = Server.seconds()
        let id = "id=\(connection.number)-\(connection.lines)"
        let request: Request
        switch RequestParser.parse(line) {
        case .failure(let error):
            return Answer(connection: connection, replies: [.error(error)], logLine: "event=request \(id) verb=- keyword=\(error.keyword)",
                          started: started, touchesStore: false)
        case .success(let parsed):
            request = parsed
        }
        let verb = request.verb + (request.subverb.map { "." + $0 } ?? "")
        let logLine = "event=request \(id) user=\(connection.user?.name ?? "-") verb=\(verb) keys=\(request.arguments.map(\.key).joined(separator: ","))"
        var touchesStore = false
        let replies: [Reply]
        switch request.verb {
        case "PING":
            replies = [Reply(code: 200, keyword: "PONG", tag: request.tag)]
        case "QUIT":
            replies = [Reply(code: 221, keyword: "BYE", tag: request.tag)]
            connection.closeAfterFlush = true
        case "CAPA":
            replies = [Reply(code: 200, keyword: "CAPA", fields: [.init("proto", String(ProtocolLimits.version))],
                             data: ["HELLO", "PING", "QUIT", "CAPA", "WATCH", "STATS", "COMMANDS"], tag: request.tag)]
        case "HELLO":
            replies = [hello(request, on: connection)]
        case "WATCH":
            touchesStore = true
            replies = watch(request, on: connection)
        case "STATS":
            replies = [connection.user?.role == .admin
                ? stats(tag: request.tag) : Reply(code: 550, keyword: "NOT_ALLOWED", text: "STATS is for admins", tag: request.tag)]
        default:
            var request = request
            if let refusal = refusal(of: &request, on: connection) {
                replies = [refusal]
            } else {
                touchesStore = true
                service.actor = "user:\(connection.user!.name)"
                replies = [CommandLanguage.execute(request, service: service)]
            }
        }
        return Answer(
            connection: connection, replies: replies, logLine: logLine, started: started, touchesStore: touchesStore, isPing: request.verb == "PING")
    }

    /// Why the connection's user may not run `request`, or nil when they may. A dispatcher's
    /// request may gain `area=` (their one area), so it runs on their area.
    private func refusal(of request: inout Request, on connection: Connection) -> Reply? {
        guard let user = connection.user else {
            return Reply(code: 530, keyword: "NOT_LOGGED_IN", text: "say HELLO proto=1 token=... first", tag: request.tag)
        }
        guard Access.allows(user.role, request), withinReach(user, request) else {
            return Reply(code: 550, keyword: "NOT_ALLOWED", text: "a \(user.role.rawValue) cannot do that", tag: request.tag)
        }
        if user.role == .driver, let driver = user.driver, request.verb == "RUNS" {
            // A driver's overview holds their own runs only.
            request.arguments.removeAll { $0.key == "driver" }
            request.arguments.append(.init("driver", driver.rawValue))
        }
        if user.role == .dispatcher {
            if request["area"] == nil, user.areas.count == 1 { request.arguments.append(.init("area", user.areas[0].rawValue)) }
            if let reason = DispatcherReach(areas: Set(user.areas), store: service.store).refusal(of: request) {
                return Reply(code: 550, keyword: "NOT_ALLOWED", text: reason, tag: request.tag)
            }
        }
        return nil
    }

    /// `WATCH run=<id> [since=<seq>]`: replays the run's changes after `since` as `600 EVENT` lines,
    /// answers `200 WATCHING`, then pushes each later change as it is committed.
    private func watch(_ request: Request, on connection: Connection) -> [Reply] {
        guard let user = connection.user else {
            return [Reply(code: 530, keyword: "NOT_LOGGED_IN", text: "say HELLO proto=1 token=... first", tag: request.tag)]
        }
        guard let runText = request["run"], let runNumber = Int64(runText), let since = Int64(request["since"] ?? "0"), since >= 0 else {
            return [Reply(code: 500, keyword: "SYNTAX", text: "WATCH run=<id> [since=<seq>]", tag: request.tag)]
        }
        let run = ShiftID(runNumber)
        // The same refusal whether the run is unknown or out of reach.
        guard let shift = try? service.store.shift(run), user.role != .driver || shift.driver == user.driver else {
            return [Reply(code: 550, keyword: "NOT_ALLOWED", text: "no such run within reach", tag: request.tag)]
        }
        let changes = (try? service.store.runChanges(run, since: since)) ?? []
        let latest = changes.last?.seq ?? ((try? service.store.latestRunChange(run)) ?? since)
        connection.watching[run] = max(latest, since)
        return changes.map(event) + [
            Reply(code: 200, keyword: "WATCHING", fields: [.init("run", runText), .init("seq", String(max(latest, since)))], tag: request.tag)
        ]
    }

    private func event(_ change: RunChange) -> Reply {
        Reply(code: 600, keyword: "EVENT", fields: [
            .init("run", String(change.run.rawValue)), .init("seq", String(change.seq)), .init("kind", change.kind),
            .init("at", String(change.at.rawValue)), .init("detail", change.detail),
        ])
    }

    /// Sends every watcher the changes committed since it last heard.
    private func pushChanges() {
        for connection in connections.values where !connection.watching.isEmpty {
            for (run, seen) in connection.watching {
                let changes = (try? service.store.runChanges(run, since: seen)) ?? []
                guard let last = changes.last else { continue }
                for change in changes { send(event(change), to: connection) }
                connection.watching[run] = last.seq
            }
            flush(connection)
        }
    }

    /// Counters and commit latency percentiles (milliseconds, nearest rank over recent commits).
    private func stats(tag: String?) -> Reply {
        let commits = service.store.commitSeconds.sorted()
        func percentile(_ q: Double) -> String {
            guard !commits.isEmpty else { return "0" }
            let rank = min(max(Int((q * Double(commits.count)).rounded(.up)) - 1, 0), commits.count - 1)
            return String(format: "%.3f", commits[rank] * 1000)
        }
        return Reply(
            code: 200, keyword: "STATS",
            fields: [
                .init("connections", String(connections.count)), .init("accepted", String(accepted)), .init("requests", String(requests)),
                .init("errors", String(errors)), .init("slow-consumers", String(slowConsumers)), .init("writes", String(groupedWrites)),
                .init("commits", String(service.store.commitCount)), .init("commit-p50-ms", percentile(0.5)),
                .init("commit-p99-ms", percentile(0.99)), .init("commit-max-ms", percentile(1)),
                .init("rss-kb", Server.memoryStatus("VmRSS")), .init("rss-peak-kb", Server.memoryStatus("VmHWM")),
            ], tag: tag)
    }

    /// A driver reaches only the runs they drive and the trips on them. The same refusal answers
    /// what does not exist, so nothing outside their reach is revealed.
    private func withinReach(_ user: User, _ request: Request) -> Bool {
        guard user.role == .driver, let driver = user.driver else { return true }
        let name = request.verb + (request.subverb.map { " " + $0 } ?? "")
        switch name {
        case "RUNS":
            return true
        case "RUN SHOW":
            guard let dateText = request["date"], let date = try? LocalDate.parse(dateText, field: "date"),
                let vehicle = request["vehicle"], let shifts = try? service.shifts(from: date, to: date)
            else { return false }
            return shifts.contains { $0.driver == driver && $0.vehicle.rawValue == vehicle }
        case "TRIP SHOW", "TRIP STATUS":
            guard let idText = request["id"], let id = Int64(idText), let trip = try? service.store.trip(TripID(id)),
                let runs = try? service.runs(on: trip.serviceDate)
            else { return false }
            return runs.contains { $0.driver == driver && $0.stops.contains { $0.trip == TripID(id) } }
        default:
            return false
        }
    }

    private func hello(_ request: Request, on connection: Connection) -> Reply {
        guard connection.user == nil else {
            // One login per connection: another user means another connection.
            return Reply(code: 503, keyword: "ALREADY_LOGGED_IN", text: "this connection is logged in already", tag: request.tag)
        }
        guard request["proto"] == String(ProtocolLimits.version) else {
            return Reply(code: 501, keyword: "PROTOCOL_VERSION", text: "this server speaks proto=\(ProtocolLimits.version)", tag: request.tag)
        }
        guard let token = request["token"], let user = try? service.authenticate(token: token) else {
            return Reply(code: 535, keyword: "BAD_TOKEN", text: "the token is not valid", tag: request.tag)
        }
        connection.user = user
        connection.framer.limit = ProtocolLimits.maxLineBytes
        return Reply(code: 230, keyword: "HELLO", fields: [.init("user", user.name), .init("role", user.role.rawValue)], tag: request.tag)
    }

    private func send(_ reply: Reply, to connection: Connection) {
        guard !connection.cutOff else { return }
        if reply.code >= 400 { errors += 1 }
        // A client that reads is not cut off for one large reply: try the kernel first.
        if connection.outgoing.count > configuration.maxOutgoingBytes { flush(connection) }
        if connection.outgoing.count > configuration.maxOutgoingBytes {
            // The client has left too much unread: finish the line under way, say why, close.
            let rest = connection.outgoing.firstIndex(of: 0x0A).map { Array(connection.outgoing[...$0]) } ?? []
            connection.outgoing = rest + Array("421 SLOW_CONSUMER \"closing\"\r\n".utf8)
            connection.cutOff = true
            connection.closeAfterFlush = true
            slowConsumers += 1
            return
        }
        for line in reply.lines { connection.outgoing += Array((line + "\r\n").utf8) }
    }

    private func flush(_ connection: Connection) {
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

    private func close(_ connection: Connection) {
        connections[connection.socket.descriptor] = nil
        connection.socket.close()
    }
}

/// One client's state.
final class Connection {
    let socket: Socket
    var framer = LineFramer(limit: ProtocolLimits.maxLineBytesBeforeHello)
    var outgoing: [UInt8] = []
    var user: User?
    var lines = 0
    var closeAfterFlush = false
    var cutOff = false
    let openedAt = Server.seconds()
    lazy var lastActivity = openedAt
    var lineStartedAt: Double?
    /// Whether whole lines may still wait in the framer (then the socket is not read).
    var mayHaveMore = false
    /// The connection's number, for request ids in the log.
    var number = 0
    /// Runs watched, with the last change sent.
    var watching: [ShiftID: Int64] = [:]

    init(socket: Socket) { self.socket = socket }
}

/// One request's replies, held until its round commits, and its log line.
struct Answer {
    let connection: Connection
    var replies: [Reply]
    let logLine: String
    let started: Double
    /// Whether the replies may show the round's uncommitted writes (then a failed commit replaces them).
    let touchesStore: Bool
    /// A PING (logged only when the configuration asks).
    var isPing = false
}

/// What a dispatcher reaches: the patients, trips, standing orders, vehicles, drivers and runs of
/// their areas. When the database holds no other area, that is everything. Otherwise a request
/// naming an object elsewhere gets the same refusal as one naming nothing (so it reveals nothing),
/// and commands that read or change every area at once (lists, plans, reports, the audit log) are
/// refused: they do not yet take an area.
struct DispatcherReach {
    let areas: Set<AreaID>
    let store: Store

    func refusal(of request: Request) -> String? {
        if let named = request["area"], !areas.contains(AreaID(unchecked: named)) { return "area \(named) is not one of your areas" }
        guard let stored = try? store.areas().map(\.id) else { return "the areas could not be read" }
        if stored.allSatisfy(areas.contains) { return nil }
        let name = request.verb + (request.subverb.map { " " + $0 } ?? "")
        let hidden = "no such object within your areas"
        if let vehicle = request["vehicle"], !reaches(try? store.vehicle(VehicleID(unchecked: vehicle))?.area) { return hidden }
        if let driver = request["driver"], !reaches(try? store.driver(DriverID(unchecked: driver))?.area) { return hidden }
        if let patient = request["patient"], !reaches(patientArea(patient)) { return hidden }
        switch name {
        case "PATIENT SHOW":
            return reaches(patientArea(request["id"])) ? nil : hidden
        case "PATIENT EDIT":
            return reaches(patientArea(request["id"])) ? nil : hidden
        case "TRIP SHOW", "TRIP CANCEL", "TRIP STATUS", "TRIP READY", "TRIP ASSIGN", "TRIP LOCK", "TRIP UNLOCK", "TRIP MOVE":
            let trip = request["id"].flatMap(Int64.init).flatMap { try? store.trip(TripID($0)) }
            return reaches(trip?.area) ? nil : hidden
        case "STANDING HOLD", "STANDING END":
            let order = request["id"].flatMap(Int64.init).flatMap { try? store.standingOrder(StandingOrderID($0)) }
            return reaches(order.flatMap { patientArea($0.patient.rawValue) }) ? nil : hidden
        case "TRIP BOOK", "STANDING ADD", "SHIFT ADD", "RUN SHOW":
            return nil  // their patient, vehicle and driver were checked above
        case "ATTENTION", "DAY CLOSE":
            // One area's day: the area named (checked above to be theirs), or theirs implied.
            return request["area"] == nil ? "'\(name.lowercased())' covers every area of this server; name one of your areas" : nil
        case "PATIENT ADD", "PLACE ADD", "VEHICLE ADD", "DRIVER ADD", "PLACE LIST":
            return nil  // added to the request's area, which is one of theirs; places are public
        default:
            return "'\(name.lowercased())' covers every area of this server; ask an admin"
        }
    }

    private func patientArea(_ id: String?) -> AreaID? {
        id.flatMap { try? store.patient(PatientID(unchecked: $0))?.area }
    }

    private func reaches(_ area: AreaID??) -> Bool {
        guard let area = area ?? nil else { return false }
        return areas.contains(area)
    }
}

/// Which roles may run which commands (first cut: planners read, drivers report on trips and read
/// runs, dispatchers do all but manage users, admins everything).
enum Access {
    static let reads: Set<String> = [
        "PLACE LIST", "PATIENT SHOW", "PATIENT LIST", "PATIENT FIND", "VEHICLE LIST", "DRIVER LIST", "SHIFT LIST", "TRIP SHOW",
        "TRIP LIST", "STANDING LIST", "AUDIT", "RUNS", "RUN SHOW", "REPORT", "REPORT FUNDER", "ATTENTION",
    ]

    static func allows(_ role: User.Role, _ request: Request) -> Bool {
        let name = request.verb + (request.subverb.map { " " + $0 } ?? "")
        switch role {
        case .admin: return true
        case .dispatcher: return !name.hasPrefix("USER")
        case .planner: return reads.contains(name)
        case .driver: return name == "RUN SHOW" || name == "RUNS" || name == "TRIP STATUS" || name == "TRIP SHOW"
        }
    }
}

/// A flag set once, safely across threads.
final class Mutex: @unchecked Sendable {
    private var lock = pthread_mutex_t()
    private var flag = false
    init() { pthread_mutex_init(&lock, nil) }
    deinit { pthread_mutex_destroy(&lock) }
    /// Sets the flag; false when it was already set.
    func set() -> Bool {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        if flag { return false }
        flag = true
        return true
    }
    var isSet: Bool {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return flag
    }
}
