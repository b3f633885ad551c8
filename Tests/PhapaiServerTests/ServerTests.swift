import Foundation
import Synchronization
import Testing
import PhapaiCLI
import PhapaiCore
import PhapaiProtocol
@testable import PhapaiServer
import PhapaiService
import PhapaiTestSupport

extension SampleWorld {
    /// Books P004 to the community hospital for Monday 09:00 and plans that day.
    func bookAndPlanMonday() throws -> (LocalDate, [Trip]) {
        let day = try LocalDate.parse("2026-11-23", field: "d")
        let trips = try service.bookTrip(BookingRequest(
            patient: PatientID(unchecked: "P004"), to: PlaceID(unchecked: "H-COMM"), timing: .appointment(try at("2026-11-23 09:00"))))
        _ = try service.planDay(day, seconds: 600, iterations: 50)
        return (day, trips)
    }
}

@Suite("phapaid: the server on 127.0.0.1")
struct ServerTests {
    /// The data lines are in the request's `lang=` or the area's language (Thai for the sample);
    /// the reply line, its keyword and fields, are the same in both, and so is a refusal.
    @Test func dataLinesAreInTheRequestsLanguageAndTheReplyLineIsNot() throws {
        let running = try TestServer(prepare: { world in
            _ = try world.service.bookTrip(BookingRequest(
                patient: PatientID(unchecked: "P004"), to: PlaceID(unchecked: "H-COMM"), timing: .appointment(try world.at("2026-11-23 09:00")),
                returnLeg: .willCall))
        })
        let client = try running.login("somchai")
        let thai = try client.ask("TRIP SHOW id=1")
        let english = try client.ask("TRIP SHOW id=1 lang=en")
        let chosen = try client.ask("TRIP SHOW id=1 lang=th")
        #expect(thai.first == "200-เที่ยว 1 (ขาไป)" && thai.contains("200- วันที่     2569-11-23"), "\(thai)")
        #expect(english.first == "200-Trip 1 (outbound)" && english.contains("200- Day          2026-11-23"), "\(english)")
        #expect(chosen == thai)
        #expect(thai.count == english.count && thai.last == english.last && thai.last?.hasPrefix("200 TRIP trip=1 status=requested ") == true)
        #expect(try client.ask("TRIP LIST date=2026-11-23 lang=en").last == (try client.ask("TRIP LIST date=2026-11-23")).last)
        // JSON is the same document in both.
        #expect(try client.ask("TRIP SHOW id=1 json=yes lang=en") == (try client.ask("TRIP SHOW id=1 json=yes")))
        // A refusal is the same line whatever the language; a language other than th or en is refused naming lang.
        #expect(try client.ask("TRIP SHOW id=99 lang=en") == (try client.ask("TRIP SHOW id=99")))
        #expect(try client.ask("TRIP SHOW id=1 lang=fr") == [#"553 INVALID_VALUE field=lang "'fr' is not one of: th, en""#])
    }

    @Test func greetingPingLoginAndACommand() throws {
        let running = try TestServer()
        let client = try running.connect()
        #expect(try client.reply() == [#"220 READY proto=1 "phapai""#])
        #expect(try client.ask("#p1 PING") == ["200 #p1 PONG"])
        #expect(try client.ask("TRIP LIST date=2026-11-23") == [#"530 NOT_LOGGED_IN "say HELLO proto=1 token=... first""#])
        #expect(try client.ask("HELLO proto=1 token=nope") == [#"535 BAD_TOKEN "the token is not valid""#])
        #expect(try client.ask("HELLO proto=1 token=\(running.tokens["somchai"]!)") == ["230 HELLO user=somchai role=dispatcher"])
        let booked = try client.ask(#"#b TRIP BOOK patient=P004 to=H-COMM appointment="2026-11-23 09:00" will-call=yes"#)
        // The data lines in the area's language (the sample tambon's Thai, Buddhist-era years).
        #expect(booked.first == "200-จองให้ P004 นางสาวบุญส่ง อินทร์ทอง วันที่ 2569-11-23:")
        // The result's key fields: no program reads the text.
        #expect(booked.last == "200 #b BOOKED trip=1 pickup-earliest=2026-11-23T07:19:00+07:00 pickup-latest=2026-11-23T07:49:00+07:00 "
            + "return=2 return-will-call=yes return-expected-earliest=2026-11-23T11:00:00+07:00 return-expected-latest=2026-11-23T16:00:00+07:00")
        // A refusal: keyword, field and rule; no advice meant for the command line.
        #expect(try client.ask("TRIP SHOW id=99") == [#"554 UNKNOWN_TRIP field=trip "no trip 99""#])
        #expect(try client.ask("QUIT") == ["221 BYE"])
        #expect(try client.isClosed())
    }

    @Test func aPlannerOnlyReads() throws {
        let running = try TestServer()
        let client = try running.login("malee")
        #expect(try client.ask("TRIP LIST date=2026-11-23").last == "200 TRIPS count=0")
        #expect(try client.ask(#"TRIP BOOK patient=P004 to=H-COMM appointment="2026-11-23 09:00""#) == [#"550 NOT_ALLOWED "a planner cannot do that""#])
        #expect(try client.ask("USER LIST") == [#"550 NOT_ALLOWED "a planner cannot do that""#])
    }

    @Test func badLinesAreAnsweredAndTooLongOnesClose() throws {
        let running = try TestServer()
        let client = try running.connect()
        _ = try client.reply()
        #expect(try client.ask("TRIP BOOK x=\"open").first?.hasPrefix("500 SYNTAX") == true)
        try client.socket.writeAll([0x50, 0xFF, 0x0D, 0x0A])
        #expect(try client.reply().first?.hasPrefix("501 INVALID_UTF8") == true)
        // Before HELLO a line may have 512 bytes.
        try client.send("PING " + String(repeating: "x", count: 600))
        #expect(try client.reply() == [#"500 LINE_TOO_LONG "lines are at most 512 bytes""#])
        #expect(try client.isClosed())
    }

    @Test func unknownAndLocalCommandsAreRefusedInTheWiresWords() throws {
        let running = try TestServer()
        let client = try running.login("root")
        #expect(try client.ask("TRIP FLY id=1") == [#"501 USAGE "unknown command 'trip fly'""#])
        #expect(try client.ask("BACKUP path=backup.db") == [#"501 USAGE "'backup' works on a local database only""#])
        #expect(try client.ask("TRIP SHOW id=1 colour=red") == [#"501 USAGE field=colour "'trip show' has no argument colour""#])
        #expect(try client.ask("TRIP BOOK patient=P004") == [#"501 USAGE field=to "'trip book' needs to (destination)""#])
    }

    @Test func aRefusalForLackOfRoomCarriesItsAlternativesAsFieldsAndJSON() throws {
        let running = try TestServer(prepare: { world in
            _ = try world.service.bookTrip(BookingRequest(
                patient: PatientID(unchecked: "P025"), to: PlaceID(unchecked: "H-COMM"), timing: .appointment(try world.at("2026-11-23 09:00")),
                returnLeg: .at(try world.at("2026-11-23 10:30"))))
            _ = try world.service.planDay(LocalDate(year: 2026, month: 11, day: 23)!, seconds: 600, iterations: 100)
        })
        let client = try running.login("somchai")
        let booking = #"TRIP BOOK patient=P007 to=H-COMM appointment="2026-11-23 09:00" return=10:30"#
        let refused = try client.request(booking)
        #expect(refused.code == 555 && refused.keyword == "NO_CAPACITY" && refused["field"] == "appointment" && refused.data.isEmpty)
        let offered = try #require(refused["alternatives"]).split(separator: ",").map(String.init)
        #expect(offered.count == 3 && offered.allSatisfy { $0.hasPrefix("2026-11-2") && $0.hasSuffix("+07:00") && $0.contains("/") })
        let json = try client.request(booking + " json=yes")
        let error = try #require(try JSONSerialization.jsonObject(with: Data(json.data.joined(separator: "\n").utf8)) as? [String: Any])
        #expect(error["keyword"] as? String == "NO_CAPACITY" && (error["alternatives"] as? [[String: Any]])?.count == 3)
        // What was offered holds: the first time offered, with its return, is booked, both legs placed.
        let parts = offered[0].split(separator: "/")
        let appointment = "\(parts[0].prefix(10)) \(parts[0].dropFirst(11).prefix(5))"
        let back = parts[1].dropFirst(11).prefix(5)
        let booked = try client.request(#"TRIP BOOK patient=P007 to=H-COMM appointment="\#(appointment)" return=\#(back)"#)
        #expect(booked.keyword == "BOOKED" && booked["vehicle"] == "VAN1" && booked["return-vehicle"] == "VAN1", "\(booked.lines)")
    }

    @Test func anHTTPRequestIsClosedAtOnceAndTheServerCapsConnections() throws {
        let running = try TestServer(configure: { $0.maxConnections = 1 })
        let http = try running.connect()
        _ = try http.reply()
        try http.send("GET / HTTP/1.1")
        #expect(try http.isClosed())
        // A logged-in client holds its place (one still logging in would be sent away for the newcomer).
        let member = try running.login("somchai")
        let second = try running.connect()
        #expect(try second.reply() == [#"421 TOO_MANY_CONNECTIONS "try again later""#])
        #expect(try second.isClosed())
        #expect(try member.ask("PING") == ["200 PONG"])
    }
}

@Suite("phapaid: a driver's reach")
struct DriverReachTests {
    @Test func aDriverSeesOnlyTheirOwnRunsAndTrips() throws {
        var plan: (day: LocalDate, trips: [Trip], run: Run)?
        var tokens: [String: String] = [:]
        let running = try TestServer(prepare: { world in
            let (day, trips) = try world.bookAndPlanMonday()
            let run = try #require(try world.service.runs(on: day).first { $0.stops.contains { $0.trip == trips[0].id } })
            plan = (day, trips, run)
            tokens["own"] = try world.service.addUser(name: "own", role: .driver, driver: run.driver).token
            let other = try world.service.drivers().first { $0.id != run.driver }!.id
            tokens["stranger"] = try world.service.addUser(name: "stranger", role: .driver, driver: other).token
        })
        let (_, trips, run) = try #require(plan)
        let outbound = trips[0]
        let client = try running.connect()
        _ = try client.reply()
        _ = try client.ask("HELLO proto=1 token=\(tokens["own"]!)")
        #expect(try client.ask("TRIP SHOW id=\(outbound.id!)").last?.hasPrefix("200 TRIP trip=\(outbound.id!) status=scheduled") == true)
        #expect(try client.ask("RUN SHOW date=2026-11-23 vehicle=\(run.vehicle)").last?.hasPrefix("200 MANIFEST runs=1 ") == true)
        #expect(try client.ask("RUNS date=2026-11-23").last == "200 RUNS date=2026-11-23 count=1")
        #expect(try client.ask("TRIP LIST") == [#"550 NOT_ALLOWED "a driver cannot do that""#])

        let outsider = try running.connect()
        _ = try outsider.reply()
        _ = try outsider.ask("HELLO proto=1 token=\(tokens["stranger"]!)")
        let notTheirs = try outsider.ask("TRIP SHOW id=\(outbound.id!)")
        let missing = try outsider.ask("TRIP SHOW id=9999")
        // The same answer whether the trip exists or not: it does not, for them.
        #expect(notTheirs == [#"554 UNKNOWN_TRIP field=trip "no trip \#(outbound.id!)""#])
        #expect(missing == [#"554 UNKNOWN_TRIP field=trip "no trip 9999""#])
        #expect(try outsider.ask("RUN SHOW date=2026-11-23 vehicle=\(run.vehicle)")
                == [#"554 NO_RUN field=vehicle "vehicle \#(run.vehicle) has no planned run of yours on 2026-11-23""#])
        #expect(try outsider.ask("RUN SHOW date=2026-11-23 vehicle=NOVAN")
                == [#"554 NO_RUN field=vehicle "vehicle NOVAN has no planned run of yours on 2026-11-23""#])
        // Their overview holds their own runs only, whatever they ask for.
        #expect(try outsider.ask("RUNS date=2026-11-23 driver=\(run.driver)").last == "200 RUNS date=2026-11-23 count=0")
    }

    @Test func logLinesCarryARequestIdAndNoPatientData() throws {
        let running = try TestServer()
        let client = try running.login("somchai")
        _ = try client.ask(#"TRIP BOOK patient=P004 to=H-COMM appointment="2026-11-23 09:00" notes="โทร 081-999-1234 ก่อนไป""#)
        _ = try client.ask("PATIENT SHOW id=P004")
        _ = try client.ask("PING")
        _ = try client.ask("CAPA")
        let logged = running.logLines
        // PING is not logged unless asked for (keepalives would bury the log).
        #expect(logged.count == 4)
        #expect(logged[3].contains("verb=CAPA"))
        #expect(!logged.contains { $0.contains("verb=PING") })
        #expect(logged[1].hasPrefix("event=request id=1-2 user=somchai verb=TRIP.BOOK keys=patient,to,appointment,notes code=200 ms="))
        #expect(logged[0].contains("verb=HELLO keys=proto,token code=230"))
        for line in logged {
            for secret in ["081-999-1234", "โทร", "นางสาวบุญส่ง", running.tokens["somchai"]!, "088-749-7560"] {
                #expect(!line.contains(secret), "a log line leaks: \(line)")
            }
        }
    }

    @Test func statsAreForAdminsAndCount() throws {
        let running = try TestServer()
        let client = try running.login("somchai")
        #expect(try client.ask("STATS") == [#"550 NOT_ALLOWED "STATS is for admins""#])
        _ = try client.ask(#"TRIP BOOK patient=P004 to=H-COMM appointment="2026-11-23 09:00""#)
        _ = try client.ask("NOT A REQUEST \"")
        let boss = try running.login("root")
        let stats = try #require(try boss.ask("STATS").first)
        #expect(stats.hasPrefix("200 STATS connections=2 accepted=2 requests="))
        #expect(stats.contains(" errors=2 "))
        #expect(stats.contains(" writes=1 commits=1 ") && stats.contains(" commit-p99-ms="))
    }

    @Test func stoppingTellsClientsBeforeClosing() throws {
        let running = try TestServer()
        let client = try running.connect()
        _ = try client.reply()
        running.server.stop()
        #expect(try client.reply() == [#"421 SHUTTING_DOWN "the server is stopping""#])
        #expect(try client.isClosed())
    }
}

@Suite("phapaid: WATCH")
struct WatchTests {
    @Test func watchersHearWhichTripsAndStopsChangedAndReplayWhatTheyMissed() throws {
        var plan: (day: LocalDate, trips: [Trip], run: Run)?
        var stranger = ""
        let running = try TestServer(prepare: { world in
            let (day, trips) = try world.bookAndPlanMonday()
            let run = try #require(try world.service.runs(on: day).first { $0.stops.contains { $0.trip == trips[0].id } })
            plan = (day, trips, run)
            let other = try world.service.drivers().first { $0.id != run.driver }!.id
            stranger = try world.service.addUser(name: "w-stranger", role: .driver, driver: other).token
        })
        let (_, trips, run) = try #require(plan)
        let trip = trips[0].id!
        let pickup = try #require(run.stops.first { $0.trip == trip && $0.action == .pickup })
        let dropoff = try #require(run.stops.first { $0.trip == trip && $0.action == .dropoff })

        let watcher = try running.login("somchai")
        try watcher.send("#w WATCH run=\(run.shift) since=0")
        let first = try watcher.reply()
        #expect(first.first?.hasPrefix("600 EVENT run=\(run.shift) seq=1 kind=planned at=") == true)
        #expect(first.first?.hasSuffix(" stops=2 changed=\(trip):pickup:\(pickup.plannedTime.rawValue),\(trip):dropoff:\(dropoff.plannedTime.rawValue)") == true)
        #expect(try watcher.reply() == ["200 #w WATCHING run=\(run.shift) seq=1"])

        // Another dispatcher cancels the trip: the run changes, and the watcher hears at once which trip left it.
        let dispatcher = try running.login("somchai")
        let cancelled = try dispatcher.ask("TRIP CANCEL id=\(trip) reason=x")
        #expect(cancelled.last == "200 CANCELLED trips=\(trip) replanned=yes", "\(cancelled)")
        let pushed = try watcher.reply()
        #expect(pushed.first?.hasPrefix("600 EVENT run=\(run.shift) seq=2 kind=planned at=") == true)
        #expect(pushed.first?.hasSuffix(" stops=0 removed=\(trip)") == true)

        // A client that reconnects gets what came after the last number it saw.
        let again = try running.login("malee")
        try again.send("WATCH run=\(run.shift) since=1")
        #expect(try again.reply().first?.hasPrefix("600 EVENT run=\(run.shift) seq=2") == true)
        #expect(try again.reply().first?.hasPrefix("200 WATCHING run=\(run.shift) seq=") == true)

        // A driver watches only their own runs; unknown runs get the same answer.
        let driver = try running.connect()
        _ = try driver.reply()
        _ = try driver.ask("HELLO proto=1 token=\(stranger)")
        let refused = try driver.ask("WATCH run=\(run.shift)")
        #expect(refused == [#"550 NOT_ALLOWED "no such run within reach""#])
        #expect(try driver.ask("WATCH run=99999") == refused)
    }

    @Test func aDriversReportIsPushedWithTheTripItsNewStatusAndTime() throws {
        var plan: (trips: [Trip], run: Run)?
        let running = try TestServer(prepare: { world in
            let (day, trips) = try world.bookAndPlanMonday()
            plan = (trips, try #require(try world.service.runs(on: day).first { $0.stops.contains { $0.trip == trips[0].id } }))
            try world.setNow("2026-11-23 08:00")
        })
        let (trips, run) = try #require(plan)
        let trip = trips[0].id!
        let pickup = try #require(run.stops.first { $0.trip == trip && $0.action == .pickup })
        let watcher = try running.login("somchai")
        try watcher.send("WATCH run=\(run.shift) since=1")
        #expect(try watcher.reply().first == "200 WATCHING run=\(run.shift) seq=1")
        let reporter = try running.login("somchai")
        let at = running.world.offset.time(of: pickup.plannedTime)
        #expect(try reporter.ask("TRIP STATUS id=\(trip) action=arrive at=\(at)").last?.hasPrefix("200 REPORTED trip=\(trip) status=en_route") == true)
        let pushed = try #require(try watcher.receive())
        #expect(pushed.code == 600 && pushed["kind"] == "stop" && pushed["trip"] == String(trip.rawValue))
        let reported = try running.world.offset.parseDateTime(at.description, field: "at", defaultDate: LocalDate.parse("2026-11-23", field: "d"))
        #expect(pushed["report"] == "arrive" && pushed["status"] == "en_route" && pushed["time"] == String(reported.rawValue))
    }
}

@Suite("phapaid: deadlines and slow consumers")
struct DefenceTests {
    /// Moves the server's clock past `seconds` (the loop looks at its deadlines at least every quarter second).
    func pass(_ seconds: Int, on running: TestServer) { running.time.advance(seconds: seconds + 1) }

    @Test func aClientThatDoesNotLogInInTimeIsClosed() throws {
        let running = try TestServer()
        let client = try running.connect()
        _ = try client.reply()
        pass(30, on: running)
        #expect(try client.reply() == [#"421 HELLO_TIMEOUT "closing""#])
        #expect(try client.isClosed())
    }

    @Test func aLineStartedButNotFinishedIsCutOff() throws {
        let running = try TestServer()
        let client = try running.login("somchai")
        // One write: once the PING is answered, the server holds the started line.
        try client.socket.writeAll(Array("#a PING\r\nPI".utf8))
        #expect(try client.reply() == ["200 #a PONG"])
        pass(10, on: running)
        #expect(try client.reply() == [#"421 LINE_TIMEOUT "closing""#])
        #expect(try client.isClosed())
    }

    @Test func anIdleConnectionIsClosed() throws {
        let running = try TestServer()
        let client = try running.login("somchai")
        pass(300, on: running)
        #expect(try client.reply() == [#"421 IDLE_TIMEOUT "closing""#])
        #expect(try client.isClosed())
    }

    @Test func aClientThatDoesNotReadIsCutOffWithoutAGarbledLine() throws {
        let running = try TestServer(configure: { $0.maxOutgoingBytes = 64 * 1024 })
        // A fixed, small receive buffer: the kernel then holds at most the server's send buffer (4 MB).
        let client = try running.connect(receiveBufferBytes: 8192)
        _ = try client.reply()
        _ = try client.ask("HELLO proto=1 token=\(running.tokens["somchai"]!)")
        // About 20 KB a reply: 40 MB in all, not read until the server has given up on the client.
        for _ in 0..<2000 { try client.send("PATIENT LIST json=yes") }
        // Read nothing until the server has given up on the client.
        for _ in 0..<1500 where running.server.counters.slowConsumers == 0 { usleep(20_000) }
        var answered = 0
        var last: Reply?
        while let reply = try client.receive() {
            #expect(reply.code == 200 || reply.code == 421, "unexpected: \(reply.lines.last ?? "")")
            if reply.code == 200 { answered += 1 }
            last = reply
        }
        #expect(answered < 2000)
        #expect(last?.lines == [#"421 SLOW_CONSUMER "closing""#])
        #expect(running.server.counters.slowConsumers == 1)
    }
}

@Suite("phapaid: pipelining and group commit")
struct PipeliningTests {
    func patientLine(_ id: String) -> String {
        "PATIENT ADD id=\(id) name=\"นายทดสอบ \(id)\" phone=081-555-0000 village=V01 mobility=ambulatory companions=0 entitlement=self_pay"
    }

    @Test func manyPipelinedRequestsAreAnsweredInOrderWithBoundedInput() throws {
        let running = try TestServer()
        let client = try running.connect()
        _ = try client.reply()
        let count = 20_000
        // About 240 KB sent in one go: the server reads no more than it has answered.
        try client.socket.writeAll(Array((0..<count).map { "#t\($0) PING\r\n" }.joined().utf8))
        for index in 0..<count {
            let lines = try client.reply()
            guard lines == ["200 #t\(index) PONG"] else {
                Issue.record("reply \(index) was \(lines)")
                return
            }
        }
        let peak = running.server.counters.peakBufferedInput
        #expect(peak > 0 && peak <= Server.readChunkBytes + 512)
    }

    @Test func writesSentTogetherShareOneCommitAndAFailedOneFailsAlone() throws {
        let running = try TestServer()
        let client = try running.connect()
        _ = try client.reply()
        let lines = ["HELLO proto=1 token=\(running.tokens["somchai"]!)"] + ["G1", "G2", "G1", "G3"].map(patientLine)
        try client.socket.writeAll(Array(lines.map { $0 + "\r\n" }.joined().utf8))
        #expect(try client.reply() == ["230 HELLO user=somchai role=dispatcher"])
        #expect(try client.reply().last == "200 REGISTERED patient=G1")
        #expect(try client.reply().last == "200 REGISTERED patient=G2")
        #expect(try client.reply() == [#"555 DUPLICATE_ID field=id "patient G1 is already registered""#])
        #expect(try client.reply().last == "200 REGISTERED patient=G3")
        let stats = try #require(try running.login("root").ask("STATS").first)
        // One small write arrives in one read, so the three stored patients share one COMMIT.
        #expect(stats.contains(" writes=3 commits=1 "))
        let stored = try running.world.service.patients().map(\.id.rawValue).filter { $0.hasPrefix("G") }
        #expect(stored == ["G1", "G2", "G3"])
    }

    @Test func whenTheGroupCommitFailsNoReplyClaimsAWrite() throws {
        let failNext = FailOnce()
        let running = try TestServer(fault: { name in
            if name == "store.before-commit", failNext.take() { throw PhapaiError(.storage, keyword: "STORAGE", field: nil, message: "injected") }
        })
        let client = try running.login("somchai")
        failNext.arm()
        let lines = ["F1", "F2"].map(patientLine) + ["#p PING"]
        try client.socket.writeAll(Array(lines.map { $0 + "\r\n" }.joined().utf8))
        #expect(try client.reply() == [#"451 STORAGE "the commit failed; nothing was stored; try again""#])
        #expect(try client.reply() == [#"451 STORAGE "the commit failed; nothing was stored; try again""#])
        #expect(try client.reply() == ["200 #p PONG"])
        #expect(try client.ask(patientLine("F1")).last == "200 REGISTERED patient=F1")
        let stored = try running.world.service.patients().map(\.id.rawValue).filter { $0.hasPrefix("F") }
        #expect(stored == ["F1"])
    }
}

/// A flag that is true once, the first time it is taken after being armed; any thread.
final class FailOnce: Sendable {
    private let armed = Mutex(false)
    func arm() { armed.withLock { $0 = true } }
    func take() -> Bool {
        armed.withLock { armed in
            defer { armed = false }
            return armed
        }
    }
}

@Suite("phapaid: a dispatcher's areas")
struct DispatcherAreaTests {
    /// A second, small tambon in the same database, with one patient of its own.
    static let secondArea = #"""
        {"id": "second-tambon", "name": "ตำบลทดสอบที่สอง", "codePrefix": "S-", "utcOffsetMinutes": 420,
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
        let second = AreaID(unchecked: "second-tambon")
        let running = try TestServer(
            logins: TestServer.standardLogins + [.init("suda", .dispatcher, areas: [second]),
                                                  .init("anan", .dispatcher, areas: [AreaID(unchecked: "sample-tambon"), second])],
            prepare: { world in
                let policies = try world.service.area(AreaID(unchecked: "sample-tambon")).policies
                _ = try world.service.importArea(try AreaFile.decode(Data(Self.secondArea.utf8), file: "second").build(defaults: policies))
            })
        let client = try running.login("suda")
        // Another area's patient is answered as one that does not exist.
        #expect(try client.ask("PATIENT SHOW id=P004") == [#"554 UNKNOWN_PATIENT field=patient "no registered patient P004""#])
        #expect(try client.ask("PATIENT SHOW id=NOBODY") == [#"554 UNKNOWN_PATIENT field=patient "no registered patient NOBODY""#])
        #expect(try client.ask(#"TRIP BOOK patient=P004 to=H-COMM appointment="2026-11-23 09:00""#)
                == [#"554 UNKNOWN_PATIENT field=patient "no registered patient P004""#])
        // Lists are of their own area.
        #expect(try client.ask("VEHICLE LIST").last == "200 VEHICLES count=1")
        #expect(try client.ask("TRIP LIST area=sample-tambon") == [#"550 NOT_ALLOWED "area sample-tambon is not one of your areas""#])
        // Their own patient: booked on their area (the server adds area=second-tambon).
        let booked = try client.request(#"TRIP BOOK patient=S-P001 to=S-HOSP appointment="2026-11-23 09:00""#)
        #expect(booked.keyword == "BOOKED")
        let trip = try #require(booked["trip"])
        #expect(try running.world.service.trip(TripID(Int64(trip)!)).area == second)
        #expect(try client.ask("TRIP SHOW id=\(trip)").last?.hasPrefix("200 TRIP trip=\(trip) ") == true)
        // The dispatcher of the other area does not see that trip; one working for both areas does.
        let other = try running.login("somchai")
        #expect(try other.ask("TRIP SHOW id=\(trip)") == [#"554 UNKNOWN_TRIP field=trip "no trip \#(trip)""#])
        #expect(try other.ask("PATIENT SHOW id=P004").last?.hasPrefix("200 PATIENT patient=P004") == true)
        let everywhere = try running.login("anan")
        #expect(try everywhere.ask("TRIP SHOW id=\(trip)").last?.hasPrefix("200 TRIP trip=\(trip) ") == true)
        // Working for two areas, they name the one a list is of.
        #expect(try everywhere.ask("VEHICLE LIST") == [#"501 USAGE field=area "this database holds 2 areas: name one with area""#])
        #expect(try everywhere.ask("VEHICLE LIST area=second-tambon").last == "200 VEHICLES count=1")
        #expect(try everywhere.ask("VEHICLE LIST area=sample-tambon").last == "200 VEHICLES count=3")
    }
}
