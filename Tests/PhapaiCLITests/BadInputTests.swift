import Foundation
import Testing
import PhapaiCore

/// Every refusal: the documented exit code, the keyword and the field on stderr, and nothing written.
@Suite("phapai: bad input is refused and nothing is written")
struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let arguments: [String]
        let status: Int32
        let keyword: String
        let field: String?
        var testDescription: String { name }
    }

    static let book = ["trip", "book", "--patient", "P002", "--to", "H-COMM"]

    static let cases: [Case] = [
        Case(name: "unknown patient", arguments: ["trip", "book", "--patient", "P999", "--to", "H-COMM", "--appointment", "2026-11-23 09:00"],
             status: 3, keyword: "UNKNOWN_PATIENT", field: "patient"),
        Case(name: "unknown place", arguments: ["trip", "book", "--patient", "P002", "--to", "NOWHERE", "--appointment", "2026-11-23 09:00"],
             status: 3, keyword: "UNKNOWN_PLACE", field: "to"),
        Case(name: "unknown vehicle", arguments: ["shift", "add", "--driver", "D01", "--vehicle", "BUS9", "--date", "2026-11-24",
                                                  "--start", "18:00", "--end", "20:00"], status: 3, keyword: "UNKNOWN_VEHICLE", field: "vehicle"),
        Case(name: "unknown trip", arguments: ["trip", "cancel", "77", "--reason", "x"], status: 3, keyword: "UNKNOWN_TRIP", field: "trip"),
        Case(name: "appointment in the past", arguments: book + ["--appointment", "2026-11-19 09:00"], status: 2, keyword: "IN_PAST", field: "appointment"),
        Case(name: "beyond the booking horizon", arguments: book + ["--appointment", "2026-12-14 09:00"], status: 2, keyword: "BEYOND_HORIZON", field: "appointment"),
        Case(name: "return before the outbound arrival", arguments: book + ["--appointment", "2026-11-23 09:00", "--return", "08:30"],
             status: 2, keyword: "RETURN_BEFORE_ARRIVAL", field: "return"),
        Case(name: "more companions than any vehicle seats", arguments: ["trip", "book", "--patient", "P001", "--to", "H-COMM",
                                                                         "--appointment", "2026-11-23 10:00", "--companions", "4"],
             status: 2, keyword: "NO_CAPABLE_VEHICLE", field: "companions"),
        Case(name: "impossible date", arguments: book + ["--appointment", "2026-02-30 09:00"], status: 2, keyword: "INVALID_DATE", field: "appointment"),
        Case(name: "malformed date", arguments: book + ["--appointment", "23/11/2026 09:00"], status: 2, keyword: "INVALID_DATE", field: "appointment"),
        Case(name: "no time given", arguments: book + ["--appointment", "tomorrow"], status: 2, keyword: "INVALID_DATETIME", field: "appointment"),
        Case(name: "impossible time", arguments: book + ["--appointment", "2026-11-23 25:10"], status: 2, keyword: "INVALID_TIME", field: "appointment"),
        Case(name: "malformed shift date", arguments: ["shift", "add", "--driver", "D01", "--vehicle", "VAN1", "--date", "2026-11-31",
                                                       "--start", "18:00", "--end", "20:00"], status: 2, keyword: "INVALID_DATE", field: "date"),
        Case(name: "control character in notes", arguments: book + ["--appointment", "2026-11-23 09:00", "--notes", "bell\u{7}"],
             status: 2, keyword: "CONTROL_CHARACTER", field: "notes"),
        Case(name: "over-long notes", arguments: book + ["--appointment", "2026-11-23 09:00", "--notes", String(repeating: "ก", count: 501)],
             status: 2, keyword: "TOO_LONG", field: "notes"),
        Case(name: "over-long patient name", arguments: ["patient", "add", "--id", "P200", "--name", String(repeating: "น", count: 101),
                                                         "--phone", "0812345678", "--village", "V01", "--mobility", "ambulatory",
                                                         "--entitlement", "self_pay"], status: 2, keyword: "TOO_LONG", field: "name"),
        Case(name: "bad mobility", arguments: ["patient", "add", "--id", "P200", "--name", "นายก ข", "--phone", "0812345678", "--village", "V01",
                                               "--mobility", "flying", "--entitlement", "self_pay"], status: 2, keyword: "INVALID_VALUE", field: "mobility"),
        Case(name: "duplicate patient", arguments: ["patient", "add", "--id", "P001", "--name", "นายก ข", "--phone", "0812345678", "--village", "V01",
                                                    "--mobility", "ambulatory", "--entitlement", "self_pay"], status: 4, keyword: "DUPLICATE_ID", field: "id"),
        Case(name: "unknown command", arguments: ["trip", "fly"], status: 1, keyword: "USAGE", field: nil),
        Case(name: "unknown option", arguments: book + ["--appointment", "2026-11-23 09:00", "--colour", "red"], status: 1, keyword: "USAGE", field: "colour"),
        Case(name: "missing required option", arguments: ["trip", "book", "--patient", "P002", "--appointment", "2026-11-23 09:00"],
             status: 1, keyword: "USAGE", field: "to"),
        Case(name: "both appointment and pickup", arguments: book + ["--appointment", "2026-11-23 09:00", "--pickup", "2026-11-23 08:00"],
             status: 1, keyword: "USAGE", field: "pickup"),
        Case(name: "cancel without a reason", arguments: ["trip", "cancel", "1"], status: 1, keyword: "USAGE", field: "reason"),
    ]

    @Test(arguments: cases)
    func isRefused(_ refusal: Case) throws {
        let w = try Workspace.initialised()
        try w.ok("trip", "book", "--patient", "P003", "--to", "H-COMM", "--appointment", "2026-11-23 09:30")
        let before = try counts(w)
        let result = try w.run(refusal.arguments)
        #expect(result.status == refusal.status, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("[\(refusal.keyword)]"), "stderr: \(result.stderr)")
        if let field = refusal.field { #expect(result.stderr.contains(field), "stderr: \(result.stderr)") }
        #expect(result.stdout.isEmpty)
        let after = try counts(w)
        #expect(after.trips == before.trips && after.events == before.events)
    }

    @Test func invalidUTF8ArgumentsAreRefused() throws {
        let w = try Workspace.initialised()
        let before = try counts(w)
        let arguments = (["--db", w.database] + Self.book + ["--appointment", "2026-11-23 09:00", "--notes"]).map { Array($0.utf8) }
            + [[0x61, 0xC3, 0x28, 0x62]]
        let result = try Phapai.run(bytes: arguments, environment: w.environment)
        #expect(result.status == 2)
        #expect(result.stderr.contains("[INVALID_UTF8]: notes: is not valid UTF-8 text"))
        #expect(try counts(w).trips == before.trips)
    }

    @Test func aSecondOverlappingBookingIsAConflict() throws {
        let w = try Workspace.initialised()
        try w.ok("trip", "book", "--patient", "P002", "--to", "H-COMM", "--appointment", "2026-11-23 09:00", "--return", "12:00")
        let before = try counts(w)
        let result = try w.run("trip", "book", "--patient", "P002", "--to", "HC-NATHONG", "--appointment", "2026-11-23 11:00")
        #expect(result.status == 4)
        #expect(result.stderr.contains("[DOUBLE_BOOKING]: patient: patient P002 already has trip"))
        #expect(try counts(w) == before)
    }

    @Test func aMobilityNoVehicleCanCarryIsRefused() throws {
        // An area whose only vehicle is a car: a stretcher patient can be registered but not booked.
        let w = Workspace()
        let area = """
            {"id": "tiny", "name": "ตำบลเล็ก", "travel": {"circuityFactor": 1.3, "averageSpeedKmh": 50},
             "places": [{"id": "DEPOT", "kind": "depot", "name": "อบต.", "lat": 7.0, "lon": 100.5},
                        {"id": "V01", "kind": "village", "name": "บ้านหนึ่ง", "moo": 1, "lat": 7.02, "lon": 100.51},
                        {"id": "HOSP", "kind": "hospital", "name": "โรงพยาบาล", "lat": 7.2, "lon": 100.6}],
             "vehicles": [{"id": "CAR", "name": "รถเก๋ง", "seats": 3, "depot": "DEPOT", "costPerKm": 5}],
             "drivers": [],
             "patients": [{"id": "P1", "name": "นางติดเตียง ทดสอบ", "phone": "0812345678", "village": "V01", "mobility": "stretcher",
                           "companions": 1, "entitlement": "ltc_dependency", "registeredOn": "2025-01-01"}]}
            """
        try area.write(toFile: w.folder + "/tiny.json", atomically: true, encoding: .utf8)
        try w.ok("init", w.folder + "/tiny.json")
        let result = try w.run("trip", "book", "--patient", "P1", "--to", "HOSP", "--appointment", "2026-11-23 09:00")
        #expect(result.status == 2)
        #expect(result.stderr.contains("[NO_CAPABLE_VEHICLE]: mobility: no vehicle of the area can carry a stretcher patient"))
        #expect(try counts(w).trips == 0)
    }

    @Test func cancellingACompletedTripIsAConflict() throws {
        let w = try Workspace.initialised()
        try w.ok("trip", "book", "--patient", "P002", "--to", "H-COMM", "--appointment", "2026-11-23 09:00")
        try w.ok("plan", "--date", "2026-11-23", "--iterations", "50")
        // The driver brings the patient in, as reported on the day.
        let monday = ["PHAPAI_NOW": "2026-11-23 09:00"]
        for (action, at) in [("arrive", "07:40"), ("pickup", "07:42"), ("dropoff", "08:30")] {
            #expect(try w.run(["trip", "status", "1", action, "--at", at], extraEnvironment: monday).status == 0)
        }
        let before = try counts(w)
        let result = try w.run("trip", "cancel", "1", "--reason", "ผิดวัน")
        #expect(result.status == 4)
        #expect(result.stderr.contains("[INVALID_TRANSITION]: status: cannot go from dropped_off to cancelled: the trip is already completed"))
        #expect(try counts(w) == before)
        #expect(try w.ok("trip", "show", "1").contains("dropped_off"))
    }

    @Test func aBrokenAreaFileNamesThePathAtFault() throws {
        let w = Workspace()
        try #"{"id": "x", "name": "y", "travel": {"circuityFactor": 1.3, "averageSpeedKmh": 50}, "places": [{"id": "A", "kind": "village", "name": "n", "lat": 95, "lon": 100}], "vehicles": [], "drivers": []}"#
            .write(toFile: w.folder + "/bad.json", atomically: true, encoding: .utf8)
        let result = try w.run("init", w.folder + "/bad.json")
        #expect(result.status == 2)
        #expect(result.stderr.contains("places[0]"))
    }
}
