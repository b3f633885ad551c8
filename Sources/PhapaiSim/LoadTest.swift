#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PhapaiCore
import PhapaiNet
import PhapaiProtocol
import PhapaiScheduler
import PhapaiService

/// What `phapai-sim load` sends, how fast, and for how long.
public struct LoadOptions: Sendable {
    public var host = "127.0.0.1"
    public var port: UInt16 = 7878
    public var token = ""
    public var clients = 10
    /// Requests per second over all clients, sent on a fixed schedule whatever the replies do
    /// (no coordinated omission). Nil: each client keeps `depth` requests outstanding instead.
    public var rate: Double?
    /// Requests each client keeps in flight when there is no fixed rate (1: no pipelining).
    public var depth = 1
    public var duration: Double = 10
    /// Relative weights of the operations.
    public var mix: [LoadOperation: Double] = [.book: 1]
    /// Patients registered for the run (bookings cycle over them and over the booking horizon).
    public var patients = 1000
    /// Instead of load: open this many connections, log them in, hold them for `duration`, and
    /// read the server's memory with STATS.
    public var idleConnections: Int?
    /// Beside the load: one more connection asks `PLAN time=` this many seconds of a day filled
    /// with `planJourneys` bookings first (a day the load does not book into), at the start of
    /// the run; its reply is the `plan` row. Shows whether the server keeps answering meanwhile.
    public var planSeconds: Double?
    /// Journeys booked on the planned day before the run (patients of their own).
    public var planJourneys = 80
    public var seed: UInt64 = 1

    public init() {}
}

/// One kind of request in the mix.
public enum LoadOperation: String, CaseIterable, Sendable, Comparable {
    /// `PING`.
    case ping
    /// `TRIP BOOK` for a registered load patient, to a hospital, days ahead.
    case book
    /// `TRIP SHOW` of a trip booked earlier in the run.
    case show
    /// `TRIP LIST` of one load patient's trips (a dispatcher looking a patient up).
    case list
    /// `TRIP CANCEL` of a trip booked earlier in the run.
    case cancel
    /// `PLAN` of the planned day (with `--plan`; not an operation of the mix).
    case plan

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Counts and latencies of one operation.
public struct LoadFigures: Sendable {
    public var operation: String
    public var sent = 0
    public var succeeded = 0
    /// Refused by the rules (55x: double booking, nothing to cancel), not failures of the server.
    public var refused = 0
    public var failed = 0
    /// Milliseconds from the moment each request was due to its reply's last line.
    public var latencies: [Double] = []

    /// The nearest-rank percentile (q in 0...1) of the latencies, in milliseconds.
    public func percentile(_ q: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let sorted = latencies.sorted()
        let rank = min(max(Int((q * Double(sorted.count)).rounded(.up)) - 1, 0), sorted.count - 1)
        return sorted[rank]
    }
}

/// The outcome of a load run.
public struct LoadResult: Sendable {
    public var seconds: Double
    public var figures: [LoadFigures]
    /// `key=value` fields of the server's STATS after the run (empty when the token may not ask).
    public var serverStats: [String: String]

    /// Header and rows of the per-operation table (also written as CSV).
    public var table: [[String]] {
        var rows = [["operation", "sent", "ok", "refused", "failed", "ok_per_s", "p50_ms", "p90_ms", "p99_ms", "p99.9_ms", "max_ms"]]
        for figure in figures {
            rows.append([
                figure.operation, String(figure.sent), String(figure.succeeded), String(figure.refused), String(figure.failed),
                String(format: "%.0f", Double(figure.succeeded) / seconds),
            ] + [0.5, 0.9, 0.99, 0.999, 1].map { String(format: "%.2f", figure.percentile($0)) })
        }
        return rows
    }
}

/// A fixed-rate (or fixed-depth) load generator for `phapaid`: one thread, one poll loop over
/// all client connections, replies matched to requests in order.
public final class LoadTest {
    let options: LoadOptions
    private var random: SeededGenerator
    private var booked: [Int] = []
    private var bookingCounter = 0
    private var runPrefix = ""
    private var hospital = ""
    private var village = ""
    /// The day `--plan` plans: one the load's bookings never reach.
    private var planDay: LocalDate?
    private var firstDay = LocalDate(year: 2026, month: 1, day: 1)!

    public init(options: LoadOptions) {
        self.options = options
        random = SeededGenerator(seed: options.seed)
    }

    /// Runs the load and returns the figures; `progress` gets a line now and then.
    public func run(progress: (String) -> Void) throws -> LoadResult {
        if let idle = options.idleConnections { return try holdIdle(idle, progress: progress) }
        var connections: [LoadConnection] = []
        for _ in 0..<options.clients { connections.append(try login()) }
        try prepare(on: connections[0], progress: progress)
        // The planning connection is read like the others; it sends only its one PLAN.
        let planner = try options.planSeconds.map { _ in try login() }
        if planner != nil { try preparePlanDay(on: connections[0], progress: progress) }
        let polled = connections + (planner.map { [$0] } ?? [])
        for connection in polled { try connection.socket.setNonBlocking() }

        let operations = options.mix.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        guard !operations.isEmpty else { throw LoadError("--mix needs at least one operation with a positive weight") }
        let totalWeight = operations.reduce(0) { $0 + $1.value }
        var figures = Dictionary(uniqueKeysWithValues: operations.map { ($0.key, LoadFigures(operation: $0.key.rawValue)) })
        if planner != nil { figures[.plan] = LoadFigures(operation: LoadOperation.plan.rawValue) }
        func pick() -> LoadOperation {
            var draw = random.unit() * totalWeight
            for (operation, weight) in operations {
                draw -= weight
                if draw < 0 { return operation }
            }
            return operations.last!.key
        }

        let start = LoadTest.now()
        let end = start + options.duration
        if let planner, let seconds = options.planSeconds, let planDay {
            planner.queue("PLAN date=\(planDay.iso) time=\(Int(seconds))", operation: .plan, due: start)
            figures[.plan]!.sent += 1
            try planner.flush()
        }
        // A plan longer than the run is waited for.
        let last = max(end, start + (options.planSeconds ?? 0))
        let interval = options.rate.map { Double(options.clients) / $0 }
        // Client i's k-th request is due at start + (k + i/clients) * interval: staggered, fixed.
        var sentCount = [Int](repeating: 0, count: connections.count)
        var lastReport = start
        while true {
            let now = LoadTest.now()
            if now > last + 30 { throw LoadError("replies still missing 30 s after the end") }
            // At a fixed rate every request due before the end is sent, however late the loop
            // gets to it; at a fixed depth, sending stops at the end.
            var nextDue = Double.infinity
            for (index, connection) in connections.enumerated() {
                if let interval {
                    while true {
                        let due = start + (Double(sentCount[index]) + Double(index) / Double(connections.count)) * interval
                        guard due < end else { break }
                        guard due <= now else {
                            nextDue = min(nextDue, due)
                            break
                        }
                        let operation = pick()
                        connection.queue(line(for: operation), operation: operation, due: due)
                        figures[operation]!.sent += 1
                        sentCount[index] += 1
                    }
                } else if now < end {
                    while connection.waiting < options.depth {
                        let operation = pick()
                        connection.queue(line(for: operation), operation: operation, due: now)
                        figures[operation]!.sent += 1
                    }
                }
                try connection.flush()
            }
            let sending = interval == nil ? now < end : nextDue < .infinity
            if !sending && polled.allSatisfy({ $0.waiting == 0 && $0.pending.isEmpty }) { break }
            var entries = polled.map { Poller.Entry(descriptor: $0.socket.descriptor, wantsRead: true, wantsWrite: !$0.pending.isEmpty) }
            let waitMilliseconds = interval == nil ? 100 : max(0, Int32((min(nextDue - LoadTest.now(), 0.1) * 1000).rounded(.down)))
            try Poller.wait(&entries, milliseconds: sending ? waitMilliseconds : 50)
            for (index, connection) in polled.enumerated() {
                if entries[index].writable { try connection.flush() }
                guard entries[index].readable || entries[index].failed else { continue }
                for answer in try connection.receive() {
                    let finished = LoadTest.now()
                    // In place: a copy of the figure would copy its latencies on every reply.
                    figures[answer.operation]!.latencies.append((finished - answer.due) * 1000)
                    if (200..<300).contains(answer.reply.code) {
                        figures[answer.operation]!.succeeded += 1
                        if answer.operation == .book, let trip = answer.bookedTrip { booked.append(trip) }
                    } else if (550..<560).contains(answer.reply.code) {
                        figures[answer.operation]!.refused += 1
                    } else {
                        figures[answer.operation]!.failed += 1
                    }
                }
            }
            if LoadTest.now() - lastReport >= 5 {
                lastReport = LoadTest.now()
                let done = figures.values.reduce(0) { $0 + $1.latencies.count }
                progress(String(format: "  %.0f s: %d replies", lastReport - start, done))
            }
        }
        let seconds = LoadTest.now() - start
        let stats = (try? serverStats(connections[0])) ?? [:]
        let planned = planner == nil ? [] : [figures[.plan]!]
        return LoadResult(seconds: seconds, figures: operations.map { figures[$0.key]! } + planned, serverStats: stats)
    }

    /// Opens a blocking connection and logs in.
    private func login() throws -> LoadConnection {
        let connection = LoadConnection(socket: try Socket.connect(host: options.host, port: options.port))
        try connection.socket.setNoDelay()
        try connection.socket.setReadTimeout(seconds: 30)
        guard let greeting = try connection.blockingReply(), greeting.reply.code == 220 else { throw LoadError("no 220 greeting from the server") }
        connection.queue("HELLO proto=1 token=\(options.token)", operation: .ping, due: 0)
        try connection.flushBlocking()
        guard let hello = try connection.blockingReply(), hello.reply.code == 230 else {
            throw LoadError("the server refused the token (HELLO did not answer 230)")
        }
        return connection
    }

    /// Finds a hospital and a village, and registers the load patients (pipelined).
    private func prepare(on connection: LoadConnection, progress: (String) -> Void) throws {
        func ids(kind: String) throws -> [String] {
            connection.queue("PLACE LIST kind=\(kind) json=yes", operation: .ping, due: 0)
            try connection.flushBlocking()
            guard let answer = try connection.blockingReply(), answer.reply.code == 200 else { throw LoadError("PLACE LIST kind=\(kind) failed") }
            let json = answer.reply.data.joined(separator: "\n")
            let places = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] ?? []
            return places.compactMap { $0["id"] as? String }
        }
        guard let hospital = try ids(kind: "hospital").first, let village = try ids(kind: "village").first else {
            throw LoadError("the server's area needs a hospital and a village")
        }
        self.hospital = hospital
        self.village = village
        // A fresh prefix per run, so runs on the same database never double-book.
        runPrefix = "L" + String(UInt64(Date().timeIntervalSince1970 * 1000) % 2_176_782_336, radix: 36).uppercased()
        if [.book, .show, .list, .cancel].contains(where: { options.mix[$0, default: 0] > 0 }) {
            progress("registering \(options.patients) load patients (\(runPrefix)-*)")
            try register((0..<options.patients).map { "\(runPrefix)-\($0)" }, on: connection)
        }
        // Bookings start the day after tomorrow, clear of the minimum notice.
        firstDay = UTCOffset.bangkok.date(of: PhapaiService.systemClock()).adding(days: 2)
    }

    /// Registers patients (pipelined, 200 at a time).
    private func register(_ ids: [String], on connection: LoadConnection) throws {
        var index = 0
        while index < ids.count {
            let batch = ids[index..<min(index + 200, ids.count)]
            for (offset, id) in batch.enumerated() {
                connection.queue(
                    "PATIENT ADD id=\(id) name=\"ผู้ป่วยทดสอบโหลด \(index + offset)\" phone=0800000000 "
                        + "village=\(village) mobility=ambulatory companions=0 entitlement=self_pay", operation: .ping, due: 0)
            }
            try connection.flushBlocking()
            for _ in batch {
                guard let answer = try connection.blockingReply(), answer.reply.code == 200 else { throw LoadError("PATIENT ADD failed during setup") }
            }
            index += batch.count
        }
    }

    /// Fills the day `--plan` plans: the last weekday of the booking horizon (21 days), past the
    /// days the load books into (19 from the day after tomorrow), with journeys of patients of
    /// its own, appointments every half hour from 07:30.
    private func preparePlanDay(on connection: LoadConnection, progress: (String) -> Void) throws {
        let today = UTCOffset.bangkok.date(of: PhapaiService.systemClock())
        guard let day = [21, 20].map({ today.adding(days: $0) }).first(where: { $0.weekday < .saturday }) else {
            throw LoadError("no weekday at the end of the booking horizon to plan")
        }
        planDay = day
        let ids = (0..<options.planJourneys).map { "\(runPrefix)-P\($0)" }
        progress("booking \(ids.count) journeys on \(day.iso) to plan")
        try register(ids, on: connection)
        for (index, id) in ids.enumerated() {
            let minutes = 7 * 60 + 30 + (index % 16) * 30
            let time = String(format: "%02d:%02d", minutes / 60, minutes % 60)
            connection.queue(
                "TRIP BOOK patient=\(id) to=\(hospital) appointment=\"\(day.iso) \(time)\" return=\(String(format: "%02d:%02d", minutes / 60 + 2, minutes % 60))",
                operation: .ping, due: 0)
        }
        try connection.flushBlocking()
        var booked = 0
        for _ in ids {
            guard let answer = try connection.blockingReply() else { throw LoadError("the server closed the connection during setup") }
            if answer.reply.code == 200 { booked += 1 }
        }
        progress("booked \(booked) of \(ids.count) journeys on \(day.iso)")
    }

    /// The request line for one operation.
    private func line(for operation: LoadOperation) -> String {
        switch operation {
        case .ping:
            return "PING"
        case .book:
            // Booking k: patient k mod P, then the next of 4 slots a day (2 h apart) over 19 days,
            // so no two bookings of one patient overlap.
            let k = bookingCounter
            bookingCounter += 1
            let slot = (k / options.patients) % (19 * 4)
            let day = firstDay.adding(days: slot / 4)
            let time = String(format: "%02d:00", 8 + (slot % 4) * 2)
            return "TRIP BOOK patient=\(runPrefix)-\(k % options.patients) to=\(hospital) appointment=\"\(day.iso) \(time)\""
        case .show:
            guard !booked.isEmpty else { return "PING" }
            return "TRIP SHOW id=\(booked[random.below(booked.count)])"
        case .list:
            return "TRIP LIST patient=\(runPrefix)-\(random.below(options.patients))"
        case .cancel:
            guard !booked.isEmpty else { return "PING" }
            let trip = booked.remove(at: random.below(booked.count))
            return "TRIP CANCEL id=\(trip) reason=\"load test\""
        case .plan:
            // Sent once, by the planning connection, not drawn from the mix.
            return "PING"
        }
    }

    /// Opens `count` logged-in connections, holds them, and asks the server for its memory.
    private func holdIdle(_ count: Int, progress: (String) -> Void) throws -> LoadResult {
        var figure = LoadFigures(operation: "idle-connect")
        var connections: [LoadConnection] = []
        let start = LoadTest.now()
        for index in 0..<count {
            let began = LoadTest.now()
            connections.append(try login())
            figure.sent += 1
            figure.succeeded += 1
            figure.latencies.append((LoadTest.now() - began) * 1000)
            if (index + 1) % 250 == 0 { progress("  \(index + 1) connections logged in") }
        }
        progress(String(format: "holding %d connections for %.0f s", count, options.duration))
        usleep(UInt32(options.duration * 1_000_000))
        let stats = try serverStats(connections[0])
        return LoadResult(seconds: LoadTest.now() - start, figures: [figure], serverStats: stats)
    }

    /// The server's STATS fields (needs an admin token).
    private func serverStats(_ connection: LoadConnection) throws -> [String: String] {
        try connection.socket.setBlocking()
        connection.queue("STATS", operation: .ping, due: 0)
        try connection.flushBlocking()
        guard let answer = try connection.blockingReply(), answer.reply.code == 200 else { return [:] }
        var fields: [String: String] = [:]
        for field in answer.reply.fields { fields[field.key] = field.value }
        return fields
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}

/// One client connection of the load: bytes to send, requests awaiting replies in order.
final class LoadConnection {
    struct Outstanding {
        let operation: LoadOperation
        let due: Double
    }

    /// A whole reply, matched to its request.
    struct Answer {
        let operation: LoadOperation
        let due: Double
        let reply: Reply

        /// The outbound trip a booking made: its reply's `trip` field.
        /// The booked outbound trip, from the reply's `trip` field.
        var bookedTrip: Int? { reply["trip"].flatMap { Int($0) } }
    }

    let socket: Socket
    var pending: [UInt8] = []
    var outstanding: [Outstanding] = []
    private var outstandingHead = 0
    private var assembler = ReplyAssembler()

    init(socket: Socket) { self.socket = socket }

    /// The last line the server sent (for messages when it breaks off).
    private var lastLine: String { assembler.lastLine ?? "" }

    func queue(_ line: String, operation: LoadOperation, due: Double) {
        pending += Array((line + "\r\n").utf8)
        outstanding.append(Outstanding(operation: operation, due: due))
    }

    /// Writes what the kernel takes now.
    func flush() throws {
        guard !pending.isEmpty else { return }
        let written = try socket.write(pending)
        pending.removeFirst(written)
    }

    func flushBlocking() throws {
        try socket.writeAll(pending)
        pending.removeAll()
    }

    /// Reads what is there and returns the replies it completes.
    func receive() throws -> [Answer] {
        let bytes: [UInt8]
        do {
            guard let read = try socket.read(maximum: 65_536) else { return [] }
            bytes = read
        } catch {
            throw LoadError("the server closed a connection (\(error)); its last line was: \(lastLine)")
        }
        if bytes.isEmpty { throw LoadError("the server closed a connection; its last line was: \(lastLine)") }
        assembler.feed(bytes)
        var answers: [Answer] = []
        while let answer = try nextAnswer() { answers.append(answer) }
        return answers
    }

    /// Waits for one whole reply (blocking socket).
    func blockingReply() throws -> Answer? {
        while true {
            if let answer = try nextAnswer() { return answer }
            guard let bytes = try socket.read(maximum: 65_536), !bytes.isEmpty else { return nil }
            assembler.feed(bytes)
        }
    }

    /// The next whole reply buffered, matched to its request; pushed events are passed over.
    private func nextAnswer() throws -> Answer? {
        while true {
            let next: Reply?
            do {
                next = try assembler.next()
            } catch {
                throw LoadError("a malformed reply from the server (\(error)); its last line was: \(lastLine)")
            }
            guard let reply = next else { return nil }
            if reply.isPush { continue }
            let request: Outstanding
            if outstandingHead < outstanding.count {
                request = outstanding[outstandingHead]
                outstandingHead += 1
                if outstandingHead > 1024 && outstandingHead * 2 > outstanding.count {
                    outstanding.removeFirst(outstandingHead)
                    outstandingHead = 0
                }
            } else {
                // The greeting, or the server's parting 421: no request of ours.
                request = Outstanding(operation: .ping, due: LoadTest.now())
            }
            return Answer(operation: request.operation, due: request.due, reply: reply)
        }
    }
}

extension LoadConnection {
    /// Requests still waiting for a reply.
    var waiting: Int { outstanding.count - outstandingHead }
}

/// A load run that cannot go on.
public struct LoadError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

