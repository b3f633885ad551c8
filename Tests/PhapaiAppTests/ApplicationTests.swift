import Foundation
import Testing
import PhapaiApp
import PhapaiCore
import PhapaiService
import PhapaiTestSupport

/// Runs commands through the application as the local operator, the way both faces do.
struct Desk {
    let world: SampleWorld
    let application: Application

    init() throws {
        world = try SampleWorld()
        application = Application(service: world.service)
    }

    func run(_ command: Command, _ values: [String: String], as principal: Principal = .local(actor: "test:desk")) throws -> Response {
        try application.run(command, Arguments(values), as: principal)
    }

    /// The command's JSON answer, parsed.
    func json(_ command: Command, _ values: [String: String]) throws -> Any {
        var values = values
        values["json"] = "yes"
        let response = try run(command, values)
        var renderer = try Renderer(application: application, era: .common)
        let text = try renderer.render(response).joined(separator: "\n")
        return try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    func object(_ command: Command, _ values: [String: String]) throws -> [String: Any] {
        try #require(try json(command, values) as? [String: Any], "\(command.rawValue) did not answer with an object")
    }
}

@Suite("The application: one command table")
struct ApplicationTests {
    /// Every command that writes answers in JSON with what it stored, where it went and whom it affected.
    @Test func everyWriteAnswersInJSON() throws {
        let desk = try Desk()
        var written: Set<Command> = []
        func write(_ command: Command, _ values: [String: String]) throws -> [String: Any] {
            written.insert(command)
            return try desk.object(command, values)
        }
        #expect(try write(.placeAdd, ["id": "TEMPLE", "kind": "landmark", "name": "วัดนาทอง", "lat": "7.0152", "lon": "100.4801"])["id"] as? String == "TEMPLE")
        #expect(try write(.patientAdd, ["id": "P100", "name": "นายทดลอง ระบบดี", "phone": "081-000-1111", "village": "V01", "mobility": "ambulatory",
                                        "entitlement": "self_pay"])["id"] as? String == "P100")
        let edited = try write(.patientEdit, ["id": "P100", "phone": "081-555-0110"])
        #expect((edited["patient"] as? [String: Any])?["phone"] as? String == "081-555-0110" && edited["changed"] as? [String] == ["phone"])
        #expect(try write(.vehicleAdd, ["id": "CAR2", "name": "รถเก๋ง 2", "seats": "3", "depot": "DEPOT", "cost-per-km": "5"])["id"] as? String == "CAR2")
        #expect(try write(.driverAdd, ["id": "D09", "name": "นายอาสา ขับดี", "phone": "089-000-2222"])["id"] as? String == "D09")
        #expect(try write(.shiftAdd, ["driver": "D09", "vehicle": "CAR2", "date": "2026-11-23", "start": "08:00", "end": "12:00"])["id"] as? Int != nil)

        let booked = try write(.tripBook, ["patient": "P002", "to": "H-COMM", "appointment": "2026-11-23 09:00", "return": "11:30"])
        let legs = try #require(booked["trips"] as? [[String: Any]])
        #expect(legs.map { $0["id"] as? Int } == [1, 2] && booked["placements"] is NSNull && (booked["notices"] as? [Any])?.isEmpty == true)
        _ = try write(.tripBook, ["patient": "P100", "to": "H-COMM", "appointment": "2026-11-23 10:00", "will-call": "yes"])
        let plan = try write(.plan, ["date": "2026-11-23", "iterations": "300"])
        let calls = try write(.calls, ["date": "2026-11-23"])
        #expect(calls["date"] as? String == "2026-11-23" && (calls["patients"] as? [[String: Any]])?.isEmpty == false)
        #expect(plan["date"] as? String == "2026-11-23" && (plan["runs"] as? [Any])?.isEmpty == false && plan["unserved"] is [Any])
        let assigned = try write(.tripAssign, ["id": "1", "vehicle": "VAN1"])
        #expect(assigned["trip"] as? Int == 1 && assigned["vehicle"] as? String == "VAN1" && assigned["placement"] is [String: Any])
        #expect(try write(.tripLock, ["id": "1"])["locked"] as? Bool == true)
        #expect(try write(.tripUnlock, ["id": "1"])["locked"] as? Bool == false)

        _ = try desk.run(.tripBook, ["patient": "P005", "to": "H-COMM", "appointment": "2026-11-24 09:00", "return": "12:00"])
        let moved = try write(.tripMove, ["id": "5", "appointment": "2026-11-25 09:00"])
        #expect((moved["trips"] as? [[String: Any]])?.map { $0["serviceDate"] as? String } == ["2026-11-25", "2026-11-25"])

        // Monday: P100 is brought in, and the clinic calls for the ride home.
        let run = try #require(try desk.world.service.runs(on: LocalDate.parse("2026-11-23", field: "d")).first { $0.stops.contains { $0.trip == TripID(3) } })
        let pickup = try #require(run.stops.first { $0.trip == TripID(3) && $0.action == .pickup }).plannedTime
        desk.world.now = pickup
        let time = desk.world.offset.time(of: pickup).description
        let arrived = try write(.tripStatus, ["id": "3", "action": "arrive", "at": time])
        #expect(arrived["report"] as? String == "arrive" && (arrived["trip"] as? [String: Any])?["status"] as? String == "en_route")
        _ = try desk.run(.tripStatus, ["id": "3", "action": "pickup", "at": time])
        desk.world.now = pickup.adding(minutes: 60)
        _ = try desk.run(.tripStatus, ["id": "3", "action": "dropoff"])
        desk.world.now = pickup.adding(minutes: 180)
        let released = try write(.tripReady, ["id": "4"])
        #expect((released["trip"] as? [String: Any])?["id"] as? Int == 4 && released["notices"] is [Any])
        let cancelled = try write(.tripCancel, ["id": "4", "reason": "ญาติมารับเอง"])
        #expect((cancelled["trips"] as? [[String: Any]])?.first?["status"] as? String == "cancelled" && cancelled["replanned"] is Bool)

        let standing = try write(.standingAdd, ["patient": "P012", "to": "H-PROV", "days": "mon,wed,fri", "appointment": "08:00", "return": "12:00",
                                                "start": "2026-11-30", "until": "2026-12-11"])
        #expect((standing["order"] as? [String: Any])?["id"] as? Int == 1 && ((standing["materialised"] as? [String: Any])?["created"] as? [Int])?.isEmpty == false)
        #expect((try write(.standingHold, ["id": "1", "from": "2026-12-02", "to": "2026-12-02", "reason": "นอนโรงพยาบาล"])["cancelled"] as? [Int])?.count == 2)
        #expect((try write(.standingEnd, ["id": "1", "from": "2026-12-07"])["order"] as? [String: Any])?["until"] as? String == "2026-12-06")
        #expect(try write(.standingMaterialise, [:])["created"] is [Int])
        let user = try write(.userAdd, ["name": "nid", "role": "planner"])
        #expect((user["user"] as? [String: Any])?["role"] as? String == "planner" && (user["token"] as? String)?.count == 64)
        #expect(try write(.userRevoke, ["name": "nid"])["revoked"] as? Bool == true)
        let link = try write(.driverLink, ["id": "D01", "base": "https://phapai.example.go.th/"])
        #expect((link["driver"] as? [String: Any])?["id"] as? String == "D01"
            && (link["link"] as? String)?.hasPrefix("https://phapai.example.go.th/d/") == true && (link["link"] as? String)?.count == "https://phapai.example.go.th/d/".count + 43)
        #expect(try write(.driverUnlink, ["id": "D01"])["revoked"] as? Bool == true)
        desk.world.now = try desk.world.at("2026-11-24 20:00")
        let closed = try write(.dayClose, ["date": "2026-11-23"])
        #expect(closed["date"] as? String == "2026-11-23" && closed["missed"] is [Any] && closed["closedReturns"] is [Any])
        // Pools change once the planned days are closed.
        let pooled = try write(.areaPool, ["area": "sample-tambon", "pool": "district-1"])
        #expect(pooled["area"] as? String == "sample-tambon" && pooled["pool"] as? String == "district-1")
        #expect(try write(.areaPool, ["area": "sample-tambon", "none": "yes"])["pool"] is NSNull)

        #expect(written == Set(Command.allCases.filter { !$0.isRead }), "writes without a JSON test: \(Set(Command.allCases.filter { !$0.isRead }).subtracting(written))")
    }

    @Test func aRefusalInJSONCarriesItsKeywordFieldAndRule() throws {
        let desk = try Desk()
        let renderer = try Renderer(application: desk.application, era: .common)
        do {
            _ = try desk.run(.tripBook, ["patient": "P004", "to": "H-COMM", "appointment": "2026-11-19 09:00", "json": "yes"])
            Issue.record("a booking in the past was accepted")
        } catch let error as PhapaiError {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(renderer.errorJSON(error).serialized().utf8)) as? [String: Any])
            #expect(json["keyword"] as? String == "IN_PAST" && json["field"] as? String == "appointment")
            #expect(json["message"] as? String == "2026-11-19 09:00 is in the past (now 2026-11-20 10:00)")
        }
    }
}

@Suite("The access policy")
struct AccessPolicyTests {
    func user(_ role: User.Role, driver: String? = nil) -> Principal {
        .user(User(name: "u", role: role, areas: role == .dispatcher ? [AreaID(unchecked: "sample-tambon")] : [],
                   driver: driver.map { DriverID(unchecked: $0) }, createdAt: Instant(rawValue: 0), revokedAt: nil))
    }

    /// What each role may give; anything not granted is refused before its arguments are read.
    @Test func rolesAreGrantedCommandsByNameAndRefusedTheRest() throws {
        let desk = try Desk()
        let granted: [User.Role: Set<Command>] = [
            .planner: [.placeList, .patientShow, .patientList, .patientFind, .vehicleList, .driverList, .shiftList, .tripShow, .tripList,
                       .standingList, .audit, .runs, .runShow, .report, .reportFunder, .attention, .areaList],
            .driver: [.runs, .runShow, .tripShow, .tripStatus],
            .dispatcher: Set(Command.allCases).subtracting([.userAdd, .userList, .userRevoke, .areaPool]),
            .admin: Set(Command.allCases),
        ]
        for (role, commands) in granted {
            for command in Command.allCases {
                // No arguments: a granted command fails on its arguments (or runs), a refused one on the role.
                let keyword: String
                do {
                    _ = try desk.run(command, [:], as: user(role, driver: "D01"))
                    keyword = "DONE"
                } catch let error as PhapaiError {
                    keyword = error.keyword
                }
                let refused = keyword == "NOT_ALLOWED"
                if commands.contains(command) {
                    // A driver's reach may still refuse a granted command; a role never does.
                    #expect(!refused || role == .driver, "\(role.rawValue) may \(command.rawValue)")
                } else {
                    #expect(refused, "\(role.rawValue) must not \(command.rawValue): got \(keyword)")
                }
            }
        }
        // Planners read only.
        #expect(Set(Command.allCases.filter(\.isRead)).subtracting([.userList]) == granted[.planner])
    }

    @Test func aDriversRunsAreTheirOwnWhateverTheyAsk() throws {
        let desk = try Desk()
        _ = try desk.run(.tripBook, ["patient": "P002", "to": "H-COMM", "appointment": "2026-11-23 09:00"])
        _ = try desk.run(.plan, ["date": "2026-11-23", "iterations": "100"])
        let response = try desk.run(.runs, ["date": "2026-11-23", "driver": "D02"], as: user(.driver, driver: "D01"))
        guard case .runs(let runs, _, _) = response.result else { throw PhapaiError.usage("not runs") }
        #expect(runs.allSatisfy { $0.driver == DriverID(unchecked: "D01") })
    }
}
