import Foundation
import PhapaiCore
import PhapaiService

/// The command table of `phapai`.
enum Commands {
    static let json = OptionSpec.flag("json", "print JSON instead of a table (see docs/cli.md)")

    static let all: [CommandSpec] = foundation + DispatchCommands.specs + OperationsCommands.specs

    static let foundation: [CommandSpec] = [
        CommandSpec(
            "init", "Create the database (if needed) and load an area file",
            positionals: [PositionalSpec(name: "AREA_FILE", help: "area JSON (default config/areas/sample-tambon.json)", required: false)],
            options: [.value("policies", "FILE", "default policies (default config/policies.json)")],
            run: initDatabase),
        CommandSpec(
            "place add", "Add a place (village, hospital, health centre, depot, landmark, home)",
            options: [
                .value("id", "ID", "place code", required: true),
                .value("kind", "KIND", "village, hospital, health_centre, depot, landmark or home", required: true),
                .value("name", "TEXT", "name", required: true),
                .value("moo", "N", "หมู่ที่ number (villages)"),
                .value("lat", "DEGREES", "latitude", required: true),
                .value("lon", "DEGREES", "longitude", required: true),
                .value("address", "TEXT", "address"),
            ], run: addPlace),
        CommandSpec("place list", "List places", options: [.value("kind", "KIND", "only this kind"), json], run: listPlaces),
        CommandSpec(
            "patient add", "Register a patient",
            options: [
                .value("id", "ID", "patient code", required: true),
                .value("name", "TEXT", "full name", required: true),
                .value("phone", "PHONE", "phone number", required: true),
                .value("village", "PLACE", "village place code", required: true),
                .value("home", "PLACE", "home place code (default: the village)"),
                .value("address", "TEXT", "directions to the house"),
                .value("mobility", "MOBILITY", "ambulatory, wheelchair or stretcher", required: true),
                .value("companions", "N", "usual number of relatives travelling along (0-4, default 1)"),
                .value("entitlement", "E", "tambon_health_fund, disability, ltc_dependency, self_pay or community_copay", required: true),
                .value("registered", "DATE", "registration date (default today)"),
                .value("notes", "TEXT", "notes for drivers"),
            ], run: addPatient),
        CommandSpec(
            "patient show", "Show a patient and their upcoming trips",
            positionals: [PositionalSpec(name: "ID", help: "patient code", required: true)], options: [json], run: showPatient),
        CommandSpec("patient list", "List registered patients", options: [.value("village", "PLACE", "only this village"), json], run: listPatients),
        CommandSpec(
            "patient find", "Find patients by name, code or phone digits",
            positionals: [PositionalSpec(name: "TEXT", help: "part of a name, code or phone number", required: true)], options: [json],
            run: findPatients),
        CommandSpec(
            "vehicle add", "Add a vehicle",
            options: [
                .value("id", "ID", "vehicle code", required: true),
                .value("name", "TEXT", "name", required: true),
                .value("plate", "TEXT", "registration plate"),
                .value("seats", "N", "passenger seats", required: true),
                .value("wheelchairs", "N", "wheelchair positions (default 0)"),
                .value("stretchers", "N", "stretcher positions (default 0)"),
                .value("fold-seats", "N", "seats gained by folding an unused wheelchair position (default 0)"),
                .value("depot", "PLACE", "depot place code", required: true),
                .value("cost-per-km", "BAHT", "operating cost per km", required: true),
            ], run: addVehicle),
        CommandSpec("vehicle list", "List vehicles", options: [json], run: listVehicles),
        CommandSpec(
            "driver add", "Add a driver",
            options: [
                .value("id", "ID", "driver code", required: true), .value("name", "TEXT", "full name", required: true),
                .value("phone", "PHONE", "phone number", required: true),
            ], run: addDriver),
        CommandSpec("driver list", "List drivers", options: [json], run: listDrivers),
        CommandSpec(
            "shift add", "Add a shift: a driver on a vehicle for a day",
            options: [
                .value("driver", "ID", "driver code", required: true), .value("vehicle", "ID", "vehicle code", required: true),
                .value("date", "DATE", "day (YYYY-MM-DD)", required: true), .value("start", "HH:MM", "start", required: true),
                .value("end", "HH:MM", "end", required: true), .value("break", "HH:MM-HH:MM", "break inside the shift"),
            ], run: addShift),
        CommandSpec(
            "shift list", "List shifts (default: today and the next 6 days)",
            options: [.value("date", "DATE", "one day"), .value("from", "DATE", "first day"), .value("to", "DATE", "last day"), json],
            run: listShifts),
        CommandSpec(
            "trip book", "Book a ride (and its return)",
            options: [
                .value("patient", "ID", "patient code", required: true),
                .value("from", "PLACE", "pickup place (default: the patient's home)"),
                .value("to", "PLACE", "destination", required: true),
                .value("appointment", "'DATE HH:MM'", "appointment to arrive for"),
                .value("pickup", "'DATE HH:MM'", "requested pickup time (instead of --appointment)"),
                .value("return", "HH:MM|'DATE HH:MM'", "return pickup time, the same day"),
                .flag("will-call", "return when the clinic calls (time unknown)"),
                .value("ready", "HH:MM", "will-call: when the patient is expected ready (default: the area's clinic time after the appointment)"),
                .value("companions", "N", "relatives travelling along (default: the patient's usual)"),
                .value("funding", "E", "who pays (default: the patient's entitlement)"),
                .value("notes", "TEXT", "notes for the driver"),
            ],
            details: "Exactly one of --appointment and --pickup. The pickup window follows the area's policies. "
                + "On a planned day both legs are placed at once, or the booking is refused with times that would fit.",
            run: bookTrip),
        CommandSpec(
            "trip show", "Show one trip", positionals: [PositionalSpec(name: "ID", help: "trip number", required: true)],
            options: [json], run: showTrip),
        CommandSpec(
            "trip list", "List trips (default: today)",
            options: [
                .value("date", "DATE", "day of travel"), .value("status", "STATUS", "only this status"),
                .value("patient", "ID", "only this patient (all days unless --date)"), json,
            ], run: listTrips),
        CommandSpec(
            "trip cancel", "Cancel a trip (and its pending return)",
            positionals: [PositionalSpec(name: "ID", help: "trip number", required: true)],
            options: [
                .value("reason", "TEXT", "why (required)", required: true),
                .flag("at-door", "cancelled at the door when the vehicle came"),
            ], run: cancelTrip),
        CommandSpec(
            "standing add", "Add a standing order (a recurring trip) and materialise its trips",
            options: [
                .value("patient", "ID", "patient code", required: true),
                .value("from", "PLACE", "pickup place (default: home)"),
                .value("to", "PLACE", "destination", required: true),
                .value("days", "DAYS", "weekdays, e.g. mon,wed,fri or mon-fri", required: true),
                .value("appointment", "HH:MM", "appointment time on those days", required: true),
                .value("start", "DATE", "first day (default today)"),
                .value("until", "DATE", "last day (default: open-ended)"),
                .value("return", "HH:MM", "return pickup time"),
                .flag("will-call", "return when the clinic calls"),
                .value("companions", "N", "relatives travelling along (default: the patient's usual)"),
                .value("funding", "E", "who pays (default: the patient's entitlement)"),
                .value("notes", "TEXT", "notes for the driver"),
            ], run: addStanding),
        CommandSpec("standing list", "List standing orders and their holds", options: [json], run: listStanding),
        CommandSpec(
            "standing hold", "Pause a standing order (e.g. patient admitted) and cancel its trips in that span",
            positionals: [PositionalSpec(name: "ID", help: "standing order number", required: true)],
            options: [
                .value("from", "DATE", "first day paused", required: true), .value("to", "DATE", "last day paused", required: true),
                .value("reason", "TEXT", "why", required: true),
            ], run: holdStanding),
        CommandSpec("standing materialise", "Create the trips of every standing order over the booking horizon", run: materialise),
        CommandSpec(
            "audit", "Show the audit log, newest first",
            options: [.value("entity", "KIND:ID", "only this object, e.g. trip:12"), .value("limit", "N", "how many (default 50)"), json],
            run: showAudit),
        CommandSpec(
            "backup", "Write an online backup of the database to a new file",
            positionals: [PositionalSpec(name: "PATH", help: "new file to write", required: true)], run: backup),
        CommandSpec(
            "demo", "Create a demo database with the sample area, book a realistic day and print it",
            options: [.value("dir", "DIR", "folder for the demo database (default: a new temporary folder)")],
            run: Demo.run),
    ]

    // MARK: init

    static func initDatabase(_ call: Invocation) throws {
        let areaPath = try call.positional(0) ?? "\(call.context.configFolder())/areas/sample-tambon.json"
        let policiesPath = try call.value("policies") ?? "\(call.context.configFolder())/policies.json"
        let summary = try initialise(context: call.context, areaPath: areaPath, policiesPath: policiesPath)
        call.console.out(
            "Initialised \(call.context.databasePath) (schema v\(PhapaiService.schemaVersion)) with area \(summary.area): "
                + "\(summary.places) places, \(summary.patients) patients, \(summary.vehicles) vehicles, "
                + "\(summary.drivers) drivers, \(summary.shifts) shifts.")
    }

    /// Loads the policies and an area file and stores the area; shared by `init` and `demo`.
    static func initialise(context: CLIContext, areaPath: String, policiesPath: String) throws -> ImportSummary {
        let policies = try ConfigDecoding.decode(Policies.self, from: context.readFile(policiesPath, field: "policies"), file: policiesPath)
        do {
            try policies.validate()
        } catch var error as PhapaiError {
            error.field = "\(policiesPath): \(error.field ?? "")"
            throw error
        }
        let area = try AreaFile.decode(context.readFile(areaPath, field: "AREA_FILE"), file: areaPath).build(defaults: policies)
        return try context.service(create: true).importArea(area)
    }

    // MARK: places

    static func addPlace(_ call: Invocation) throws {
        let area = try call.context.area()
        let place = try Place(
            id: PlaceID.parse(call.required("id"), field: "id"), area: area.id, kind: PlaceKind.parse(call.required("kind")),
            name: call.required("name"), moo: call.int("moo"),
            coordinate: Coordinate(latitude: call.double("lat")!, longitude: call.double("lon")!, field: "lat/lon"),
            address: call.value("address"))
        let stored = try call.context.service().addPlace(place)
        call.console.out("Added place \(stored.id): \(stored.displayName) (\(stored.kind.rawValue))")
    }

    static func listPlaces(_ call: Invocation) throws {
        let places = try call.context.service().places(kind: call.value("kind").map { try PlaceKind.parse($0) })
        if call.wantsJSON {
            return call.printJSON(.array(places.map(placeJSON)))
        }
        var table = TextTable(["ID", "KIND", "NAME", "LAT", "LON"], rightAligned: [3, 4])
        for place in places {
            table.add([place.id.rawValue, place.kind.rawValue, place.displayName, coordinateText(place.coordinate.latitude), coordinateText(place.coordinate.longitude)])
        }
        call.console.out(table.render())
    }

    static func placeJSON(_ place: Place) -> JSONValue {
        .object([
            ("id", .string(place.id.rawValue)), ("kind", .string(place.kind.rawValue)), ("name", .string(place.name)),
            ("moo", .optional(place.moo.map(Int64.init))), ("latitude", .double(place.coordinate.latitude)),
            ("longitude", .double(place.coordinate.longitude)), ("address", .optional(place.address)),
        ])
    }

    static func coordinateText(_ value: Double) -> String { String(format: "%.5f", value) }

    // MARK: patients

    static func addPatient(_ call: Invocation) throws {
        let service = try call.context.service()
        let area = try call.context.area()
        let village = try PlaceID.parse(call.required("village"), field: "village")
        let today = area.offset.date(of: call.context.clock())
        let patient = try Patient(
            id: PatientID.parse(call.required("id"), field: "id"), area: area.id, name: call.required("name"),
            phone: call.required("phone"), home: call.value("home").map { try PlaceID.parse($0, field: "home") } ?? village,
            village: village, address: call.value("address"), mobility: Mobility.parse(call.required("mobility")),
            companions: call.int("companions") ?? 1, entitlement: Entitlement.parse(call.required("entitlement")),
            registeredOn: call.date("registered") ?? today, notes: call.value("notes"))
        let stored = try service.addPatient(patient)
        call.console.out("Registered patient \(stored.id): \(stored.name)")
    }

    static func showPatient(_ call: Invocation) throws {
        let service = try call.context.service()
        let patient = try service.patient(PatientID.parse(call.positional(0)!, field: "ID"))
        let format = try call.context.formatter()
        let today = format.offset.date(of: call.context.clock())
        let upcoming = try service.trips(patient: patient.id).filter { $0.serviceDate >= today && $0.status.isActive }
        var views = try ViewBuilder(service: service)
        if call.wantsJSON {
            return call.printJSON(views.patientJSON(patient, upcoming: upcoming))
        }
        let village = views.place(patient.village)
        var lines = ["Patient \(patient.id)  \(patient.name)"]
        var facts = TextTable(["", ""])
        facts.add(["Phone", patient.phone])
        facts.add(["Village", "\(village?.displayName ?? patient.village.rawValue) (\(patient.village))"])
        facts.add(["Home", patient.home == patient.village ? "the village (\(patient.home))" : "\(views.placeName(patient.home)) (\(patient.home))"])
        if let address = patient.address { facts.add(["Address", address]) }
        facts.add(["Mobility", "\(patient.mobility.rawValue), usually \(patient.companions) companion(s)"])
        facts.add(["Entitlement", patient.entitlement.rawValue])
        facts.add(["Registered", format.date(patient.registeredOn)])
        if let notes = patient.notes { facts.add(["Notes", notes]) }
        lines.append(facts.renderFacts())
        lines.append("")
        if upcoming.isEmpty {
            lines.append("No upcoming trips.")
        } else {
            lines.append("Upcoming trips:")
            lines.append(tripTable(upcoming, views: &views, format: format, showPatient: false))
        }
        call.console.out(lines.joined(separator: "\n"))
    }

    static func listPatients(_ call: Invocation) throws {
        let service = try call.context.service()
        let patients = try service.patients(village: call.value("village").map { try PlaceID.parse($0, field: "village") })
        try printPatients(patients, call: call)
    }

    static func findPatients(_ call: Invocation) throws {
        try printPatients(try call.context.service().findPatients(call.positional(0)!), call: call)
    }

    static func printPatients(_ patients: [Patient], call: Invocation) throws {
        let service = try call.context.service()
        var views = try ViewBuilder(service: service)
        if call.wantsJSON {
            return call.printJSON(.array(patients.map { views.patientJSON($0, upcoming: []) }))
        }
        var table = TextTable(["ID", "NAME", "VILLAGE", "MOBILITY", "COMP", "PHONE", "ENTITLEMENT"], rightAligned: [4])
        for patient in patients {
            table.add([
                patient.id.rawValue, patient.name, views.placeName(patient.village), patient.mobility.rawValue,
                String(patient.companions), patient.phone, patient.entitlement.rawValue,
            ])
        }
        call.console.out(table.render())
        call.console.out("\(patients.count) patient(s)")
    }

    // MARK: fleet

    static func addVehicle(_ call: Invocation) throws {
        let area = try call.context.area()
        let vehicle = try Vehicle(
            id: VehicleID.parse(call.required("id"), field: "id"), area: area.id, name: call.required("name"),
            plate: call.value("plate"),
            capacity: Capacity(
                seats: call.int("seats")!, wheelchairs: call.int("wheelchairs") ?? 0, stretchers: call.int("stretchers") ?? 0,
                seatsPerFoldedWheelchair: call.int("fold-seats") ?? 0),
            depot: PlaceID.parse(call.required("depot"), field: "depot"), costPerKm: call.double("cost-per-km")!)
        let stored = try call.context.service().addVehicle(vehicle)
        call.console.out("Added vehicle \(stored.id): \(stored.name)")
    }

    static func listVehicles(_ call: Invocation) throws {
        let vehicles = try call.context.service().vehicles()
        if call.wantsJSON {
            return call.printJSON(
                .array(vehicles.map { v in
                    .object([
                        ("id", .string(v.id.rawValue)), ("name", .string(v.name)), ("plate", .optional(v.plate)),
                        ("seats", .int(v.capacity.seats)), ("wheelchairs", .int(v.capacity.wheelchairs)),
                        ("stretchers", .int(v.capacity.stretchers)), ("foldSeats", .int(v.capacity.seatsPerFoldedWheelchair)),
                        ("depot", .string(v.depot.rawValue)), ("costPerKm", .double(v.costPerKm)),
                    ])
                }))
        }
        var table = TextTable(["ID", "NAME", "PLATE", "SEATS", "WHEELCHAIRS", "STRETCHERS", "DEPOT", "BAHT/KM"], rightAligned: [3, 4, 5, 7])
        for v in vehicles {
            let wheelchairs = v.capacity.seatsPerFoldedWheelchair > 0
                ? "\(v.capacity.wheelchairs) (folds to \(v.capacity.seatsPerFoldedWheelchair))" : String(v.capacity.wheelchairs)
            table.add([v.id.rawValue, v.name, v.plate ?? "-", String(v.capacity.seats), wheelchairs, String(v.capacity.stretchers),
                       v.depot.rawValue, String(format: "%.2f", v.costPerKm)])
        }
        call.console.out(table.render())
    }

    static func addDriver(_ call: Invocation) throws {
        let area = try call.context.area()
        let driver = try Driver(
            id: DriverID.parse(call.required("id"), field: "id"), area: area.id, name: call.required("name"), phone: call.required("phone"))
        let stored = try call.context.service().addDriver(driver)
        call.console.out("Added driver \(stored.id): \(stored.name)")
    }

    static func listDrivers(_ call: Invocation) throws {
        let drivers = try call.context.service().drivers()
        if call.wantsJSON {
            return call.printJSON(
                .array(drivers.map { .object([("id", .string($0.id.rawValue)), ("name", .string($0.name)), ("phone", .string($0.phone))]) }))
        }
        var table = TextTable(["ID", "NAME", "PHONE"])
        for driver in drivers { table.add([driver.id.rawValue, driver.name, driver.phone]) }
        call.console.out(table.render())
    }

    static func addShift(_ call: Invocation) throws {
        var breakStart: LocalTime?
        var breakEnd: LocalTime?
        if let text = call.value("break") {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw PhapaiError.invalid("break", "INVALID_TIME", "'\(text)' is not HH:MM-HH:MM") }
            breakStart = try LocalTime.parse(String(parts[0]), field: "break")
            breakEnd = try LocalTime.parse(String(parts[1]), field: "break")
        }
        let shift = try Shift(
            driver: DriverID.parse(call.required("driver"), field: "driver"),
            vehicle: VehicleID.parse(call.required("vehicle"), field: "vehicle"), date: call.date("date")!,
            start: call.time("start")!, end: call.time("end")!, breakStart: breakStart, breakEnd: breakEnd)
        let stored = try call.context.service().addShift(shift)
        call.console.out("Added shift \(stored.id!): \(stored.driver) on \(stored.vehicle), \(try call.context.formatter().date(stored.date)) \(stored.start)-\(stored.end)")
    }

    static func listShifts(_ call: Invocation) throws {
        let format = try call.context.formatter()
        let today = format.offset.date(of: call.context.clock())
        let from = try call.date("date") ?? call.date("from") ?? today
        let to = try call.date("date") ?? call.date("to") ?? from.adding(days: 6)
        guard from <= to else { throw PhapaiError.invalid("to", "DATE_ORDER", "the last day is before the first day") }
        let shifts = try call.context.service().shifts(from: from, to: to)
        if call.wantsJSON {
            return call.printJSON(
                .array(shifts.map { s in
                    .object([
                        ("id", .optional(s.id?.rawValue)), ("date", .string(s.date.iso)), ("driver", .string(s.driver.rawValue)),
                        ("vehicle", .string(s.vehicle.rawValue)), ("start", .string(s.start.description)), ("end", .string(s.end.description)),
                        ("breakStart", .optional(s.breakStart?.description)), ("breakEnd", .optional(s.breakEnd?.description)),
                    ])
                }))
        }
        var table = TextTable(["ID", "DATE", "DAY", "DRIVER", "VEHICLE", "HOURS", "BREAK"], rightAligned: [0])
        for s in shifts {
            let pause = s.breakStart.map { "\($0)-\(s.breakEnd!)" } ?? "-"
            table.add([s.id.map { String($0.rawValue) } ?? "-", format.date(s.date), s.date.weekday.shortName, s.driver.rawValue,
                       s.vehicle.rawValue, "\(s.start)-\(s.end)", pause])
        }
        call.console.out(table.render())
    }

    // MARK: trips

    static func bookTrip(_ call: Invocation) throws {
        let service = try call.context.service()
        let offset = try call.context.area().offset
        let timing: BookingRequest.Timing
        switch (call.value("appointment"), call.value("pickup")) {
        case let (appointment?, nil): timing = .appointment(try offset.parseDateTime(appointment, field: "appointment"))
        case let (nil, pickup?): timing = .pickup(try offset.parseDateTime(pickup, field: "pickup"))
        case (nil, nil): throw PhapaiError.usage("'trip book' needs --appointment or --pickup", field: "appointment")
        default: throw PhapaiError.usage("give either --appointment or --pickup, not both", field: "pickup")
        }
        let outboundDay: LocalDate =
            switch timing {
            case .appointment(let at), .pickup(let at): offset.date(of: at)
            }
        let returnLeg: BookingRequest.ReturnLeg
        switch (call.value("return"), call.flag("will-call")) {
        case (nil, false): returnLeg = .none
        case (nil, true): returnLeg = .willCall
        case let (text?, false): returnLeg = .at(try offset.parseDateTime(text, field: "return", defaultDate: outboundDay))
        case (_?, true): throw PhapaiError.usage("give either --return or --will-call, not both", field: "return")
        }
        if call.value("ready") != nil && returnLeg != .willCall {
            throw PhapaiError.usage("--ready goes with --will-call", field: "ready")
        }
        let request = BookingRequest(
            patient: try PatientID.parse(call.required("patient"), field: "patient"),
            from: try call.value("from").map { try PlaceID.parse($0, field: "from") },
            to: try PlaceID.parse(call.required("to"), field: "to"), timing: timing, returnLeg: returnLeg,
            companions: try call.int("companions"), funding: try call.value("funding").map { try Entitlement.parse($0, field: "funding") },
            notes: call.value("notes"),
            willCallReady: try call.value("ready").map { try offset.parseDateTime($0, field: "ready", defaultDate: outboundDay) })
        let booked = try service.bookAndPlace(request)
        let trips = booked.trips
        var views = try ViewBuilder(service: service)
        let format = try call.context.formatter()
        call.console.out("Booked for \(trips[0].patient) \(views.patientName(trips[0].patient)) on \(format.date(trips[0].serviceDate)):")
        for trip in trips {
            call.console.out(describeBooked(trip, views: views, format: format))
            if let placement = booked.placements?[trip.id!] { call.console.out(describePlacement(placement, format: format)) }
        }
        try OperationsCommands.printNotices(booked.notices, call: call, service: service)
    }

    /// Where a trip was placed, as the dispatcher tells it.
    static func describePlacement(_ placement: Placement, format: Formatter) -> String {
        placement.awaitingRelease
            ? "    a place is kept on \(placement.vehicle) (planned about \(format.time(placement.pickupTime))) until the clinic calls"
            : "    scheduled on \(placement.vehicle), pickup planned at \(format.time(placement.pickupTime))"
    }

    static func describeBooked(_ trip: Trip, views: ViewBuilder, format: Formatter) -> String {
        var line = "  trip \(trip.id!) \(trip.direction.rawValue): \(views.placeName(trip.pickupPlace)) -> \(views.placeName(trip.dropoffPlace)); "
        if trip.awaitingRelease {
            line += "will-call: pickup when the clinic calls" + (trip.releaseWindow.map { ", expected \(format.window($0))" } ?? "")
        } else {
            line += "pickup between \(format.window(trip.pickupWindow))"
            if let appointment = trip.appointment {
                line += ", arrive by \(format.time(trip.dropoffWindow?.latest)) for the \(format.time(appointment)) appointment"
            }
        }
        return line
    }

    static func showTrip(_ call: Invocation) throws {
        let service = try call.context.service()
        let trip = try service.trip(TripID.parse(call.positional(0)!, field: "ID"))
        var views = try ViewBuilder(service: service)
        if call.wantsJSON { return call.printJSON(views.tripJSON(trip)) }
        let format = try call.context.formatter()
        var facts = TextTable(["", ""])
        facts.add(["Status", trip.status.rawValue + (trip.cancellationCode.map { " (\($0.rawValue))" } ?? "")])
        if let reason = trip.statusReason { facts.add(["Reason", reason]) }
        facts.add(["Patient", "\(trip.patient) \(views.patientName(trip.patient))"])
        facts.add(["Day", format.date(trip.serviceDate)])
        facts.add(["Pickup", "\(views.placeName(trip.pickupPlace)) (\(trip.pickupPlace)), \(format.window(trip.pickupWindow))"])
        facts.add(["Drop-off", "\(views.placeName(trip.dropoffPlace)) (\(trip.dropoffPlace)), \(format.window(trip.dropoffWindow))"])
        if let appointment = trip.appointment { facts.add(["Appointment", format.time(appointment)]) }
        facts.add(["Mobility", "\(trip.mobility.rawValue), \(trip.companions) companion(s)"])
        facts.add(["Ride", "direct \((trip.directSeconds + 59) / 60) min, at most \(trip.maxRideSeconds / 60) min"])
        facts.add(["Funding", trip.funding.rawValue])
        if let linked = trip.linkedTrip { facts.add([trip.direction == .outbound ? "Return" : "Outbound", "trip \(linked)"]) }
        if let order = trip.standingOrder { facts.add(["Standing", "order \(order)"]) }
        if let notes = trip.notes { facts.add(["Notes", notes]) }
        facts.add(["Booked", format.dateTime(trip.createdAt)])
        call.console.out("Trip \(trip.id!) (\(trip.direction.rawValue))\n" + facts.renderFacts())
    }

    static func listTrips(_ call: Invocation) throws {
        let service = try call.context.service()
        let format = try call.context.formatter()
        let patient = try call.value("patient").map { try PatientID.parse($0, field: "patient") }
        let date = try call.date("date") ?? (patient == nil ? format.offset.date(of: call.context.clock()) : nil)
        let trips = try service.trips(date: date, patient: patient, status: call.value("status").map { try TripStatus.parse($0) })
        var views = try ViewBuilder(service: service)
        if call.wantsJSON { return call.printJSON(.array(trips.map { views.tripJSON($0) })) }
        if trips.isEmpty {
            call.console.out("No trips" + (date.map { " on \(format.date($0))" } ?? "") + ".")
            return
        }
        call.console.out(tripTable(trips, views: &views, format: format, showPatient: true))
        call.console.out("\(trips.count) trip(s)")
    }

    static func tripTable(_ trips: [Trip], views: inout ViewBuilder, format: Formatter, showPatient: Bool) -> String {
        var headers = ["ID", "DATE", "PICKUP", "DIR"]
        if showPatient { headers += ["PATIENT", "NAME"] }
        headers += ["FROM", "TO", "APPT", "MOBILITY", "+C", "STATUS", "LINK"]
        var table = TextTable(headers, rightAligned: [0])
        for trip in trips {
            var row = [String(trip.id!.rawValue), format.date(trip.serviceDate), format.window(trip.pickupWindow),
                       trip.direction == .outbound ? "out" : "ret"]
            if showPatient { row += [trip.patient.rawValue, views.patientName(trip.patient)] }
            row += [views.placeName(trip.pickupPlace), views.placeName(trip.dropoffPlace), format.time(trip.appointment),
                    trip.mobility.rawValue, String(trip.companions),
                    trip.status.rawValue + (trip.cancellationCode.map { "/\($0.rawValue)" } ?? ""),
                    trip.linkedTrip.map { String($0.rawValue) } ?? "-"]
            table.add(row)
        }
        return table.render()
    }

    static func cancelTrip(_ call: Invocation) throws {
        let service = try call.context.service()
        let result = try service.cancelTrip(
            TripID.parse(call.positional(0)!, field: "ID"), reason: call.required("reason"), atDoor: call.flag("at-door"))
        for trip in result.trips {
            call.console.out("Cancelled trip \(trip.id!) (\(trip.direction.rawValue), code \(trip.cancellationCode!.rawValue))")
        }
        if let plan = result.replan, !plan.unserved.isEmpty || !plan.notices.isEmpty {
            call.console.out("The day was re-planned: \(plan.unserved.count) trip(s) still without a vehicle.")
        }
        try OperationsCommands.printNotices(result.replan?.notices ?? [], call: call, service: service)
        if let failure = result.replanFailure { OperationsCommands.printReplanFailure(failure, call: call) }
    }

    // MARK: standing orders

    static func addStanding(_ call: Invocation) throws {
        let service = try call.context.service()
        let area = try call.context.area()
        let patient = try service.patient(PatientID.parse(call.required("patient"), field: "patient"))
        let returnMode: StandingOrder.ReturnMode
        switch (try call.time("return"), call.flag("will-call")) {
        case (nil, false): returnMode = .none
        case (nil, true): returnMode = .willCall
        case let (time?, false): returnMode = .at(time)
        case (_?, true): throw PhapaiError.usage("give either --return or --will-call, not both", field: "return")
        }
        let order = StandingOrder(
            id: nil, patient: patient.id, pickupPlace: try call.value("from").map { try PlaceID.parse($0, field: "from") } ?? patient.home,
            destination: try PlaceID.parse(call.required("to"), field: "to"),
            weekdays: try Weekday.parseSet(call.required("days"), field: "days"), appointmentTime: try call.time("appointment")!,
            startDate: try call.date("start") ?? area.offset.date(of: call.context.clock()), endDate: try call.date("until"),
            returnMode: returnMode, companions: try call.int("companions") ?? patient.companions,
            funding: try call.value("funding").map { try Entitlement.parse($0, field: "funding") } ?? patient.entitlement,
            notes: call.value("notes"), active: true)
        let (stored, report) = try service.addStandingOrder(order)
        call.console.out("Added standing order \(stored.id!) for \(stored.patient): \(stored.weekdays.map(\.shortName).joined(separator: ",")) at \(stored.appointmentTime)")
        try printReport(report, call: call)
    }

    static func printReport(_ report: MaterialiseReport, call: Invocation) throws {
        let format = try call.context.formatter()
        let days = Set(report.created.map(\.serviceDate)).count
        call.console.out("Materialised \(report.created.count) trip(s) on \(days) day(s).")
        for skip in report.skipped {
            call.console.out("  skipped order \(skip.order) on \(format.date(skip.date)): \(skip.reason)")
        }
    }

    static func listStanding(_ call: Invocation) throws {
        let service = try call.context.service()
        let orders = try service.standingOrders()
        let holds = try service.holds()
        let format = try call.context.formatter()
        func returnText(_ mode: StandingOrder.ReturnMode) -> String {
            switch mode {
            case .none: "none"
            case .willCall: "will-call"
            case .at(let time): time.description
            }
        }
        if call.wantsJSON {
            return call.printJSON(
                .array(orders.map { o in
                    .object([
                        ("id", .optional(o.id?.rawValue)), ("patient", .string(o.patient.rawValue)), ("from", .string(o.pickupPlace.rawValue)),
                        ("to", .string(o.destination.rawValue)), ("days", .array(o.weekdays.map { .string($0.shortName) })),
                        ("appointment", .string(o.appointmentTime.description)), ("start", .string(o.startDate.iso)),
                        ("until", .optional(o.endDate?.iso)), ("return", .string(returnText(o.returnMode))),
                        ("companions", .int(o.companions)), ("funding", .string(o.funding.rawValue)), ("active", .bool(o.active)),
                        ("holds", .array(holds.filter { $0.order == o.id }.map { h in
                            .object([("from", .string(h.from.iso)), ("to", .string(h.to.iso)), ("reason", .string(h.reason))])
                        })),
                    ])
                }))
        }
        var table = TextTable(["ID", "PATIENT", "TO", "DAYS", "APPT", "RETURN", "FROM", "UNTIL", "HOLDS"], rightAligned: [0])
        for o in orders {
            let held = holds.filter { $0.order == o.id }.map { "\(format.date($0.from))..\(format.date($0.to))" }
            table.add([
                String(o.id!.rawValue), o.patient.rawValue, o.destination.rawValue, o.weekdays.map(\.shortName).joined(separator: ","),
                o.appointmentTime.description, returnText(o.returnMode), format.date(o.startDate), o.endDate.map(format.date) ?? "-",
                held.isEmpty ? "-" : held.joined(separator: " "),
            ])
        }
        call.console.out(table.render())
    }

    static func holdStanding(_ call: Invocation) throws {
        let (hold, cancelled) = try call.context.service().holdStandingOrder(
            StandingOrderID.parse(call.positional(0)!, field: "ID"), from: call.date("from")!, to: call.date("to")!,
            reason: call.required("reason"))
        let format = try call.context.formatter()
        call.console.out("Standing order \(hold.order) on hold \(format.date(hold.from)) to \(format.date(hold.to)); cancelled \(cancelled.count) trip(s)"
            + (cancelled.isEmpty ? "." : ": " + cancelled.map { String($0.id!.rawValue) }.joined(separator: ", ")))
    }

    static func materialise(_ call: Invocation) throws {
        try printReport(call.context.service().materialiseStandingOrders(), call: call)
    }

    // MARK: audit and backup

    static func showAudit(_ call: Invocation) throws {
        let events = try call.context.service().audit(entity: call.value("entity"), limit: call.int("limit") ?? 50)
        let format = try call.context.formatter()
        if call.wantsJSON {
            return call.printJSON(
                .array(events.map { e in
                    .object([
                        ("id", .int(e.id)), ("at", .string(format.offset.iso8601(e.at))), ("actor", .string(e.actor)),
                        ("action", .string(e.action)), ("entity", .string(e.entity)), ("detail", .string(e.detail)),
                    ])
                }))
        }
        var table = TextTable(["ID", "AT", "ACTOR", "ACTION", "ENTITY", "DETAIL"], rightAligned: [0])
        for e in events { table.add([String(e.id), format.dateTime(e.at), e.actor, e.action, e.entity, e.detail]) }
        call.console.out(table.render())
    }

    static func backup(_ call: Invocation) throws {
        let path = call.positional(0)!
        try call.context.service().backup(to: path)
        call.console.out("Backed up \(call.context.databasePath) to \(path) (integrity ok)")
    }
}
