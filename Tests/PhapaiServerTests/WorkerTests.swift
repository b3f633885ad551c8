import Dispatch
import Foundation
import Synchronization
import Testing
import PhapaiApp
import PhapaiCore
import PhapaiNet
import PhapaiProtocol
@testable import PhapaiServer
import PhapaiService
import PhapaiTestSupport

extension SampleWorld {
    /// Three one-way trips on Monday 2026-11-23, not planned.
    func bookThreeOnMonday() throws {
        for (patient, appointment) in [("P005", "2026-11-23 11:00"), ("P002", "2026-11-23 08:30"), ("P003", "2026-11-23 09:30")] {
            _ = try service.bookTrip(BookingRequest(
                patient: PatientID(unchecked: patient), to: PlaceID(unchecked: "H-COMM"), timing: .appointment(try at(appointment))))
        }
    }
}

@Suite("phapaid: plans and long reads run on workers")
struct WorkerTests {
    @Test func whileAPlanIsAtAWorkerOthersAreAnsweredAndBookAndItsOwnConnectionWaitsInOrder() throws {
        let gate = Gate()
        let running = try TestServer(prepare: { try $0.bookThreeOnMonday() }, fault: { point in if point == "plan.searched" { gate.pass() } })
        let planner = try running.login("somchai")
        gate.arm()
        defer { gate.release() }
        // The plan and a PING behind it, in one write: the PING waits for the plan's reply.
        try planner.socket.writeAll(Array("#p PLAN date=2026-11-23 iterations=100\r\n#q PING\r\n".utf8))
        #expect(gate.waitUntilHeld(), "the plan never reached its write")
        // Held between its search and its write: everyone else is served meanwhile.
        let bystander = try running.login("malee")
        #expect(try bystander.ask("#b PING") == ["200 #b PONG"])
        let booker = try running.login("somchai")
        let booked = try booker.request(#"TRIP BOOK patient=P010 to=HC-NATHONG appointment="2026-11-23 09:00""#)
        #expect(booked.keyword == "BOOKED")
        let trip = TripID(try #require(Int64(booked["trip"] ?? "")))
        // Committed: another connection reads it.
        #expect(try running.world.service.trip(trip).status == .requested)
        gate.release()
        let planned = try #require(try planner.receive())
        #expect(planned.code == 200 && planned.keyword == "PLANNED" && planned.tag == "p", "\(planned.lines)")
        #expect(try planner.reply() == ["200 #q PONG"])
        // The booking made the searched plan stale: it was planned again with the new trip.
        let trips = Int(planned["trips"] ?? "") ?? 0, unserved = Int(planned["unserved"] ?? "") ?? 0
        #expect(trips + unserved == 4, "\(planned.lines)")
        #expect(try running.world.service.trip(trip).status == .scheduled)
        #expect(try running.world.service.verifyStoredPlan(LocalDate(year: 2026, month: 11, day: 23)!).feasible)
    }

    @Test func aWorkersFailureIsItsClientsAnswerAndTheConnectionGoesOn() throws {
        let running = try TestServer(fault: { point in
            if point == "plan.searched" { throw PhapaiError(.storage, keyword: "STORAGE", field: nil, message: "injected failure") }
        })
        let planner = try running.login("somchai")
        try planner.socket.writeAll(Array("#p PLAN date=2026-11-23 iterations=10\r\n#q PING\r\n".utf8))
        #expect(try planner.reply() == [#"451 #p STORAGE "injected failure""#])
        #expect(try planner.reply() == ["200 #q PONG"])
    }

    @Test func aWorkerThatCannotOpenTheDatabaseSaysSoToEachClient() throws {
        struct Unopenable: Error {}
        let running = try TestServer(openWorker: { throw Unopenable() })
        let planner = try running.login("malee")
        #expect(try planner.ask("#r REPORT FUNDER month=2026-11") == [#"451 #r STORAGE "the server's worker could not open the database; try again""#])
        #expect(running.logLines.contains { $0.hasPrefix("event=worker-open-failed worker=") })
        // What runs on the loop still runs.
        #expect(try planner.ask("#q PING") == ["200 #q PONG"])
    }

    @Test func deadlinesCountFromWhenTheBytesArrivedNotFromWhenTheLoopGotToThem() throws {
        let gate = Gate()
        let running = try TestServer(fault: { point in if point == "store.before-commit" { gate.pass() } })
        let greeted = try running.connect()
        _ = try greeted.reply()
        let typing = try running.login("somchai")
        // Half a line, read by the server together with the PING before it.
        try typing.socket.writeAll(Array("#a PING\r\nPI".utf8))
        #expect(try typing.reply() == ["200 #a PONG"])
        let quiet = try running.login("malee")
        let booker = try running.login("somchai")
        gate.arm()
        defer { gate.release() }
        try booker.send(#"TRIP BOOK patient=P004 to=H-COMM appointment="2026-11-23 09:00""#)
        #expect(gate.waitUntilHeld(), "the booking's commit was never reached")
        // The loop is held in the booking's commit. Each client sends in time...
        try greeted.send("HELLO proto=1 token=\(running.tokens["root"]!)")
        try typing.socket.writeAll(Array("NG\r\n".utf8))
        try quiet.send("#q PING")
        // ...and every deadline passes before the loop gets to the bytes: hello 30 s, line 10 s, idle 300 s.
        running.time.advance(seconds: 301)
        gate.release()
        #expect(try booker.reply().last?.hasPrefix("200 BOOKED trip=1 ") == true)
        #expect(try greeted.reply() == ["230 HELLO user=root role=admin"])
        #expect(try typing.reply() == ["200 PONG"])
        #expect(try quiet.reply() == ["200 #q PONG"])
        // The booker waited for its reply; that was not idleness.
        #expect(try booker.ask("#z PING") == ["200 #z PONG"])
    }

    @Test func aPlanBudgetOverTheServersCapIsRefusedNamingTheFieldAndTheCap() throws {
        let running = try TestServer(configure: { configuration in
            configuration.maxPlanSeconds = 60
            configuration.maxPlanIterations = 1000
            configuration.planThreads = 2
        })
        let dispatcher = try running.login("somchai")
        // 2026-11-22 is a Sunday: a plan within the caps runs and finds no shifts.
        #expect(try dispatcher.ask("#t PLAN date=2026-11-22 time=61")
            == [#"553 #t OUT_OF_RANGE field=time "this server plans for at most 60 s a request (maxPlanSeconds)""#])
        #expect(try dispatcher.ask("PLAN date=2026-11-22 iterations=1001")
            == [#"553 OUT_OF_RANGE field=iterations "this server plans at most 1000 iterations a request (maxPlanIterations)""#])
        #expect(try dispatcher.ask("PLAN date=2026-11-22 threads=3")
            == [#"553 OUT_OF_RANGE field=threads "this server plans on at most 2 threads (planThreads)""#])
        #expect(try dispatcher.ask("PLAN date=2026-11-22 time=60 iterations=1000 threads=2").last?.hasPrefix("555 NO_SHIFTS ") == true)
        // A role that may not plan hears that first, whatever it asked.
        let driver = try running.login("sompong")
        #expect(try driver.ask("PLAN date=2026-11-22 time=9999") == [#"550 NOT_ALLOWED "a driver cannot do that""#])
    }

    @Test func aFloodOfStatusReportsIsRateLimitedPerUser() throws {
        let running = try TestServer(configure: { $0.maxStatusReportsPerMinute = 3 })
        let phone = try running.login("sompong")
        let other = try running.login("sompong")
        // (No trip 1: each report is refused, and counts all the same.)
        let hidden = try phone.ask("TRIP STATUS id=1 action=arrive")
        #expect(hidden.first?.hasPrefix("55") == true, "\(hidden)")
        // Three a minute, counted across the user's connections.
        #expect(try other.ask("TRIP STATUS id=1 action=arrive") == hidden)
        #expect(try phone.ask("TRIP STATUS id=1 action=arrive") == hidden)
        let limited = [#"450 RATE_LIMITED "at most 3 status reports a minute per user (maxStatusReportsPerMinute); try again in 20 s""#]
        #expect(try other.ask("TRIP STATUS id=1 action=arrive") == limited)
        #expect(try phone.ask("TRIP STATUS id=1 action=arrive") == limited)
        // Another user is not held back; the same one again after the allowance has refilled.
        let dispatcher = try running.login("somchai")
        #expect(try dispatcher.ask("TRIP STATUS id=1 action=arrive") == [#"554 UNKNOWN_TRIP field=trip "no trip 1""#])
        running.time.advance(seconds: 20)
        #expect(try phone.ask("TRIP STATUS id=1 action=arrive") == hidden)
    }

    @Test func aLongHistoryIsReplayedAPageAtATimeAndWatchedOnceWhole() throws {
        var shift: ShiftID?
        let running = try TestServer(
            prepare: { world in
                let (day, trips) = try world.bookAndPlanMonday()
                shift = try #require(try world.service.runs(on: day).first { $0.stops.contains { $0.trip == trips[0].id } }).shift
                // Changes to the run: each report and each undo.
                try world.setNow("2026-11-23 08:30")
                for _ in 0..<3 {
                    _ = try world.service.reportStatus(trips[0].id!, .arrive, at: try world.at("2026-11-23 08:00"))
                    _ = try world.service.reportStatus(trips[0].id!, .undo)
                }
            }, configure: { $0.maxWatchReplay = 2 })
        let run = try #require(shift)
        let history = try running.world.service.runChanges(run, since: 0).map(\.seq)
        #expect(history.count >= 5)
        let watcher = try running.login("somchai")
        var since: Int64 = 0
        var replayed: [Int64] = []
        while true {
            try watcher.send("WATCH run=\(run) since=\(since)")
            var events: [Int64] = []
            var final: Reply?
            while let reply = try watcher.receive() {
                guard reply.isPush else {
                    final = reply
                    break
                }
                events.append(try #require(Int64(reply["seq"] ?? "")))
            }
            let answer = try #require(final)
            #expect(answer.keyword == "WATCHING" && events.count <= 2, "\(answer.lines)")
            replayed += events
            since = try #require(Int64(answer["seq"] ?? ""))
            guard answer["more"] == "yes" else { break }
            #expect(events.count == 2 && since == events.last)
        }
        #expect(replayed == history)
        #expect(since == history.last)
        // Whole now: the next change is pushed.
        let driver = try running.login("somchai")
        _ = try driver.ask("TRIP STATUS id=1 action=arrive at=08:00")
        let pushed = try #require(try watcher.receive())
        #expect(pushed.isPush && pushed["seq"] == String(history.last! + 1))
    }
}

@Suite("config/phapaid.json: workers and the caps of work")
struct WorkLimitsConfigurationTests {
    func read(_ json: String) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        try Daemon.readWorkLimits(ConfigDecoding.decode(Daemon.File.self, from: Data(json.utf8), file: "phapaid.json"), into: &configuration)
        return configuration
    }

    @Test func theShippedValuesAreRead() throws {
        let configuration = try read(
            #"{"workers": 3, "maxPlanSeconds": 30, "maxPlanIterations": 5000, "maxWatchReplay": 20, "maxStatusReportsPerMinute": 10}"#)
        #expect(configuration.workers == 3 && configuration.longWorkers == 3 && configuration.maxPlanSeconds == 30)
        #expect(configuration.maxPlanIterations == 5000 && configuration.maxWatchReplay == 20 && configuration.maxStatusReportsPerMinute == 10)
        // 0 workers: one per core.
        #expect(try read(#"{"workers": 0}"#).longWorkers == max(1, ProcessInfo.processInfo.activeProcessorCount))
        #expect(try read(#"{"planThreads": 0}"#).searchThreads == max(1, ProcessInfo.processInfo.activeProcessorCount))
        #expect(try read(#"{"planThreads": 3}"#).searchThreads == 3)
    }

    @Test(arguments: [
        (#"{"maxPlanSeconds": 601}"#, "maxPlanSeconds"), (#"{"maxPlanSeconds": 4}"#, "maxPlanSeconds"),
        (#"{"maxPlanIterations": 0}"#, "maxPlanIterations"), (#"{"workers": -1}"#, "workers"),
        (#"{"planThreads": 257}"#, "planThreads"), (#"{"planThreads": -1}"#, "planThreads"),
        (#"{"maxWatchReplay": 0}"#, "maxWatchReplay"), (#"{"maxStatusReportsPerMinute": 0}"#, "maxStatusReportsPerMinute"),
    ])
    func aValueOutOfRangeIsRefusedNamingItsField(json: String, field: String) throws {
        #expect(throws: PhapaiError.self) { try read(json) }
        do {
            _ = try read(json)
        } catch let error as PhapaiError {
            #expect(error.keyword == "OUT_OF_RANGE" && error.field == field)
        }
    }
}
