import Foundation
import PhapaiCore


extension SQLiteValue {
    static func optionalText(_ value: String?) -> SQLiteValue { value.map { .text($0) } ?? .null }
    static func optionalInt(_ value: Int64?) -> SQLiteValue { value.map { .integer($0) } ?? .null }
    static func optionalInt(_ value: Int?) -> SQLiteValue { value.map { .integer(Int64($0)) } ?? .null }
    static func instant(_ value: Instant?) -> SQLiteValue { value.map { .integer($0.rawValue) } ?? .null }
}

// MARK: - Areas

extension Store {
    /// Stores a new area's settings.
    public func insertArea(_ area: Area, createdAt: Instant) throws {
        (areasCache, areasChanged) = (nil, true)
        let policies = String(decoding: try JSONEncoder().encode(area.policies), as: UTF8.self)
        try run(
            "INSERT INTO areas (id, name, utc_offset_minutes, circuity_factor, average_speed_kmh, policies_json, created_at, code_prefix, pool, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(area.id.rawValue), .text(area.name), .integer(Int64(area.offset.minutes)), .real(area.travel.circuityFactor),
             .real(area.travel.averageSpeedKmh), .text(policies), .integer(createdAt.rawValue), SQLiteValue.optionalText(area.codePrefix),
             SQLiteValue.optionalText(area.pool), .text(area.language.rawValue)])
    }

    /// The area holding the place, patient, vehicle or driver coded `code`, with what it is.
    public func codeOwner(_ code: String) throws -> (kind: String, area: AreaID)? {
        try query(
            """
            SELECT 'place', area_id FROM places WHERE id = ?1 UNION ALL SELECT 'patient', area_id FROM patients WHERE id = ?1
            UNION ALL SELECT 'vehicle', area_id FROM vehicles WHERE id = ?1 UNION ALL SELECT 'driver', area_id FROM drivers WHERE id = ?1
            LIMIT 1
            """, [.text(code)]
        ) { row in (row.text(0), AreaID(unchecked: row.text(1))) }.first
    }

    /// A code beginning with `prefix` of an area other than `area`, with its area, if there is one.
    public func codeStarting(with prefix: String, outside area: AreaID) throws -> (code: String, area: AreaID)? {
        let length = Int64(prefix.utf8.count)
        return try query(
            """
            SELECT id, area_id FROM (SELECT id, area_id FROM places UNION ALL SELECT id, area_id FROM patients
                UNION ALL SELECT id, area_id FROM vehicles UNION ALL SELECT id, area_id FROM drivers)
            WHERE substr(id, 1, ?1) = ?2 AND area_id <> ?3 LIMIT 1
            """, [.integer(length), .text(prefix), .text(area.rawValue)]
        ) { row in (row.text(0), AreaID(unchecked: row.text(1))) }.first
    }

    /// The newest events of `day` whose detail names one of `areas` (`area=X`), or (older plan
    /// events) no area at all, optionally of one action: a province's day holds every area's
    /// events, so they are picked in SQL rather than after a fixed number of them.
    public func dayEvents(_ day: String, areas: Set<AreaID>, action: String? = nil, limit: Int = 50) throws -> [AuditEvent] {
        var conditions = areas.sorted().map { _ in "(' ' || detail || ' ') LIKE ?" }
        conditions.append("(' ' || detail || ' ') NOT LIKE '% area=%'")
        let sql = """
            SELECT id, at, actor, action, entity, detail FROM events WHERE entity = ? AND (?2 IS NULL OR action = ?2)
            AND (\(conditions.joined(separator: " OR "))) ORDER BY id DESC LIMIT \(limit)
            """
        let values: [SQLiteValue] = [.text(day), SQLiteValue.optionalText(action)] + areas.sorted().map { .text("% area=\($0.rawValue) %") }
        return try query(sql, values) { row in
            AuditEvent(
                id: row.int64(0), at: Instant(rawValue: row.int64(1)), actor: row.text(2), action: row.text(3),
                entity: row.text(4), detail: row.text(5))
        }
    }

    /// Puts `area` in `pool`, or (nil) takes it out of any.
    public func setPool(_ area: AreaID, pool: String?) throws {
        (areasCache, areasChanged) = (nil, true)
        try run("UPDATE areas SET pool = ? WHERE id = ?", [SQLiteValue.optionalText(pool), .text(area.rawValue)])
    }

    /// Every stored area. Read by nearly every command, so kept until another connection commits
    /// anything (SQLite's `data_version` says so) or this one changes an area; after such a change
    /// the areas are read afresh until it is over (committed or rolled back), since a rollback
    /// would leave a kept copy wrong.
    public func areas() throws -> [AreaSettings] {
        if areasChanged && !connection.inTransaction { areasChanged = false }
        if areasChanged { return try readAreas() }
        let version = try connection.scalarInt("PRAGMA data_version") ?? -1
        if let cached = areasCache, cached.version == version { return cached.areas }
        let areas = try readAreas()
        areasCache = (version, areas)
        return areas
    }

    private func readAreas() throws -> [AreaSettings] {
        try query("SELECT id, name, utc_offset_minutes, circuity_factor, average_speed_kmh, policies_json, code_prefix, pool, language FROM areas ORDER BY id") { row in
            let policies = try decodedPolicies(row.text(5))
            return AreaSettings(
                id: AreaID(unchecked: row.text(0)), name: row.text(1), offset: UTCOffset(minutes: Int(row.int64(2))),
                travel: try TravelModel(circuityFactor: row.double(3), averageSpeedKmh: row.double(4)), policies: policies,
                codePrefix: row.textOrNil(6), pool: row.textOrNil(7), language: Language(rawValue: row.text(8)) ?? .th)
        }
    }
}

extension Store {
    /// An area's policies, decoded once per distinct JSON text (areas are read by every command).
    func decodedPolicies(_ json: String) throws -> Policies {
        if let cached = policiesCache[json] { return cached }
        let policies = try JSONDecoder().decode(Policies.self, from: Data(json.utf8))
        policiesCache[json] = policies
        return policies
    }
}

// MARK: - Places

extension Store {
    private static let placeColumns = "id, area_id, kind, name, moo, latitude, longitude, address"

    /// Stores a new place.
    public func insertPlace(_ place: Place) throws {
        try run(
            "INSERT INTO places (\(Store.placeColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(place.id.rawValue), .text(place.area.rawValue), .text(place.kind.rawValue), .text(place.name),
             .optionalInt(place.moo), .real(place.coordinate.latitude), .real(place.coordinate.longitude), .optionalText(place.address)])
    }

    /// The place with `id`, if stored.
    public func place(_ id: PlaceID) throws -> Place? {
        try query("SELECT \(Store.placeColumns) FROM places WHERE id = ?", [.text(id.rawValue)], Store.readPlace).first
    }

    /// Places, optionally of one kind, ordered by kind then หมู่ number then id.
    public func places(kind: PlaceKind? = nil) throws -> [Place] {
        let sql = "SELECT \(Store.placeColumns) FROM places WHERE (?1 IS NULL OR kind = ?1) ORDER BY kind, moo, id"
        return try query(sql, [.optionalText(kind?.rawValue)], Store.readPlace)
    }

    /// The places of `areas` (a day's planning reads its own areas' places, not a province's).
    public func places(areas: Set<AreaID>) throws -> [Place] {
        let sql = "SELECT \(Store.placeColumns) FROM places WHERE area_id IN (SELECT value FROM json_each(?1))"
        let list = "[" + areas.sorted().map { "\"\($0.rawValue)\"" }.joined(separator: ",") + "]"
        return try query(sql, [.text(list)], Store.readPlace)
    }

    static func readPlace(_ row: SQLiteStatement) throws -> Place {
        try Place(
            stored: PlaceID(unchecked: row.text(0)), area: AreaID(unchecked: row.text(1)),
            kind: try decode(PlaceKind.self, row.text(2), table: "places", column: "kind", what: "a place kind"),
            name: row.text(3), moo: row.int64OrNil(4).map { Int($0) },
            coordinate: Coordinate(latitude: row.double(5), longitude: row.double(6)), address: row.textOrNil(7))
    }
}

// MARK: - Patients

extension Store {
    private static let patientColumns =
        "id, area_id, name, phone, home_place_id, village_id, address, mobility, companions, entitlement, registered_on, notes"

    /// Stores a new patient.
    public func insertPatient(_ patient: Patient) throws {
        try run(
            "INSERT INTO patients (\(Store.patientColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(patient.id.rawValue), .text(patient.area.rawValue), .text(patient.name), .text(patient.phone),
             .text(patient.home.rawValue), .text(patient.village.rawValue), .optionalText(patient.address),
             .text(patient.mobility.rawValue), .integer(Int64(patient.companions)), .text(patient.entitlement.rawValue),
             .text(patient.registeredOn.iso), .optionalText(patient.notes)])
    }

    /// The patient with `id`, if registered.
    public func patient(_ id: PatientID) throws -> Patient? {
        try query("SELECT \(Store.patientColumns) FROM patients WHERE id = ?", [.text(id.rawValue)], Store.readPatient).first
    }

    /// Registered patients, optionally of one village, ordered by id.
    public func patients(village: PlaceID? = nil) throws -> [Patient] {
        try query(
            "SELECT \(Store.patientColumns) FROM patients WHERE (?1 IS NULL OR village_id = ?1) ORDER BY id",
            [.optionalText(village?.rawValue)], Store.readPatient)
    }

    static func readPatient(_ row: SQLiteStatement) throws -> Patient {
        try Patient(
            stored: PatientID(unchecked: row.text(0)), area: AreaID(unchecked: row.text(1)), name: row.text(2), phone: row.text(3),
            home: PlaceID(unchecked: row.text(4)), village: PlaceID(unchecked: row.text(5)), address: row.textOrNil(6),
            mobility: try decode(Mobility.self, row.text(7), table: "patients", column: "mobility", what: "a mobility"),
            companions: Int(row.int64(8)),
            entitlement: try decode(Entitlement.self, row.text(9), table: "patients", column: "entitlement", what: "an entitlement"),
            registeredOn: LocalDate.parse(row.text(10), field: "registered_on"), notes: row.textOrNil(11))
    }
}

// MARK: - Vehicles, drivers, shifts

extension Store {
    private static let vehicleColumns = "id, area_id, name, plate, seats, wheelchairs, stretchers, fold_seats, depot_id, cost_per_km"

    /// Stores a new vehicle.
    public func insertVehicle(_ vehicle: Vehicle) throws {
        let c = vehicle.capacity
        try run(
            "INSERT INTO vehicles (\(Store.vehicleColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(vehicle.id.rawValue), .text(vehicle.area.rawValue), .text(vehicle.name), .optionalText(vehicle.plate),
             .integer(Int64(c.seats)), .integer(Int64(c.wheelchairs)), .integer(Int64(c.stretchers)),
             .integer(Int64(c.seatsPerFoldedWheelchair)), .text(vehicle.depot.rawValue), .real(vehicle.costPerKm)])
    }

    /// The vehicle with `id`, if stored.
    public func vehicle(_ id: VehicleID) throws -> Vehicle? {
        try query("SELECT \(Store.vehicleColumns) FROM vehicles WHERE id = ?", [.text(id.rawValue)], Store.readVehicle).first
    }

    /// Vehicles, optionally of one area, ordered by id.
    public func vehicles(area: AreaID? = nil) throws -> [Vehicle] {
        try query(
            "SELECT \(Store.vehicleColumns) FROM vehicles WHERE (?1 IS NULL OR area_id = ?1) ORDER BY id",
            [.optionalText(area?.rawValue)], Store.readVehicle)
    }

    static func readVehicle(_ row: SQLiteStatement) throws -> Vehicle {
        try Vehicle(
            stored: VehicleID(unchecked: row.text(0)), area: AreaID(unchecked: row.text(1)), name: row.text(2), plate: row.textOrNil(3),
            capacity: Capacity(
                seats: Int(row.int64(4)), wheelchairs: Int(row.int64(5)), stretchers: Int(row.int64(6)),
                seatsPerFoldedWheelchair: Int(row.int64(7))),
            depot: PlaceID(unchecked: row.text(8)), costPerKm: row.double(9))
    }

    /// Stores a new driver.
    public func insertDriver(_ driver: Driver) throws {
        try run(
            "INSERT INTO drivers (id, area_id, name, phone) VALUES (?, ?, ?, ?)",
            [.text(driver.id.rawValue), .text(driver.area.rawValue), .text(driver.name), .text(driver.phone)])
    }

    /// The driver with `id`, if stored.
    public func driver(_ id: DriverID) throws -> Driver? {
        try query("SELECT id, area_id, name, phone FROM drivers WHERE id = ?", [.text(id.rawValue)], Store.readDriver).first
    }

    /// Every driver, ordered by id.
    public func drivers() throws -> [Driver] {
        try query("SELECT id, area_id, name, phone FROM drivers ORDER BY id", [], Store.readDriver)
    }

    static func readDriver(_ row: SQLiteStatement) throws -> Driver {
        try Driver(id: DriverID(unchecked: row.text(0)), area: AreaID(unchecked: row.text(1)), name: row.text(2), phone: row.text(3))
    }

    /// Stores a new shift and returns its number.
    @discardableResult
    public func insertShift(_ shift: Shift) throws -> ShiftID {
        try run(
            "INSERT INTO shifts (driver_id, vehicle_id, date, start_minute, end_minute, break_start_minute, break_end_minute) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [.text(shift.driver.rawValue), .text(shift.vehicle.rawValue), .text(shift.date.iso), .integer(Int64(shift.start.minutes)),
             .integer(Int64(shift.end.minutes)), .optionalInt(shift.breakStart?.minutes), .optionalInt(shift.breakEnd?.minutes)])
        return ShiftID(connection.lastInsertRowID)
    }

    static let shiftColumns = "id, driver_id, vehicle_id, date, start_minute, end_minute, break_start_minute, break_end_minute"

    /// Shifts between two dates inclusive, ordered by date, start and vehicle.
    public func shifts(from: LocalDate, to: LocalDate) throws -> [Shift] {
        try query(
            "SELECT \(Store.shiftColumns) FROM shifts WHERE date BETWEEN ? AND ? ORDER BY date, start_minute, vehicle_id, id",
            [.text(from.iso), .text(to.iso)], Store.readShift)
    }

    /// The shift with `id`, if any.
    public func shift(_ id: ShiftID) throws -> Shift? {
        try query("SELECT \(Store.shiftColumns) FROM shifts WHERE id = ?", [.integer(id.rawValue)], Store.readShift).first
    }

    static func readShift(_ row: SQLiteStatement) throws -> Shift {
        try Shift(
            id: ShiftID(row.int64(0)), driver: DriverID(unchecked: row.text(1)), vehicle: VehicleID(unchecked: row.text(2)),
            date: LocalDate.parse(row.text(3), field: "date"),
            start: try minute(row.int64(4), table: "shifts", column: "start_minute"),
            end: try minute(row.int64(5), table: "shifts", column: "end_minute"),
            breakStart: try row.int64OrNil(6).map { try minute($0, table: "shifts", column: "break_start_minute") },
            breakEnd: try row.int64OrNil(7).map { try minute($0, table: "shifts", column: "break_end_minute") })
    }
}

// MARK: - Trips

extension Store {
    private static let tripColumns = """
        id, area_id, patient_id, direction, pickup_place_id, dropoff_place_id, service_date, appointment_at, \
        requested_pickup_at, pickup_earliest, pickup_latest, dropoff_earliest, dropoff_latest, direct_seconds, \
        max_ride_seconds, mobility, companions, funding, status, will_call, linked_trip_id, standing_order_id, \
        cancellation_code, status_reason, notes, created_at, promised_at, release_earliest, release_latest, status_phrase
        """

    /// Stores a new trip and returns its number.
    public func insertTrip(_ trip: Trip) throws -> TripID {
        try run(
            "INSERT INTO trips (\(Store.tripColumns), updated_at) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(trip.area.rawValue), .text(trip.patient.rawValue), .text(trip.direction.rawValue),
             .text(trip.pickupPlace.rawValue), .text(trip.dropoffPlace.rawValue), .text(trip.serviceDate.iso),
             .instant(trip.appointment), .instant(trip.requestedPickup), .instant(trip.pickupWindow?.earliest),
             .instant(trip.pickupWindow?.latest), .instant(trip.dropoffWindow?.earliest), .instant(trip.dropoffWindow?.latest),
             .integer(Int64(trip.directSeconds)), .integer(Int64(trip.maxRideSeconds)), .text(trip.mobility.rawValue),
             .integer(Int64(trip.companions)), .text(trip.funding.rawValue), .text(trip.status.rawValue),
             .integer(trip.willCall ? 1 : 0), .optionalInt(trip.linkedTrip?.rawValue), .optionalInt(trip.standingOrder?.rawValue),
             .optionalText(trip.cancellationCode?.rawValue), .optionalText(trip.statusReason), .optionalText(trip.notes),
             .integer(trip.createdAt.rawValue), .instant(trip.promisedAt), .instant(trip.releaseWindow?.earliest),
             .instant(trip.releaseWindow?.latest), .optionalText(Store.phraseJSON(trip.statusPhrase)), .integer(trip.createdAt.rawValue)])
        return TripID(connection.lastInsertRowID)
    }

    /// Links two legs of one journey to each other.
    public func linkTrips(_ first: TripID, _ second: TripID) throws {
        try run("UPDATE trips SET linked_trip_id = ? WHERE id = ?", [.integer(second.rawValue), .integer(first.rawValue)])
        try run("UPDATE trips SET linked_trip_id = ? WHERE id = ?", [.integer(first.rawValue), .integer(second.rawValue)])
    }

    /// Records a new status, with its cancellation code and reason (its English in
    /// `status_reason`, the phrase in `status_phrase`).
    public func updateTripStatus(_ id: TripID, status: TripStatus, code: CancellationCode?, reason: Phrase?, at: Instant) throws {
        try run(
            "UPDATE trips SET status = ?, cancellation_code = ?, status_reason = ?, status_phrase = ?, updated_at = ? WHERE id = ?",
            [.text(status.rawValue), .optionalText(code?.rawValue), .optionalText(reason?.english), .optionalText(Store.phraseJSON(reason)),
             .integer(at.rawValue), .integer(id.rawValue)])
    }

    /// A reason's phrase as stored: JSON, or nil for text shown as written (`status_reason` holds it).
    static func phraseJSON(_ phrase: Phrase?) -> String? {
        guard let phrase, phrase.writtenText == nil else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(phrase)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A stored reason: the phrase of `status_phrase` when there is one that reads, else the
    /// English of `status_reason` as written (rows stored before phrases, typed text).
    static func readPhrase(json: String?, english: String?) -> Phrase? {
        if let json, let phrase = try? JSONDecoder().decode(Phrase.self, from: Data(json.utf8)) { return phrase }
        return english.map(Phrase.text)
    }

    /// The trip with `id`, if stored.
    public func trip(_ id: TripID) throws -> Trip? {
        try query("SELECT \(Store.tripColumns) FROM trips WHERE id = ?", [.integer(id.rawValue)], Store.readTrip).first
    }

    /// Trips matching every given filter, ordered by day, pickup time and id.
    public func trips(
        date: LocalDate? = nil, patient: PatientID? = nil, status: TripStatus? = nil, from: LocalDate? = nil,
        to: LocalDate? = nil
    ) throws -> [Trip] {
        // Only the filters given go into the SQL: "?1 IS NULL OR ..." would keep SQLite from using
        // the date and patient indexes and scan every trip ever booked.
        var conditions: [String] = []
        var values: [SQLiteValue] = []
        func add(_ condition: String, _ value: String?) {
            guard let value else { return }
            conditions.append(condition)
            values.append(.text(value))
        }
        add("service_date = ?", date?.iso)
        add("patient_id = ?", patient?.rawValue)
        add("status = ?", status?.rawValue)
        add("service_date >= ?", from?.iso)
        add("service_date <= ?", to?.iso)
        let sql = """
            SELECT \(Store.tripColumns) FROM trips
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY service_date, COALESCE(pickup_earliest, dropoff_latest, appointment_at, 9223372036854775807), id
            """
        return try query(sql, values, Store.readTrip)
    }

    /// Number of stored trips (every status).
    public func tripCount() throws -> Int {
        Int(try query("SELECT COUNT(*) FROM trips") { $0.int64(0) }.first ?? 0)
    }

    static func readTrip(_ row: SQLiteStatement) throws -> Trip {
        func window(_ a: Int32, _ b: Int32) -> TimeWindow? {
            guard let earliest = row.int64OrNil(a), let latest = row.int64OrNil(b) else { return nil }
            return TimeWindow(earliest: Instant(rawValue: earliest), latest: Instant(rawValue: latest))
        }
        var trip = Trip(
            id: TripID(row.int64(0)), area: AreaID(unchecked: row.text(1)), patient: PatientID(unchecked: row.text(2)),
            direction: try decode(TripDirection.self, row.text(3), table: "trips", column: "direction", what: "a trip direction"),
            pickupPlace: PlaceID(unchecked: row.text(4)),
            dropoffPlace: PlaceID(unchecked: row.text(5)), serviceDate: try LocalDate.parse(row.text(6), field: "service_date"),
            appointment: row.int64OrNil(7).map(Instant.init(rawValue:)), requestedPickup: row.int64OrNil(8).map(Instant.init(rawValue:)),
            pickupWindow: window(9, 10), dropoffWindow: window(11, 12), directSeconds: Int(row.int64(13)),
            maxRideSeconds: Int(row.int64(14)),
            mobility: try decode(Mobility.self, row.text(15), table: "trips", column: "mobility", what: "a mobility"),
            companions: Int(row.int64(16)),
            funding: try decode(Entitlement.self, row.text(17), table: "trips", column: "funding", what: "an entitlement"),
            status: try decode(TripStatus.self, row.text(18), table: "trips", column: "status", what: "a trip status"),
            willCall: row.int64(19) != 0,
            linkedTrip: row.int64OrNil(20).map(TripID.init), standingOrder: row.int64OrNil(21).map(StandingOrderID.init),
            cancellationCode: try row.textOrNil(22).map {
                try decode(CancellationCode.self, $0, table: "trips", column: "cancellation_code", what: "a cancellation code")
            }, statusReason: row.textOrNil(23),
            notes: row.textOrNil(24), createdAt: Instant(rawValue: row.int64(25)),
            promisedAt: row.int64OrNil(26).map(Instant.init(rawValue:)), releaseWindow: window(27, 28))
        trip.statusPhrase = readPhrase(json: row.textOrNil(29), english: row.textOrNil(23))
        return trip
    }

    /// Records that a trip's pickup window was told to the patient (its first place on a run), or
    /// withdraws the promise (nil) when the trip is re-booked.
    public func setPromised(_ id: TripID, at time: Instant?) throws {
        try run("UPDATE trips SET promised_at = ? WHERE id = ?", [.instant(time), .integer(id.rawValue)])
    }

    /// Rewrites what a re-booking changes: day, times, windows, places, load and the promise (withdrawn).
    public func rebookTrip(_ trip: Trip, at time: Instant) throws {
        try run(
            """
            UPDATE trips SET service_date = ?, appointment_at = ?, requested_pickup_at = ?, pickup_earliest = ?, pickup_latest = ?,
                dropoff_earliest = ?, dropoff_latest = ?, pickup_place_id = ?, dropoff_place_id = ?, direct_seconds = ?,
                max_ride_seconds = ?, mobility = ?, companions = ?, will_call = ?, release_earliest = ?, release_latest = ?,
                status = ?, status_reason = ?, status_phrase = ?, promised_at = ?, updated_at = ?
            WHERE id = ?
            """,
            [.text(trip.serviceDate.iso), .instant(trip.appointment), .instant(trip.requestedPickup), .instant(trip.pickupWindow?.earliest),
             .instant(trip.pickupWindow?.latest), .instant(trip.dropoffWindow?.earliest), .instant(trip.dropoffWindow?.latest),
             .text(trip.pickupPlace.rawValue), .text(trip.dropoffPlace.rawValue), .integer(Int64(trip.directSeconds)),
             .integer(Int64(trip.maxRideSeconds)), .text(trip.mobility.rawValue), .integer(Int64(trip.companions)),
             .integer(trip.willCall ? 1 : 0), .instant(trip.releaseWindow?.earliest), .instant(trip.releaseWindow?.latest),
             .text(trip.status.rawValue), .optionalText(trip.statusReason), .optionalText(Store.phraseJSON(trip.statusPhrase)),
             .instant(trip.promisedAt), .integer(time.rawValue),
             .integer(trip.id!.rawValue)])
    }
}

// MARK: - Standing orders

extension Store {
    private static let standingColumns = """
        id, patient_id, pickup_place_id, destination_id, weekdays, appointment_minute, start_date, end_date, \
        return_mode, return_minute, companions, funding, notes, active
        """

    /// Stores a new standing order and returns its number.
    public func insertStandingOrder(_ order: StandingOrder) throws -> StandingOrderID {
        let (mode, minute): (String, Int?) =
            switch order.returnMode {
            case .none: ("none", nil)
            case .at(let time): ("at", time.minutes)
            case .willCall: ("will_call", nil)
            }
        try run(
            "INSERT INTO standing_orders (\(Store.standingColumns)) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(order.patient.rawValue), .text(order.pickupPlace.rawValue), .text(order.destination.rawValue),
             .text(order.weekdays.map { String($0.rawValue) }.joined(separator: ",")), .integer(Int64(order.appointmentTime.minutes)),
             .text(order.startDate.iso), .optionalText(order.endDate?.iso), .text(mode), .optionalInt(minute),
             .integer(Int64(order.companions)), .text(order.funding.rawValue), .optionalText(order.notes),
             .integer(order.active ? 1 : 0)])
        return StandingOrderID(connection.lastInsertRowID)
    }

    /// The standing order with `id`, if stored.
    public func standingOrder(_ id: StandingOrderID) throws -> StandingOrder? {
        try query("SELECT \(Store.standingColumns) FROM standing_orders WHERE id = ?", [.integer(id.rawValue)], Store.readStanding).first
    }

    /// Every standing order, ordered by id.
    public func standingOrders() throws -> [StandingOrder] {
        try query("SELECT \(Store.standingColumns) FROM standing_orders ORDER BY id", [], Store.readStanding)
    }

    /// Stores a hold and returns its number.
    @discardableResult
    public func insertHold(_ hold: StandingHold) throws -> Int64 {
        try run(
            "INSERT INTO standing_holds (order_id, from_date, to_date, reason) VALUES (?, ?, ?, ?)",
            [.integer(hold.order.rawValue), .text(hold.from.iso), .text(hold.to.iso), .text(hold.reason)])
        return connection.lastInsertRowID
    }

    /// Holds of one order (or of every order), ordered by start.
    public func holds(order: StandingOrderID? = nil) throws -> [StandingHold] {
        try query(
            "SELECT id, order_id, from_date, to_date, reason FROM standing_holds WHERE (?1 IS NULL OR order_id = ?1) ORDER BY from_date, id",
            [.optionalInt(order?.rawValue)]
        ) { row in
            StandingHold(
                id: row.int64(0), order: StandingOrderID(row.int64(1)), from: try LocalDate.parse(row.text(2), field: "from"),
                to: try LocalDate.parse(row.text(3), field: "to"), reason: row.text(4))
        }
    }

    /// Whether the order already produced a trip of `direction` on `date`.
    public func hasMaterialised(_ order: StandingOrderID, on date: LocalDate) throws -> Bool {
        try query(
            "SELECT 1 FROM trips WHERE standing_order_id = ? AND service_date = ? AND direction = 'outbound'",
            [.integer(order.rawValue), .text(date.iso)]
        ) { _ in true }.first ?? false
    }

    static func readStanding(_ row: SQLiteStatement) throws -> StandingOrder {
        let mode: StandingOrder.ReturnMode =
            switch row.text(8) {
            case "none": .none
            case "at": .at(try minute(row.int64(9), table: "standing_orders", column: "return_minute"))
            case "will_call": .willCall
            case let other: throw corruptRow("standing_orders", "return_mode", holds: other, notA: "a return mode")
            }
        let weekdays = try row.text(4).split(separator: ",").map { part in
            guard let day = Int(part).flatMap(Weekday.init(rawValue:)) else {
                throw corruptRow("standing_orders", "weekdays", holds: String(part), notA: "a weekday number")
            }
            return day
        }
        return StandingOrder(
            id: StandingOrderID(row.int64(0)), patient: PatientID(unchecked: row.text(1)), pickupPlace: PlaceID(unchecked: row.text(2)),
            destination: PlaceID(unchecked: row.text(3)), weekdays: weekdays,
            appointmentTime: try minute(row.int64(5), table: "standing_orders", column: "appointment_minute"),
            startDate: try LocalDate.parse(row.text(6), field: "start_date"),
            endDate: try row.textOrNil(7).map { try LocalDate.parse($0, field: "end_date") }, returnMode: mode,
            companions: Int(row.int64(10)),
            funding: try decode(Entitlement.self, row.text(11), table: "standing_orders", column: "funding", what: "an entitlement"),
            notes: row.textOrNil(12), active: row.int64(13) != 0)
    }
}

// MARK: - Audit

extension Store {
    /// Audit events, newest first, optionally of one entity (`trip:12`).
    public func events(entity: String? = nil, limit: Int = 50, before: Int64? = nil) throws -> [AuditEvent] {
        // Two statements, so that one entity's events come through its index rather than a scan.
        let sql = entity == nil
            ? "SELECT id, at, actor, action, entity, detail FROM events WHERE id < ? ORDER BY id DESC LIMIT ?"
            : "SELECT id, at, actor, action, entity, detail FROM events WHERE entity = ? AND id < ? ORDER BY id DESC LIMIT ?"
        let values = (entity.map { [SQLiteValue.text($0)] } ?? []) + [.integer(before ?? Int64.max), .integer(Int64(limit))]
        return try query(sql, values) { row in
            AuditEvent(
                id: row.int64(0), at: Instant(rawValue: row.int64(1)), actor: row.text(2), action: row.text(3),
                entity: row.text(4), detail: row.text(5))
        }
    }
}

// MARK: - Shift patterns and the roster

extension Store {
    /// Stores an area's weekly shift pattern.
    public func insertShiftPattern(_ pattern: ShiftPattern, area: AreaID) throws {
        try run(
            """
            INSERT INTO shift_patterns (area_id, driver_id, vehicle_id, weekdays, start_minute, end_minute, break_start_minute, break_end_minute)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(area.rawValue), .text(pattern.driver.rawValue), .text(pattern.vehicle.rawValue),
             .text(pattern.weekdays.map(\.shortName).joined(separator: ",")), .integer(Int64(pattern.start.minutes)),
             .integer(Int64(pattern.end.minutes)), .optionalInt(pattern.breakStart?.minutes), .optionalInt(pattern.breakEnd?.minutes)])
    }

    /// The weekly shift patterns of `area`.
    public func shiftPatterns(area: AreaID) throws -> [ShiftPattern] {
        try query(
            """
            SELECT driver_id, vehicle_id, weekdays, start_minute, end_minute, break_start_minute, break_end_minute
            FROM shift_patterns WHERE area_id = ? ORDER BY id
            """, [.text(area.rawValue)]
        ) { row in
            ShiftPattern(
                driver: DriverID(unchecked: row.text(0)), vehicle: VehicleID(unchecked: row.text(1)),
                weekdays: try Weekday.parseSet(row.text(2), field: "shift_patterns.weekdays"),
                start: try Store.minute(row.int64(3), table: "shift_patterns", column: "start_minute"),
                end: try Store.minute(row.int64(4), table: "shift_patterns", column: "end_minute"),
                breakStart: try row.int64OrNil(5).map { try Store.minute($0, table: "shift_patterns", column: "break_start_minute") },
                breakEnd: try row.int64OrNil(6).map { try Store.minute($0, table: "shift_patterns", column: "break_end_minute") })
        }
    }

    /// Whether the shifts of `date` were already made from the patterns of `area`.
    public func isRostered(_ area: AreaID, on date: LocalDate) throws -> Bool {
        try query("SELECT 1 FROM rostered_days WHERE area_id = ? AND date = ?", [.text(area.rawValue), .text(date.iso)]) { _ in true }.first ?? false
    }

    /// Records that the shifts of `date` were made from the patterns of `area`.
    public func markRostered(_ area: AreaID, on date: LocalDate) throws {
        try run("INSERT OR IGNORE INTO rostered_days (area_id, date) VALUES (?, ?)", [.text(area.rawValue), .text(date.iso)])
    }
}

// MARK: - Corrections

extension Store {
    /// Rewrites a patient's record (every field but the code and the area).
    public func updatePatient(_ patient: Patient) throws {
        try run(
            """
            UPDATE patients SET name = ?, phone = ?, home_place_id = ?, village_id = ?, address = ?, mobility = ?, companions = ?,
                entitlement = ?, registered_on = ?, notes = ?
            WHERE id = ?
            """,
            [.text(patient.name), .text(patient.phone), .text(patient.home.rawValue), .text(patient.village.rawValue),
             .optionalText(patient.address), .text(patient.mobility.rawValue), .integer(Int64(patient.companions)),
             .text(patient.entitlement.rawValue), .text(patient.registeredOn.iso), .optionalText(patient.notes), .text(patient.id.rawValue)])
    }

    /// Ends a standing order: its last day, or inactive altogether when it ends before it began.
    public func endStandingOrder(_ id: StandingOrderID, lastDay: LocalDate?, active: Bool) throws {
        try run("UPDATE standing_orders SET end_date = ?, active = ? WHERE id = ?", [.optionalText(lastDay?.iso), .integer(active ? 1 : 0), .integer(id.rawValue)])
    }
}
