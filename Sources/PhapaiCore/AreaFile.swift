import Foundation

/// An area as written in `config/areas/*.json`: the area's places, fleet, drivers, shift
/// patterns and registered patients. Decoded leniently into plain entries, then validated into
/// domain values by ``build(defaults:)`` so every error names its path (`patients[3].phone`).
public struct AreaFile: Sendable, Decodable {
    /// A place entry.
    public struct PlaceEntry: Sendable, Decodable {
        public var id: String
        public var kind: String
        public var name: String
        public var moo: Int?
        public var lat: Double
        public var lon: Double
        public var address: String?
    }

    /// A vehicle entry.
    public struct VehicleEntry: Sendable, Decodable {
        public var id: String
        public var name: String
        public var plate: String?
        public var seats: Int
        public var wheelchairs: Int?
        public var stretchers: Int?
        public var foldSeats: Int?
        public var depot: String
        public var costPerKm: Double
    }

    /// A driver entry.
    public struct DriverEntry: Sendable, Decodable {
        public var id: String
        public var name: String
        public var phone: String
    }

    /// A weekly shift pattern, expanded into dated shifts over the booking horizon.
    public struct ShiftPatternEntry: Sendable, Decodable {
        public var driver: String
        public var vehicle: String
        public var weekdays: String
        public var start: String
        public var end: String
        public var breakStart: String?
        public var breakEnd: String?
    }

    /// A patient entry. `home` gives the house's coordinates; without it the village is the pickup.
    public struct PatientEntry: Sendable, Decodable {
        public struct Home: Sendable, Decodable {
            public var lat: Double
            public var lon: Double
        }
        public var id: String
        public var name: String
        public var phone: String
        public var village: String
        public var home: Home?
        public var address: String?
        public var mobility: String
        public var companions: Int?
        public var entitlement: String
        public var registeredOn: String
        public var notes: String?
    }

    /// The travel model entry.
    public struct TravelEntry: Sendable, Decodable {
        public var circuityFactor: Double
        public var averageSpeedKmh: Double
    }

    public var id: String
    public var name: String
    /// Put before every code of the file when it is loaded (`T002-` makes `P004` `T002-P004`):
    /// codes are unique in a database, so each area of a province has its own prefix.
    public var codePrefix: String?
    /// The pool of areas whose fleets plan as one (a district that pools its tambons' vehicles).
    public var pool: String?
    /// The language of the area's people, `th` or `en` (default `th`).
    public var language: String?
    public var utcOffsetMinutes: Int?
    public var travel: TravelEntry
    public var policies: PolicyOverrides?
    public var places: [PlaceEntry]
    public var vehicles: [VehicleEntry]
    public var drivers: [DriverEntry]
    public var shiftPatterns: [ShiftPatternEntry]?
    public var patients: [PatientEntry]?

    /// Decodes an area file, turning JSON errors into a message with the path at fault.
    public static func decode(_ data: Data, file: String) throws -> AreaFile {
        try ConfigDecoding.decode(AreaFile.self, from: data, file: file)
    }

    /// Validates every entry into domain values; the first error is thrown with its path. With a
    /// code prefix (`prefix`, else the file's `codePrefix`), every code of the file gets it, unless
    /// it starts with it already.
    public func build(defaults: Policies, prefix: String? = nil) throws -> Area {
        let areaID = try at("id") { try AreaID.parse(id, field: "id") }
        let codePrefix = try (prefix ?? self.codePrefix).map { try Area.checkPrefix($0, field: prefix == nil ? "codePrefix" : "prefix") }
        let poolName = try pool.map { name in try at("pool") { try AreaID.parse(name, field: "pool").rawValue } }
        /// A code of the file as stored: with the area's prefix.
        func code(_ raw: String) -> String {
            guard let codePrefix, !raw.hasPrefix(codePrefix) else { return raw }
            return codePrefix + raw
        }
        let areaLanguage = try language.map { try Language.parse($0, field: "language") } ?? .th
        let areaName = try at("name") { try TextRules.line(name, field: "name", maxLength: TextRules.Limit.name) }
        let offset = UTCOffset(minutes: utcOffsetMinutes ?? UTCOffset.bangkok.minutes)
        guard (-720...840).contains(offset.minutes) else {
            throw PhapaiError.invalid("utcOffsetMinutes", "OUT_OF_RANGE", "must be between -720 and 840")
        }
        let travelModel = try at("travel") {
            try TravelModel(circuityFactor: travel.circuityFactor, averageSpeedKmh: travel.averageSpeedKmh)
        }
        let mergedPolicies = defaults.merging(policies)
        try at("policies") { try mergedPolicies.validate() }

        var builtPlaces: [Place] = []
        for (index, entry) in places.enumerated() {
            builtPlaces.append(
                try at("places[\(index)]") {
                    try Place(
                        id: PlaceID.parse(code(entry.id), field: "id"), area: areaID, kind: PlaceKind.parse(entry.kind),
                        name: entry.name, moo: entry.moo,
                        coordinate: Coordinate(latitude: entry.lat, longitude: entry.lon), address: entry.address)
                })
        }
        var builtVehicles: [Vehicle] = []
        for (index, entry) in vehicles.enumerated() {
            builtVehicles.append(
                try at("vehicles[\(index)]") {
                    try Vehicle(
                        id: VehicleID.parse(code(entry.id), field: "id"), area: areaID, name: entry.name, plate: entry.plate,
                        capacity: Capacity(
                            seats: entry.seats, wheelchairs: entry.wheelchairs ?? 0, stretchers: entry.stretchers ?? 0,
                            seatsPerFoldedWheelchair: entry.foldSeats ?? 0),
                        depot: PlaceID.parse(code(entry.depot), field: "depot"), costPerKm: entry.costPerKm)
                })
        }
        var builtDrivers: [Driver] = []
        for (index, entry) in drivers.enumerated() {
            builtDrivers.append(
                try at("drivers[\(index)]") {
                    try Driver(id: DriverID.parse(code(entry.id), field: "id"), area: areaID, name: entry.name, phone: entry.phone)
                })
        }
        var patterns: [ShiftPattern] = []
        for (index, entry) in (shiftPatterns ?? []).enumerated() {
            patterns.append(
                try at("shiftPatterns[\(index)]") {
                    let start = try LocalTime.parse(entry.start, field: "start")
                    let end = try LocalTime.parse(entry.end, field: "end")
                    let breakStart = try entry.breakStart.map { try LocalTime.parse($0, field: "breakStart") }
                    let breakEnd = try entry.breakEnd.map { try LocalTime.parse($0, field: "breakEnd") }
                    let driver = try DriverID.parse(code(entry.driver), field: "driver")
                    let vehicle = try VehicleID.parse(code(entry.vehicle), field: "vehicle")
                    // Validates the times once, on an arbitrary day.
                    _ = try Shift(
                        driver: driver, vehicle: vehicle, date: LocalDate(dayNumber: 0), start: start, end: end,
                        breakStart: breakStart, breakEnd: breakEnd)
                    return ShiftPattern(
                        driver: driver, vehicle: vehicle, weekdays: try Weekday.parseSet(entry.weekdays, field: "weekdays"),
                        start: start, end: end, breakStart: breakStart, breakEnd: breakEnd)
                })
        }
        var builtPatients: [(Patient, Place?)] = []
        for (index, entry) in (patients ?? []).enumerated() {
            builtPatients.append(
                try at("patients[\(index)]") {
                    let patientID = try PatientID.parse(code(entry.id), field: "id")
                    let village = try PlaceID.parse(code(entry.village), field: "village")
                    var homePlace: Place?
                    if let home = entry.home {
                        homePlace = try Place(
                            id: PlaceID.parse(code("HOME-\(entry.id)"), field: "id"), area: areaID, kind: .home,
                            name: homeName(village: builtPlaces.first { $0.id == village }), coordinate: Coordinate(latitude: home.lat, longitude: home.lon),
                            address: nil)
                    }
                    let patient = try Patient(
                        id: patientID, area: areaID, name: entry.name, phone: entry.phone, home: homePlace?.id ?? village,
                        village: village, address: entry.address, mobility: Mobility.parse(entry.mobility),
                        companions: entry.companions ?? 1, entitlement: Entitlement.parse(entry.entitlement),
                        registeredOn: LocalDate.parse(entry.registeredOn, field: "registeredOn"), notes: entry.notes)
                    return (patient, homePlace)
                })
        }
        var area = Area(
            id: areaID, name: areaName, offset: offset, travel: travelModel, policies: mergedPolicies,
            places: builtPlaces, vehicles: builtVehicles, drivers: builtDrivers, shiftPatterns: patterns,
            patients: builtPatients.map(\.0), homes: builtPatients.compactMap(\.1))
        area.codePrefix = codePrefix
        area.pool = poolName
        area.language = areaLanguage
        return area
    }

    /// A home's name says where it is, not whose it is: "บ้านผู้ป่วย ม.4 บ้านหนองบัว".
    private func homeName(village: Place?) -> String {
        guard let village else { return "บ้านผู้ป่วย" }
        return "บ้านผู้ป่วย " + (village.moo.map { "ม.\($0) " } ?? "") + village.name
    }

    private func at<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as PhapaiError {
            error.field = error.field.map { "\(path).\($0)" } ?? path
            throw error
        }
    }
}

/// A weekly pattern of shifts (driver D drives vehicle V Mon-Fri 07:00-16:00).
public struct ShiftPattern: Hashable, Sendable {
    public var driver: DriverID
    public var vehicle: VehicleID
    public var weekdays: [Weekday]
    public var start: LocalTime
    public var end: LocalTime
    public var breakStart: LocalTime?
    public var breakEnd: LocalTime?

    /// Creates a value from all its fields.
    public init(driver: DriverID, vehicle: VehicleID, weekdays: [Weekday], start: LocalTime, end: LocalTime, breakStart: LocalTime?, breakEnd: LocalTime?) {
        self.driver = driver
        self.vehicle = vehicle
        self.weekdays = weekdays
        self.start = start
        self.end = end
        self.breakStart = breakStart
        self.breakEnd = breakEnd
    }

    /// The dated shift on `date`, if the pattern works that day.
    public func shift(on date: LocalDate) -> Shift? {
        guard weekdays.contains(date.weekday) else { return nil }
        return try? Shift(
            driver: driver, vehicle: vehicle, date: date, start: start, end: end, breakStart: breakStart, breakEnd: breakEnd)
    }
}

/// A validated area, ready to store.
public struct Area: Sendable {
    public var id: AreaID
    public var name: String
    public var offset: UTCOffset
    public var travel: TravelModel
    public var policies: Policies
    public var places: [Place]
    public var vehicles: [Vehicle]
    public var drivers: [Driver]
    public var shiftPatterns: [ShiftPattern]
    public var patients: [Patient]
    /// Home places created for patients whose file entry gives house coordinates.
    public var homes: [Place]
    /// What every code of the area begins with, when it has a prefix.
    public var codePrefix: String?
    /// The pool of areas it plans with, when its fleet is pooled.
    public var pool: String?
    /// The language its people read by default.
    public var language: Language = .th

    /// Checks a code prefix: 1-16 characters of the code alphabet, ending in `-`, `_` or `.` so
    /// that it reads apart from the code after it.
    public static func checkPrefix(_ text: String, field: String) throws -> String {
        guard text.utf8.count <= 16, AreaID.isValidCode(text), let last = text.last, "-_.".contains(last) else {
            throw PhapaiError.invalid(
                field, "INVALID_PREFIX", "a code prefix is 2-16 characters of letters, digits, '_', '-' or '.', starting with a letter or digit and ending in '-', '_' or '.'")
        }
        return text
    }

    /// Creates a value from all its fields.
    public init(id: AreaID, name: String, offset: UTCOffset, travel: TravelModel, policies: Policies, places: [Place], vehicles: [Vehicle], drivers: [Driver], shiftPatterns: [ShiftPattern], patients: [Patient], homes: [Place]) {
        self.id = id
        self.name = name
        self.offset = offset
        self.travel = travel
        self.policies = policies
        self.places = places
        self.vehicles = vehicles
        self.drivers = drivers
        self.shiftPatterns = shiftPatterns
        self.patients = patients
        self.homes = homes
    }
}

/// Decodes JSON configuration, turning `DecodingError` into a ``PhapaiError`` naming the path.
public enum ConfigDecoding {
    /// Decodes `type` from `data`; `file` names the source in errors.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, file: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            let (field, reason) = describe(error)
            throw PhapaiError.invalid(field.isEmpty ? file : "\(file): \(field)", "INVALID_CONFIG", reason)
        }
    }

    /// Decodes `type` from `data` strictly: a key that `shape` does not know is refused first
    /// (`UNKNOWN_KEY`, naming its path and the nearest known key), so a misspelt key is never
    /// silently ignored; then the decoder's errors follow. Errors name the path alone
    /// (`tambons[0].fleet[1].seats`), or `file` when the whole document is at fault.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, shape: ConfigShape, file: String) throws -> T {
        // Malformed JSON gets no tree here; the decoder below names the fault.
        if let tree = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]), let error = shape.unknownKey(in: tree) {
            throw error
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            let (field, reason) = describe(error)
            throw PhapaiError.invalid(field.isEmpty ? file : field, "INVALID_CONFIG", reason)
        }
    }

    /// The path of a decoding error (`demand[0].companions`, empty for the whole document) and its reason.
    private static func describe(_ error: DecodingError) -> (field: String, reason: String) {
        let (path, reason): ([any CodingKey], String)
        switch error {
        case .keyNotFound(let key, let context): (path, reason) = (context.codingPath + [key], "is required")
        case .typeMismatch(let type, let context): (path, reason) = (context.codingPath, "must be a \(type)")
        case .valueNotFound(let type, let context): (path, reason) = (context.codingPath, "must be a \(type), not null")
        case .dataCorrupted(let context): (path, reason) = (context.codingPath, context.debugDescription)
        @unknown default: (path, reason) = ([], "is malformed")
        }
        let field = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        return (field, reason)
    }
}
