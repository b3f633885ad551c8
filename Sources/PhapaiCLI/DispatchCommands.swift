import Foundation
import PhapaiCore
import PhapaiService

/// Commands of daily dispatch: planning, runs and manifests.
enum DispatchCommands {
    static let specs: [CommandSpec] = [
        CommandSpec(
            "plan", "Plan a day: assign the booked trips to the vehicles on shift, with routes and times",
            options: [
                .value("date", "DATE", "the day to plan", required: true),
                .value("time", "SECONDS", "how long to search (default 5)"),
                .value("iterations", "N", "stop after N search iterations: the same plan on any machine"),
            ], run: plan),
        CommandSpec("runs", "Overview of the day's runs, one line per vehicle and shift",
                    options: [.value("date", "DATE", "the day", required: true), .value("driver", "ID", "only this driver's runs"), Commands.json],
                    run: runs),
        CommandSpec(
            "run show", "A driver's manifest: stops in order with times, patients, places and notes",
            options: [
                .value("date", "DATE", "the day", required: true), .value("vehicle", "ID", "the vehicle", required: true), Commands.json,
                .flag("csv", "print CSV (UTF-8 with BOM, for spreadsheets)"), .flag("html", "print a printable A4 HTML page"),
            ], run: showRun),
        CommandSpec(
            "report", "Service figures over days: served, denied, cancelled, no-shows, punctuality, ride times, vehicle use",
            options: [
                .value("from", "DATE", "first day", required: true), .value("to", "DATE", "last day", required: true),
                .value("by", "village|funding|vehicle", "one row per group"), .flag("csv", "print CSV"),
            ], run: report),
        CommandSpec(
            "report funder", "Patients and trips served per entitlement in a month, for the funder",
            options: [.value("month", "YYYY-MM", "the month", required: true), .flag("csv", "print CSV")], run: funder),
        CommandSpec(
            "matrix import", "Import road travel times between places: CSV (from,to,seconds[,meters]) or an OSRM table response (JSON)",
            positionals: [PositionalSpec(name: "FILE", help: "the matrix file", required: true)],
            options: [
                .value("format", "csv|osrm", "default: by the file's extension (.json is osrm)"),
                .value("places", "ID,ID,...", "OSRM: the places in the order of the request's coordinates"),
            ], run: importMatrix),
        CommandSpec(
            "user add", "Add a user who logs in to the server; prints their token once",
            positionals: [PositionalSpec(name: "NAME", help: "login name", required: true)],
            options: [
                .value("role", "ROLE", "admin, dispatcher, driver or planner", required: true),
                .value("area", "ID,ID,...", "areas of a dispatcher"), .value("driver", "ID", "the driver a driver's login stands for"),
            ], run: addUser),
        CommandSpec("user list", "List users (never their tokens)", options: [Commands.json], run: listUsers),
        CommandSpec(
            "user revoke", "Revoke a user's token", positionals: [PositionalSpec(name: "NAME", help: "login name", required: true)],
            run: revokeUser),
        CommandSpec(
            "trip status", "Record what the driver reports: arrive, pickup, dropoff, noshow, or undo the last report",
            positionals: [PositionalSpec(name: "ID", help: "trip number", required: true),
                          PositionalSpec(name: "ACTION", help: "arrive, pickup, dropoff, noshow or undo", required: true)],
            options: [.value("at", "HH:MM|'DATE HH:MM'", "when it happened (default now)"), .value("odometer", "KM", "odometer reading")],
            run: status),
        CommandSpec(
            "trip ready", "The clinic called: release a will-call return and place it in the day's runs",
            positionals: [PositionalSpec(name: "ID", help: "trip number of the return", required: true)],
            options: [.value("at", "HH:MM", "ready from (default now)")], run: ready),
        CommandSpec(
            "trip assign", "Pin a trip to a vehicle; planning keeps it there",
            positionals: [PositionalSpec(name: "ID", help: "trip number", required: true)],
            options: [.value("vehicle", "ID", "the vehicle", required: true)], run: assign),
        CommandSpec(
            "trip lock", "Lock a trip on its run: it and the stops before it keep their order when re-planning",
            positionals: [PositionalSpec(name: "ID", help: "trip number", required: true)], run: lock),
        CommandSpec(
            "trip unlock", "Unlock a trip and the stops after it on its run",
            positionals: [PositionalSpec(name: "ID", help: "trip number", required: true)], run: unlock),
    ]

    static func report(_ call: Invocation) throws {
        let grouping = try call.value("by").map { text -> ReportGrouping in
            guard let value = ReportGrouping(rawValue: text) else {
                throw PhapaiError.invalid("by", "INVALID_VALUE", "'\(text)' is not one of: village, funding, vehicle")
            }
            return value
        }
        let rows = try call.context.service().report(from: call.date("from")!, to: call.date("to")!, by: grouping)
        func percent(_ value: Double?) -> String { value.map { String(format: "%.1f", $0 * 100) } ?? "-" }
        func number(_ value: Double?, _ digits: Int = 1) -> String { value.map { String(format: "%.\(digits)f", $0) } ?? "-" }
        let headers = [grouping?.rawValue.uppercased() ?? "GROUP", "TRIPS", "SERVED", "MISSED", "DENIED", "OPEN", "CANCELLED", "ADVANCE", "SAME_DAY",
                       "LATE", "AT_DOOR", "NOT_NEEDED", "NO_SHOW", "PICKUP_ON_TIME_%", "APPT_ON_TIME_%", "RIDE_MEAN_MIN", "RIDE_P95_MIN",
                       "RATIO_MEAN", "RATIO_P95", "VEHICLE_H", "KM", "PAX_PER_VEH_H"]
        let cells = rows.map { row -> [String] in
            [row.group, String(row.trips), String(row.served), String(row.missed), String(row.denied), String(row.open),
             String(row.cancelled.values.reduce(0, +)), String(row.cancelled[.advance] ?? 0), String(row.cancelled[.sameDay] ?? 0),
             String(row.cancelled[.late] ?? 0), String(row.cancelled[.atDoor] ?? 0), String(row.cancelled[.outboundNotPerformed] ?? 0),
             String(row.noShows), percent(row.pickupOnTime), percent(row.appointmentOnTime),
             number(row.meanRideMinutes), number(row.p95RideMinutes), number(row.meanRideRatio, 2), number(row.p95RideRatio, 2),
             number(row.vehicleHours, 2), number(row.kilometres), number(row.passengersPerVehicleHour, 2)]
        }
        printTable(call, headers: headers, rows: cells)
    }

    static func funder(_ call: Invocation) throws {
        let text = try call.required("month")
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]), let month = Int(parts[1]) else {
            throw PhapaiError.invalid("month", "INVALID_DATE", "'\(text)' is not a month in the form YYYY-MM")
        }
        let rows = try call.context.service().funderReport(year: year >= 2400 ? year - Era.buddhistOffset : year, month: month)
        printTable(call, headers: ["ENTITLEMENT", "PATIENTS", "TRIPS"],
                   rows: rows.map { [$0.entitlement.rawValue, String($0.patients), String($0.trips)] })
    }

    static func printTable(_ call: Invocation, headers: [String], rows: [[String]]) {
        if call.flag("csv") {
            let lines = [headers.map { $0.lowercased() }] + rows
            call.console.out(lines.map { $0.map(ManifestFormat.csvField).joined(separator: ",") }.joined(separator: "\n"))
            return
        }
        var table = TextTable(headers, rightAligned: Set(1..<headers.count))
        for row in rows { table.add(row) }
        call.console.out(table.render())
    }

    static func importMatrix(_ call: Invocation) throws {
        let path = call.positional(0)!
        let format = call.value("format") ?? (path.lowercased().hasSuffix(".json") ? "osrm" : "csv")
        let places = try call.value("places").map { try $0.split(separator: ",").map { try PlaceID.parse(String($0), field: "places") } }
        let count = try call.context.service().importMatrix(call.context.readFile(path, field: "FILE"), format: format, places: places)
        call.console.out("Imported \(count) travel time(s); planning and booking use them from now on.")
    }

    static func addUser(_ call: Invocation) throws {
        let roleText = try call.required("role")
        guard let role = User.Role(rawValue: roleText) else {
            throw PhapaiError.invalid("role", "INVALID_VALUE", "'\(roleText)' is not one of: admin, dispatcher, driver, planner")
        }
        let areas = try call.value("area").map { try $0.split(separator: ",").map { try AreaID.parse(String($0), field: "area") } } ?? []
        let (user, token) = try call.context.service().addUser(
            name: call.positional(0)!, role: role, areas: areas, driver: try call.value("driver").map { try DriverID.parse($0, field: "driver") })
        call.console.out("Added \(user.role.rawValue) \(user.name). Token (shown once; only its hash is kept):")
        call.console.out(token)
    }

    static func listUsers(_ call: Invocation) throws {
        let users = try call.context.service().users()
        let format = try call.context.formatter()
        if call.wantsJSON {
            return call.printJSON(.array(users.map { user in
                .object([
                    ("name", .string(user.name)), ("role", .string(user.role.rawValue)), ("areas", .array(user.areas.map { .string($0.rawValue) })),
                    ("driver", .optional(user.driver?.rawValue)), ("createdAt", .string(format.offset.iso8601(user.createdAt))),
                    ("revoked", .bool(user.revokedAt != nil)),
                ])
            }))
        }
        var table = TextTable(["NAME", "ROLE", "AREAS", "DRIVER", "CREATED", "REVOKED"])
        for user in users {
            table.add([user.name, user.role.rawValue, user.areas.map(\.rawValue).joined(separator: ","), user.driver?.rawValue ?? "-",
                       format.dateTime(user.createdAt), user.revokedAt.map(format.dateTime) ?? "-"])
        }
        call.console.out(table.render())
    }

    static func revokeUser(_ call: Invocation) throws {
        try call.context.service().revokeUser(call.positional(0)!)
        call.console.out("Revoked \(call.positional(0)!)")
    }

    static func printWarnings(_ call: Invocation, date: LocalDate) throws {
        for warning in try call.context.service().warnings(on: date) { call.console.out("warning: \(warning)") }
    }

    static func status(_ call: Invocation) throws {
        let service = try call.context.service()
        let id = try TripID.parse(call.positional(0)!, field: "ID")
        let report = try DriverReport.parse(call.positional(1)!)
        let trip = try service.trip(id)
        let offset = try call.context.formatter().offset
        let at = try call.value("at").map { try offset.parseDateTime($0, field: "at", defaultDate: trip.serviceDate) }
        let change = try service.reportStatus(id, report, at: at, odometer: try call.double("odometer"))
        call.console.out("Trip \(id) is \(change.trip.status.rawValue)" + (report == .undo ? " (last report undone)" : ""))
        for other in change.alsoChanged {
            call.console.out("Trip \(other.id!) is \(other.status.rawValue)" + (other.cancellationCode.map { " (\($0.rawValue))" } ?? ""))
        }
        if let plan = change.replan {
            call.console.out("The rest of the day was re-planned around the locked stops"
                + (plan.unserved.isEmpty ? "." : "; \(plan.unserved.count) trip(s) without a vehicle."))
        }
        try OperationsCommands.printNotices(change.notices, call: call, service: service)
        if let failure = change.replanFailure { OperationsCommands.printReplanFailure(failure, call: call) }
    }

    static func ready(_ call: Invocation) throws {
        let service = try call.context.service()
        let id = try TripID.parse(call.positional(0)!, field: "ID")
        let trip = try service.trip(id)
        let format = try call.context.formatter()
        let at = try call.value("at").map { try format.offset.parseDateTime($0, field: "at", defaultDate: trip.serviceDate) }
        let result = try service.releaseWillCall(id, at: at)
        call.console.out("Trip \(id) released: pickup between \(format.window(result.trip.pickupWindow))")
        if let placement = result.placement {
            call.console.out("    scheduled on \(placement.vehicle), pickup planned at \(format.time(placement.pickupTime))")
        } else if let reason = result.reason {
            call.console.out("    not placed: \(reason); see 'phapai attention'")
        }
        try OperationsCommands.printNotices(result.notices, call: call, service: service)
        if let failure = result.replanFailure { OperationsCommands.printReplanFailure(failure, call: call) }
    }

    static func assign(_ call: Invocation) throws {
        let service = try call.context.service()
        let id = try TripID.parse(call.positional(0)!, field: "ID")
        let vehicle = try VehicleID.parse(call.required("vehicle"), field: "vehicle")
        let result = try service.assignTrip(id, to: vehicle)
        let format = try call.context.formatter()
        call.console.out("Trip \(id) assigned to \(vehicle)" + (result.placement.map { ", pickup planned at \(format.time($0.pickupTime))" } ?? ""))
        try OperationsCommands.printNotices(result.notices, call: call, service: service)
    }

    static func lock(_ call: Invocation) throws {
        let id = try TripID.parse(call.positional(0)!, field: "ID")
        try call.context.service().lockTrip(id)
        call.console.out("Trip \(id) locked on its run")
    }

    static func unlock(_ call: Invocation) throws {
        let id = try TripID.parse(call.positional(0)!, field: "ID")
        try call.context.service().unlockTrip(id)
        call.console.out("Trip \(id) unlocked")
    }

    static func plan(_ call: Invocation) throws {
        let service = try call.context.service()
        let date = try call.date("date")!
        let iterations = try call.int("iterations")
        if let iterations, !(1...1_000_000).contains(iterations) {
            throw PhapaiError.invalid("iterations", "OUT_OF_RANGE", "must be between 1 and 1000000")
        }
        // With an iteration budget the time is only a safety cap, so the plan does not depend on the machine's speed.
        let seconds = try call.double("time") ?? (iterations == nil ? 5 : 600)
        let plan = try service.planDay(date, area: try call.context.areaID(), seconds: seconds, iterations: iterations)
        let format = try call.context.formatter()
        let trips = plan.runs.reduce(0) { $0 + $1.stops.count } / 2
        call.console.out(
            "Planned \(format.date(date)): \(trips) trip(s) on \(plan.runs.count) run(s), \(plan.unserved.count) not served; "
                + String(format: "%.1f km, %.0f baht of driving.", plan.kilometres, plan.drivingCost))
        for run in plan.runs {
            let first = run.stops.first.map { format.time($0.plannedTime) } ?? "-"
            let last = run.stops.last.map { format.time($0.plannedTime) } ?? "-"
            call.console.out("  \(run.vehicle) (\(run.driver)): \(run.stops.count / 2) trip(s), \(first)-\(last)")
        }
        if !plan.unserved.isEmpty {
            call.console.out("Not served (see 'phapai attention'):")
            for (trip, reason) in plan.unserved { call.console.out("  trip \(trip): \(reason)") }
        }
        try OperationsCommands.printNotices(plan.notices, call: call, service: service)
        try printWarnings(call, date: date)
    }

    static func runs(_ call: Invocation) throws {
        let service = try call.context.service()
        let date = try call.date("date")!
        let driver = try call.value("driver").map { try DriverID.parse($0, field: "driver") }
        let runs = try service.runs(on: date).filter { driver == nil || $0.driver == driver }
        let format = try call.context.formatter()
        if call.wantsJSON {
            return call.printJSON(.array(runs.map { run in
                .object([
                    ("vehicle", .string(run.vehicle.rawValue)), ("driver", .string(run.driver.rawValue)), ("shift", .int(run.shift.rawValue)),
                    ("stops", .int(run.stops.count)), ("trips", .int(Set(run.stops.map(\.trip)).count)),
                    ("first", .optional(run.stops.first.map { format.offset.iso8601($0.plannedTime) })),
                    ("last", .optional(run.stops.last.map { format.offset.iso8601($0.plannedTime) })),
                    ("plannedAt", .string(format.offset.iso8601(run.plannedAt))),
                ])
            }))
        }
        guard !runs.isEmpty else {
            call.console.out("No runs on \(format.date(date)); plan the day with 'phapai plan --date \(date.iso)'.")
            return
        }
        var table = TextTable(["VEHICLE", "DRIVER", "TRIPS", "STOPS", "FIRST", "LAST", "LOCKED"], rightAligned: [2, 3, 6])
        for run in runs {
            table.add([
                run.vehicle.rawValue, run.driver.rawValue, String(Set(run.stops.map(\.trip)).count), String(run.stops.count),
                run.stops.first.map { format.time($0.plannedTime) } ?? "-", run.stops.last.map { format.time($0.plannedTime) } ?? "-",
                String(run.stops.filter(\.locked).count),
            ])
        }
        call.console.out(table.render())
        try printWarnings(call, date: date)
    }

    static func showRun(_ call: Invocation) throws {
        let service = try call.context.service()
        let manifests = try service.manifests(
            on: call.date("date")!, vehicle: VehicleID.parse(call.required("vehicle"), field: "vehicle"))
        let format = try call.context.formatter()
        let formats = [call.wantsJSON, call.flag("csv"), call.flag("html")].filter { $0 }.count
        guard formats <= 1 else { throw PhapaiError.usage("give at most one of --json, --csv and --html") }
        if call.wantsJSON {
            return call.printJSON(.array(manifests.map { ManifestFormat.json($0, offset: format.offset) }))
        }
        if call.flag("csv") { return call.console.out(String(ManifestFormat.csv(manifests, offset: format.offset).dropLast(2))) }
        if call.flag("html") { return call.console.out(String(ManifestFormat.html(manifests, offset: format.offset, era: format.era).dropLast())) }
        for manifest in manifests {
            call.console.out(
                "Run of \(manifest.vehicle.name) (\(manifest.vehicle.id)) on \(format.date(manifest.run.date)), "
                    + "driver \(manifest.driver.name) \(manifest.driver.phone), shift \(manifest.shift.start)-\(manifest.shift.end)"
                    + (manifest.shift.breakStart.map { ", break \($0)-\(manifest.shift.breakEnd!) at the depot" } ?? ""))
            var table = TextTable(["#", "TIME", "DO", "TRIP", "PATIENT", "PHONE", "PLACE", "MOBILITY", "+C", "NOTES"], rightAligned: [0, 3, 8])
            for stop in manifest.stops {
                var notes = stop.notes
                if stop.action == .dropoff, let appointment = stop.appointment { notes.insert("appt \(format.time(appointment))", at: 0) }
                let back = ManifestFormat.returnText(stop, offset: format.offset)
                if !back.isEmpty { notes.append("return \(back)") }
                if let waiting = ManifestFormat.awaitingText(stop, offset: format.offset) { notes.insert(waiting, at: 0) }
                table.add([
                    String(stop.sequence) + (stop.locked ? "*" : ""), format.time(stop.plannedTime), stop.action.rawValue,
                    String(stop.trip.rawValue), stop.patient.name, stop.patient.phone, stop.place.displayName,
                    stop.patient.mobility.rawValue, String(stop.companions), notes.joined(separator: "; "),
                ])
            }
            call.console.out(table.render())
        }
    }
}
