import Foundation
import Testing
import PhapaiCore
import PhapaiService

@Suite("phapai: planning, runs and manifests")
struct DispatchTests {
    /// The sample area with three journeys on Monday 2026-11-23, planned.
    static func plannedMonday() throws -> Workspace {
        let w = try Workspace.initialised()
        try w.ok("trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-11-23 09:00", "--return", "13:15")
        try w.ok("trip", "book", "--patient", "P002", "--to", "H-COMM", "--appointment", "2026-11-23 08:30", "--return", "11:30",
                 "--notes", "ขอที่นั่ง <ริมหน้าต่าง> & น้ำ")
        try w.ok("trip", "book", "--patient", "P001", "--to", "H-COMM", "--appointment", "2026-11-23 10:00")
        let planned = try w.ok("plan", "--date", "2026-11-23", "--iterations", "300")
        #expect(planned.contains("Planned 2026-11-23: 5 trip(s) on"))
        #expect(planned.contains("0 not served"))
        return w
    }

    @Test func aPlanOnTwoThreadsWithAnIterationBudgetIsTheSameEveryTime() throws {
        var manifests: [String] = []
        for _ in 0..<2 {
            let w = try Workspace.initialised()
            try w.ok("trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-11-23 09:00", "--return", "13:15")
            try w.ok("trip", "book", "--patient", "P002", "--to", "H-COMM", "--appointment", "2026-11-23 08:30", "--return", "11:30")
            try w.ok("trip", "book", "--patient", "P001", "--to", "H-COMM", "--appointment", "2026-11-23 10:00")
            // 6,500 iterations each: past the first exchange of best plans, at 6,000.
            #expect(try w.ok("plan", "--date", "2026-11-23", "--iterations", "6500", "--threads", "2").contains("0 not served"))
            manifests.append(try w.ok("runs", "--date", "2026-11-23", "--json"))
        }
        #expect(manifests[0] == manifests[1])
        #expect(manifests[0].contains("\"stops\""))
    }

    @Test func aPlanWithNoThreadsIsRefusedNamingTheField() throws {
        let w = try Workspace.initialised()
        let result = try w.run("plan", "--date", "2026-11-23", "--threads", "0")
        #expect(result.status == 2)
        #expect(result.stderr.contains("[OUT_OF_RANGE]") && result.stderr.contains("threads"))
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
        #expect(try inspect(w.database).runs(on: LocalDate.parse("2026-11-23", field: "d")).flatMap(\.stops).count == 10)
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

    /// python3 on the PATH, if any (CI installs it; without it the test is skipped, visibly).
    static let python = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        .map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The first round lost the file's last character (a quoted last field lost its closing
    /// quote, and strict readers failed), and passed a note typed as a formula to spreadsheets.
    @Test(.enabled(if: python != nil, "python3 is not installed"))
    func theManifestCSVReadsBackThroughAStrictReaderThaiIntact() throws {
        let w = try Workspace.initialised()
        let note = #"ขอ "ที่นั่ง", หน้า"#
        try w.ok("trip", "book", "--patient", "P002", "--to", "H-COMM", "--appointment", "2026-11-23 09:00", "--notes", "=HYPERLINK(\"http://x\")")
        try w.ok("trip", "book", "--patient", "P005", "--to", "H-COMM", "--appointment", "2026-11-23 09:30", "--notes", note)
        try w.ok("plan", "--date", "2026-11-23", "--iterations", "100")
        let runs = try inspect(w.database).runs(on: LocalDate.parse("2026-11-23", field: "d"))
        for run in runs {
            let path = w.folder + "/\(run.vehicle).csv"
            try w.ok("run", "show", "--date", "2026-11-23", "--vehicle", run.vehicle.rawValue, "--csv").write(toFile: path, atomically: true, encoding: .utf8)
            let script = """
                import csv, json, sys
                with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
                    print(json.dumps(list(csv.reader(f, strict=True)), ensure_ascii=False))
                """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(Self.python))
            process.arguments = ["-c", script, path]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "strict csv failed on \(run.vehicle)")
            let rows = try #require(try JSONSerialization.jsonObject(with: data) as? [[String]])
            #expect(rows.first?.first == "date" && rows.first?.last == "notes")
            #expect(rows.dropFirst().count == run.stops.count)
            #expect(rows.dropFirst().allSatisfy { $0.count == rows[0].count })
            let notes = rows.dropFirst().map { $0.last! }
            // Thai and quotes come back as typed; a formula comes back as text.
            if run.stops.contains(where: { $0.trip == TripID(3) }) { #expect(notes.contains { $0.contains(note) }, "\(notes)") }
            if run.stops.contains(where: { $0.trip == TripID(1) }) { #expect(notes.contains { $0.hasPrefix("'=HYPERLINK") }, "\(notes)") }
            #expect(!notes.contains { $0.hasPrefix("=") })
        }
    }

    @Test func theManifestPrintsAsCSVAndThaiHTML() throws {
        let w = try Self.plannedMonday()
        // The vehicle carrying trip 3 (P002's outbound, with the note).
        let runs = try inspect(w.database).runs(on: LocalDate.parse("2026-11-23", field: "d"))
        let vehicle = try #require(runs.first { $0.stops.contains { $0.trip == TripID(3) } }).vehicle.rawValue
        let csv = try w.ok("run", "show", "--date", "2026-11-23", "--vehicle", vehicle, "--csv")
        #expect(csv.hasPrefix("\u{FEFF}date,vehicle,driver,sequence,time,action,trip,patient,name,phone,place"))
        #expect(csv.contains("\"ขอที่นั่ง <ริมหน้าต่าง> & น้ำ\"") || csv.contains("ขอที่นั่ง <ริมหน้าต่าง> & น้ำ"))
        let html = try w.ok("--lang", "th", "run", "show", "--date", "2026-11-23", "--vehicle", vehicle, "--html")
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"th\">"))
        #expect(html.contains("<meta charset=\"utf-8\">"))
        #expect(html.contains("\"Sarabun\", \"TH Sarabun New\", \"Noto Sans Thai\""))
        #expect(html.contains("@page { size: A4;"))
        #expect(html.contains("ขอที่นั่ง &lt;ริมหน้าต่าง&gt; &amp; น้ำ"))
        #expect(!html.contains("<ริมหน้าต่าง>"))
        // On a phone: the viewport, a card per stop, a number to tap and a map to open; all in Thai.
        #expect(html.contains(#"<meta name="viewport" content="width=device-width, initial-scale=1">"#))
        #expect(html.contains("@media screen and (max-width: 640px)") && html.contains(#"data-label="โทร""#))
        #expect(html.range(of: #"<a class="tel" href="tel:0[0-9]{8,9}">0[0-9-]+</a>"#, options: .regularExpression) != nil)
        #expect(html.contains(#"<a class="map" rel="noreferrer" href="https://www.google.com/maps/search/?api=1&amp;query=7."#))
        #expect(html.contains("นัดรับ<br>") && html.contains("<strong>ถัดไป</strong>"))
        #expect(!html.contains("will-call") && !html.contains(" at ") && !html.contains("trip "))
        // The same page in English, on request.
        let english = try w.ok("--lang", "en", "run", "show", "--date", "2026-11-23", "--vehicle", vehicle, "--html")
        #expect(english.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">") && english.contains("<h1>Run sheet ") && english.contains(#"data-label="Phone""#))
        #expect(english.contains("ขอที่นั่ง &lt;ริมหน้าต่าง&gt; &amp; น้ำ") && !english.contains("นัดรับ") && !english.contains("ถัดไป"))
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

@Suite("phapai: driver reports and manual control")
struct DriverCommandTests {
    @Test func statusRulesAndUndoThroughTheCLI() throws {
        let w = try DispatchTests.plannedMonday()
        let noon = ["PHAPAI_NOW": "2026-11-23 12:00"]
        let early = try w.run(["trip", "status", "3", "dropoff"], extraEnvironment: noon)
        #expect(early.status == 4 && early.stderr.contains("[NOT_PICKED_UP]"))
        let absent = try w.run(["trip", "status", "3", "noshow"], extraEnvironment: noon)
        #expect(absent.status == 4 && absent.stderr.contains("[NOT_ARRIVED]"))
        let future = try w.run(["trip", "status", "3", "arrive", "--at", "2026-11-24 07:00"], extraEnvironment: noon)
        #expect(future.status == 2 && future.stderr.contains("[IN_FUTURE]"))
        let bad = try w.run(["trip", "status", "3", "teleport"], extraEnvironment: noon)
        #expect(bad.status == 2 && bad.stderr.contains("[INVALID_VALUE]: action"))
        #expect(try w.run(["trip", "status", "3", "arrive", "--at", "07:00", "--odometer", "1200.5"], extraEnvironment: noon).stdout == "Trip 3 is en_route\n")
        #expect(try w.run(["trip", "status", "3", "pickup", "--at", "07:03"], extraEnvironment: noon).stdout.hasPrefix("Trip 3 is picked_up"))
        #expect(try w.run(["trip", "status", "3", "undo"], extraEnvironment: noon).stdout.hasPrefix("Trip 3 is en_route (last report undone)\n"))
        #expect(try w.run(["trip", "status", "3", "pickup", "--at", "07:04"], extraEnvironment: noon).status == 0)
        #expect(try w.run(["trip", "status", "3", "dropoff", "--at", "08:10"], extraEnvironment: noon).status == 0)
        let service = try inspect(w.database)
        #expect(try service.tripEvents(TripID(3)).map(\.kind.rawValue) == ["arrive", "pickup", "dropoff"])
        #expect(try service.tripEvents(TripID(3)).first?.odometer == 1200.5)
        let report = try w.run(["report", "--from", "2026-11-23", "--to", "2026-11-23", "--csv"], extraEnvironment: noon)
        #expect(report.status == 0)
        // Of the day's trips one is served and the rest still open.
        #expect(report.stdout.split(separator: "\n")[0].hasPrefix("\u{FEFF}group,trips,served,missed,denied,open,"))
        #expect(report.stdout.split(separator: "\n")[1].hasPrefix("all,5,1,0,0,4,"), "\(report.stdout)")
    }

    @Test func assignLockAndUnlockThroughTheCLI() throws {
        let w = try DispatchTests.plannedMonday()
        let refused = try w.run("trip", "assign", "1", "--vehicle", "CAR1")
        #expect(refused.status == 4 && refused.stderr.contains("[VEHICLE_CANNOT_CARRY]"))
        #expect(try w.ok("trip", "assign", "3", "--vehicle", "CAR1").hasPrefix("Trip 3 assigned to CAR1, pickup planned at "))
        #expect(try w.ok("trip", "lock", "3") == "Trip 3 locked on its run\n")
        #expect(try w.ok("run", "show", "--date", "2026-11-23", "--vehicle", "CAR1").contains("*"))
        #expect(try w.ok("trip", "unlock", "3") == "Trip 3 unlocked\n")
        let notPlanned = try w.run("trip", "lock", "99")
        #expect(notPlanned.status == 3)
    }
}
