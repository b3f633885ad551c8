import Foundation
import PhapaiApp
import PhapaiCore
import PhapaiProtocol
import PhapaiService
import PhapaiTestSupport
import Synchronization
import Testing

/// Counts how often a test hook was passed, from the server's threads.
final class HitCounter: Sendable {
    private let value = Mutex(0)
    func add() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}

/// What a review of the province found, each reproduced first.
@Suite("phapaid: a province, as reviewed")
struct ProvinceReviewTests {
    /// Both tambons planned separately, with a hook on the plans' searches.
    static func server(fault: @escaping @Sendable (String) throws -> Void) throws -> TestServer {
        try TestServer(
            logins: TestServer.standardLogins + [.init("suda", .dispatcher, areas: [Province.second])],
            prepare: { world in
                _ = try world.service.importArea(try Province.copyOfSample(id: "tambon-002", prefix: "T002-"))
                for (patient, hospital) in [("P004", "H-COMM"), ("P002", "H-COMM"), ("T002-P004", "T002-H-COMM"), ("T002-P002", "T002-H-COMM")] {
                    _ = try world.service.bookTrip(BookingRequest(
                        patient: PatientID(unchecked: patient), to: PlaceID(unchecked: hospital),
                        timing: .appointment(try world.at("2026-11-23 09:00")), returnLeg: .at(try world.at("2026-11-23 11:00")), companions: 0))
                }
                _ = try world.service.planDay(Province.monday, area: Province.first, seconds: 5, iterations: 100)
                _ = try world.service.planDay(Province.monday, area: Province.second, seconds: 5, iterations: 100)
                try world.setNow("2026-11-23 06:00")
            }, fault: fault)
    }

    @Test func runsOfAnotherAreasDriverAreAnsweredAsThoseOfNoDriver() throws {
        let running = try ProvinceTests.server()
        let firstRun = try #require(try running.world.service.runs(on: Province.monday, area: Province.first).first)
        let suda = try running.login("suda")
        let other = try suda.ask("RUNS date=2026-11-23 driver=\(firstRun.driver) json=yes")
        #expect(other == (try suda.ask("RUNS date=2026-11-23 driver=NOPE json=yes")))
        #expect(Province.leaks(other).isEmpty)
    }

    @Test func anotherAreasReportDoesNotMakeThisAreasPlanSearchAgain() throws {
        let gate = Gate()
        let searches = HitCounter()
        let running = try Self.server(fault: { point in
            if point == "plan.searched" {
                searches.add()
                gate.pass()
            }
        })
        let otherTrip = try #require(try running.world.service.trips(date: Province.monday, area: Province.second)
            .first { $0.direction == .outbound && $0.status == .scheduled })
        let admin = try running.login("root")
        let suda = try running.login("suda")
        gate.arm()
        try admin.send("PLAN date=2026-11-23 area=sample-tambon iterations=30")
        #expect(gate.waitUntilHeld())
        #expect(try suda.ask("TRIP STATUS id=\(otherTrip.id!) action=arrive").last?.hasPrefix("200 REPORTED") == true)
        gate.release()
        #expect(try admin.reply().last?.hasPrefix("200 PLANNED") == true)
        #expect(searches.count == 1, "a report in tambon-002 made sample-tambon's plan search again")
    }

    @Test func aDispatcherOfTwoAreasSeesOnlyTheirOwnPatientsOnAPooledRun() throws {
        let running = try TestServer(
            logins: TestServer.standardLogins + [.init("kanya", .dispatcher, areas: [Province.second, AreaID(unchecked: "tambon-003")])],
            prepare: { world in
                _ = try world.service.importArea(try Province.copyOfSample(id: "tambon-002", prefix: "T002-", pool: "d1", fleet: false))
                _ = try world.service.importArea(try Province.copyOfSample(id: "tambon-003", prefix: "T003-"))
                try world.service.setPool(Province.first, pool: "d1")
                for (patient, hospital) in [("P004", "H-COMM"), ("P002", "H-COMM"), ("T002-P004", "T002-H-COMM"), ("T002-P002", "T002-H-COMM")] {
                    _ = try world.service.bookTrip(BookingRequest(
                        patient: PatientID(unchecked: patient), to: PlaceID(unchecked: hospital),
                        timing: .appointment(try world.at("2026-11-23 09:00")), returnLeg: .at(try world.at("2026-11-23 11:00")), companions: 0))
                }
                _ = try world.service.planDay(Province.monday, area: Province.first, seconds: 5, iterations: 100)
                try world.setNow("2026-11-23 06:00")
            })
        let service = running.world.service
        let areaOf = Dictionary(uniqueKeysWithValues: try service.trips(date: Province.monday).map { ($0.id!, $0.area) })
        let mixed = try #require(try service.runs(on: Province.monday).first { run in Set(run.stops.compactMap { areaOf[$0.trip] }).count == 2 })
        let shown = try running.login("kanya").ask("RUN SHOW date=2026-11-23 vehicle=\(mixed.vehicle) area=tambon-002")
        #expect(shown.last?.hasPrefix("200 MANIFEST") == true)
        // The pool's vehicle is named; none of the first tambon's patients.
        #expect(!shown.contains { $0.range(of: #"(?<![A-Za-z0-9_.-])(P[0-9]{3}|HOME-P[0-9]{3})"#, options: .regularExpression) != nil }, "\(shown)")
    }

    @Test func aLateReportOnAPooledRunNamesOnlyTheReportersOwnPatients() throws {
        let running = try ProvinceTests.server(pool: "district-1")
        let service = running.world.service
        let areaOf = Dictionary(uniqueKeysWithValues: try service.trips(date: Province.monday).map { ($0.id!, $0.area) })
        let mixed = try #require(try service.runs(on: Province.monday).first { run in Set(run.stops.compactMap { areaOf[$0.trip] }).count == 2 })
        let own = try #require(mixed.stops.first { areaOf[$0.trip] == Province.second && $0.action == .pickup })
        try running.world.setNow("2026-11-23 07:52")
        // Arriving late at the first tambon's patient's door would break promises on the shared run.
        let reply = try running.login("suda").ask("TRIP STATUS id=\(own.trip) action=arrive at=07:51")
        #expect(reply.last?.hasPrefix("200 REPORTED") == true, "\(reply)")
        #expect(!reply.contains { $0.range(of: #"(?<![A-Za-z0-9_.-])P[0-9]{3}"#, options: .regularExpression) != nil }, "\(reply)")
    }

    @Test func aPoolsVehicleCanBeAssignedByHand() throws {
        let running = try ProvinceTests.server(pool: "district-1")
        let trip = try #require(try running.world.service.trips(date: Province.monday, area: Province.second).first { $0.direction == .outbound && $0.mobility == .ambulatory })
        let suda = try running.login("suda")
        #expect(try suda.request("RUN SHOW date=2026-11-23 vehicle=CAR1").code == 200)
        let assigned = try suda.ask("TRIP ASSIGN id=\(trip.id!) vehicle=CAR1")
        #expect(assigned.last?.hasPrefix("200 ") == true, "\(assigned)")
    }

    @Test func aSecondAreaWithoutAPrefixIsRefusedAndPoolsChangeOnlyOnClosedDays() throws {
        let world = try SampleWorld()
        var area = try Province.copyOfSample(id: "tambon-002", prefix: "T002-")
        area.codePrefix = nil
        #expect(throws: PhapaiError.self) { _ = try world.service.importArea(area) }
        #expect(try world.service.areas().count == 1)
        _ = try world.service.bookTrip(BookingRequest(
            patient: PatientID(unchecked: "P002"), to: PlaceID(unchecked: "H-COMM"), timing: .appointment(try world.at("2026-11-23 09:00"))))
        _ = try world.service.planDay(Province.monday, seconds: 5, iterations: 20)
        let refused = try #require(world.service.refusalOf { try world.service.setPool(Province.first, pool: "d1") })
        #expect(refused.keyword == "POOL_IN_USE")
    }
}

extension PhapaiService {
    /// The refusal `body` throws, if any.
    func refusalOf(_ body: () throws -> Void) -> PhapaiError? {
        do {
            try body()
            return nil
        } catch let error as PhapaiError {
            return error
        } catch {
            return nil
        }
    }
}
