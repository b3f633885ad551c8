import Foundation
import PhapaiCore
import PhapaiScheduler
import PhapaiStore

/// The application: every command a dispatcher, driver or planner can give, run against the store.
/// Transport-agnostic: the CLI calls it in-process; the server will call the same methods.
///
/// ```swift
/// let service = try PhapaiService.open(path: "phapai.db", create: false, actor: "cli:somchai")
/// let trips = try service.bookTrip(BookingRequest(patient: id, to: hospital, timing: .appointment(at)))
/// ```
public final class PhapaiService {
    /// The store: behind the service, never handed out.
    let store: Store
    /// Who is acting, recorded in every audit event.
    public var actor: String
    /// What time it is; replaceable for tests and simulations.
    public var clock: () -> Instant
    /// Search threads of a plan that names none (and of the background improvement): every core,
    /// or `PHAPAI_THREADS` when set (a value that is not 1 to 256 makes a plan refuse, naming
    /// `threads`). The simulator sets 1, so that its figures are the same on any machine.
    public var searchThreads = PhapaiService.defaultSearchThreads
    /// The days the office is closed (config/holidays-th.csv, read by the face that opens the
    /// service): standing orders make no trips on them and list them as skipped. None by default,
    /// so that a service opened by a test or a benchmark works every day.
    public var holidays = HolidayCalendar.none

    /// `PHAPAI_THREADS` if set (-1 when it is not a number), else every core.
    static let defaultSearchThreads: Int = {
        guard let text = ProcessInfo.processInfo.environment["PHAPAI_THREADS"] else { return SolverOptions.allCores }
        return Int(text) ?? -1
    }()

    /// Wraps an open store.
    init(store: Store, actor: String, clock: @escaping () -> Instant = PhapaiService.systemClock) {
        self.store = store
        self.actor = actor
        self.clock = clock
    }

    /// Opens (or, with `create`, creates) the database at `path`.
    public static func open(
        path: String, create: Bool, actor: String, clock: @escaping () -> Instant = PhapaiService.systemClock
    ) throws -> PhapaiService {
        PhapaiService(store: try Store(path: path, create: create), actor: actor, clock: clock)
    }

    /// The version of the database schema this build writes.
    public static var schemaVersion: Int { Store.schemaVersion }

    /// The machine's clock.
    public static func systemClock() -> Instant {
        Instant(rawValue: Int64(Date().timeIntervalSince1970))
    }

    /// Runs a write transaction at the current time as the current actor.
    func write<T>(_ body: (Instant) throws -> T) throws -> T {
        let now = clock()
        return try store.write(actor: actor, at: now) { try body(now) }
    }

    /// Runs the insert of a new object and lets the database judge its key: a primary-key failure
    /// (the id is taken) becomes `taken`, and the write rolls back. Asking first would be a second
    /// read, and a check another writer could overtake. Only the primary key counts: any other
    /// constraint is not "this id exists" and stays a storage conflict.
    func insertNew(_ insert: () throws -> Void, orIfTaken taken: @autoclosure () -> PhapaiError) throws {
        do {
            try insert()
        } catch let error as SQLiteError where error.constraint == .primaryKey {
            throw taken()
        }
    }

    // MARK: Areas

    /// Stores a validated area: its places, fleet, drivers, patients, and the shifts of its patterns
    /// from today over the booking horizon. All or nothing.
    public func importArea(_ area: Area) throws -> ImportSummary {
        try checkReferences(of: area)
        try checkCodes(of: area)
        return try write { now in
            try insertNew(
                { try store.insertArea(area, createdAt: now) },
                orIfTaken: .conflict("id", "AREA_EXISTS", "area \(area.id) is already in this database"))
            for place in area.places + area.homes { try store.insertPlace(place) }
            try store.faultPoint("area.import.after-places")
            for vehicle in area.vehicles { try store.insertVehicle(vehicle) }
            for driver in area.drivers { try store.insertDriver(driver) }
            for patient in area.patients { try store.insertPatient(patient) }
            let today = area.offset.date(of: now)
            var shiftCount = 0
            for pattern in area.shiftPatterns { try store.insertShiftPattern(pattern, area: area.id) }
            // The horizon's days are rostered now; later days are made from the patterns when first needed.
            for day in 0...area.policies.bookingHorizonDays {
                for pattern in area.shiftPatterns {
                    if let shift = pattern.shift(on: today.adding(days: day)) {
                        try store.insertShift(shift)
                        shiftCount += 1
                    }
                }
                try store.markRostered(area.id, on: today.adding(days: day))
            }
            let summary = ImportSummary(
                area: area.id, places: area.places.count + area.homes.count, vehicles: area.vehicles.count,
                drivers: area.drivers.count, patients: area.patients.count, shifts: shiftCount)
            store.record(
                "area.import", entity: "area:\(area.id)",
                detail: ["places": "\(summary.places)", "vehicles": "\(summary.vehicles)", "drivers": "\(summary.drivers)",
                         "patients": "\(summary.patients)", "shifts": "\(summary.shifts)"])
            return summary
        }
    }

    /// Codes are unique in a database: an area loaded beside others must not reuse their codes
    /// (a province gives each tambon a code prefix), and no area's codes may begin with another
    /// area's prefix. Checked before anything is written, naming the entry and the area in the way.
    private func checkCodes(of area: Area) throws {
        let stored = try store.areas()
        // The same area again is answered as such, not by its first code.
        if stored.contains(where: { $0.id == area.id }) {
            throw PhapaiError.conflict("id", "AREA_EXISTS", "area \(area.id) is already in this database")
        }
        let others = stored
        let advice = "give this area a code prefix (codePrefix in its file, or init --prefix)"
        if let prefix = area.codePrefix {
            if let other = others.first(where: { $0.codePrefix.map { $0.hasPrefix(prefix) || prefix.hasPrefix($0) } == true }) {
                throw PhapaiError.conflict("codePrefix", "PREFIX_TAKEN", "area \(other.id) has the prefix \(other.codePrefix!); choose one that neither begins nor extends it")
            }
            if let clash = try store.codeStarting(with: prefix, outside: area.id) {
                throw PhapaiError.conflict("codePrefix", "PREFIX_TAKEN", "area \(clash.area)'s code \(clash.code) begins with \(prefix); choose another prefix")
            }
        }
        let entries: [(String, String)] =
            (area.places + area.homes).enumerated().map { ("places[\($0.offset)].id", $0.element.id.rawValue) }
            + area.vehicles.enumerated().map { ("vehicles[\($0.offset)].id", $0.element.id.rawValue) }
            + area.drivers.enumerated().map { ("drivers[\($0.offset)].id", $0.element.id.rawValue) }
            + area.patients.enumerated().map { ("patients[\($0.offset)].id", $0.element.id.rawValue) }
        for (field, code) in entries {
            if let owner = try store.codeOwner(code) {
                throw PhapaiError.conflict(field, "DUPLICATE_ID", "\(owner.kind) \(code) is already in area \(owner.area); \(advice)")
            }
            if let other = others.first(where: { $0.codePrefix.map(code.hasPrefix) == true }) {
                throw PhapaiError.conflict(field, "CODE_PREFIX", "code \(code) begins with area \(other.id)'s prefix \(other.codePrefix!); \(advice)")
            }
        }
        // One area at most without a prefix: between two of them a code taken by the other would
        // answer differently from a free one, and so reveal the other's records.
        if area.codePrefix == nil, let bare = others.first(where: { $0.codePrefix == nil }) {
            throw PhapaiError.conflict("codePrefix", "PREFIX_REQUIRED", "area \(bare.id) has no code prefix already; \(advice)")
        }
    }

    /// Checks the code of a new place, patient, vehicle or driver of `area`: it begins with the
    /// area's prefix, not with another area's, and is not used by another area. The answers depend
    /// only on the code and the user's own area where areas have prefixes, so they reveal nothing
    /// of other areas' objects.
    func checkNewCode(_ code: String, area: AreaID, field: String = "id") throws {
        let areas = try store.areas()
        guard let own = areas.first(where: { $0.id == area }) else {
            throw PhapaiError.notFound("area", "UNKNOWN_AREA", "no area \(area) in this database")
        }
        if let prefix = own.codePrefix, !code.hasPrefix(prefix) {
            throw PhapaiError.invalid(field, "CODE_PREFIX", "codes of area \(area) begin with \(prefix)")
        }
        if let other = areas.first(where: { $0.id != area && $0.codePrefix.map(code.hasPrefix) == true }) {
            throw PhapaiError.invalid(field, "CODE_PREFIX", "codes beginning \(other.codePrefix!) belong to another area")
        }
        if let owner = try store.codeOwner(code), owner.area != area {
            throw PhapaiError.conflict(field, "DUPLICATE_ID", "the code \(code) is already used in this database")
        }
    }

    private func checkReferences(of area: Area) throws {
        var kinds: [PlaceID: PlaceKind] = [:]
        for (index, place) in (area.places + area.homes).enumerated() {
            guard kinds.updateValue(place.kind, forKey: place.id) == nil else {
                throw PhapaiError.invalid("places[\(index)].id", "DUPLICATE_ID", "place \(place.id) appears twice")
            }
        }
        for (index, vehicle) in area.vehicles.enumerated() where kinds[vehicle.depot] == nil {
            throw PhapaiError.notFound("vehicles[\(index)].depot", "UNKNOWN_PLACE", Phrase("error.unknown_place.area", ["place": "\(vehicle.depot)"]))
        }
        let vehicles = Set(area.vehicles.map(\.id))
        let drivers = Set(area.drivers.map(\.id))
        guard vehicles.count == area.vehicles.count else { throw PhapaiError.invalid("vehicles", "DUPLICATE_ID", "a vehicle id appears twice") }
        guard drivers.count == area.drivers.count else { throw PhapaiError.invalid("drivers", "DUPLICATE_ID", "a driver id appears twice") }
        for (index, pattern) in area.shiftPatterns.enumerated() {
            guard drivers.contains(pattern.driver) else {
                throw PhapaiError.notFound("shiftPatterns[\(index)].driver", "UNKNOWN_DRIVER", "no driver \(pattern.driver) in the area")
            }
            guard vehicles.contains(pattern.vehicle) else {
                throw PhapaiError.notFound("shiftPatterns[\(index)].vehicle", "UNKNOWN_VEHICLE", "no vehicle \(pattern.vehicle) in the area")
            }
        }
        var patients = Set<PatientID>()
        for (index, patient) in area.patients.enumerated() {
            guard patients.insert(patient.id).inserted else {
                throw PhapaiError.invalid("patients[\(index)].id", "DUPLICATE_ID", "patient \(patient.id) appears twice")
            }
            guard kinds[patient.village] == .village else {
                throw PhapaiError.notFound("patients[\(index)].village", "UNKNOWN_VILLAGE", "no village \(patient.village) in the area")
            }
        }
    }

    /// The settings of `id`, or of the only area when `id` is nil.
    public func area(_ id: AreaID? = nil) throws -> AreaSettings {
        let all = try store.areas()
        if let id {
            guard let found = all.first(where: { $0.id == id }) else {
                throw PhapaiError.notFound("area", "UNKNOWN_AREA", "no area \(id) in this database")
            }
            return found
        }
        guard let only = all.first else {
            throw PhapaiError.notFound("area", "NO_AREA", "the database has no area yet")
        }
        guard all.count == 1 else {
            throw PhapaiError.usage("the database has several areas (\(all.map(\.id.rawValue).joined(separator: ", "))): say which one", field: "area")
        }
        return only
    }

    /// Puts `area` in the pool `pool` (its fleet then plans with the pool's other areas from the
    /// next plan on), or with nil takes it out.
    /// Refused while a day from today on is planned and not closed for the area, its pool or the
    /// pool it joins: their runs would then carry trips that no plan of either side sees any more.
    /// (Close the day, change the pool, then plan the next day.)
    public func setPool(_ area: AreaID, pool: String?) throws {
        let settings = try self.area(area)
        let name = try pool.map { try AreaID.parse($0, field: "pool").rawValue }
        let all = try store.areas()
        let involved = Set(all.filter { $0.id == area || ($0.pool != nil && ($0.pool == settings.pool || $0.pool == name)) }.map(\.id))
        let vehicles = Set(try store.vehicles().filter { involved.contains($0.area) }.map(\.id))
        let today = settings.offset.date(of: clock())
        for day in 0...settings.policies.bookingHorizonDays {
            let date = today.adding(days: day)
            if try store.runs(on: date).contains(where: { vehicles.contains($0.vehicle) && !$0.stops.isEmpty }),
                try involved.contains(where: { try dayClosed(date, area: $0) == nil })
            {
                throw PhapaiError.conflict(
                    "pool", "POOL_IN_USE",
                    "\(date.iso) is planned for \(area) or the areas it plans with and not closed; close it (day close) before changing the pool, and plan the next day after")
            }
        }
        try write { _ in
            try store.setPool(area, pool: name)
            store.record("area.pool", entity: "area:\(area)", detail: ["pool": name ?? "none"])
        }
    }

    /// Every stored area's settings.
    public func areas() throws -> [AreaSettings] { try store.areas() }

    // MARK: Places

    /// Adds a place.
    public func addPlace(_ place: Place) throws -> Place {
        try checkNewCode(place.id.rawValue, area: place.area)
        return try write { _ in
            try insertNew({ try store.insertPlace(place) }, orIfTaken: .conflict("id", "DUPLICATE_ID", "place \(place.id) already exists"))
            store.record("place.add", entity: "place:\(place.id)", detail: ["kind": place.kind.rawValue])
            return place
        }
    }

    /// Places, optionally of one kind, of one area (or of every area).
    public func places(kind: PlaceKind? = nil, area: AreaID? = nil) throws -> [Place] {
        try store.places(kind: kind).filter { area == nil || $0.area == area }
    }

    /// The place `id`, or nil when there is none.
    public func findPlace(_ id: PlaceID) throws -> Place? { try store.place(id) }

    /// The place `id` (of `area`, when one is given: another area's place is answered as one that
    /// does not exist), or a not-found error naming `field`.
    public func place(_ id: PlaceID, field: String = "place", area: AreaID? = nil) throws -> Place {
        guard let place = try store.place(id), area == nil || place.area == area else {
            throw PhapaiError.notFound(field, "UNKNOWN_PLACE", Phrase("error.unknown_place", ["place": "\(id)"]))
        }
        return place
    }

    // MARK: Patients

    /// Registers a patient. The home and village must exist; the village must be a village. A patient
    /// whom no vehicle can carry may be registered; booking them is refused.
    public func addPatient(_ patient: Patient) throws -> Patient {
        try checkNewCode(patient.id.rawValue, area: patient.area)
        guard try place(patient.village, field: "village", area: patient.area).kind == .village else {
            throw PhapaiError.invalid("village", "NOT_A_VILLAGE", Phrase("error.not_a_village", ["place": "\(patient.village)"]))
        }
        _ = try place(patient.home, field: "home", area: patient.area)
        return try write { _ in
            try insertNew(
                { try store.insertPatient(patient) },
                orIfTaken: .conflict("id", "DUPLICATE_ID", "patient \(patient.id) is already registered"))
            store.record("patient.add", entity: "patient:\(patient.id)", detail: ["mobility": patient.mobility.rawValue])
            return patient
        }
    }

    /// The patient `id`, or a not-found error.
    public func patient(_ id: PatientID) throws -> Patient {
        guard let patient = try store.patient(id) else {
            throw PhapaiError.notFound("patient", "UNKNOWN_PATIENT", Phrase("error.unknown_patient", ["patient": "\(id)"]))
        }
        return patient
    }

    /// The patient `id`, or nil when there is none.
    public func findPatient(_ id: PatientID) throws -> Patient? { try store.patient(id) }

    /// Registered patients of one area (or of every area), optionally of one village.
    public func patients(village: PlaceID? = nil, area: AreaID? = nil) throws -> [Patient] {
        if let village {
            // Another area's village is answered as one that does not exist.
            guard let place = try store.place(village), area == nil || place.area == area else {
                throw PhapaiError.notFound("village", "UNKNOWN_PLACE", Phrase("error.unknown_place", ["place": "\(village)"]))
            }
        }
        return try store.patients(village: village).filter { area == nil || $0.area == area }
    }

    /// Patients of one area (or of every area) whose name, phone or id contains `text`
    /// (case-insensitive, NFC).
    public func findPatients(_ text: String, area: AreaID? = nil) throws -> [Patient] {
        let needle = try TextRules.line(text, field: "text", maxLength: TextRules.Limit.name).lowercased()
        let digits = needle.filter(\.isNumber)
        return try store.patients().filter { patient in
            guard area == nil || patient.area == area else { return false }
            return patient.name.lowercased().contains(needle) || patient.id.rawValue.lowercased().contains(needle)
                || (digits.count >= 3 && patient.phone.filter(\.isNumber).contains(digits))
        }
    }

    // MARK: Fleet

    /// Adds a vehicle; its depot must exist.
    public func addVehicle(_ vehicle: Vehicle) throws -> Vehicle {
        try checkNewCode(vehicle.id.rawValue, area: vehicle.area)
        _ = try place(vehicle.depot, field: "depot", area: vehicle.area)
        return try write { _ in
            try insertNew(
                { try store.insertVehicle(vehicle) }, orIfTaken: .conflict("id", "DUPLICATE_ID", "vehicle \(vehicle.id) already exists"))
            store.record("vehicle.add", entity: "vehicle:\(vehicle.id)")
            return vehicle
        }
    }

    /// The vehicle `id`, or nil when there is none.
    public func findVehicle(_ id: VehicleID) throws -> Vehicle? { try store.vehicle(id) }

    /// The driver `id`, or nil when there is none.
    public func findDriver(_ id: DriverID) throws -> Driver? { try store.driver(id) }

    /// The vehicles of one area (or of every area).
    public func vehicles(area: AreaID? = nil) throws -> [Vehicle] { try store.vehicles(area: area) }

    /// Adds a driver.
    public func addDriver(_ driver: Driver) throws -> Driver {
        try checkNewCode(driver.id.rawValue, area: driver.area)
        return try write { _ in
            try insertNew({ try store.insertDriver(driver) }, orIfTaken: .conflict("id", "DUPLICATE_ID", "driver \(driver.id) already exists"))
            store.record("driver.add", entity: "driver:\(driver.id)")
            return driver
        }
    }

    /// The drivers of one area (or of every area).
    public func drivers(area: AreaID? = nil) throws -> [Driver] { try store.drivers().filter { area == nil || $0.area == area } }

    /// Adds a shift; refuses one that overlaps another shift of the same driver or vehicle.
    public func addShift(_ shift: Shift) throws -> Shift {
        guard try store.driver(shift.driver) != nil else {
            throw PhapaiError.notFound("driver", "UNKNOWN_DRIVER", "no driver \(shift.driver)")
        }
        guard try store.vehicle(shift.vehicle) != nil else {
            throw PhapaiError.notFound("vehicle", "UNKNOWN_VEHICLE", "no vehicle \(shift.vehicle)")
        }
        for other in try store.shifts(from: shift.date, to: shift.date) where other.overlaps(shift) {
            if other.driver == shift.driver {
                throw PhapaiError.conflict("driver", "SHIFT_OVERLAP", "driver \(shift.driver) already works \(other.start)-\(other.end) on \(shift.date)")
            }
            if other.vehicle == shift.vehicle {
                throw PhapaiError.conflict("vehicle", "SHIFT_OVERLAP", "vehicle \(shift.vehicle) is already driven \(other.start)-\(other.end) on \(shift.date)")
            }
        }
        return try write { _ in
            var stored = shift
            stored.id = try store.insertShift(shift)
            store.record("shift.add", entity: "shift:\(stored.id!)", detail: ["driver": "\(shift.driver)", "vehicle": "\(shift.vehicle)", "date": shift.date.iso])
            return stored
        }
    }

    /// Shifts between two dates inclusive, of one area's vehicles (or of every vehicle).
    public func shifts(from: LocalDate, to: LocalDate, area: AreaID? = nil) throws -> [Shift] {
        let shifts = try store.shifts(from: from, to: to)
        guard let area else { return shifts }
        let vehicles = Set(try store.vehicles(area: area).map(\.id))
        return shifts.filter { vehicles.contains($0.vehicle) }
    }

    // MARK: Audit and maintenance

    /// Audit events, newest first: of one area (the events of its objects and days), or of the
    /// whole database. An area's events are picked from the log page by page, looking at most
    /// ``auditScanLimit`` events back.
    public func audit(entity: String? = nil, limit: Int = 50, area: AreaID? = nil) throws -> [AuditEvent] {
        guard (1...10_000).contains(limit) else {
            throw PhapaiError.invalid("limit", "OUT_OF_RANGE", "must be between 1 and 10000")
        }
        guard let area else { return try store.events(entity: entity, limit: limit) }
        var owners = AreaOwners(store: store)
        var found: [AuditEvent] = []
        var before: Int64?
        var scanned = 0
        let page = 1_000
        while found.count < limit, scanned < Self.auditScanLimit {
            let events = try store.events(entity: entity, limit: page, before: before)
            for event in events where try owners.area(of: event) == area {
                found.append(event)
                if found.count == limit { break }
            }
            scanned += events.count
            guard events.count == page, let last = events.last else { break }
            before = last.id
        }
        return found
    }

    /// How far back an area's audit looks (its events are mixed with every other area's).
    public static let auditScanLimit = 200_000

    /// SQLite's integrity check of the database file: `ok`, or what is wrong.
    public func integrityCheck() throws -> String { try store.integrityCheck() }

    /// Writes an online backup of the database to a new file.
    public func backup(to path: String) throws { try store.backup(to: path) }
}

/// What an area import stored.
public struct ImportSummary: Hashable, Sendable {
    public var area: AreaID
    public var places: Int
    public var vehicles: Int
    public var drivers: Int
    public var patients: Int
    public var shifts: Int
}

/// Which area an audit event belongs to, looked up once per object.
struct AreaOwners {
    let store: Store
    private var known: [String: AreaID?] = [:]

    init(store: Store) { self.store = store }

    /// The area of the event's object (a trip, patient, place, vehicle, driver, shift, standing
    /// order, the area itself), or of the area its detail names (days, materialising); nil for
    /// events of no area (users).
    mutating func area(of event: AuditEvent) throws -> AreaID? {
        let named = event.detail.split(separator: " ").first { $0.hasPrefix("area=") }.map { AreaID(unchecked: String($0.dropFirst(5))) }
        if let named { return named }
        if let cached = known[event.entity] { return cached }
        let parts = event.entity.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        let (kind, id) = (parts[0], parts[1])
        let area: AreaID?
        switch kind {
        case "area": area = AreaID(unchecked: id)
        case "trip": area = try Int64(id).flatMap { try store.trip(TripID($0))?.area }
        case "patient": area = try store.patient(PatientID(unchecked: id))?.area
        case "place": area = try store.place(PlaceID(unchecked: id))?.area
        case "vehicle": area = try store.vehicle(VehicleID(unchecked: id))?.area
        case "driver": area = try store.driver(DriverID(unchecked: id))?.area
        case "shift": area = try Int64(id).flatMap { try store.shift(ShiftID($0)) }.flatMap { try store.vehicle($0.vehicle)?.area }
        case "standing":
            area = try Int64(id).flatMap { try store.standingOrder(StandingOrderID($0)) }.flatMap { try store.patient($0.patient)?.area }
        default: area = nil
        }
        known[event.entity] = area
        return area
    }
}
