#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PhapaiApp
import PhapaiCore
import PhapaiNet
import PhapaiProtocol
import PhapaiServer
import PhapaiService
import Synchronization

/// What `phapai-sim load --province N` builds and drives.
public struct ProvinceLoadOptions: Sendable {
    /// Tambons in the one database (each a copy of the sample tambon with its own code prefix).
    public var areas = 100
    /// Journeys each tambon's dispatcher books for the next day (both legs count as trips).
    public var journeysPerArea = 15
    /// Search iterations of each tambon's plan of the next day.
    public var planIterations = 300
    /// Where the sample tambon and the policies are.
    public var configFolder = "config"
    /// Status reports each driver sends per second while the plans run: one every 10 s, some 30
    /// times a province's real rate (3,000 trips a day, three or four reports each over ten hours).
    public var reportsPerSecond = 0.1
    /// Bookings per second of the dispatchers who keep booking while the plans run.
    public var bookingsPerSecond = 20.0
    /// Runs every command on the server's loop, as before the workers (for comparison).
    public var loopOnly = false

    public init() {}
}

/// Latencies of one kind of request in one phase.
public struct ProvinceFigures: Sendable {
    public var phase: String
    public var operation: String
    public var succeeded = 0
    public var refused = 0
    public var failed = 0
    public var latencies: [Double] = []

    /// Nearest-rank percentile in milliseconds.
    public func percentile(_ q: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let sorted = latencies.sorted()
        return sorted[min(max(Int((q * Double(sorted.count)).rounded(.up)) - 1, 0), sorted.count - 1)]
    }
}

/// The outcome of a province run.
public struct ProvinceLoadResult: Sendable {
    public var figures: [ProvinceFigures]
    /// Seconds the first phase's bookings took, all dispatchers at once.
    public var bookingSeconds: Double
    /// Seconds one tambon's plan of the next day took alone.
    public var onePlanSeconds: Double
    /// Seconds the other tambons' plans took, all asked at once.
    public var allPlansSeconds: Double
    /// Plans asked at once.
    public var plans: Int
    /// Connections the server cut (a 421 or a closed stream) during the run.
    public var connectionsCut: Int
    /// Commands one tambon's dispatcher gave in the last phase (every command a dispatcher may
    /// give), those answered with a refusal other than the rules', and the other tambons' codes
    /// their answers showed (there must be none).
    public var sweepCommands = 0
    public var sweepFailures: [String] = []
    public var sweepLeaks: [String] = []
    /// The server's STATS after the run.
    public var serverStats: [String: String]

    /// Header and rows of the latency table.
    public var table: [[String]] {
        [["phase", "operation", "ok", "refused", "failed", "p50_ms", "p99_ms", "max_ms"]] + figures.map { figure in
            [figure.phase, figure.operation, String(figure.succeeded), String(figure.refused), String(figure.failed)]
                + [0.5, 0.99, 1].map { String(format: "%.2f", figure.percentile($0)) }
        }
    }
}

/// The province benchmark: one database of many tambons behind one `phapaid` (in this process),
/// their dispatchers booking the next day at once, then every tambon planning that day at once
/// while drivers report and watch their runs, a bystander pings and dispatchers keep booking.
public enum ProvinceLoad {
    /// Builds the province, runs it, and returns the figures; `progress` hears each phase.
    public static func run(_ options: ProvinceLoadOptions, progress: (String) -> Void) throws -> ProvinceLoadResult {
        let folder = NSTemporaryDirectory() + "phapai-province-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer {
            // Best effort: a temporary folder left behind is not a failed benchmark.
            try? FileManager.default.removeItem(atPath: folder)
        }
        let path = folder + "/phapai.db"
        let offset = UTCOffset.bangkok
        let clock = SettableClock(try offset.parseDateTime("2026-11-20 10:00", field: "now"))
        let monday = LocalDate(year: 2026, month: 11, day: 23)!
        let tuesday = monday.adding(days: 1)

        // The province: every tambon a copy of the sample with its own prefix, Monday booked and planned.
        let started = LoadTest.now()
        let builder = try PhapaiService.open(path: path, create: true, actor: "bench:province", clock: clock.read)
        let policies = try ConfigDecoding.decode(
            Policies.self, from: Data(contentsOf: URL(fileURLWithPath: options.configFolder + "/policies.json")), file: "policies.json")
        let sample = try Data(contentsOf: URL(fileURLWithPath: options.configFolder + "/areas/sample-tambon.json"))
        var tambons: [(area: AreaID, prefix: String)] = []
        for index in 1...options.areas {
            var file = try AreaFile.decode(sample, file: "sample-tambon.json")
            file.id = String(format: "tambon-%03d", index)
            let prefix = String(format: "T%03d-", index)
            let area = try file.build(defaults: policies, prefix: prefix)
            _ = try builder.importArea(area)
            tambons.append((area.id, prefix))
            for journey in 0..<8 {
                let patient = PatientID(unchecked: prefix + String(format: "P%03d", 10 + journey))
                let appointment = try offset.parseDateTime("2026-11-23 " + String(format: "%02d:00", 9 + journey % 4), field: "t")
                _ = try builder.bookTrip(BookingRequest(
                    patient: patient, to: PlaceID(unchecked: prefix + "H-COMM"), timing: .appointment(appointment),
                    returnLeg: .at(appointment.adding(seconds: 2 * 3600)), companions: 0))
            }
            _ = try builder.planDay(monday, area: area.id, seconds: 60, iterations: 100)
        }
        progress(String(format: "built %d tambons, Monday booked and planned (%.1f s)", options.areas, LoadTest.now() - started))

        // Logins: a dispatcher per tambon, the driver of each tambon's first Monday run, a planner and an admin.
        var dispatchers: [String] = []
        var drivers: [(token: String, run: ShiftID, trip: TripID)] = []
        for (area, _) in tambons {
            dispatchers.append(try builder.addUser(name: "disp-\(area)", role: .dispatcher, areas: [area]).token)
            if let run = try builder.runs(on: monday, area: area).first(where: { !$0.stops.isEmpty }) {
                drivers.append((try builder.addUser(name: "drv-\(area)", role: .driver, driver: run.driver).token, run.shift, run.stops[0].trip))
            }
        }
        let planner = try builder.addUser(name: "planner", role: .planner).token
        // What the client threads share, fixed from here on.
        let (tokens, prefixes, logins) = (dispatchers, tambons.map(\.prefix), drivers)
        let admin = try builder.addUser(name: "admin", role: .admin).token
        clock.set(try offset.parseDateTime("2026-11-23 06:00", field: "now"))

        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.maxConnections = 4 * options.areas + 64
        let service = try PhapaiService.open(path: path, create: false, actor: "phapaid", clock: clock.read)
        let openWorker: @Sendable () throws -> Application = {
            Application(service: try PhapaiService.open(path: path, create: false, actor: "phapaid", clock: clock.read))
        }
        let server = Server(
            configuration: configuration, application: Application(service: service),
            // Each worker its own connection to the same file, as phapaid opens them.
            openWorker: options.loopOnly ? nil : openWorker)
        let port = try server.start()
        defer { server.stop() }
        let cut = CutCounter()
        let recorder = Recorder()

        // Phase 1: every dispatcher books the next day at once.
        let bookingStarted = LoadTest.now()
        try concurrently(tokens.indices) { index in
            let client = try Client(port: port, token: tokens[index], cut: cut)
            let prefix = prefixes[index]
            for journey in 0..<options.journeysPerArea {
                let patient = prefix + String(format: "P%03d", 1 + journey % 40)
                let hour = 8 + journey % 6
                let line = "TRIP BOOK patient=\(patient) to=\(prefix)H-COMM appointment=\"2026-11-24 \(String(format: "%02d", hour)):00\" return=\(String(format: "%02d", hour + 2)):00"
                recorder.add("book next day", "TRIP BOOK", try client.timed(line))
            }
        }
        let bookingSeconds = LoadTest.now() - bookingStarted
        progress(String(format: "phase 1: %d dispatchers booked %d journeys each in %.2f s", dispatchers.count, options.journeysPerArea, bookingSeconds))

        // One tambon's plan alone: the unit the plans at once are measured against.
        let adminClient = try Client(port: port, token: admin, cut: cut)
        let aloneStarted = LoadTest.now()
        let alone = try adminClient.timed("PLAN date=\(tuesday.iso) area=\(tambons[0].area) iterations=\(options.planIterations)")
        let onePlanSeconds = LoadTest.now() - aloneStarted
        recorder.add("one plan alone", "PLAN", alone)
        progress(String(format: "one tambon's plan alone: %.2f s", onePlanSeconds))

        // Phase 2: every other tambon plans Tuesday at once, while drivers report and watch,
        // a bystander pings and some dispatchers keep booking Wednesday.
        let planning = Flag()
        let bystanders = DispatchGroup()
        func background(_ body: @escaping @Sendable () throws -> Void) {
            bystanders.enter()
            Thread.detachNewThread {
                defer { bystanders.leave() }
                do { try body() } catch { cut.count.add(1, ordering: .relaxed) }
            }
        }
        background {
            let client = try Client(port: port, token: planner, cut: cut)
            while planning.isSet {
                recorder.add("plans at once", "PING", try client.timed("PING"))
                usleep(20_000)
            }
        }
        for driver in logins {
            background {
                let client = try Client(port: port, token: driver.token, cut: cut)
                _ = try client.timed("WATCH run=\(driver.run)")
                var arrived = false
                // Drivers start at different moments, as they would.
                usleep(UInt32.random(in: 0..<UInt32(1_000_000 / options.reportsPerSecond)))
                while planning.isSet {
                    let action = arrived ? "undo" : "arrive"
                    recorder.add("plans at once", "TRIP STATUS", try client.timed("TRIP STATUS id=\(driver.trip) action=\(action)"))
                    arrived.toggle()
                    usleep(UInt32(1_000_000 / options.reportsPerSecond))
                }
            }
        }
        let bookers = min(10, dispatchers.count)
        for index in 0..<bookers {
            background {
                let client = try Client(port: port, token: tokens[index], cut: cut)
                let prefix = prefixes[index]
                var journey = 0
                while planning.isSet {
                    let patient = prefix + String(format: "P%03d", 1 + journey % 40)
                    let line = "TRIP BOOK patient=\(patient) to=\(prefix)H-PROV appointment=\"2026-11-25 \(String(format: "%02d", 8 + journey / 40 % 6)):30\""
                    recorder.add("plans at once", "TRIP BOOK", try client.timed(line))
                    journey += 1
                    usleep(UInt32(1_000_000 * Double(bookers) / options.bookingsPerSecond))
                }
            }
        }
        let plansStarted = LoadTest.now()
        try concurrently(tokens.indices.dropFirst()) { index in
            let client = try Client(port: port, token: tokens[index], cut: cut)
            recorder.add("plans at once", "PLAN", try client.timed("PLAN date=\(tuesday.iso) iterations=\(options.planIterations)"))
        }
        let allPlansSeconds = LoadTest.now() - plansStarted
        planning.clear()
        bystanders.wait()
        progress(String(format: "phase 2: %d plans at once in %.2f s", dispatchers.count - 1, allPlansSeconds))

        // Phase 3: one tambon's dispatcher gives every command a dispatcher may give; nothing of
        // the other tambons may show.
        let sweep = try sweepEveryCommand(port: port, token: tokens[tokens.count / 2], prefix: prefixes[prefixes.count / 2], cut: cut)
        progress("phase 3: \(sweep.commands) commands of one tambon's dispatcher, \(sweep.leaks.count) showing another tambon's codes")
        let stats = try Client(port: port, token: admin, cut: cut).request("STATS")
        return ProvinceLoadResult(
            figures: recorder.figures, bookingSeconds: bookingSeconds, onePlanSeconds: onePlanSeconds, allPlansSeconds: allPlansSeconds,
            plans: dispatchers.count - 1, connectionsCut: cut.count.load(ordering: .relaxed),
            sweepCommands: sweep.commands, sweepFailures: sweep.failures, sweepLeaks: sweep.leaks,
            serverStats: Dictionary(stats.fields.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }))
    }

    /// Gives every command of a dispatcher, for tambon `prefix`, and collects the answers that
    /// failed for another reason than the rules and the other tambons' codes any answer shows.
    static func sweepEveryCommand(port: UInt16, token: String, prefix p: String, cut: CutCounter) throws
        -> (commands: Int, failures: [String], leaks: [String])
    {
        let client = try Client(port: port, token: token, cut: cut)
        let other = try NSRegularExpression(pattern: "T[0-9]{3}-")
        var failures: [String] = [], leaks: [String] = []
        var count = 0
        func run(_ line: String) throws -> Reply {
            count += 1
            let reply = try client.request(line)
            // 55x are the rules answering (a will-call not yet called, say); anything else is a failure here.
            if !(200..<300).contains(reply.code) && !(550..<560).contains(reply.code) { failures.append("\(line) -> \(reply.code) \(reply.keyword)") }
            for text in reply.lines {
                for match in other.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    let code = (text as NSString).substring(with: match.range)
                    if code != p { leaks.append("\(line): \(code)") }
                }
            }
            return reply
        }
        let tuesday = "2026-11-24"
        _ = try run("PLACE LIST")
        _ = try run(#"PLACE ADD id=\#(p)SALA kind=landmark name="ศาลา" lat=7.01 lon=100.47"#)
        _ = try run(#"PATIENT ADD id=\#(p)P900 name="ผู้ป่วย ทดสอบ" phone=0812345678 village=\#(p)V01 mobility=ambulatory entitlement=self_pay"#)
        _ = try run("PATIENT SHOW id=\(p)P004")
        _ = try run("PATIENT LIST")
        _ = try run("PATIENT FIND text=P00")
        _ = try run(#"PATIENT EDIT id=\#(p)P900 notes="ทดสอบ""#)
        _ = try run(#"VEHICLE ADD id=\#(p)CAR2 name="รถ" seats=3 cost-per-km=5 depot=\#(p)DEPOT"#)
        _ = try run("VEHICLE LIST")
        _ = try run(#"DRIVER ADD id=\#(p)D09 name="คนขับ ทดสอบ" phone=0899999999"#)
        _ = try run("DRIVER LIST")
        _ = try run("SHIFT ADD driver=\(p)D09 vehicle=\(p)CAR2 date=2026-11-26 start=08:00 end=12:00")
        _ = try run("SHIFT LIST from=2026-11-23 to=2026-11-26")
        let booked = try run(#"TRIP BOOK patient=\#(p)P030 to=\#(p)H-PROV appointment="2026-11-26 09:00" return=12:00"#)
        let trip = booked["trip"] ?? "0"
        _ = try run("TRIP SHOW id=\(trip)")
        _ = try run("TRIP LIST date=\(tuesday)")
        _ = try run("TRIP ASSIGN id=\(trip) vehicle=\(p)VAN1")
        _ = try run(#"TRIP MOVE id=\#(trip) appointment="2026-11-27 09:00""#)
        _ = try run(#"TRIP CANCEL id=\#(trip) reason="ญาติพาไป""#)
        let monday = try run("TRIP LIST date=2026-11-23 status=scheduled json=yes")
        if let scheduled = monday.data.first(where: { $0.contains("\"id\":") })?.filter(\.isNumber), !scheduled.isEmpty {
            _ = try run("TRIP LOCK id=\(scheduled)")
            _ = try run("TRIP UNLOCK id=\(scheduled)")
            _ = try run("TRIP STATUS id=\(scheduled) action=arrive")
            _ = try run("TRIP STATUS id=\(scheduled) action=undo")
            _ = try run("TRIP READY id=\(scheduled)")
        }
        let standing = try run("STANDING ADD patient=\(p)P031 to=\(p)H-PROV days=thu appointment=08:00 start=2026-11-26")
        let order = standing["standing"] ?? "0"
        _ = try run("STANDING LIST")
        _ = try run(#"STANDING HOLD id=\#(order) from=2026-12-03 to=2026-12-03 reason="ไปธุระ""#)
        _ = try run("STANDING END id=\(order) from=2026-12-17")
        _ = try run("STANDING MATERIALISE")
        _ = try run("AUDIT limit=200")
        _ = try run("PLAN date=2026-11-26 iterations=50")
        _ = try run("RUNS date=\(tuesday)")
        _ = try run("RUN SHOW date=\(tuesday) vehicle=\(p)VAN1")
        _ = try run("REPORT from=2026-11-23 to=\(tuesday)")
        _ = try run("REPORT FUNDER month=2026-11")
        _ = try run("ATTENTION date=\(tuesday)")
        _ = try run("DAY CLOSE date=2026-11-20")
        _ = try run("CALLS date=\(tuesday)")
        _ = try run("AREA LIST")
        return (count, failures, leaks)
    }

    /// Runs `body` for each index on its own thread and waits for all; the first error is thrown.
    static func concurrently<C: Collection & Sendable>(_ indices: C, _ body: @escaping @Sendable (C.Element) throws -> Void) throws
    where C.Element: Sendable {
        let group = DispatchGroup()
        let failure = Mutex<(any Error)?>(nil)
        for index in indices {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do { try body(index) } catch { failure.withLock { if $0 == nil { $0 = error } } }
            }
        }
        group.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }
}

/// A flag many threads read.
final class Flag: Sendable {
    private let value = Atomic(true)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func clear() { value.store(false, ordering: .relaxed) }
}

/// Connections the server cut, counted from many threads.
final class CutCounter: Sendable {
    let count = Atomic(0)
}

/// A timed answer: milliseconds and the reply's code.
struct Timed: Sendable {
    var milliseconds: Double
    var code: Int
}

/// Collects latencies from many threads.
final class Recorder: Sendable {
    private let store = Mutex<[String: ProvinceFigures]>([:])
    private let order = Mutex<[String]>([])

    func add(_ phase: String, _ operation: String, _ timed: Timed) {
        let key = phase + "|" + operation
        store.withLock { figures in
            if figures[key] == nil {
                figures[key] = ProvinceFigures(phase: phase, operation: operation)
                order.withLock { $0.append(key) }
            }
            switch timed.code {
            case 200..<400: figures[key]!.succeeded += 1
            case 550..<560: figures[key]!.refused += 1
            default: figures[key]!.failed += 1
            }
            figures[key]!.latencies.append(timed.milliseconds)
        }
    }

    var figures: [ProvinceFigures] {
        let keys = order.withLock { $0 }
        return store.withLock { figures in keys.compactMap { figures[$0] } }
    }
}

/// One logged-in connection of the benchmark, used from one thread.
final class Client {
    let socket: Socket
    let wire: WireClient
    let cut: CutCounter

    init(port: UInt16, token: String, cut: CutCounter) throws {
        let socket = try Socket.connect(port: port)
        self.socket = socket
        self.cut = cut
        wire = WireClient(read: { try socket.read() }, write: { try socket.writeAll($0) })
        guard try wire.greeting().code == 220, try wire.hello(token: token).code == 230 else { throw LoadError("the province's server refused a login") }
    }

    deinit { socket.close() }

    /// Sends `line` and times its reply (pushes of WATCH are passed over).
    func timed(_ line: String) throws -> Timed {
        let started = LoadTest.now()
        let reply = try request(line)
        if reply.code == 421 { cut.count.add(1, ordering: .relaxed) }
        return Timed(milliseconds: (LoadTest.now() - started) * 1000, code: reply.code)
    }

    func request(_ line: String) throws -> Reply {
        try wire.send(line: line)
        return try wire.next()
    }
}
