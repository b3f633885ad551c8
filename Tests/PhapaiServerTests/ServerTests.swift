import Foundation
import Testing
import PhapaiCore
import PhapaiNet
import PhapaiService
import PhapaiStore
@testable import PhapaiServer
import PhapaiCLI

/// A client that reads whole replies (data lines up to the final `NNN ` line), never waiting
/// more than 5 s for the server.
final class Client {
    let socket: Socket
    private var buffer: [UInt8] = []

    init(port: UInt16, receiveBufferBytes: Int32? = nil) throws {
        socket = try Socket.connect(port: port, receiveBufferBytes: receiveBufferBytes)
        try socket.setReadTimeout(seconds: 5)
    }

    func line() throws -> String? {
        while true {
            if let end = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeSubrange(...end)
                return line.hasSuffix("\r") ? String(line.dropLast()) : line
            }
            guard let bytes = try socket.read(), !bytes.isEmpty else { return nil }
            buffer += bytes
        }
    }

    /// The lines of one reply.
    func reply() throws -> [String] {
        var lines: [String] = []
        while let line = try line() {
            lines.append(line)
            if line.count >= 4, Array(line.utf8)[3] == 0x20 { break }
        }
        return lines
    }

    func send(_ text: String) throws { try socket.writeAll(Array((text + "\r\n").utf8)) }

    func ask(_ text: String) throws -> [String] {
        try send(text)
        return try reply()
    }
}

/// A server on a fresh database with the sample area and two users.
final class RunningServer {
    let folder = NSTemporaryDirectory() + "phapai-server-" + UUID().uuidString
    let server: Server
    let port: UInt16
    let dispatcherToken: String
    let plannerToken: String

    init(maxConnections: Int = 64, configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let now = try UTCOffset.bangkok.parseDateTime("2026-11-20 10:00", field: "now")
        let service = try PhapaiService.open(path: folder + "/phapai.db", create: true, actor: "test", clock: { now })
        let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("config")
        let policies = try ConfigDecoding.decode(Policies.self, from: Data(contentsOf: config.appendingPathComponent("policies.json")), file: "p")
        _ = try service.importArea(try AreaFile.decode(
            Data(contentsOf: config.appendingPathComponent("areas/sample-tambon.json")), file: "a").build(defaults: policies))
        dispatcherToken = try service.addUser(name: "somchai", role: .dispatcher, areas: [AreaID(unchecked: "sample-tambon")]).token
        plannerToken = try service.addUser(name: "malee", role: .planner).token
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.maxConnections = maxConnections
        configure(&configuration)
        server = Server(configuration: configuration, service: service)
        port = try server.start()
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Books P004 to the community hospital for Monday 09:00 and plans that day (before any client
    /// connects: the service is the server thread's once clients talk to it).
    func bookAndPlanMonday() throws -> (LocalDate, [Trip]) {
        let day = try LocalDate.parse("2026-11-23", field: "d")
        let trips = try server.service.bookTrip(BookingRequest(
            patient: PatientID(unchecked: "P004"), to: PlaceID(unchecked: "H-COMM"),
            timing: .appointment(try UTCOffset.bangkok.parseDateTime("2026-11-23 09:00", field: "t"))))
        _ = try server.service.planDay(day, seconds: 600, iterations: 50)
        return (day, trips)
    }
}

@Suite("phapaid: the server on 127.0.0.1")
struct ServerTests {
    @Test func greetingPingLoginAndACommand() throws {
        let running = try RunningServer()
        let client = try Client(port: running.port)
        #expect(try client.reply() == [#"220 READY proto=1 "phapai""#])
        #expect(try client.ask("#p1 PING") == ["200 #p1 PONG"])
        #expect(try client.ask("TRIP LIST date=2026-11-23") == [#"530 NOT_LOGGED_IN "say HELLO proto=1 token=... first""#])
        #expect(try client.ask("HELLO proto=1 token=nope") == [#"535 BAD_TOKEN "the token is not valid""#])
        #expect(try client.ask("HELLO proto=1 token=\(running.dispatcherToken)") == ["230 HELLO user=somchai role=dispatcher"])
        let booked = try client.ask(#"#b TRIP BOOK patient=P004 to=H-COMM appointment="2026-11-23 09:00" will-call=yes"#)
        #expect(booked.first == "200-Booked for P004 นางสาวบุญส่ง อินทร์ทอง on 2026-11-23:")
        #expect(booked.last == "200 #b DONE exit=0")
        let refused = try client.ask("TRIP SHOW id=99")
        #expect(refused == [#"554 UNKNOWN_TRIP exit=3 "phapai: error [UNKNOWN_TRIP]: trip: no trip 99""#])
        #expect(try client.ask("QUIT") == ["221 BYE"])
        #expect(try client.line() == nil)
    }

    @Test func aPlannerOnlyReads() throws {
        let running = try RunningServer()
        let client = try Client(port: running.port)
        _ = try client.reply()
        _ = try client.ask("HELLO proto=1 token=\(running.plannerToken)")
        #expect(try client.ask("TRIP LIST date=2026-11-23").last == "200 DONE exit=0")
        #expect(try client.ask("TRIP BOOK patient=P004 to=H-COMM appointment=x").first?.hasPrefix("550 NOT_ALLOWED") == true)
    }

    @Test func badLinesAreAnsweredAndTooLongOnesClose() throws {
        let running = try RunningServer()
        let client = try Client(port: running.port)
        _ = try client.reply()
        #expect(try client.ask("TRIP BOOK x=\"open").first?.hasPrefix("500 SYNTAX") == true)
        try client.socket.writeAll([0x50, 0xFF, 0x0D, 0x0A])
        #expect(try client.reply().first?.hasPrefix("501 INVALID_UTF8") == true)
        // Before HELLO a line may have 512 bytes.
        try client.send("PING " + String(repeating: "x", count: 600))
        #expect(try client.reply() == [#"500 LINE_TOO_LONG "lines are at most 512 bytes""#])
        #expect(try client.line() == nil)
    }

    @Test func anHTTPRequestIsClosedAtOnceAndTheServerCapsConnections() throws {
        let running = try RunningServer(maxConnections: 1)
        let http = try Client(port: running.port)
        _ = try http.reply()
        try http.send("GET / HTTP/1.1")
        #expect(try http.line() == nil)
        let first = try Client(port: running.port)
        #expect(try first.reply().first?.hasPrefix("220 READY") == true)
        let second = try Client(port: running.port)
        #expect(try second.reply() == [#"421 TOO_MANY_CONNECTIONS "try again later""#])
        #expect(try second.line() == nil)
    }
}

@Suite("phapaid: a driver's reach")
struct DriverReachTests {
    @Test func aDriverSeesOnlyTheirOwnRunsAndTrips() throws {
        let running = try RunningServer()
        let service = running.server.service
        let (day, trips) = try running.bookAndPlanMonday()
        let outbound = trips[0]
        let run = try #require(try service.runs(on: day).first { $0.stops.contains { $0.trip == outbound.id } })
        let own = try service.addUser(name: "own", role: .driver, driver: run.driver).token
        let other = try service.drivers().first { $0.id != run.driver }!.id
        let stranger = try service.addUser(name: "stranger", role: .driver, driver: other).token

        let client = try Client(port: running.port)
        _ = try client.reply()
        _ = try client.ask("HELLO proto=1 token=\(own)")
        #expect(try client.ask("TRIP SHOW id=\(outbound.id!)").last == "200 DONE exit=0")
        #expect(try client.ask("RUN SHOW date=2026-11-23 vehicle=\(run.vehicle)").last == "200 DONE exit=0")
        #expect(try client.ask("TRIP LIST").first?.hasPrefix("550 NOT_ALLOWED") == true)

        let outsider = try Client(port: running.port)
        _ = try outsider.reply()
        _ = try outsider.ask("HELLO proto=1 token=\(stranger)")
        let notTheirs = try outsider.ask("TRIP SHOW id=\(outbound.id!)")
        let missing = try outsider.ask("TRIP SHOW id=9999")
        // The same answer whether the trip exists or not.
        #expect(notTheirs.first?.hasPrefix("550 NOT_ALLOWED") == true && notTheirs == missing)
        #expect(try outsider.ask("RUN SHOW date=2026-11-23 vehicle=\(run.vehicle)").first?.hasPrefix("550 NOT_ALLOWED") == true)
    }

    @Test func logLinesCarryARequestIdAndNoPatientData() throws {
        let running = try RunningServer()
        let logged = Lines()
        running.server.log = { logged.add($0) }
        let client = try Client(port: running.port)
        _ = try client.reply()
        _ = try client.ask("HELLO proto=1 token=\(running.dispatcherToken)")
        _ = try client.ask(#"TRIP BOOK patient=P004 to=H-COMM appointment="2026-11-23 09:00" notes="โทร 081-999-1234 ก่อนไป""#)
        _ = try client.ask("PATIENT SHOW id=P004")
        _ = try client.ask("PING")
        _ = try client.ask("CAPA")
        // PING is not logged unless asked for (keepalives would bury the log).
        #expect(logged.lines.count == 4)
        #expect(logged.lines[3].contains("verb=CAPA"))
        #expect(!logged.lines.contains { $0.contains("verb=PING") })
        #expect(logged.lines[1].hasPrefix("event=request id=1-2 user=somchai verb=TRIP.BOOK keys=patient,to,appointment,notes code=200 ms="))
        #expect(logged.lines[0].contains("verb=HELLO keys=proto,token code=230"))
        for line in logged.lines {
            for secret in ["081-999-1234", "โทร", "นางสาวบุญส่ง", running.dispatcherToken, "088-749-7560"] {
                #expect(!line.contains(secret), "a log line leaks: \(line)")
            }
        }
    }

    @Test func statsAreForAdminsAndCount() throws {
        let running = try RunningServer()
        let admin = try running.server.service.addUser(name: "root", role: .admin).token
        let client = try Client(port: running.port)
        _ = try client.reply()
        _ = try client.ask("HELLO proto=1 token=\(running.dispatcherToken)")
        #expect(try client.ask("STATS").first?.hasPrefix("550 NOT_ALLOWED") == true)
        _ = try client.ask(#"TRIP BOOK patient=P004 to=H-COMM appointment="2026-11-23 09:00""#)
        _ = try client.ask("NOT A REQUEST \"")
        let boss = try Client(port: running.port)
        _ = try boss.reply()
        _ = try boss.ask("HELLO proto=1 token=\(admin)")
        let stats = try #require(try boss.ask("STATS").first)
        #expect(stats.hasPrefix("200 STATS connections=2 accepted=2 requests="))
        #expect(stats.contains(" errors=2 "))
        #expect(stats.contains(" commits=") && stats.contains(" commit-p99-ms="))
    }

    @Test func stoppingTellsClientsBeforeClosing() throws {
        let running = try RunningServer()
        let client = try Client(port: running.port)
        _ = try client.reply()
        running.server.stop()
        #expect(try client.reply() == [#"421 SHUTTING_DOWN "the server is stopping""#])
        #expect(try client.line() == nil)
    }
}

@Suite("phapaid: WATCH")
struct WatchTests {
    @Test func watchersGetEveryChangeAndReplayWhatTheyMissed() throws {
        let running = try RunningServer()
        let service = running.server.service
        let (day, trips) = try running.bookAndPlanMonday()
        let run = try #require(try service.runs(on: day).first { $0.stops.contains { $0.trip == trips[0].id } })

        let watcher = try Client(port: running.port)
        _ = try watcher.reply()
        _ = try watcher.ask("HELLO proto=1 token=\(running.dispatcherToken)")
        try watcher.send("#w WATCH run=\(run.shift) since=0")
        let first = try watcher.reply()
        #expect(first.first?.hasPrefix("600 EVENT run=\(run.shift) seq=1 kind=planned") == true)
        #expect(try watcher.reply() == ["200 #w WATCHING run=\(run.shift) seq=1"])

        // Another dispatcher cancels the trip: the run changes, and the watcher hears at once.
        let dispatcher = try Client(port: running.port)
        _ = try dispatcher.reply()
        _ = try dispatcher.ask("HELLO proto=1 token=\(running.dispatcherToken)")
        #expect(try dispatcher.ask("TRIP CANCEL id=\(trips[0].id!) reason=x").last == "200 DONE exit=0")
        let pushed = try watcher.reply()
        #expect(pushed.first?.hasPrefix("600 EVENT run=\(run.shift) seq=2 kind=planned") == true)
        #expect(pushed.first?.contains(#"detail="stops=0""#) == true)

        // A client that reconnects gets what came after the last number it saw.
        let again = try Client(port: running.port)
        _ = try again.reply()
        _ = try again.ask("HELLO proto=1 token=\(running.plannerToken)")
        try again.send("WATCH run=\(run.shift) since=1")
        #expect(try again.reply().first?.hasPrefix("600 EVENT run=\(run.shift) seq=2") == true)
        #expect(try again.reply().first?.hasPrefix("200 WATCHING run=\(run.shift) seq=") == true)

        // A driver watches only their own runs; unknown runs get the same answer.
        let other = try service.drivers().first { $0.id != run.driver }!.id
        let stranger = try service.addUser(name: "w-stranger", role: .driver, driver: other).token
        let driver = try Client(port: running.port)
        _ = try driver.reply()
        _ = try driver.ask("HELLO proto=1 token=\(stranger)")
        let refused = try driver.ask("WATCH run=\(run.shift)")
        #expect(refused.first?.hasPrefix("550 NOT_ALLOWED") == true)
        #expect(try driver.ask("WATCH run=99999") == refused)
    }
}

@Suite("phapaid: deadlines and slow consumers")
struct DefenceTests {
    @Test func aClientThatDoesNotLogInInTimeIsClosed() throws {
        let running = try RunningServer { $0.helloDeadline = 0.3 }
        let client = try Client(port: running.port)
        _ = try client.reply()
        #expect(try client.reply() == [#"421 HELLO_TIMEOUT "closing""#])
        #expect(try client.line() == nil)
    }

    @Test func aLineStartedButNotFinishedIsCutOff() throws {
        let running = try RunningServer { $0.lineDeadline = 0.3 }
        let client = try Client(port: running.port)
        _ = try client.reply()
        try client.socket.writeAll(Array("PI".utf8))
        #expect(try client.reply() == [#"421 LINE_TIMEOUT "closing""#])
        #expect(try client.line() == nil)
    }

    @Test func anIdleConnectionIsClosed() throws {
        let running = try RunningServer { $0.idleTimeout = 0.3 }
        let client = try Client(port: running.port)
        _ = try client.reply()
        _ = try client.ask("HELLO proto=1 token=\(running.dispatcherToken)")
        #expect(try client.reply() == [#"421 IDLE_TIMEOUT "closing""#])
        #expect(try client.line() == nil)
    }

    @Test func aClientThatDoesNotReadIsCutOffWithoutAGarbledLine() throws {
        let running = try RunningServer { $0.maxOutgoingBytes = 64 * 1024 }
        // A fixed, small receive buffer: the kernel then holds at most the server's send buffer (4 MB).
        let client = try Client(port: running.port, receiveBufferBytes: 8192)
        _ = try client.reply()
        _ = try client.ask("HELLO proto=1 token=\(running.dispatcherToken)")
        // About 20 KB a reply: 40 MB in all, not read until the server has given up on the client.
        for _ in 0..<2000 { try client.send("PATIENT LIST json=yes") }
        let deadline = Date().addingTimeInterval(30)
        while running.server.slowConsumers == 0 && Date() < deadline { usleep(20_000) }
        var last = ""
        var answered = 0
        while let line = try client.line() {
            #expect(line.hasPrefix("200") || line.hasPrefix("421"), "garbled: \(line.prefix(60))")
            last = line
            if line.hasPrefix("200 ") { answered += 1 }
        }
        #expect(answered < 2000)
        #expect(last == #"421 SLOW_CONSUMER "closing""#)
    }
}

@Suite("phapai --server: the CLI's remote mode")
struct RemoteModeTests {
    func run(_ arguments: [String], _ environment: [String: String]) -> (Int32, [String], [String]) {
        let out = Lines(), err = Lines()
        let status = PhapaiCLI.run(arguments, environment: environment, console: Console(out: { out.add($0) }, err: { err.add($0) }))
        return (status, out.lines, err.lines)
    }

    @Test func remoteOutputIsTheEmbeddedOutput() throws {
        let running = try RunningServer()
        let remote = ["PHAPAI_SERVER": "127.0.0.1:\(running.port)", "PHAPAI_TOKEN": running.dispatcherToken, "PHAPAI_NOW": "2026-11-20 10:00"]
        let local = ["PHAPAI_DB": running.folder + "/phapai.db", "PHAPAI_NOW": "2026-11-20 10:00"]
        let booked = run(["trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-11-23 09:00", "--will-call"], remote)
        #expect(booked.0 == 0 && booked.1.first == "Booked for P004 นางสาวบุญส่ง อินทร์ทอง on 2026-11-23:")
        for command in [["trip", "list", "--date", "2026-11-23"], ["trip", "list", "--date", "2026-11-23", "--json"], ["patient", "show", "P004"]] {
            let over = run(command, remote)
            let here = run(command, local)
            #expect(over.0 == 0 && here.0 == 0)
            #expect(over.1.joined(separator: "\n") == here.1.joined(separator: "\n"))
        }
        let missing = run(["trip", "show", "99"], remote)
        let missingHere = run(["trip", "show", "99"], local)
        #expect(missing.0 == 3 && missing.0 == missingHere.0 && missing.2 == missingHere.2)
        let noToken = run(["trip", "list"], ["PHAPAI_SERVER": "127.0.0.1:\(running.port)"])
        #expect(noToken.0 == 1 && noToken.2.first?.contains("PHAPAI_TOKEN") == true)
        let badToken = run(["trip", "list"], ["PHAPAI_SERVER": "127.0.0.1:\(running.port)", "PHAPAI_TOKEN": "nope"])
        #expect(badToken.0 == 1 && badToken.2.first?.contains("refused the token") == true)
    }
}

final class Lines: @unchecked Sendable {
    private(set) var lines: [String] = []
    func add(_ line: String) { lines.append(line) }
}

@Suite("phapaid: pipelining and group commit")
struct PipeliningTests {
    func patientLine(_ id: String) -> String {
        "PATIENT ADD id=\(id) name=\"นายทดสอบ \(id)\" phone=081-555-0000 village=V01 mobility=ambulatory companions=0 entitlement=self_pay"
    }

    @Test func manyPipelinedRequestsAreAnsweredInOrderWithBoundedInput() throws {
        let running = try RunningServer()
        let client = try Client(port: running.port)
        _ = try client.reply()
        let count = 20_000
        // About 240 KB sent in one go: the server reads no more than it has answered.
        try client.socket.writeAll(Array((0..<count).map { "#t\($0) PING\r\n" }.joined().utf8))
        for index in 0..<count {
            let line = try #require(try client.line())
            guard line == "200 #t\(index) PONG" else {
                Issue.record("reply \(index) was \(line)")
                return
            }
        }
        #expect(running.server.peakBufferedInput > 0)
        #expect(running.server.peakBufferedInput <= Server.readChunkBytes + 512)
    }

    @Test func writesSentTogetherShareOneCommitAndAFailedOneFailsAlone() throws {
        let running = try RunningServer()
        let admin = try running.server.service.addUser(name: "root", role: .admin).token
        let commitsBefore = running.server.service.store.commitCount
        let client = try Client(port: running.port)
        _ = try client.reply()
        let lines = ["HELLO proto=1 token=\(running.dispatcherToken)"] + ["G1", "G2", "G1", "G3"].map(patientLine)
        try client.socket.writeAll(Array(lines.map { $0 + "\r\n" }.joined().utf8))
        #expect(try client.reply() == ["230 HELLO user=somchai role=dispatcher"])
        #expect(try client.reply().last == "200 DONE exit=0")
        #expect(try client.reply().last == "200 DONE exit=0")
        #expect(try client.reply().first?.hasPrefix("555 DUPLICATE_ID exit=4") == true)
        #expect(try client.reply().last == "200 DONE exit=0")
        let boss = try Client(port: running.port)
        _ = try boss.reply()
        _ = try boss.ask("HELLO proto=1 token=\(admin)")
        let stats = try #require(try boss.ask("STATS").first)
        // One small write arrives in one read, so the three stored patients share one COMMIT.
        #expect(stats.contains(" writes=3 commits=\(commitsBefore + 1) "))
        let stored = try running.server.service.store.patients().map(\.id.rawValue).filter { $0.hasPrefix("G") }
        #expect(stored == ["G1", "G2", "G3"])
    }

    @Test func whenTheGroupCommitFailsNoReplyClaimsAWrite() throws {
        let running = try RunningServer()
        let client = try Client(port: running.port)
        _ = try client.reply()
        _ = try client.ask("HELLO proto=1 token=\(running.dispatcherToken)")
        // The server thread reads this flag; it is set before the requests are sent.
        let failNext = FailOnce()
        running.server.service.store.faultHandler = { name in
            if name == "store.before-commit", failNext.take() { throw PhapaiError(.storage, keyword: "STORAGE", field: nil, message: "injected") }
        }
        let lines = ["F1", "F2"].map(patientLine) + ["#p PING"]
        try client.socket.writeAll(Array(lines.map { $0 + "\r\n" }.joined().utf8))
        #expect(try client.reply() == [#"451 STORAGE "the commit failed; nothing was stored; try again""#])
        #expect(try client.reply() == [#"451 STORAGE "the commit failed; nothing was stored; try again""#])
        #expect(try client.reply() == ["200 #p PONG"])
        #expect(try client.ask(patientLine("F1")).last == "200 DONE exit=0")
        let stored = try running.server.service.store.patients().map(\.id.rawValue).filter { $0.hasPrefix("F") }
        #expect(stored == ["F1"])
    }
}

/// A flag that is true the first time it is taken.
final class FailOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var armed = true
    func take() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        defer { armed = false }
        return armed
    }
}

@Suite("phapaid: a dispatcher's areas")
struct DispatcherAreaTests {
    /// A second, small tambon in the same database, with one patient of its own.
    static let secondArea = #"""
        {"id": "second-tambon", "name": "ตำบลทดสอบที่สอง", "utcOffsetMinutes": 420,
         "travel": {"circuityFactor": 1.3, "averageSpeedKmh": 50}, "policies": {},
         "places": [{"id": "S-DEPOT", "kind": "depot", "name": "โรงจอดรถ", "lat": 7.1, "lon": 100.4},
                    {"id": "S-V01", "kind": "village", "name": "บ้านทดสอบ", "moo": 1, "lat": 7.11, "lon": 100.41},
                    {"id": "S-HOSP", "kind": "hospital", "name": "โรงพยาบาลทดสอบ", "lat": 7.2, "lon": 100.5}],
         "vehicles": [{"id": "S-VAN", "name": "รถตู้", "seats": 6, "depot": "S-DEPOT", "costPerKm": 8}],
         "drivers": [{"id": "S-D01", "name": "นายขับ ทดสอบ", "phone": "081-111-2222"}],
         "shiftPatterns": [{"driver": "S-D01", "vehicle": "S-VAN", "weekdays": "mon-fri", "start": "06:00", "end": "18:00"}],
         "patients": [{"id": "S-P001", "name": "นางทดสอบ สอง", "phone": "081-333-4444", "village": "S-V01",
                       "mobility": "ambulatory", "companions": 0, "entitlement": "self_pay", "registeredOn": "2025-01-02"}]}
        """#

    @Test func aDispatcherReachesOnlyTheirAreasAndLearnsNothingOfOthers() throws {
        let running = try RunningServer()
        let service = running.server.service
        let policies = try service.area(AreaID(unchecked: "sample-tambon")).policies
        _ = try service.importArea(try AreaFile.decode(Data(Self.secondArea.utf8), file: "second").build(defaults: policies))
        let theirs = try service.addUser(name: "suda", role: .dispatcher, areas: [AreaID(unchecked: "second-tambon")]).token
        let both = try service.addUser(name: "anan", role: .dispatcher, areas: [AreaID(unchecked: "sample-tambon"), AreaID(unchecked: "second-tambon")]).token
        let client = try Client(port: running.port)
        _ = try client.reply()
        _ = try client.ask("HELLO proto=1 token=\(theirs)")
        let hidden = #"550 NOT_ALLOWED "no such object within your areas""#
        // Another area's patient and one that does not exist get the same answer.
        #expect(try client.ask("PATIENT SHOW id=P004") == [hidden])
        #expect(try client.ask("PATIENT SHOW id=NOBODY") == [hidden])
        #expect(try client.ask(#"TRIP BOOK patient=P004 to=H-COMM appointment="2026-11-23 09:00""#) == [hidden])
        #expect(try client.ask("VEHICLE LIST") == [#"550 NOT_ALLOWED "'vehicle list' covers every area of this server; ask an admin""#])
        #expect(try client.ask("TRIP LIST area=sample-tambon") == [#"550 NOT_ALLOWED "area sample-tambon is not one of your areas""#])
        // Their own patient: booked on their area (the server adds area=second-tambon).
        let booked = try client.ask(#"TRIP BOOK patient=S-P001 to=S-HOSP appointment="2026-11-23 09:00""#)
        #expect(booked.last == "200 DONE exit=0")
        let trip = try #require(try service.store.trips(patient: PatientID(unchecked: "S-P001")).first)
        #expect(trip.area == AreaID(unchecked: "second-tambon"))
        #expect(try client.ask("TRIP SHOW id=\(trip.id!.rawValue)").last == "200 DONE exit=0")
        // The dispatcher of the other area does not see that trip; one working for both areas does.
        let other = try Client(port: running.port)
        _ = try other.reply()
        _ = try other.ask("HELLO proto=1 token=\(running.dispatcherToken)")
        #expect(try other.ask("TRIP SHOW id=\(trip.id!.rawValue)") == [hidden])
        #expect(try other.ask("PATIENT SHOW id=P004").last == "200 DONE exit=0")
        let everywhere = try Client(port: running.port)
        _ = try everywhere.reply()
        _ = try everywhere.ask("HELLO proto=1 token=\(both)")
        #expect(try everywhere.ask("TRIP SHOW id=\(trip.id!.rawValue)").last == "200 DONE exit=0")
        #expect(try everywhere.ask("VEHICLE LIST").last == "200 DONE exit=0")
    }
}
