import Foundation
import PhapaiApp
import PhapaiCore
import PhapaiProtocol
import PhapaiService
import PhapaiTestSupport
import Testing

/// Many tambons in one database: the sample tambon and a copy of it whose codes carry `T002-`
/// (as a province loads its tambons), over the wire.
enum Province {
    static let first = AreaID(unchecked: "sample-tambon")
    static let second = AreaID(unchecked: "tambon-002")
    static let monday = LocalDate(year: 2026, month: 11, day: 23)!

    /// The sample area file as a copy for another tambon: every code prefixed, the prefix
    /// declared, and optionally a pool. Built from the JSON itself, as an operator would edit it.
    static func copyOfSample(id: String, prefix: String, pool: String? = nil, fleet: Bool = true) throws -> Area {
        let url = URL(fileURLWithPath: SampleWorld.configFolder + "/areas/sample-tambon.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        func prefixed(_ key: String, in list: String, _ keys: [String]) {
            json[list] = (json[list] as? [[String: Any]] ?? []).map { entry in
                var entry = entry
                for key in keys { if let code = entry[key] as? String { entry[key] = prefix + code } }
                return entry
            }
        }
        json["id"] = id
        json["codePrefix"] = prefix
        if let pool { json["pool"] = pool }
        if !fleet {
            // A tambon without vehicles of its own, served by its pool.
            (json["vehicles"], json["drivers"], json["shiftPatterns"]) = ([Any](), [Any](), [Any]())
        }
        prefixed("id", in: "places", ["id"])
        prefixed("id", in: "vehicles", ["id", "depot"])
        prefixed("id", in: "drivers", ["id"])
        prefixed("id", in: "shiftPatterns", ["driver", "vehicle"])
        prefixed("id", in: "patients", ["id", "village"])
        let data = try JSONSerialization.data(withJSONObject: json)
        return try AreaFile.decode(data, file: "\(id).json").build(defaults: try SampleWorld.sampleArea().policies)
    }

    /// Codes of the sample tambon standing alone (not inside a `T002-` code).
    static let firstAreaCode = try! NSRegularExpression(
        pattern: #"(?<![A-Za-z0-9_.-])(DEPOT|HC-NATHONG|V[01][0-9]|H-COMM|H-PROV|WAT-NATHONG|VAN1|PICKUP1|CAR1|D0[0-9]|P[0-9]{3}|HOME-P[0-9]{3})(?![A-Za-z0-9_.-])"#)

    /// The first-area codes a reply shows, if any.
    static func leaks(_ lines: [String]) -> [String] {
        lines.flatMap { line in
            firstAreaCode.matches(in: line, range: NSRange(line.startIndex..., in: line)).map { (line as NSString).substring(with: $0.range) }
        }
    }
}

@Suite("phapaid: a province of tambons in one database")
struct ProvinceTests {
    /// Both tambons with a planned Monday and a standing order, the clock early on that Monday.
    static func server(pool: String? = nil, logins extra: [TestServer.Login] = []) throws -> TestServer {
        try TestServer(
            logins: TestServer.standardLogins + [.init("suda", .dispatcher, areas: [Province.second])] + extra,
            prepare: { world in
                _ = try world.service.importArea(try Province.copyOfSample(id: "tambon-002", prefix: "T002-", pool: pool, fleet: pool == nil))
                // The copy declares the pool in its file; the sample, loaded before, joins it.
                if let pool { try world.service.setPool(Province.first, pool: pool) }
                for (patient, hospital) in [("P004", "H-COMM"), ("P002", "H-COMM"), ("T002-P004", "T002-H-COMM"), ("T002-P002", "T002-H-COMM")] {
                    _ = try world.service.bookTrip(BookingRequest(
                        patient: PatientID(unchecked: patient), to: PlaceID(unchecked: hospital),
                        timing: .appointment(try world.at("2026-11-23 09:00")), returnLeg: .at(try world.at("2026-11-23 11:00")),
                        companions: 0))
                }
                _ = try world.service.addStandingOrder(StandingOrder(
                    id: nil, patient: PatientID(unchecked: "P012"), pickupPlace: PlaceID(unchecked: "V03"),
                    destination: PlaceID(unchecked: "H-PROV"), weekdays: [.wednesday], appointmentTime: LocalTime(minutes: 8 * 60)!,
                    startDate: Province.monday, endDate: nil, returnMode: .none, companions: 0, funding: .tambonHealthFund, notes: nil,
                    active: true))
                _ = try world.service.planDay(Province.monday, area: Province.first, seconds: 5, iterations: 100)
                if pool == nil { _ = try world.service.planDay(Province.monday, area: Province.second, seconds: 5, iterations: 100) }
                try world.setNow("2026-11-23 06:00")
            })
    }

    @Test func aOneAreaDispatcherRunsEveryCommandOnTheirAreaAndSeesNothingOfTheOther() throws {
        let running = try Self.server()
        let service = running.world.service
        let firstTrips = Set(try service.trips(area: Province.first).compactMap(\.id))
        let ownTrip = try #require(try service.trips(date: Province.monday, area: Province.second).first { $0.direction == .outbound && $0.status == .scheduled })
        let client = try running.login("suda")
        var asked: Set<String> = []
        /// Sends a command; it must be answered for the dispatcher's area, showing nothing of the other.
        @discardableResult
        func run(_ line: String, expect code: Int = 200, sourceLocation: SourceLocation = #_sourceLocation) throws -> Reply {
            asked.insert(line.split(separator: " ").prefix(2).filter { $0.allSatisfy { $0.isUppercase } }.joined(separator: " "))
            let reply = try client.request(line)
            #expect(reply.code == code, "\(line) -> \(reply.lines)", sourceLocation: sourceLocation)
            #expect(Province.leaks(reply.lines).isEmpty, "\(line) shows \(Province.leaks(reply.lines))", sourceLocation: sourceLocation)
            return reply
        }
        /// The trip numbers a JSON reply holds under "id" or "trip".
        func tripNumbers(_ reply: Reply) throws -> Set<TripID> {
            let text = reply.data.joined(separator: "\n")
            var found: Set<TripID> = []
            func walk(_ value: Any) {
                if let object = value as? [String: Any] {
                    for (key, inner) in object {
                        if ["id", "trip", "linkedTrip"].contains(key), let number = inner as? Int { found.insert(TripID(Int64(number))) }
                        walk(inner)
                    }
                } else if let array = value as? [Any] {
                    array.forEach(walk)
                }
            }
            walk(try JSONSerialization.jsonObject(with: Data(text.utf8)))
            return found
        }

        try run("PLACE LIST json=yes")
        try run(#"PLACE ADD id=T002-SALA kind=landmark name="ศาลาประชาคม" lat=7.01 lon=100.47"#)
        try run(#"PATIENT ADD id=T002-P900 name="นางสาวใหม่ ทดสอบ" phone=0812345678 village=T002-V01 mobility=ambulatory entitlement=self_pay"#)
        try run("PATIENT SHOW id=T002-P004 json=yes")
        try run("PATIENT LIST json=yes")
        let found = try run("PATIENT FIND text=P00 json=yes")
        #expect(found.lines.contains { $0.contains("T002-P004") })
        try run(#"PATIENT EDIT id=T002-P900 notes="ชอบนั่งหน้า""#)
        try run(#"VEHICLE ADD id=T002-CAR2 name="รถเก๋ง" seats=3 cost-per-km=5 depot=T002-DEPOT"#)
        #expect(try run("VEHICLE LIST json=yes").lines.contains { $0.contains("T002-CAR2") })
        try run(#"DRIVER ADD id=T002-D09 name="นายใหม่ ขับดี" phone=0899999999"#)
        try run("DRIVER LIST json=yes")
        // A link for one of their own drivers; another area's driver is one that does not exist.
        #expect(try run("DRIVER LINK id=T002-D09")["link"]?.hasPrefix("/d/") == true)
        try run("DRIVER UNLINK id=T002-D09")
        #expect(try client.request("DRIVER LINK id=D01").lines == (try client.request("DRIVER LINK id=NOPE").lines.map { $0.replacingOccurrences(of: "NOPE", with: "D01") }))
        #expect(try client.request("DRIVER UNLINK id=D01").code == 554)
        try run("SHIFT ADD driver=T002-D09 vehicle=T002-CAR2 date=2026-11-24 start=08:00 end=12:00")
        try run("SHIFT LIST from=2026-11-23 to=2026-11-24 json=yes")
        let booked = try run(#"TRIP BOOK patient=T002-P003 to=T002-H-PROV appointment="2026-11-24 09:00" return=12:00"#)
        let newTrip = try #require(booked["trip"])
        try run("TRIP SHOW id=\(ownTrip.id!) json=yes")
        let listed = try run("TRIP LIST date=2026-11-23 json=yes")
        #expect(try tripNumbers(listed).isDisjoint(with: firstTrips))
        #expect(try tripNumbers(listed).contains(ownTrip.id!))
        try run("TRIP ASSIGN id=\(newTrip) vehicle=T002-VAN1")
        try run("TRIP LOCK id=\(ownTrip.id!)")
        try run("TRIP UNLOCK id=\(ownTrip.id!)")
        try run(#"TRIP MOVE id=\#(newTrip) appointment="2026-11-25 09:00""#)
        try run(#"TRIP CANCEL id=\#(newTrip) reason="ญาติพาไปเอง""#)
        try run("TRIP STATUS id=\(ownTrip.id!) action=arrive")
        try run("TRIP STATUS id=\(ownTrip.id!) action=undo")
        let willCall = try run(#"TRIP BOOK patient=T002-P005 to=T002-H-COMM appointment="2026-11-24 10:00" will-call=yes"#)
        let returnTrip = try #require(try service.trip(TripID(Int64(willCall["trip"]!)!)).linkedTrip)
        // A will-call whose outbound has not happened yet: refused for the right reason, not for the area.
        try run("TRIP READY id=\(returnTrip)", expect: 555)
        let standing = try run("STANDING ADD patient=T002-P012 to=T002-H-PROV days=wed appointment=08:00 start=2026-11-23")
        let order = try #require(standing["standing"])
        try run("STANDING LIST json=yes")
        try run(#"STANDING HOLD id=\#(order) from=2026-11-25 to=2026-11-25 reason="ไปต่างจังหวัด""#)
        try run("STANDING END id=\(order) from=2026-12-09")
        try run("STANDING MATERIALISE")
        let audit = try run("AUDIT limit=500 json=yes")
        #expect(!audit.lines.contains { line in firstTrips.contains { line.contains("\"trip:\($0)\"") } })
        try run("PLAN date=2026-11-24 iterations=50")
        let runs = try run("RUNS date=2026-11-23 json=yes")
        #expect(runs.lines.contains { $0.contains("T002-VAN1") || $0.contains("T002-PICKUP1") || $0.contains("T002-CAR1") })
        let manifest = try run("RUN SHOW date=2026-11-23 vehicle=\(try #require(try service.runs(on: Province.monday, area: Province.second).first).vehicle) json=yes")
        #expect(try tripNumbers(manifest).isDisjoint(with: firstTrips))
        let report = try run("REPORT from=2026-11-23 to=2026-11-23 json=yes")
        let secondMonday = try service.trips(date: Province.monday, area: Province.second).count
        #expect(report.lines.contains { $0.contains("\"trips\": \(secondMonday),") }, "\(report.lines)")
        try run("REPORT FUNDER month=2026-11 json=yes")
        try run("ATTENTION date=2026-11-23 json=yes")
        try run("DAY CLOSE date=2026-11-20")
        try run("CALLS date=2026-11-23")
        let areas = try run("AREA LIST json=yes")
        #expect(areas.data.joined().contains("tambon-002") && !areas.data.joined().contains("sample-tambon"))
        // Every command of the language a dispatcher may give was asked.
        let dispatcherCommands = Set(Command.allCases.filter { ![.userAdd, .userList, .userRevoke, .areaPool].contains($0) }.map { $0.rawValue.uppercased() })
        #expect(dispatcherCommands.subtracting(asked).isEmpty, "not asked: \(dispatcherCommands.subtracting(asked).sorted())")
    }

    @Test func aPlannerGetsTheProvinceTableOneRowPerAreaAndATotal() throws {
        let running = try Self.server()
        let planner = try running.login("malee")
        let table = try planner.request("REPORT from=2026-11-23 to=2026-11-23 by=area json=yes")
        #expect(table.code == 200)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(table.data.joined(separator: "\n").utf8)) as? [[String: Any]])
        #expect(rows.map { $0["group"] as? String } == ["sample-tambon", "tambon-002", "all"])
        let counts = rows.map { $0["trips"] as? Int ?? -1 }
        #expect(counts[0] == 4 && counts[1] == 4 && counts[2] == 8)
        // One area by name, as admins and planners may; without a name the database's areas are too many.
        #expect(try planner.request("REPORT from=2026-11-23 to=2026-11-23 area=tambon-002").code == 200)
        #expect(try planner.ask("TRIP LIST date=2026-11-23") == [#"501 USAGE field=area "this database holds 2 areas: name one with area""#])
        let admin = try running.login("root")
        #expect(try admin.request("PLAN date=2026-11-24 area=tambon-002 iterations=30").code == 200)
        #expect(try admin.request("TRIP LIST date=2026-11-23 area=tambon-002 json=yes").lines.allSatisfy { Province.leaks([$0]).isEmpty })
    }
}

@Suite("phapaid: nothing leaks between tambons or drivers")
struct LeakTests {
    @Test func aBookingIntoAPlannedDayStaysOnItsOwnAreasVehicles() throws {
        let running = try ProvinceTests.server()
        let client = try running.login("suda")
        let booked = try client.request(#"TRIP BOOK patient=T002-P006 to=T002-H-COMM appointment="2026-11-23 10:00""#)
        #expect(booked.code == 200)
        let trip = TripID(Int64(try #require(booked["trip"]))!)
        let run = try #require(try running.world.service.runs(on: Province.monday).first { $0.stops.contains { $0.trip == trip } })
        #expect(run.vehicle.rawValue.hasPrefix("T002-"))
        // The other tambon's dispatcher sees none of it on their own runs.
        let other = try running.login("somchai")
        for vehicle in ["VAN1", "PICKUP1", "CAR1"] {
            let shown = try other.ask("RUN SHOW date=2026-11-23 vehicle=\(vehicle) json=yes")
            #expect(!shown.contains { $0.contains("T002-") })
        }
    }

    @Test func watchAnswersAnotherAreasRunAsARunThatDoesNotExist() throws {
        let running = try ProvinceTests.server()
        let firstRun = try #require(try running.world.service.runs(on: Province.monday, area: Province.first).first)
        let client = try running.login("suda")
        let other = try client.ask("WATCH run=\(firstRun.shift)")
        let missing = try client.ask("WATCH run=999999")
        #expect(other.count == 1 && other.first?.hasPrefix("550 ") == true)
        #expect(other.map { $0.replacingOccurrences(of: "\(firstRun.shift)", with: "N") } == missing.map { $0.replacingOccurrences(of: "999999", with: "N") })
    }

    @Test func addingACodeOfAnotherAreaIsAnsweredTheSameWhetherItExistsOrNot() throws {
        let running = try ProvinceTests.server()
        let client = try running.login("somchai")
        let taken = try client.ask(#"PATIENT ADD id=T002-P004 name="ทดสอบ" phone=0812345678 village=V01 mobility=ambulatory entitlement=self_pay"#)
        let free = try client.ask(#"PATIENT ADD id=T002-P999 name="ทดสอบ" phone=0812345678 village=V01 mobility=ambulatory entitlement=self_pay"#)
        #expect(taken == [#"553 CODE_PREFIX field=id "codes beginning T002- belong to another area""#])
        #expect(free == taken)
        // The other tambon's villages are not places of this one.
        let foreignVillage = try client.ask(#"PATIENT ADD id=P901 name="ทดสอบ" phone=0812345678 village=T002-V01 mobility=ambulatory entitlement=self_pay"#)
        #expect(foreignVillage == [#"554 UNKNOWN_PLACE field=village "no place T002-V01""#], "\(foreignVillage)")
        // Nor does the second tambon's dispatcher learn the first one's codes.
        let suda = try running.login("suda")
        #expect(try suda.ask(#"PATIENT ADD id=P004 name="ทดสอบ" phone=0812345678 village=T002-V01 mobility=ambulatory entitlement=self_pay"#)
                == [#"553 CODE_PREFIX field=id "codes of area tambon-002 begin with T002-""#])
    }

    @Test func aDriverSharingAVehicleSeesOnlyTheirOwnRun() throws {
        var plannedRun: Run?
        let running = try TestServer(
            logins: TestServer.standardLogins + [.init("wichai", .driver, driver: DriverID(unchecked: "D03"))],
            prepare: { world in
                // D03 drives VAN1 on Monday evening, after D01's day on it; VAN1 carries D01's patients.
                _ = try world.service.addShift(try Shift(
                    driver: DriverID(unchecked: "D03"), vehicle: VehicleID(unchecked: "VAN1"), date: Province.monday,
                    start: LocalTime(minutes: 17 * 60 + 30)!, end: LocalTime(minutes: 20 * 60)!))
                _ = try world.service.bookTrip(BookingRequest(
                    patient: PatientID(unchecked: "P004"), to: PlaceID(unchecked: "H-COMM"), timing: .appointment(try world.at("2026-11-23 09:00"))))
                _ = try world.service.planDay(Province.monday, seconds: 5, iterations: 50)
                plannedRun = try world.service.runs(on: Province.monday).first { $0.vehicle.rawValue == "VAN1" }
            })
        let run = try #require(plannedRun)
        #expect(run.driver.rawValue == "D01")
        let client = try running.login("wichai")
        // They have a shift on VAN1 but no run of their own: nothing of D01's patients.
        let shown = try client.ask("RUN SHOW date=2026-11-23 vehicle=VAN1")
        #expect(shown == [#"554 NO_RUN field=vehicle "vehicle VAN1 has no planned run of yours on 2026-11-23""#])
        let owner = try running.login("sompong")
        #expect(try owner.request("RUN SHOW date=2026-11-23 vehicle=VAN1").code == 200)
    }
}

@Suite("phapaid: a pool of tambons plans as one fleet")
struct PoolTests {
    @Test func aPooledDayCarriesBothTambonsPatientsAndEachDispatcherSeesOnlyTheirOwn() throws {
        let running = try ProvinceTests.server(pool: "district-1")
        let service = running.world.service
        // One plan for the pool, from either side: every vehicle of both tambons serves both tambons' trips.
        let runs = try service.runs(on: Province.monday)
        let areaOf = Dictionary(uniqueKeysWithValues: try service.trips(date: Province.monday).map { ($0.id!, $0.area) })
        let carried = Set(runs.flatMap { $0.stops.map(\.trip) })
        #expect(carried.contains { areaOf[$0] == Province.first } && carried.contains { areaOf[$0] == Province.second })
        // The second tambon has no vehicle of its own: the first one's carry its patients, some with the first's.
        #expect(runs.allSatisfy { !$0.vehicle.rawValue.hasPrefix("T002-") })
        let mixed = try #require(runs.first { run in Set(run.stops.compactMap { areaOf[$0.trip] }).count == 2 })

        // Each dispatcher sees their own patients' stops on a shared run, and only those.
        for (login, own) in [("somchai", Province.first), ("suda", Province.second)] {
            let client = try running.login(login)
            let shown = try client.request("RUN SHOW date=2026-11-23 vehicle=\(mixed.vehicle) json=yes")
            #expect(shown.code == 200, "\(shown.lines)")
            let trips = mixed.stops.map(\.trip).filter { areaOf[$0] == own }
            let others = mixed.stops.map(\.trip).filter { areaOf[$0] != own }
            let text = shown.data.joined(separator: "\n")
            #expect(trips.allSatisfy { text.contains("\"trip\": \($0)") })
            #expect(others.allSatisfy { !text.contains("\"trip\": \($0)") })
            // Their runs list holds the pool's runs that carry their patients.
            #expect(try client.request("RUNS date=2026-11-23").code == 200)
            let attention = try client.request("ATTENTION date=2026-11-23 json=yes")
            #expect(attention.code == 200)
            // The pool's vehicles are named to both; the other tambon's patients to neither.
            let otherPatient = own == Province.first ? #"T002-P[0-9]{3}"# : #"(?<![A-Za-z0-9_.-])P[0-9]{3}"#
            #expect(!attention.data.contains { $0.range(of: otherPatient, options: .regularExpression) != nil })
        }
        // A booking of one tambon may go on the other's vehicle, and a re-plan keeps the pool together.
        let suda = try running.login("suda")
        let booked = try suda.request(#"TRIP BOOK patient=T002-P006 to=T002-H-COMM appointment="2026-11-23 10:00""#)
        #expect(booked.code == 200, "\(booked.lines)")
        #expect(try service.verifyStoredPlan(Province.monday).feasible)
    }
}
