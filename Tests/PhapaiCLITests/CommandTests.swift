import Foundation
import Testing
import PhapaiCore
import PhapaiService
import PhapaiTestSupport

/// The database of a workspace, read through the service rather than the CLI.
func inspect(_ path: String) throws -> PhapaiService { try PhapaiService.open(path: path, create: false, actor: "test:reader") }

/// Rows in the database, read directly rather than through the CLI.
func counts(_ workspace: Workspace) throws -> (trips: Int, events: Int) {
    let service = try inspect(workspace.database)
    return (try service.trips().count, try service.audit(limit: 10_000).count)
}

@Suite("phapai: commands end to end")
struct CommandTests {
    static let commandNames = [
        "init", "place add", "place list", "patient add", "patient show", "patient list", "patient find", "vehicle add",
        "vehicle list", "driver add", "driver list", "shift add", "shift list", "trip book", "trip show", "trip list",
        "trip cancel", "standing add", "standing list", "standing hold", "standing materialise", "audit", "backup", "demo",
        "plan", "runs", "run show", "trip status", "trip ready", "trip assign", "trip lock", "trip unlock", "report", "report funder", "matrix import", "user add", "user list", "user revoke", "area list", "area pool", "calls",
        "driver link", "driver unlink",
    ]

    @Test(arguments: commandNames)
    func everyCommandHasHelp(name: String) throws {
        let result = try Workspace().run(name.split(separator: " ").map(String.init) + ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("Usage: phapai \(name)"))
        #expect(result.stdout.contains("--db PATH"))
    }

    @Test func theOverviewDocumentsTheExitCodes() throws {
        let result = try Workspace().run("--help")
        #expect(result.status == 0)
        #expect(result.stdout.contains("Exit codes: 0 done, 1 usage error, 2 input refused, 3 not found, 4 conflict, 5 storage error, 6 not allowed (server)."))
        for name in Self.commandNames { #expect(result.stdout.contains("  \(name) ")) }
    }

    @Test func initLoadsTheSampleArea() throws {
        let workspace = Workspace()
        let output = try workspace.ok("init")
        #expect(output.contains("with area sample-tambon: 57 places, 40 patients, 3 vehicles, 3 drivers, 51 shifts."))
        #expect(try workspace.run("init").status == 4)
    }

    @Test func aSecondTambonFromACopyOfTheSampleLoadsWithACodePrefix() throws {
        let workspace = try Workspace.initialised()
        let sample = try String(contentsOf: Phapai.repository.appendingPathComponent("config/areas/sample-tambon.json"), encoding: .utf8)
        let copy = workspace.folder + "/tambon-002.json"
        try sample.replacingOccurrences(of: #""id": "sample-tambon""#, with: #""id": "tambon-002""#).write(toFile: copy, atomically: true, encoding: .utf8)
        // Without a prefix its codes are the sample's: refused before anything is written, naming the way out.
        let refused = try workspace.run("init", copy)
        #expect(refused.status == 4)
        #expect(refused.stderr.contains(
            "phapai: error [DUPLICATE_ID]: places[0].id: place DEPOT is already in area sample-tambon; give this area a code prefix (codePrefix in its file, or init --prefix)"))
        #expect(try inspect(workspace.database).areas().count == 1)
        #expect(try workspace.ok("init", copy, "--prefix", "T002-")
            .contains("with area tambon-002: 57 places, 40 patients, 3 vehicles, 3 drivers, 51 shifts."))
        // Each tambon's lists are its own; with two in the database a command names its area.
        #expect(try workspace.run("patient", "list").stderr.contains("phapai: error [USAGE]: area: this database holds 2 areas: name one with area"))
        let listed = try workspace.ok("patient", "list", "--area", "tambon-002")
        #expect(listed.contains("T002-P004") && !listed.contains(" P004 "))
        #expect(try workspace.ok("patient", "list", "--area", "sample-tambon").contains("P004"))
        // A new code of the second tambon carries its prefix.
        let unprefixed = try workspace.run("place", "add", "--area", "tambon-002", "--id", "SALA", "--kind", "landmark", "--name", "ศาลา", "--lat", "7", "--lon", "100.4")
        #expect(unprefixed.status == 2 && unprefixed.stderr.contains("[CODE_PREFIX]: id: codes of area tambon-002 begin with T002-"))
        // A prefix that another area's codes already begin with is refused.
        let third = workspace.folder + "/tambon-003.json"
        try sample.replacingOccurrences(of: #""id": "sample-tambon""#, with: #""id": "tambon-003""#).write(toFile: third, atomically: true, encoding: .utf8)
        #expect(try workspace.run("init", third, "--prefix", "T00").stderr.contains("[INVALID_PREFIX]"))
        #expect(try workspace.run("init", third, "--prefix", "T002-X-").stderr.contains("[PREFIX_TAKEN]"))
    }

    @Test func registryCommandsAddAndList() throws {
        let w = try Workspace.initialised()
        #expect(try w.ok("place", "add", "--id", "V13", "--kind", "village", "--name", "บ้านใหม่", "--moo", "13", "--lat", "7.05", "--lon", "100.45")
            .contains("Added place V13: หมู่ 13 บ้านใหม่ (village)"))
        let places = try w.ok("place", "list", "--kind", "village", "--json")
        #expect(places.contains("\"id\": \"V13\"") && places.contains("\"moo\": 13"))
        #expect(try w.ok("patient", "add", "--id", "P100", "--name", "นายทดสอบ ใหม่", "--phone", "081-999-0000", "--village", "V13",
                         "--mobility", "wheelchair", "--entitlement", "disability", "--notes", "ใช้ไม้ค้ำ")
            .contains("Registered patient P100: นายทดสอบ ใหม่"))
        let shown = try w.ok("patient", "show", "P100")
        #expect(shown.contains("Patient P100  นายทดสอบ ใหม่") && shown.contains("Registered   2026-11-20") && shown.contains("No upcoming trips."))
        #expect(try w.ok("patient", "list", "--village", "V13").contains("P100"))
        #expect(try w.ok("patient", "find", "ทดสอบ").contains("P100"))
        #expect(try w.ok("vehicle", "add", "--id", "VAN2", "--name", "รถตู้ 2", "--seats", "8", "--wheelchairs", "2", "--depot", "DEPOT",
                         "--cost-per-km", "9").contains("Added vehicle VAN2"))
        let vehicles = try w.ok("vehicle", "list")
        #expect(vehicles.contains("VAN2") && vehicles.contains("1 (folds to 2)"))
        #expect(try w.ok("driver", "add", "--id", "D04", "--name", "นายขับ ดี", "--phone", "0812345670").contains("Added driver D04"))
        #expect(try w.ok("driver", "list", "--json").contains("\"id\": \"D04\""))
        #expect(try w.ok("shift", "add", "--driver", "D04", "--vehicle", "VAN2", "--date", "2026-11-23", "--start", "07:00", "--end", "15:00",
                         "--break", "11:30-12:30").contains("D04 on VAN2, 2026-11-23 07:00-15:00"))
        let shifts = try w.ok("shift", "list", "--date", "2026-11-23")
        #expect(shifts.split(separator: "\n").count == 5)
        #expect(shifts.contains("11:30-12:30"))
    }

    @Test func tripsAreBookedShownListedAndCancelled() throws {
        let w = try Workspace.initialised()
        let booked = try w.ok("trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-11-23 09:00", "--return", "12:00",
                              "--notes", "ขอรถตู้")
        #expect(booked.contains("trip 1 outbound"))
        #expect(booked.contains("arrive by 08:45 for the 09:00 appointment"))
        #expect(booked.contains("trip 2 return: โรงพยาบาลชุมชนนาทอง -> บ้านผู้ป่วย ม.7 บ้านโคกม่วง; pickup between 12:00-12:30"))
        let shown = try w.ok("trip", "show", "1")
        #expect(shown.contains("Return       trip 2") && shown.contains("Notes        ขอรถตู้"))
        let listed = try w.ok("trip", "list", "--date", "2026-11-23")
        #expect(listed.contains("2 trip(s)"))
        #expect(try w.ok("trip", "list").contains("No trips on 2026-11-20."))
        let cancelled = try w.ok("trip", "cancel", "1", "--reason", "ญาติพาไปเอง")
        #expect(cancelled == "Cancelled trip 1 (outbound, code advance)\nCancelled trip 2 (return, code outbound_not_performed)\n")
        #expect(try w.ok("trip", "list", "--status", "cancelled", "--date", "2026-11-23", "--wide").contains("cancelled/advance"))
        let audit = try w.ok("audit", "--entity", "trip:1", "--json")
        #expect(audit.contains("\"action\": \"trip.cancel\"") && audit.contains("\"actor\": \"test:dispatcher\""))
        #expect(!audit.contains("ญาติ"))
    }

    @Test func standingOrdersMaterialiseAndHold() throws {
        let w = try Workspace.initialised()
        let added = try w.ok("standing", "add", "--patient", "P005", "--to", "H-PROV", "--days", "mon,wed,fri", "--appointment", "08:00",
                             "--return", "13:00")
        #expect(added.contains("Added standing order 1 for P005: mon,wed,fri at 08:00"))
        // Mon/Wed/Fri of the 21-day horizon but Mon 7 Dec, a substitution holiday in config/holidays-th.csv.
        #expect(added.contains("Materialised 16 trip(s) on 8 day(s)."))
        #expect(added.contains("skipped order 1 on ") && added.contains("public holiday วันหยุดชดเชยวันชาติ และวันพ่อแห่งชาติ"))
        #expect(try w.ok("standing", "materialise").contains("Materialised 0 trip(s)"))
        let held = try w.ok("standing", "hold", "1", "--from", "2026-11-24", "--to", "2026-11-30", "--reason", "admitted")
        #expect(held.contains("cancelled 6 trip(s)"))
        let list = try w.ok("standing", "list")
        #expect(list.contains("mon,wed,fri") && list.contains("2026-11-24..2026-11-30"))
        #expect(try w.ok("standing", "list", "--json").contains("\"reason\": \"admitted\""))
    }

    /// Standing orders read the config folder's holiday calendar: without it, or with a bad line,
    /// nothing is stored and the error names `holidays`, the file, the line and the rule.
    @Test func standingOrdersRefuseAMissingOrBadHolidayCalendar() throws {
        let w = try Workspace.initialised()
        let config = w.folder + "/config"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        let add = ["standing", "add", "--patient", "P005", "--to", "H-PROV", "--days", "mon", "--appointment", "08:00", "--return", "13:00"]
        let missing = try w.run(add, extraEnvironment: ["PHAPAI_CONFIG": config])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("[NO_FILE]: holidays: cannot read the holiday calendar \(config)/holidays-th.csv"), "\(missing.stderr)")
        try Data("date,name_th,name_en\n2026-12-07,วันหยุด,Holiday\n2026-12-7,วันหยุด,Holiday\n".utf8)
            .write(to: URL(fileURLWithPath: config + "/holidays-th.csv"))
        let bad = try w.run(add, extraEnvironment: ["PHAPAI_CONFIG": config])
        #expect(bad.stderr.contains("[INVALID_DATE]: holidays: \(config)/holidays-th.csv line 3: date"), "\(bad.stderr)")
        #expect(try w.ok("standing", "list").contains("P005") == false)
        // A calendar with only its header has no holidays: 7 December is a service day again.
        try Data("date,name_th,name_en\n".utf8).write(to: URL(fileURLWithPath: config + "/holidays-th.csv"))
        let added = try w.run(add, extraEnvironment: ["PHAPAI_CONFIG": config])
        #expect(added.status == 0 && added.stdout.contains("Materialised 6 trip(s) on 3 day(s)."), "\(added.stdout)\(added.stderr)")
    }

    @Test func backupWritesAVerifiedCopy() throws {
        let w = try Workspace.initialised()
        try w.ok("trip", "book", "--patient", "P002", "--to", "H-COMM", "--appointment", "2026-11-23 08:30")
        let copy = w.folder + "/copy.db"
        #expect(try w.ok("backup", copy).contains("(integrity ok)"))
        #expect(try inspect(copy).trips().count == 1)
        let again = try w.run("backup", copy)
        #expect(again.status == 4 && again.stderr.contains("[FILE_EXISTS]"))
        let empty = try w.run("backup", "")
        #expect(empty.status == 2 && empty.stderr.contains("[EMPTY]: path"))
    }

    @Test func yearsCanBeShownAndGivenInTheBuddhistEra() throws {
        let w = try Workspace.initialised()
        try w.ok("trip", "book", "--patient", "P002", "--to", "H-COMM", "--appointment", "2569-11-23 08:30")
        let listed = try w.run("--era", "buddhist", "trip", "list", "--date", "2569-11-23", "--wide")
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("2569-11-23") && !listed.stdout.contains("2026-11-23"))
        #expect(try w.ok("trip", "list", "--date", "2026-11-23", "--wide").contains("2026-11-23"))
    }

    @Test func thaiTablesAlignByDisplayColumn() throws {
        let w = try Workspace.initialised()
        let lines = try w.ok("patient", "list").split(separator: "\n").dropLast().map(String.init)
        #expect(lines.count == 41)
        // Every MOBILITY cell starts at the same display column as its header, whatever the Thai marks before it.
        func column(of text: String, in line: String) -> Int? {
            guard let range = line.range(of: text) else { return nil }
            return TextRules.displayWidth(String(line[..<range.lowerBound]))
        }
        let header = try #require(column(of: "MOBILITY", in: lines[0]))
        for line in lines.dropFirst() {
            let cell = ["ambulatory", "wheelchair", "stretcher"].compactMap { column(of: $0, in: line) }.first
            #expect(cell == header, "misaligned: \(line)")
        }
    }

    @Test func theDemoBooksARealisticDay() throws {
        let w = Workspace()
        let folder = w.folder + "/demo"
        let result = try w.run("demo", "--dir", folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Booking 12 journeys for 2026-11-23 (mon):"))
        #expect(result.stdout.contains("22 trips for 12 patients: 12 outbound, 10 returns (1 will-call); 2 wheelchair and 2 stretcher legs."))
        let service = try inspect(folder + "/phapai.db")
        #expect(try service.trips().count == 22)
        // A coherent day: no return leg served without its outbound, nothing still open once the day
        // is closed, and the report's counts add up to the trips booked.
        let trips = try service.trips(date: LocalDate(year: 2026, month: 11, day: 23)!)
        for back in trips where back.direction == .return && back.status == .droppedOff {
            #expect(trips.first { $0.id == back.linkedTrip }?.status == .droppedOff, "trip \(back.id!)")
        }
        #expect(trips.allSatisfy { !$0.status.isActive })
        #expect(result.stdout.contains("Day closed:"))
        let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("  22 trips: served ") })
        let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        // "22 trips: served S, no-shows N, cancelled C (of them R returns not needed), missed M, not served D, open O"
        #expect(numbers.count == 8 && numbers[1] + numbers[2] + numbers[3] + numbers[5] + numbers[6] + numbers[7] == 22, "\(line)")
        // Whatever was not served is named with its reason, and was on the list of calls to make.
        for trip in trips where trip.status == .missedByOperator {
            #expect(result.stdout.contains("trip \(trip.id!) missed: "), "trip \(trip.id!)")
            #expect(result.stdout.contains(": trip \(trip.id!) "), "trip \(trip.id!) in attention")
        }
        let again = try w.run("demo", "--dir", folder)
        #expect(again.status == 4)
    }

    @Test func usersGetATokenOnceAndListsNeverShowIt() throws {
        let w = try Workspace.initialised()
        let added = try w.run("user", "add", "somchai", "--role", "dispatcher", "--area", "sample-tambon")
        // The words go to standard error, the token alone to standard output (`> file` is a token file).
        #expect(added.status == 0 && added.stderr == "Added dispatcher somchai. Token (shown once; only its hash is kept):\n")
        let lines = ["", String(added.stdout.dropLast())]
        #expect(added.stdout.count == 65 && added.stdout.hasSuffix("\n"))
        #expect(lines[1].count == 64)
        let listed = try w.ok("user", "list")
        #expect(listed.contains("somchai") && listed.contains("dispatcher") && !listed.contains(lines[1]))
        #expect(try w.ok("user", "revoke", "somchai") == "Revoked somchai\n")
        #expect(try w.run("user", "revoke", "nobody").status == 3)
        #expect(try w.run("user", "add", "x", "--role", "king").status == 2)
    }

    /// The first round printed the words and the token to standard output, so a file made with
    /// `user add NAME > file` held two lines and `--token-file` refused it as BAD_TOKEN.
    @Test func aTokenFileMadeByUserAddLogsIn() throws {
        let running = try TestServer()
        let w = Workspace()
        let added = try Phapai.run(
            bytes: ["--db", running.world.databasePath, "user", "add", "nid", "--role", "planner"].map { Array($0.utf8) }, environment: w.environment)
        #expect(added.status == 0, "\(added.stderr)")
        let path = w.folder + "/nid.token"
        try added.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        let listed = try Phapai.run(
            bytes: ["--server", "127.0.0.1:\(running.port)", "--token-file", path, "trip", "list", "--date", "2026-11-23"].map { Array($0.utf8) },
            environment: w.environment)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout == "No trips on 2026-11-23.\n" || listed.stdout.hasPrefix("TRIP"), "\(listed.stdout)")
    }

    /// A driver's link goes alone to standard output (the words to standard error), at the
    /// address given; a new one replaces the old; unlinking leaves nothing to unlink.
    @Test func driverLinkPrintsTheLinkOnceAndUnlinkRevokesIt() throws {
        let w = try Workspace.initialised()
        let first = try w.run("driver", "link", "D01", "--base", "https://phapai.example.go.th/")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.range(of: #"^https://phapai\.example\.go\.th/d/[A-Za-z0-9_-]{43}\n$"#, options: .regularExpression) != nil, "\(first.stdout)")
        #expect(first.stderr.contains("D01"))
        let second = try w.run("driver", "link", "D01", extraEnvironment: ["PHAPAI_DRIVER_URL": "http://10.0.0.5:7880"])
        #expect(second.stdout.hasPrefix("http://10.0.0.5:7880/d/") && second.stdout != first.stdout)
        let bare = try w.ok("driver", "link", "D02")
        #expect(bare.hasPrefix("/d/"))
        let audit = try w.ok("audit", "--entity", "driver:D01")
        #expect(audit.contains("driver.link") && audit.contains("replaced=1"))
        #expect(try w.run("driver", "unlink", "D01").status == 0)
        let again = try w.run("driver", "unlink", "D01")
        #expect(again.status != 0 && again.stderr.contains("NO_LINK"))
        let bad = try w.run("driver", "link", "D01", "--base", "ftp://x")
        #expect(bad.status == 2 && bad.stderr.contains("base"))
        #expect(try w.run("driver", "link", "NOPE").stderr.contains("UNKNOWN_DRIVER"))
        // Only the hash is stored.
        let secret = String(bare.dropFirst(3).prefix(43))
        for file in ["phapai.db", "phapai.db-wal"] {
            let bytes = FileManager.default.contents(atPath: w.folder + "/" + file) ?? Data()
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) holds the secret")
        }
    }

    /// The first round's trip list was about 170 columns wide and its report 230: a dispatcher's
    /// terminal has 100. `--wide` shows every column.
    @Test func theDefaultTablesFitAHundredColumnTerminal() throws {
        let w = try Workspace.initialised()
        try w.bookAndPlanMonday()
        let width = displayColumns
        let list = try w.ok("trip", "list", "--date", "2026-11-23")
        #expect(width(list) <= 100, "\(list)")
        #expect(list.hasPrefix("ID  PICKUP       DIR  PATIENT") && list.contains("ม.9") && list.contains("VAN1"))
        #expect(width(try w.ok("trip", "list", "--date", "2026-11-23", "--wide")) > 100)
        for by in ["village", "funding", "vehicle"] {
            #expect(width(try w.ok("report", "--from", "2026-11-01", "--to", "2026-11-30", "--by", by)) <= 100)
        }
        #expect(try w.ok("report", "--from", "2026-11-01", "--to", "2026-11-30", "--wide").contains("PAX_PER_VEH_H"))
    }

    /// Every table a dispatcher reads fits 100 columns in both languages: free text (notes,
    /// reasons, audit details) wraps under its own column, a call list names each vehicle's
    /// driver once under the table; `--wide` still shows every column on one line. The first
    /// round's run show was 132 columns, attention 301, calls 129, audit 124, trip show 196.
    @Test func everyDefaultTableFitsAHundredColumnTerminalInThaiAndEnglish() throws {
        let w = try Workspace.initialised()
        try w.bookAndPlanMonday(notes: "ใช้ออกซิเจนพกพา ขอที่นั่งริมหน้าต่าง โทรหาลูกสาวก่อนไปถึง 10 นาที")
        let width = displayColumns
        let vehicle = try #require(try w.ok("runs", "--date", "2026-11-23").split(separator: "\n").dropFirst().first?.split(separator: " ").first.map(String.init))
        let tables: [[String]] = [
            ["run", "show", "--date", "2026-11-23", "--vehicle", vehicle], ["attention", "--date", "2026-11-23"], ["calls", "--date", "2026-11-23"],
            ["audit", "--limit", "30"], ["trip", "show", "1"], ["patient", "show", "P004"], ["patient", "list"], ["vehicle", "list"],
            ["trip", "list", "--date", "2026-11-23"], ["report", "--from", "2026-11-01", "--to", "2026-11-30", "--by", "village"],
        ]
        for language in ["th", "en"] {
            for command in tables {
                let text = try w.ok(["--lang", language] + command)
                #expect(width(text) <= 100, "\(language) \(command.joined(separator: " ")): \(width(text)) columns\n\(text)")
            }
        }
        // Nothing is cut: the whole of a note is there, only wrapped.
        let manifest = try w.ok(["--lang", "th", "run", "show", "--date", "2026-11-23", "--vehicle", vehicle])
        #expect(manifest.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }.joined(separator: " ").contains("โทรหาลูกสาวก่อนไปถึง 10 นาที"))
        #expect(width(try w.ok(["--lang", "en", "attention", "--date", "2026-11-23", "--wide"])) > 100)
        let calls = try w.ok(["--lang", "en", "calls", "--date", "2026-11-23"])
        #expect(calls.contains("Drivers:") && !calls.contains("DRIVER"))
        #expect(try w.ok(["--lang", "en", "calls", "--date", "2026-11-23", "--wide"]).contains("DRIVER"))
    }

    @Test func readCommandsNeverCreateADatabase() throws {
        let w = Workspace()
        let result = try w.run("trip", "list")
        #expect(result.status == 5 && result.stderr.contains("[NO_DATABASE]"))
        #expect(!FileManager.default.fileExists(atPath: w.database))
    }
}
