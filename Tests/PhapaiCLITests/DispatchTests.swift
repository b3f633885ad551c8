import Foundation
import Testing
import PhapaiCore
import PhapaiStore

@Suite("phapai: planning, runs and manifests")
struct DispatchTests {
    /// The sample area with three journeys on Monday 2026-11-23, planned.
    static func plannedMonday() throws -> Workspace {
        let w = try Workspace.initialised()
        try w.ok("trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-11-23 09:00", "--return", "12:00")
        try w.ok("trip", "book", "--patient", "P002", "--to", "H-COMM", "--appointment", "2026-11-23 08:30", "--return", "11:30",
                 "--notes", "ขอที่นั่ง <ริมหน้าต่าง> & น้ำ")
        try w.ok("trip", "book", "--patient", "P001", "--to", "H-COMM", "--appointment", "2026-11-23 10:00")
        let planned = try w.ok("plan", "--date", "2026-11-23", "--time", "1")
        #expect(planned.contains("Planned 2026-11-23: 5 trip(s) on"))
        #expect(planned.contains("0 not served"))
        return w
    }

    @Test func planningSchedulesEveryTripAndTheRunsAreListed() throws {
        let w = try Self.plannedMonday()
        #expect(try w.ok("trip", "list", "--date", "2026-11-23", "--status", "scheduled").contains("5 trip(s)"))
        let runs = try w.ok("runs", "--date", "2026-11-23")
        #expect(runs.hasPrefix("VEHICLE  DRIVER  TRIPS  STOPS  FIRST  LAST"))
        // The wheelchair patient can only ride the van, the stretcher patient only the pickup.
        #expect(try w.ok("run", "show", "--date", "2026-11-23", "--vehicle", "VAN1").contains("นางสาวบุญส่ง อินทร์ทอง"))
        let pickupRun = try w.ok("run", "show", "--date", "2026-11-23", "--vehicle", "PICKUP1")
        #expect(pickupRun.contains("นางกาญจนา ศรีสุข"))
        let check = try Store(path: w.database, create: false)
        #expect(try check.runs(on: LocalDate.parse("2026-11-23", field: "d")).flatMap(\.stops).count == 10)
    }

    @Test func theManifestJSONHasWhatADriverNeeds() throws {
        let w = try Self.plannedMonday()
        let text = try w.ok("run", "show", "--date", "2026-11-23", "--vehicle", "VAN1", "--json")
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        let stops = try #require(runs.first?["stops"] as? [[String: Any]])
        let wheelchair = try #require(stops.first { (($0["patient"] as? [String: Any])?["id"] as? String) == "P004" })
        for key in ["sequence", "trip", "action", "plannedTime", "place", "patient", "mobility", "companions", "notes", "returnPickup"] {
            #expect(wheelchair[key] != nil, "missing \(key)")
        }
        let place = try #require(wheelchair["place"] as? [String: Any])
        #expect(place["name"] as? String != nil && place["latitude"] as? Double != nil && place["longitude"] as? Double != nil)
        #expect(wheelchair["mobility"] as? String == "wheelchair")
        #expect(wheelchair["companions"] as? Int == 1)
        #expect((wheelchair["plannedTime"] as? String)?.hasPrefix("2026-11-23T") == true)
        let sequences = stops.compactMap { $0["sequence"] as? Int }
        #expect(sequences == Array(1...sequences.count))
    }

    @Test func theManifestPrintsAsCSVAndThaiHTML() throws {
        let w = try Self.plannedMonday()
        // The vehicle carrying trip 3 (P002's outbound, with the note).
        let runs = try Store(path: w.database, create: false).runs(on: LocalDate.parse("2026-11-23", field: "d"))
        let vehicle = try #require(runs.first { $0.stops.contains { $0.trip == TripID(3) } }).vehicle.rawValue
        let csv = try w.ok("run", "show", "--date", "2026-11-23", "--vehicle", vehicle, "--csv")
        #expect(csv.hasPrefix("\u{FEFF}date,vehicle,driver,sequence,time,action,trip,patient,name,phone,place"))
        #expect(csv.contains("\"ขอที่นั่ง <ริมหน้าต่าง> & น้ำ\"") || csv.contains("ขอที่นั่ง <ริมหน้าต่าง> & น้ำ"))
        let html = try w.ok("run", "show", "--date", "2026-11-23", "--vehicle", vehicle, "--html")
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"th\">"))
        #expect(html.contains("<meta charset=\"utf-8\">"))
        #expect(html.contains("\"Sarabun\", \"TH Sarabun New\", \"Noto Sans Thai\""))
        #expect(html.contains("@page { size: A4;"))
        #expect(html.contains("ขอที่นั่ง &lt;ริมหน้าต่าง&gt; &amp; น้ำ"))
        #expect(!html.contains("<ริมหน้าต่าง>"))
    }

    @Test func runsAndManifestsRefuseWhatIsNotThere() throws {
        let w = try Workspace.initialised()
        let none = try w.run("run", "show", "--date", "2026-11-23", "--vehicle", "VAN1")
        #expect(none.status == 3 && none.stderr.contains("[NO_RUN]"))
        let unknown = try w.run("run", "show", "--date", "2026-11-23", "--vehicle", "BUS")
        #expect(unknown.status == 3 && unknown.stderr.contains("[UNKNOWN_VEHICLE]"))
        let sunday = try w.run("plan", "--date", "2026-11-22")
        #expect(sunday.status == 4 && sunday.stderr.contains("[NO_SHIFTS]"))
        #expect(try w.ok("runs", "--date", "2026-11-23").contains("No runs on 2026-11-23"))
    }
}
