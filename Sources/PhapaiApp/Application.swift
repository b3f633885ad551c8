import PhapaiCore
import PhapaiService

/// Who gives a command: a user logged in to the server, or the operator of a local database
/// (the embedded CLI), who may do everything.
public struct Principal: Sendable, Hashable {
    /// The name written in the audit log (`user:somchai`, `cli:somchai`).
    public var actor: String
    /// The logged-in user, or nil for the local operator.
    public var user: User?

    /// The operator of a local database file.
    public static func local(actor: String) -> Principal { Principal(actor: actor, user: nil) }

    /// A user logged in to the server.
    public static func user(_ user: User) -> Principal { Principal(actor: "user:\(user.name)", user: user) }
}

/// What a command answered: its typed result and how it asked to be shown.
public struct Response: Sendable {
    /// The command.
    public var command: Command
    /// The typed result.
    public var result: CommandResult
    /// The format asked for (`json=yes`, `csv=yes`, `html=yes`, else text).
    public var format: OutputFormat
    /// How years are shown in text.
    public var era: Era
    /// The language of the text: `lang=`, else the area's.
    public var language: Language
    /// Every column of a table (`wide=yes`), where the default fits a 100-column terminal.
    public var wide = false
}

/// The application: one command table for the command line and the wire. Arguments come in as
/// text, are decoded into an ``Action``, judged by the ``AccessPolicy``, performed on the
/// service, and come out as a typed ``CommandResult``; the faces render it.
///
/// Not thread-safe: one thread uses an application at a time (the server's loop owns its own).
public final class Application {
    /// The domain service.
    public let service: PhapaiService

    /// Wraps an open service.
    public init(service: PhapaiService) { self.service = service }

    /// Runs `command` with `arguments` for `principal`: checks the arguments, the role and the
    /// reach, then performs it. Errors are ``PhapaiError``s with a keyword, a field and the rule.
    /// A request with a `rid` goes through ``run(_:_:as:face:render:)``, which keeps its answer.
    public func run(_ command: Command, _ arguments: Arguments, as principal: Principal) throws -> Response {
        precondition(arguments["rid"] == nil, "a request with a rid runs through run(_:_:as:face:render:), which keeps its answer")
        return try perform(command, arguments, as: principal)
    }

    /// ``run(_:_:as:)`` without the guard against a rid that nothing would keep.
    func perform(_ command: Command, _ arguments: Arguments, as principal: Principal) throws -> Response {
        // The role first: a command the user may not give is refused whatever its arguments.
        let policy = AccessPolicy(service: service)
        let arguments = try policy.admit(command, arguments, principal)
        try arguments.check(for: command)
        let language = try self.language(arguments)
        let era = try Self.era(arguments, language: language)
        let format = try arguments.format(for: command)
        guard format == .text || format == .json || command.extraFormats.contains(format) else {
            throw PhapaiError.usage("'\(command.rawValue)' has no \(format.rawValue) form", field: format.rawValue)
        }
        try policy.checkNamedObjects(command, arguments, principal)
        let action = try decode(command, arguments)
        try policy.checkReach(action, principal)
        service.actor = principal.actor
        let result = try policy.narrow(try perform(try policy.narrow(action, principal)), principal)
        return Response(command: command, result: result, format: format, era: era, language: language, wide: arguments.flag("wide"))
    }

    /// The address a driver's link starts with (`base=`): http or https, a host, no spaces; without
    /// a trailing slash.
    static func linkBase(_ text: String) throws -> String {
        var base = text
        while base.hasSuffix("/") { base.removeLast() }
        let scheme = base.hasPrefix("https://") ? 8 : base.hasPrefix("http://") ? 7 : 0
        guard scheme > 0, base.utf8.count > scheme, base.utf8.count <= 200,
            base.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F && !"\"<>\\`{}|^".unicodeScalars.contains($0) })
        else {
            throw PhapaiError.invalid("base", "INVALID_VALUE", "'\(text)' is not an http:// or https:// address of at most 200 characters without spaces")
        }
        return base
    }

    /// The era named by `era=`; when absent, the one readers of `language` expect (Buddhist in Thai).
    static func era(_ arguments: Arguments, language: Language) throws -> Era {
        try arguments["era"].map { try Era.parse($0, field: "era") } ?? .usual(for: language)
    }

    /// The language named by `lang=`; when absent, the language of the area named by `area=` or of
    /// the database's first area (Thai when there is none).
    public func language(_ arguments: Arguments) throws -> Language {
        if let text = arguments["lang"] { return try Language.parse(text, field: "lang") }
        let areas = try service.areas()
        let named = arguments["area"].flatMap { name in areas.first { $0.id.rawValue == name } }
        return (named ?? areas.first)?.language ?? .th
    }

    /// The UTC offset of the area named, or of the database's first area (every Thai area is +7).
    func offset(_ arguments: Arguments) throws -> UTCOffset {
        let areas = try service.areas()
        if let named = try arguments.code("area", as: AreaID.self) {
            guard let area = areas.first(where: { $0.id == named }) else {
                throw PhapaiError.notFound("area", "UNKNOWN_AREA", "no area \(named) in this database")
            }
            return area.offset
        }
        return areas.first?.offset ?? .bangkok
    }

    /// Today in the area's local time.
    func today(_ arguments: Arguments) throws -> LocalDate { try offset(arguments).date(of: service.clock()) }

    /// The one area a list, plan, report or log command works on: the one named by `area=`, the
    /// one a dispatcher works for (the access policy names it), or the database's only area.
    func scopeArea(_ arguments: Arguments) throws -> AreaID {
        let areas = try service.areas()
        if let named = try arguments.code("area", as: AreaID.self) {
            guard areas.contains(where: { $0.id == named }) else {
                throw PhapaiError.notFound("area", "UNKNOWN_AREA", "no area \(named) in this database")
            }
            return named
        }
        guard let only = areas.first else { throw PhapaiError.notFound("area", "NO_AREA", "the database has no area yet") }
        guard areas.count == 1 else {
            throw PhapaiError.usage("this database holds \(areas.count) areas: name one with area", field: "area")
        }
        return only.id
    }

    // MARK: Decoding

    /// Decodes checked arguments into the typed action.
    func decode(_ command: Command, _ a: Arguments) throws -> Action {
        switch command {
        case .placeAdd:
            let area = try service.area(a.code("area"))
            guard let latitude = try a.double("lat"), let longitude = try a.double("lon") else { throw PhapaiError.usage("lat and lon are needed", field: "lat") }
            return .addPlace(try Place(
                id: a.code("id")!, area: area.id, kind: PlaceKind.parse(a.required("kind")), name: a.required("name"), moo: a.int("moo"),
                coordinate: Coordinate(latitude: latitude, longitude: longitude, field: "lat/lon"), address: a["address"]))
        case .placeList:
            return .listPlaces(kind: try a["kind"].map { try PlaceKind.parse($0) }, area: try scopeArea(a))
        case .patientAdd:
            let area = try service.area(a.code("area"))
            let village: PlaceID = try a.code("village")!
            return .addPatient(try Patient(
                id: a.code("id")!, area: area.id, name: a.required("name"), phone: a.required("phone"),
                home: a.code("home") ?? village, village: village, address: a["address"], mobility: Mobility.parse(a.required("mobility")),
                companions: a.int("companions") ?? 1, entitlement: Entitlement.parse(a.required("entitlement")),
                registeredOn: a.date("registered") ?? area.offset.date(of: service.clock()), notes: a["notes"]))
        case .patientShow:
            return .showPatient(try a.code("id", as: PatientID.self)!)
        case .patientList:
            return .listPatients(village: try a.code("village"), area: try scopeArea(a))
        case .patientFind:
            return .findPatients(try a.required("text"), area: try scopeArea(a))
        case .patientEdit:
            var changes = PatientChanges()
            changes.name = a["name"]
            changes.phone = a["phone"]
            changes.address = a["address"]
            changes.home = try a.code("home")
            changes.village = try a.code("village")
            changes.mobility = try a["mobility"].map { try Mobility.parse($0, field: "mobility") }
            changes.companions = try a.int("companions")
            changes.notes = a["notes"]
            changes.entitlement = try a["entitlement"].map { try Entitlement.parse($0, field: "entitlement") }
            guard changes != PatientChanges() else { throw PhapaiError.usage("give at least one field to change", field: "patient") }
            return .editPatient(try a.code("id")!, changes)
        case .vehicleAdd:
            let area = try service.area(a.code("area"))
            guard let seats = try a.int("seats"), let cost = try a.double("cost-per-km") else { throw PhapaiError.usage("seats and cost-per-km are needed", field: "seats") }
            return .addVehicle(try Vehicle(
                id: a.code("id")!, area: area.id, name: a.required("name"), plate: a["plate"],
                capacity: Capacity(
                    seats: seats, wheelchairs: a.int("wheelchairs") ?? 0, stretchers: a.int("stretchers") ?? 0,
                    seatsPerFoldedWheelchair: a.int("fold-seats") ?? 0),
                depot: a.code("depot")!, costPerKm: cost))
        case .vehicleList:
            return .listVehicles(area: try scopeArea(a))
        case .driverAdd:
            let area = try service.area(a.code("area"))
            return .addDriver(try Driver(id: a.code("id")!, area: area.id, name: a.required("name"), phone: a.required("phone")))
        case .driverList:
            return .listDrivers(area: try scopeArea(a))
        case .driverLink:
            return .linkDriver(try a.code("id")!, base: try a["base"].map(Self.linkBase))
        case .driverUnlink:
            return .unlinkDriver(try a.code("id")!)
        case .shiftAdd:
            var breakStart: LocalTime?
            var breakEnd: LocalTime?
            if let text = a["break"] {
                let parts = text.split(separator: "-", omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw PhapaiError.invalid("break", "INVALID_TIME", Phrase("error.invalid_time.range", ["text": text])) }
                breakStart = try LocalTime.parse(String(parts[0]), field: "break")
                breakEnd = try LocalTime.parse(String(parts[1]), field: "break")
            }
            return .addShift(try Shift(
                driver: a.code("driver")!, vehicle: a.code("vehicle")!, date: a.date("date")!, start: a.time("start")!, end: a.time("end")!,
                breakStart: breakStart, breakEnd: breakEnd))
        case .shiftList:
            let today = try today(a)
            let from = try a.date("date") ?? a.date("from") ?? today
            let to = try a.date("date") ?? a.date("to") ?? from.adding(days: 6)
            guard from <= to else { throw PhapaiError.invalid("to", "DATE_ORDER", "the last day is before the first day") }
            return .listShifts(from: from, to: to, area: try scopeArea(a))
        case .tripBook:
            return .bookTrip(try bookingRequest(a))
        case .tripShow:
            return .showTrip(try a.serial("id")!)
        case .tripList:
            let patient: PatientID? = try a.code("patient")
            let date = try a.date("date") ?? (patient == nil ? today(a) : nil)
            return .listTrips(date: date, patient: patient, status: try a["status"].map { try TripStatus.parse($0) }, area: try scopeArea(a))
        case .tripCancel:
            return .cancelTrip(try a.serial("id")!, reason: try a.required("reason"), atDoor: a.flag("at-door"))
        case .tripStatus:
            let id: TripID = try a.serial("id")!
            let report = try DriverReport.parse(a.required("action"))
            let trip = try service.trip(id)
            let at = try a.instant("at", offset: offset(a), day: trip.serviceDate)
            return .reportStatus(id, report, at: at, odometer: try a.double("odometer"))
        case .tripReady:
            let id: TripID = try a.serial("id")!
            let trip = try service.trip(id)
            return .releaseWillCall(id, at: try a.instant("at", offset: offset(a), day: trip.serviceDate))
        case .tripAssign:
            return .assignTrip(try a.serial("id")!, try a.code("vehicle")!)
        case .tripLock:
            return .lockTrip(try a.serial("id")!)
        case .tripUnlock:
            return .unlockTrip(try a.serial("id")!)
        case .tripMove:
            let id: TripID = try a.serial("id")!
            let offset = try offset(a)
            let timing = try Self.timing(a, offset: offset, command: command)
            let day = offset.date(of: timing.instant)
            let returnLeg: BookingRequest.ReturnLeg?
            switch (a["return"], a.flag("will-call")) {
            case (nil, false): returnLeg = nil
            case (nil, true): returnLeg = .willCall
            case (_?, false): returnLeg = .at(try a.instant("return", offset: offset, day: day)!)
            case (_?, true): throw PhapaiError.usage("give either return or will-call, not both", field: "return")
            }
            return .moveTrip(id, to: timing, returnLeg: returnLeg)
        case .standingAdd:
            let patient = try service.patient(a.code("patient")!)
            let returnMode: StandingOrder.ReturnMode
            switch (try a.time("return"), a.flag("will-call")) {
            case (nil, false): returnMode = .none
            case (nil, true): returnMode = .willCall
            case let (time?, false): returnMode = .at(time)
            case (_?, true): throw PhapaiError.usage("give either return or will-call, not both", field: "return")
            }
            return .addStandingOrder(StandingOrder(
                id: nil, patient: patient.id, pickupPlace: try a.code("from") ?? patient.home, destination: try a.code("to")!,
                weekdays: try Weekday.parseSet(a.required("days"), field: "days"), appointmentTime: try a.time("appointment")!,
                startDate: try a.date("start") ?? today(a), endDate: try a.date("until"), returnMode: returnMode,
                companions: try a.int("companions") ?? patient.companions,
                funding: try a["funding"].map { try Entitlement.parse($0, field: "funding") } ?? patient.entitlement,
                notes: a["notes"], active: true))
        case .standingList:
            return .listStandingOrders(area: try scopeArea(a))
        case .standingHold:
            return .holdStandingOrder(try a.serial("id")!, from: try a.date("from")!, to: try a.date("to")!, reason: try a.required("reason"))
        case .standingEnd:
            return .endStandingOrder(try a.serial("id")!, from: try a.date("from")!)
        case .standingMaterialise:
            return .materialiseStandingOrders(area: try scopeArea(a))
        case .audit:
            return .audit(entity: a["entity"], limit: try a.int("limit") ?? 50, area: try scopeArea(a))
        case .plan:
            let iterations = try a.int("iterations")
            if let iterations, !(1...1_000_000).contains(iterations) {
                throw PhapaiError.invalid("iterations", "OUT_OF_RANGE", "must be between 1 and 1000000")
            }
            // With an iteration budget the time is only a safety cap, so the plan does not depend on the machine's speed.
            let seconds = try a.double("time") ?? (iterations == nil ? 5 : 600)
            // The service checks the thread count (it also reads PHAPAI_THREADS).
            return .planDay(try a.date("date")!, area: try scopeArea(a), seconds: seconds, iterations: iterations, threads: try a.int("threads"))
        case .runs:
            return .listRuns(try a.date("date")!, driver: try a.code("driver"), area: try scopeArea(a))
        case .runShow:
            return .showRun(try a.date("date")!, try a.code("vehicle")!, driver: nil, areas: nil)
        case .report:
            let grouping = try a["by"].map { text -> ReportGrouping in
                guard let value = ReportGrouping(rawValue: text) else {
                    throw PhapaiError.invalid("by", "INVALID_VALUE", "'\(text)' is not one of: village, funding, vehicle, area")
                }
                return value
            }
            if a.flag("meeting") || a.flag("html") {
                // The meeting report holds every grouping of one area.
                guard a["by"] == nil else { throw PhapaiError.usage("the meeting report (html, meeting) shows every grouping at once: leave out by", field: "by") }
                guard !a.flag("csv") else { throw PhapaiError.usage("the meeting report has no CSV form: give by for one table", field: "csv") }
                return .meetingReport(from: try a.date("from")!, to: try a.date("to")!, area: try scopeArea(a))
            }
            // The province table covers every area unless one is named.
            let area = grouping == .area && a["area"] == nil ? nil : try scopeArea(a)
            return .report(from: try a.date("from")!, to: try a.date("to")!, by: grouping, area: area)
        case .reportFunder:
            let text = try a.required("month")
            let parts = text.split(separator: "-")
            guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]), let month = Int(parts[1]) else {
                throw PhapaiError.invalid("month", "INVALID_DATE", Phrase("error.invalid_month", ["text": text]))
            }
            return .funderReport(year: year >= 2400 ? year - Era.buddhistOffset : year, month: month, area: try scopeArea(a))
        case .userAdd:
            let roleText = try a.required("role")
            guard let role = User.Role(rawValue: roleText) else {
                throw PhapaiError.invalid("role", "INVALID_VALUE", "'\(roleText)' is not one of: admin, dispatcher, driver or planner")
            }
            let areas = try a["area"].map { try $0.split(separator: ",").map { try AreaID.parse(String($0), field: "area") } } ?? []
            return .addUser(name: try a.required("name"), role: role, areas: areas, driver: try a.code("driver"))
        case .userList:
            return .listUsers
        case .userRevoke:
            return .revokeUser(try a.required("name"))
        case .attention:
            return .attention(try a.date("date") ?? today(a), area: try scopeArea(a))
        case .dayClose:
            return .closeDay(try a.date("date")!, area: try scopeArea(a))
        case .calls:
            return .callList(try a.date("date") ?? today(a).adding(days: 1), area: try scopeArea(a))
        case .areaList:
            return .listAreas(only: nil)
        case .areaPool:
            let area = try a.code("area", as: AreaID.self)!
            switch (a["pool"], a.flag("none")) {
            case (let name?, false): return .poolArea(area, pool: try AreaID.parse(name, field: "pool").rawValue)
            case (nil, true): return .poolArea(area, pool: nil)
            default: throw PhapaiError.usage("give either pool or none", field: "pool")
            }
        }
    }

    /// The timing of a booking or a move: exactly one of an appointment and a pickup.
    static func timing(_ a: Arguments, offset: UTCOffset, command: Command) throws -> BookingRequest.Timing {
        switch (try a.instant("appointment", offset: offset), try a.instant("pickup", offset: offset)) {
        case let (appointment?, nil): return .appointment(appointment)
        case let (nil, pickup?): return .pickup(pickup)
        case (nil, nil): throw PhapaiError.usage("'\(command.rawValue)' needs appointment or pickup", field: "appointment")
        default: throw PhapaiError.usage("give either appointment or pickup, not both", field: "pickup")
        }
    }

    func bookingRequest(_ a: Arguments) throws -> BookingRequest {
        let offset = try offset(a)
        let timing = try Self.timing(a, offset: offset, command: .tripBook)
        let day = offset.date(of: timing.instant)
        let returnLeg: BookingRequest.ReturnLeg
        switch (a["return"], a.flag("will-call")) {
        case (nil, false): returnLeg = .none
        case (nil, true): returnLeg = .willCall
        case (_?, false): returnLeg = .at(try a.instant("return", offset: offset, day: day)!)
        case (_?, true): throw PhapaiError.usage("give either return or will-call, not both", field: "return")
        }
        if a["ready"] != nil && returnLeg != .willCall {
            throw PhapaiError.usage("ready goes with will-call", field: "ready")
        }
        return BookingRequest(
            patient: try a.code("patient")!, from: try a.code("from"), to: try a.code("to")!, timing: timing, returnLeg: returnLeg,
            companions: try a.int("companions"), funding: try a["funding"].map { try Entitlement.parse($0, field: "funding") },
            notes: a["notes"], willCallReady: try a.instant("ready", offset: offset, day: day))
    }

    // MARK: Performing

    /// Performs an admitted action on the service.
    func perform(_ action: Action) throws -> CommandResult {
        switch action {
        case .addPlace(let place): return .placeAdded(try service.addPlace(place))
        case .listPlaces(let kind, let area): return .places(try service.places(kind: kind, area: area))
        case .addPatient(let patient): return .patientAdded(try service.addPatient(patient))
        case .showPatient(let id):
            let patient = try service.patient(id)
            let today = try service.area(patient.area).offset.date(of: service.clock())
            return .patient(patient, upcoming: try service.trips(patient: id).filter { $0.serviceDate >= today && $0.status.isActive })
        case .listPatients(let village, let area): return .patients(try service.patients(village: village, area: area))
        case .findPatients(let text, let area): return .patients(try service.findPatients(text, area: area))
        case .editPatient(let id, let changes): return .patientEdited(try service.editPatient(id, changes))
        case .addVehicle(let vehicle): return .vehicleAdded(try service.addVehicle(vehicle))
        case .listVehicles(let area): return .vehicles(try service.vehicles(area: area))
        case .addDriver(let driver): return .driverAdded(try service.addDriver(driver))
        case .linkDriver(let id, let base):
            let (driver, secret) = try service.linkDriver(id)
            return .driverLinked(driver, link: (base ?? "") + DriverLinkPath.page(secret))
        case .unlinkDriver(let id):
            try service.unlinkDriver(id)
            return .driverUnlinked(id)
        case .listDrivers(let area): return .drivers(try service.drivers(area: area))
        case .addShift(let shift): return .shiftAdded(try service.addShift(shift))
        case .listShifts(let from, let to, let area): return .shifts(try service.shifts(from: from, to: to, area: area))
        case .bookTrip(let request): return .booked(try service.bookAndPlace(request))
        case .showTrip(let id): return .trip(try service.trip(id))
        case .listTrips(let date, let patient, let status, let area):
            return .trips(try service.trips(date: date, patient: patient, status: status, area: area), date: date)
        case .cancelTrip(let id, let reason, let atDoor): return .cancelled(try service.cancelTrip(id, reason: reason, atDoor: atDoor))
        case .reportStatus(let id, let report, let at, let odometer):
            return .statusReported(try service.reportStatus(id, report, at: at, odometer: odometer), report: report)
        case .releaseWillCall(let id, let at): return .released(try service.releaseWillCall(id, at: at))
        case .assignTrip(let id, let vehicle): return .assigned(id, vehicle: vehicle, try service.assignTrip(id, to: vehicle))
        case .lockTrip(let id):
            try service.lockTrip(id)
            return .locked(id)
        case .unlockTrip(let id):
            try service.unlockTrip(id)
            return .unlocked(id)
        case .moveTrip(let id, let timing, let returnLeg): return .moved(try service.moveTrip(id, to: timing, returnLeg: returnLeg))
        case .addStandingOrder(let order):
            let (stored, report) = try service.addStandingOrder(order)
            return .standingAdded(stored, report)
        case .listStandingOrders(let area):
            let orders = try service.standingOrders(area: area)
            let ids = Set(orders.compactMap(\.id))
            return .standingOrders(orders, holds: try service.holds().filter { ids.contains($0.order) })
        case .holdStandingOrder(let id, let from, let to, let reason):
            let (hold, cancelled) = try service.holdStandingOrder(id, from: from, to: to, reason: reason)
            return .standingHeld(hold, cancelled: cancelled)
        case .endStandingOrder(let id, let from):
            let (order, cancelled) = try service.endStandingOrder(id, from: from)
            return .standingEnded(order, cancelled: cancelled)
        case .materialiseStandingOrders(let area): return .materialised(try service.materialiseStandingOrders(area: area))
        case .audit(let entity, let limit, let area): return .audit(try service.audit(entity: entity, limit: limit, area: area))
        case .planDay(let date, let area, let seconds, let iterations, let threads):
            let plan = try service.planDay(date, area: area, seconds: seconds, iterations: iterations, threads: threads)
            return .planned(plan, warnings: try service.warnings(on: date, area: area))
        case .listRuns(let date, let driver, let area):
            let runs = try service.runs(on: date, area: area).filter { driver == nil || $0.driver == driver }
            return .runs(runs, date: date, warnings: try area.map { try service.warnings(on: date, area: $0) } ?? [])
        case .showRun(let date, let vehicle, let driver, let areas):
            return .manifests(try service.manifests(on: date, vehicle: vehicle, driver: driver, areas: areas))
        case .report(let from, let to, let grouping, let area):
            return .report(try service.report(from: from, to: to, by: grouping, area: area), grouping: grouping)
        case .meetingReport(let from, let to, let area): return .meetingReport(try service.meetingReport(from: from, to: to, area: area))
        case .funderReport(let year, let month, let area): return .funderReport(try service.funderReport(year: year, month: month, area: area))
        case .addUser(let name, let role, let areas, let driver):
            let (user, token) = try service.addUser(name: name, role: role, areas: areas, driver: driver)
            return .userAdded(user, token: token)
        case .listUsers: return .users(try service.users())
        case .revokeUser(let name):
            try service.revokeUser(name)
            return .userRevoked(name)
        case .attention(let date, let area): return .attention(try service.attention(on: date, area: area), date: date)
        case .closeDay(let date, let area): return .dayClosed(try service.closeDay(date, area: area))
        case .callList(let date, let area): return .calls(try service.callList(on: date, area: area))
        case .listAreas(let only): return .areas(try service.areas().filter { only?.contains($0.id) ?? true })
        case .poolArea(let area, let pool):
            try service.setPool(area, pool: pool)
            return .areaPooled(area, pool: pool)
        }
    }
}

extension BookingRequest.Timing {
    /// The moment the timing names.
    var instant: Instant {
        switch self {
        case .appointment(let at), .pickup(let at): at
        }
    }
}
