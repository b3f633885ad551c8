/// What a place is.
public enum PlaceKind: String, CaseIterable, Sendable, Codable {
    /// A village (หมู่บ้าน), identified by its หมู่ที่ number.
    case village
    /// A community, provincial or private hospital.
    case hospital
    /// A sub-district health-promoting hospital (รพ.สต.) or health centre.
    case healthCentre = "health_centre"
    /// Where vehicles start and end their day.
    case depot
    /// Any other named point (a temple, a market).
    case landmark
    /// A patient's home.
    case home

    /// Parses a kind name, listing the valid ones when it is not one.
    public static func parse(_ text: String, field: String = "kind") throws -> PlaceKind {
        try parseEnum(text, field: field)
    }
}

/// A named point with coordinates.
public struct Place: Hashable, Sendable, Codable {
    /// The place's code.
    public var id: PlaceID
    /// The area the place belongs to.
    public var area: AreaID
    /// What the place is.
    public var kind: PlaceKind
    /// Its name (Thai, NFC).
    public var name: String
    /// The หมู่ที่ number of a village (1-99); nil for other kinds.
    public var moo: Int?
    /// Where it is.
    public var coordinate: Coordinate
    /// A postal or descriptive address, when known.
    public var address: String?

    /// Validates every field and creates a place.
    public init(
        id: PlaceID, area: AreaID, kind: PlaceKind, name: String, moo: Int? = nil, coordinate: Coordinate,
        address: String? = nil
    ) throws {
        if let moo, !(1...99).contains(moo) {
            throw PhapaiError.invalid("moo", "OUT_OF_RANGE", "the หมู่ที่ number must be between 1 and 99")
        }
        if kind == .village && moo == nil {
            throw PhapaiError.invalid("moo", "REQUIRED", Phrase("error.required.moo"))
        }
        self.id = id
        self.area = area
        self.kind = kind
        self.name = try TextRules.line(name, field: "name", maxLength: TextRules.Limit.name)
        self.moo = kind == .village ? moo : nil
        self.coordinate = coordinate
        self.address = try address.map { try TextRules.line($0, field: "address", maxLength: TextRules.Limit.address) }
    }

    /// A place read back from storage, where it went only after validation: normalising its
    /// text again on every read cost more than the rest of a booking.
    public init(stored id: PlaceID, area: AreaID, kind: PlaceKind, name: String, moo: Int?, coordinate: Coordinate, address: String?) {
        self.id = id
        self.area = area
        self.kind = kind
        self.name = name
        self.moo = moo
        self.coordinate = coordinate
        self.address = address
    }

    /// The name people read: `หมู่ 3 บ้านนาทอน` for a village, the plain name otherwise.
    public var displayName: String {
        if let moo { return "หมู่ \(moo) \(name)" }
        return name
    }
}

/// How a patient travels, which decides the space they take in a vehicle.
public enum Mobility: String, CaseIterable, Sendable, Codable, Comparable {
    /// Walks, perhaps with help; takes a seat.
    case ambulatory
    /// Travels in a wheelchair; takes a wheelchair position.
    case wheelchair
    /// Lies on a stretcher (bedridden, ติดเตียง); takes a stretcher position.
    case stretcher

    /// Parses a mobility name.
    public static func parse(_ text: String, field: String = "mobility") throws -> Mobility {
        try parseEnum(text, field: field)
    }

    public static func < (lhs: Mobility, rhs: Mobility) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Who pays for a trip.
public enum Entitlement: String, CaseIterable, Sendable, Codable {
    /// The tambon health fund (กองทุนหลักประกันสุขภาพระดับท้องถิ่น).
    case tambonHealthFund = "tambon_health_fund"
    /// The disability scheme.
    case disability
    /// Long-term care for dependent people.
    case ltcDependency = "ltc_dependency"
    /// The patient pays.
    case selfPay = "self_pay"
    /// Shared between the community and the patient.
    case communityCoPay = "community_copay"

    /// Parses an entitlement name.
    public static func parse(_ text: String, field: String = "entitlement") throws -> Entitlement {
        try parseEnum(text, field: field)
    }
}

/// Space a trip takes on board: the patient's position plus a seat per companion.
public struct Load: Hashable, Sendable, Codable {
    /// Seats.
    public var seats: Int
    /// Wheelchair positions.
    public var wheelchairs: Int
    /// Stretcher positions.
    public var stretchers: Int

    /// Creates a load.
    public init(seats: Int, wheelchairs: Int = 0, stretchers: Int = 0) {
        self.seats = seats
        self.wheelchairs = wheelchairs
        self.stretchers = stretchers
    }

    /// The load of a patient with the given mobility travelling with `companions` relatives.
    public init(mobility: Mobility, companions: Int) {
        switch mobility {
        case .ambulatory: self.init(seats: 1 + companions)
        case .wheelchair: self.init(seats: companions, wheelchairs: 1)
        case .stretcher: self.init(seats: companions, stretchers: 1)
        }
    }
}

/// What a vehicle can carry. A wheelchair position that is not in use may fold into seats.
public struct Capacity: Hashable, Sendable, Codable {
    /// Fixed seats (not counting the driver).
    public var seats: Int
    /// Wheelchair positions.
    public var wheelchairs: Int
    /// Stretcher positions.
    public var stretchers: Int
    /// Seats gained by folding one unused wheelchair position (0: it does not fold).
    public var seatsPerFoldedWheelchair: Int

    /// Validates and creates a capacity.
    public init(seats: Int, wheelchairs: Int = 0, stretchers: Int = 0, seatsPerFoldedWheelchair: Int = 0) throws {
        for (field, value, limit) in [("seats", seats, 20), ("wheelchairs", wheelchairs, 6), ("stretchers", stretchers, 4),
                                      ("foldSeats", seatsPerFoldedWheelchair, 4)] {
            guard (0...limit).contains(value) else {
                throw PhapaiError.invalid(field, "OUT_OF_RANGE", "must be between 0 and \(limit)")
            }
        }
        guard seats + wheelchairs + stretchers > 0 else {
            throw PhapaiError.invalid("seats", "OUT_OF_RANGE", "a vehicle must carry at least one passenger")
        }
        self.seats = seats
        self.wheelchairs = wheelchairs
        self.stretchers = stretchers
        self.seatsPerFoldedWheelchair = seatsPerFoldedWheelchair
    }

    /// Whether `load` fits on board at once.
    public func canCarry(_ load: Load) -> Bool {
        guard load.wheelchairs <= wheelchairs, load.stretchers <= stretchers else { return false }
        let foldedSeats = (wheelchairs - load.wheelchairs) * seatsPerFoldedWheelchair
        return load.seats <= seats + foldedSeats
    }

    private enum CodingKeys: String, CodingKey {
        case seats, wheelchairs, stretchers, seatsPerFoldedWheelchair = "foldSeats"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(
                seats: container.decode(Int.self, forKey: .seats),
                wheelchairs: container.decodeIfPresent(Int.self, forKey: .wheelchairs) ?? 0,
                stretchers: container.decodeIfPresent(Int.self, forKey: .stretchers) ?? 0,
                seatsPerFoldedWheelchair: container.decodeIfPresent(Int.self, forKey: .seatsPerFoldedWheelchair) ?? 0)
        } catch let error as PhapaiError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error.field ?? ""): \(error.message)"))
        }
    }
}

/// A registered patient. Personal health data: never logged.
public struct Patient: Hashable, Sendable, Codable {
    /// The patient's code.
    public var id: PatientID
    /// The area that registered the patient.
    public var area: AreaID
    /// Full name (Thai, NFC).
    public var name: String
    /// A phone number to call before pickup.
    public var phone: String
    /// Where pickups start by default.
    public var home: PlaceID
    /// The patient's village.
    public var village: PlaceID
    /// Directions to the house, when the home place alone is not enough.
    public var address: String?
    /// How the patient travels.
    public var mobility: Mobility
    /// How many relatives usually travel along.
    public var companions: Int
    /// Who usually pays.
    public var entitlement: Entitlement
    /// When the patient was registered with the local government.
    public var registeredOn: LocalDate
    /// Notes for the driver (oxygen, hard of hearing, steep path).
    public var notes: String?

    /// Validates every field and creates a patient.
    public init(
        id: PatientID, area: AreaID, name: String, phone: String, home: PlaceID, village: PlaceID, address: String?,
        mobility: Mobility, companions: Int, entitlement: Entitlement, registeredOn: LocalDate, notes: String?
    ) throws {
        guard (0...Patient.maxCompanions).contains(companions) else {
            throw PhapaiError.invalid("companions", "OUT_OF_RANGE", "must be between 0 and \(Patient.maxCompanions)")
        }
        self.id = id
        self.area = area
        self.name = try TextRules.line(name, field: "name", maxLength: TextRules.Limit.name)
        self.phone = try TextRules.phone(phone)
        self.home = home
        self.village = village
        self.address = try address.map { try TextRules.line($0, field: "address", maxLength: TextRules.Limit.address, required: false) }
            .flatMap { $0.isEmpty ? nil : $0 }
        self.mobility = mobility
        self.companions = companions
        self.entitlement = entitlement
        self.registeredOn = registeredOn
        self.notes = try notes.map { try TextRules.line($0, field: "notes", maxLength: TextRules.Limit.notes, required: false) }
            .flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A patient read back from storage, where they went only after validation.
    public init(
        stored id: PatientID, area: AreaID, name: String, phone: String, home: PlaceID, village: PlaceID, address: String?,
        mobility: Mobility, companions: Int, entitlement: Entitlement, registeredOn: LocalDate, notes: String?
    ) {
        self.id = id
        self.area = area
        self.name = name
        self.phone = phone
        self.home = home
        self.village = village
        self.address = address
        self.mobility = mobility
        self.companions = companions
        self.entitlement = entitlement
        self.registeredOn = registeredOn
        self.notes = notes
    }

    /// The most relatives one patient may bring.
    public static let maxCompanions = 4
}

/// A vehicle of the fleet.
public struct Vehicle: Hashable, Sendable, Codable {
    /// The vehicle's code.
    public var id: VehicleID
    /// The area that runs it.
    public var area: AreaID
    /// A name people use ("รถตู้ 1").
    public var name: String
    /// Registration plate, when recorded.
    public var plate: String?
    /// What it carries.
    public var capacity: Capacity
    /// Where it starts and ends the day.
    public var depot: PlaceID
    /// Operating cost in baht per kilometre.
    public var costPerKm: Double

    /// Validates every field and creates a vehicle.
    public init(
        id: VehicleID, area: AreaID, name: String, plate: String?, capacity: Capacity, depot: PlaceID, costPerKm: Double
    ) throws {
        guard costPerKm.isFinite, (0...100).contains(costPerKm) else {
            throw PhapaiError.invalid("costPerKm", "OUT_OF_RANGE", "must be between 0 and 100 baht per km")
        }
        self.id = id
        self.area = area
        self.name = try TextRules.line(name, field: "name", maxLength: TextRules.Limit.name)
        self.plate = try plate.map { try TextRules.line($0, field: "plate", maxLength: 20) }
        self.capacity = capacity
        self.depot = depot
        self.costPerKm = costPerKm
    }

    /// A vehicle read back from storage, where it went only after validation.
    public init(stored id: VehicleID, area: AreaID, name: String, plate: String?, capacity: Capacity, depot: PlaceID, costPerKm: Double) {
        self.id = id
        self.area = area
        self.name = name
        self.plate = plate
        self.capacity = capacity
        self.depot = depot
        self.costPerKm = costPerKm
    }
}

/// A driver (often a volunteer or village health volunteer, อสม.).
public struct Driver: Hashable, Sendable, Codable {
    /// The driver's code.
    public var id: DriverID
    /// The area the driver works for.
    public var area: AreaID
    /// Full name.
    public var name: String
    /// Phone number.
    public var phone: String

    /// Validates every field and creates a driver.
    public init(id: DriverID, area: AreaID, name: String, phone: String) throws {
        self.id = id
        self.area = area
        self.name = try TextRules.line(name, field: "name", maxLength: TextRules.Limit.name)
        self.phone = try TextRules.phone(phone)
    }
}

/// Who drives which vehicle on which day, from when to when, with an optional break.
public struct Shift: Hashable, Sendable, Codable {
    /// The shift's number (nil before it is stored).
    public var id: ShiftID?
    /// The driver.
    public var driver: DriverID
    /// The vehicle.
    public var vehicle: VehicleID
    /// The working day.
    public var date: LocalDate
    /// Start of work (leaving the depot).
    public var start: LocalTime
    /// End of work (back at the depot).
    public var end: LocalTime
    /// An unpaid break inside the shift, when there is one.
    public var breakStart: LocalTime?
    /// End of the break.
    public var breakEnd: LocalTime?

    /// Validates the times and creates a shift.
    public init(
        id: ShiftID? = nil, driver: DriverID, vehicle: VehicleID, date: LocalDate, start: LocalTime, end: LocalTime,
        breakStart: LocalTime? = nil, breakEnd: LocalTime? = nil
    ) throws {
        guard start < end else {
            throw PhapaiError.invalid("end", "TIME_ORDER", "the shift must end after it starts (\(start)-\(end))")
        }
        switch (breakStart, breakEnd) {
        case (nil, nil): break
        case let (from?, to?):
            guard start <= from, from < to, to <= end else {
                throw PhapaiError.invalid("break", "TIME_ORDER", "the break must lie inside the shift and end after it starts")
            }
        default:
            throw PhapaiError.invalid("break", "REQUIRED", Phrase("error.required.break"))
        }
        self.id = id
        self.driver = driver
        self.vehicle = vehicle
        self.date = date
        self.start = start
        self.end = end
        self.breakStart = breakStart
        self.breakEnd = breakEnd
    }

    /// Whether two shifts on the same day overlap in time.
    public func overlaps(_ other: Shift) -> Bool {
        date == other.date && start < other.end && other.start < end
    }
}

/// Parses the raw value of a string enum, naming the valid values when `text` is none of them.
func parseEnum<E: RawRepresentable & CaseIterable>(_ text: String, field: String) throws -> E where E.RawValue == String {
    if let value = E(rawValue: text) { return value }
    let valid = E.allCases.map(\.rawValue).joined(separator: ", ")
    throw PhapaiError.invalid(field, "INVALID_VALUE", "'\(text)' is not one of: \(valid)")
}
