import Foundation
import PhapaiApp
import PhapaiCore
import PhapaiNet
import PhapaiServer
import PhapaiService
import PhapaiTestSupport
import Testing

/// A driver pulls their run on a phone: phapaid's driver web face, from a personal link.
@Suite("phapaid: the driver web face")
struct DriverWebTests {
    static let monday = LocalDate(year: 2026, month: 11, day: 23)!

    /// The sample tambon with a planned Monday, the clock at 06:00 that day, the face on.
    static func server(
        reportsPerMinute: Int = 60, configure: @escaping (inout DriverWebConfiguration) -> Void = { _ in }
    ) throws -> TestServer {
        try TestServer(
            prepare: { world in
                for (patient, hospital, time) in [("P004", "H-COMM", "09:00"), ("P002", "H-COMM", "08:30"), ("P006", "H-COMM", "10:00"),
                                                  ("P001", "H-PROV", "10:00"), ("P010", "H-COMM", "09:30")] {
                    _ = try world.service.bookTrip(BookingRequest(
                        patient: PatientID(unchecked: patient), to: PlaceID(unchecked: hospital),
                        timing: .appointment(try world.at("2026-11-23 \(time)")), returnLeg: .at(try world.at("2026-11-23 13:00")), companions: 0))
                }
                _ = try world.service.planDay(monday, seconds: 5, iterations: 200)
                try world.setNow("2026-11-23 06:00")
            },
            configure: { configuration in
                var web = DriverWebConfiguration()
                web.port = 0
                configure(&web)
                configuration.driverWeb = web
                configuration.maxStatusReportsPerMinute = reportsPerMinute
            })
    }

    /// One HTTP exchange on a new connection: the raw answer until the server closes.
    static func exchange(_ running: TestServer, _ request: String) throws -> [UInt8] {
        let socket = try Socket.connect(port: try #require(running.server.driverWebPort))
        defer { socket.close() }
        try socket.setReadTimeout(seconds: 5)
        try socket.writeAll(Array(request.utf8))
        var answer: [UInt8] = []
        while let bytes = try socket.read(), !bytes.isEmpty { answer += bytes }
        return answer
    }

    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: String
        var raw: [UInt8]
    }

    static func get(_ running: TestServer, _ path: String) throws -> Answer { try answer(exchange(running, "GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")) }

    static func post(_ running: TestServer, _ path: String, _ form: String) throws -> Answer {
        try answer(exchange(running, "POST \(path) HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\n\r\n\(form)"))
    }

    static func answer(_ raw: [UInt8]) throws -> Answer {
        let text = String(decoding: raw, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let head = parts[0].components(separatedBy: "\r\n")
        let status = try #require(Int(head[0].split(separator: " ")[1]))
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            let pair = line.split(separator: ":", maxSplits: 1)
            headers[pair[0].lowercased()] = pair[1].trimmingCharacters(in: .whitespaces)
        }
        return Answer(status: status, headers: headers, body: parts.dropFirst().joined(separator: "\r\n\r\n"), raw: raw)
    }

    /// The first run's driver, their link, and the patients of their run and of the others.
    static func linked(_ running: TestServer) throws -> (run: Run, path: String, own: [Patient], others: [Patient]) {
        let runs = try running.world.service.runs(on: monday)
        let run = try #require(runs.first { !$0.stops.isEmpty })
        let (_, secret) = try running.world.service.linkDriver(run.driver)
        func patients(_ runs: [Run]) throws -> [Patient] {
            try Set(runs.flatMap(\.stops).map(\.trip)).map { try #require(try running.world.service.findTrip($0)).patient }.map { try #require(try running.world.service.findPatient($0)) }
        }
        let own = try patients([run])
        let others = try patients(runs.filter { $0.driver != run.driver }).filter { other in !own.contains { $0.id == other.id } }
        return (run, DriverLinkPath.page(secret), own, others)
    }

    @Test func aLinkOpensThatDriversRunOnlyAsThePhonePage() throws {
        let running = try Self.server()
        let (run, path, own, others) = try Self.linked(running)
        #expect(!own.isEmpty && !others.isEmpty, "the sample Monday has patients on more than one run")
        let page = try Self.get(running, path)
        #expect(page.status == 200)
        #expect(page.headers["content-type"] == "text/html; charset=utf-8" && page.headers["referrer-policy"] == "no-referrer")
        #expect(page.body.contains("<meta name=\"viewport\""))
        for patient in own { #expect(page.body.contains(patient.name), "\(patient.id) is on the run") }
        for patient in others { #expect(!page.body.contains(patient.name), "\(patient.id) is on another driver's run") }
        #expect(page.body.contains("value=\"arrive\"") && page.body.contains("ถึงจุดรับแล้ว"))
        #expect(!page.body.contains("<script"))
        _ = run
    }

    @Test func aRevokedWrongOrMissingLinkGetsTheSameAnswer() throws {
        let running = try Self.server()
        let (run, path, _, _) = try Self.linked(running)
        let wrong = try Self.get(running, "/d/" + String(repeating: "A", count: DriverLinkSecret.length))
        #expect(wrong.status == 404)
        try running.world.service.unlinkDriver(run.driver)
        let revoked = try Self.get(running, path)
        let malformed = try Self.get(running, "/d/short")
        let elsewhere = try Self.get(running, "/")
        #expect(revoked.raw == wrong.raw && malformed.raw == wrong.raw && elsewhere.raw == wrong.raw)
        let revokedPost = try Self.post(running, path + "/status", "trip=1&report=arrive&rid=x1")
        #expect(revokedPost.raw == wrong.raw)
        // A new link works again, and the old one stays dead.
        let (_, fresh) = try running.world.service.linkDriver(run.driver)
        #expect(try Self.get(running, DriverLinkPath.page(fresh)).status == 200)
        #expect(try Self.get(running, path).raw == wrong.raw)
    }

    @Test func aStatusPostedFromThePageIsStoredWithItsAuditEventOnce() throws {
        let running = try Self.server()
        let (run, path, _, _) = try Self.linked(running)
        let stop = try #require(run.stops.first { $0.action == .pickup })
        let form = "trip=\(stop.trip)&report=arrive&rid=w1-\(stop.trip)-arrive"
        let posted = try Self.post(running, path + "/status", form)
        #expect(posted.status == 303)
        #expect(posted.headers["location"] == path + "?r=w1-\(stop.trip)-arrive")
        #expect(try running.world.service.findTrip(stop.trip)?.status == .enRoute)
        let events = try running.world.service.audit(entity: "trip:\(stop.trip)", limit: 50).filter { $0.action == "trip.arrive" }
        #expect(events.count == 1 && events.first?.actor == "link:\(run.driver)")
        // A double tap (the same form again) is answered, not stored twice.
        #expect(try Self.post(running, path + "/status", form).status == 303)
        #expect(try running.world.service.audit(entity: "trip:\(stop.trip)", limit: 50).filter { $0.action == "trip.arrive" }.count == 1)
        // The page after the redirect shows the reply.
        let shown = try Self.get(running, try #require(posted.headers["location"]))
        #expect(shown.status == 200 && shown.body.contains("class=\"banner\""))
        #expect(shown.body.contains("value=\"pickup\""))
    }

    /// Tried as a driver: every card had buttons, so a tap further down reported a stop hours
    /// early; a second tap from an older page showed a red error with a status code in it.
    @Test func onlyTheNextStopHasButtonsAndASecondTapSaysItIsRecorded() throws {
        let running = try Self.server()
        let (run, path, _, _) = try Self.linked(running)
        let page = try Self.get(running, path).body
        let next = try #require(run.stops.first)
        // Pickups at the next stop's place: the next stop's patient's home, and anyone else waiting there.
        let manifest = try #require(try running.world.service.manifests(on: Self.monday, vehicle: run.vehicle).first)
        let nextPlace = try #require(manifest.stops.first).place.id
        let here = manifest.stops.filter { $0.place.id == nextPlace && $0.action == .pickup }
        #expect(here.count < manifest.stops.filter { $0.action == .pickup }.count, "the run has pickups elsewhere too")
        #expect(page.components(separatedBy: #"value="arrive""#).count - 1 == here.count, "one arrive button per stop at the next place")
        #expect(page.contains(#"id="next""#) && page.contains(##"href="#next""##))
        #expect(!page.contains(#"value="noshow""#), "no-show only once the driver has arrived")
        #expect(!page.contains("ล็อก"), "locks are the office's business")
        let form = "trip=\(next.trip)&report=arrive&rid=w5-\(next.trip)-arrive"
        #expect(try Self.post(running, path + "/status", form).status == 303)
        // The same button on the page from before the first tap, with its own rid (another page load).
        let again = try Self.post(running, path + "/status", "trip=\(next.trip)&report=arrive&rid=w6-\(next.trip)-arrive")
        #expect(again.status == 200 && again.body.contains("บันทึกไว้แล้ว") && !again.body.contains("banner error"), "\(again.body.prefix(600))")
        let arrived = try Self.get(running, path).body
        #expect(arrived.contains(#"value="noshow""#) && arrived.contains(#"value="undo""#))
    }

    @Test func reportsAreRatedPerDriverAndARefusalStoresNothing() throws {
        let running = try Self.server(reportsPerMinute: 1)
        let (run, path, _, _) = try Self.linked(running)
        let next = try #require(run.stops.first)
        #expect(try Self.post(running, path + "/status", "trip=\(next.trip)&report=arrive&rid=r1").status == 303)
        let over = try Self.post(running, path + "/status", "trip=\(next.trip)&report=pickup&rid=r2")
        #expect(over.status == 200 && over.body.contains("banner error") && over.body.contains("1 ครั้งต่อนาที"))
        #expect(try running.world.service.findTrip(next.trip)?.status == .enRoute)
    }

    @Test func aWatcherOnTheLineProtocolHearsAReportPostedFromThePage() throws {
        let running = try Self.server()
        let (run, path, _, _) = try Self.linked(running)
        let watcher = try running.login("somchai")
        try watcher.send("WATCH run=\(run.shift)")
        // The replay of what came before, then the acknowledgement.
        var replayed = 0
        while try watcher.reply().first?.contains("WATCHING") != true { replayed += 1 }
        #expect(replayed >= 1)
        let stop = try #require(run.stops.first { $0.action == .pickup })
        #expect(try Self.post(running, path + "/status", "trip=\(stop.trip)&report=arrive&rid=w9").status == 303)
        let pushed = try watcher.reply()
        #expect(pushed.first?.hasPrefix("600 EVENT run=\(run.shift)") == true && pushed.first?.contains("\(stop.trip)") == true, "\(pushed)")
    }

    @Test func aReportTheRulesRefuseIsShownAndNothingIsStored() throws {
        let running = try Self.server()
        let (run, path, _, _) = try Self.linked(running)
        let onRun = Set(run.stops.map(\.trip))
        let elsewhere = try #require(try running.world.service.trips(date: Self.monday).first { !onRun.contains($0.id!) && $0.status == .scheduled })
        let before = try running.world.service.audit(limit: 1000).count
        let refused = try Self.post(running, path + "/status", "trip=\(elsewhere.id!)&report=arrive&rid=w2")
        #expect(refused.status == 200 && refused.body.contains("class=\"banner error\"") && refused.body.contains("UNKNOWN_TRIP"))
        let dropoff = try #require(run.stops.first { $0.action == .dropoff })
        let early = try Self.post(running, path + "/status", "trip=\(dropoff.trip)&report=dropoff&rid=w3")
        #expect(early.status == 200 && early.body.contains("class=\"banner error\""))
        #expect(try running.world.service.findTrip(elsewhere.id!)?.status == .scheduled)
        #expect(try running.world.service.audit(limit: 1000).count == before)
    }

    @Test func theLogNamesRoutesAndCodesButNoSecretOrPatient() throws {
        let running = try Self.server()
        let (_, path, own, _) = try Self.linked(running)
        _ = try Self.get(running, path)
        _ = try Self.get(running, "/d/nothing")
        let lines = running.logLines.filter { $0.contains("event=http") }
        #expect(lines.contains { $0.contains("route=page code=200") } && lines.contains { $0.contains("route=missing code=404") })
        let secret = String(path.dropFirst(3))
        for line in lines {
            #expect(!line.contains(secret) && !line.contains("nothing"))
            for patient in own { #expect(!line.contains(patient.name) && !line.contains(patient.phone)) }
        }
    }

    @Test func aSlowRequestIsCutAtItsDeadlineAndAFullFaceSaysSo() throws {
        let running = try Self.server { $0.maxConnections = 2 }
        let port = try #require(running.server.driverWebPort)
        let slow = try Socket.connect(port: port)
        defer { slow.close() }
        try slow.setReadTimeout(seconds: 5)
        try slow.writeAll(Array("GET /d/x HTTP/1.1\r\nHost:".utf8))
        let other = try Socket.connect(port: port)
        defer { other.close() }
        // Both are taken before the third comes.
        Thread.sleep(forTimeInterval: 0.4)
        // The third hears why before it is closed (it has sent nothing yet, so nothing unread resets it).
        let third = try Socket.connect(port: port)
        defer { third.close() }
        try third.setReadTimeout(seconds: 5)
        var full: [UInt8] = []
        while let bytes = try third.read(), !bytes.isEmpty { full += bytes }
        #expect(try Self.answer(full).status == 503)
        running.time.advance(seconds: 11)
        var answer: [UInt8] = []
        while let bytes = try slow.read(), !bytes.isEmpty { answer += bytes }
        #expect(try Self.answer(answer).status == 408)
    }

    @Test func oversizedHeadersAreRefused() throws {
        let running = try Self.server()
        let answer = try Self.answer(try Self.exchange(running, "GET /d/x HTTP/1.1\r\nX: " + String(repeating: "a", count: 9000) + "\r\n\r\n"))
        #expect(answer.status == 431)
    }
}
