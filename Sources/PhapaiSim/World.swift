import Foundation
import PhapaiCore
import PhapaiScheduler

/// A patient of the simulated population, with where they live and what kind of patient they are.
struct SimPatient: Sendable {
    var patient: Patient
    var tambon: String
    var village: PlaceID
    var type: String
}

/// One service area as simulated: one database, one fleet (a tambon's, or a pooled district's).
struct SimArea: Sendable {
    var area: Area
    var tambonNames: [String: String]
    var villages: [Scenario.Village]
    /// The village place ids, in the order of `villages`.
    var villagePlaces: [PlaceID]
    var villageTambon: [PlaceID: String]
    var patients: [SimPatient]
    /// The entries of the scenario's road matrix between this area's places.
    var matrix: [MatrixEntry] = []
    /// Each vehicle's daily shift and break.
    var shifts: [VehicleID: (driver: DriverID, start: LocalTime, end: LocalTime, breakStart: LocalTime?, breakEnd: LocalTime?)]
    /// Each vehicle's cost of a day in service: the vehicle's own and its driver's.
    var costPerDay: [VehicleID: Double] = [:]
    /// Each vehicle's kind, by its name in the scenario.
    var kindName: [VehicleID: String] = [:]
}

/// Builds the simulated world of a scenario: its tambons, and the service areas of one variant.
struct World {
    let scenario: Scenario
    let tambons: [Scenario.Tambon]
    /// The days not simulated (read here, so that a bad calendar stops the run before it starts).
    let holidays: HolidayCalendar
    /// The scenario's road matrix, checked against every place of the scenario.
    let matrix: [MatrixEntry]

    /// The world of `scenario`, checked first (``Scenario/validate()``): what follows relies on
    /// its rules (ranges that run forward, counts that are not negative, one kind of tambons).
    init(_ scenario: Scenario) throws {
        try scenario.validate()
        self.scenario = scenario
        tambons = scenario.tambons ?? World.generate(scenario.generatedTambons!, seed: scenario.seed)
        holidays = try scenario.holidayCalendar()
        let everywhere = try AreaID.parse("pooled", field: "tambons.id")
        let known = try World.places(tambons, of: scenario, area: everywhere)
        matrix = try scenario.travelMatrix(known: Dictionary(known.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }))
    }

    /// The places of `group` in area `areaID`, with the ids trips.csv and a road matrix use: the
    /// scenario's hospitals, then each tambon's depot (`TAMBON-DEPOT`) and villages (`TAMBON-VILLAGE`).
    static func places(_ group: [Scenario.Tambon], of scenario: Scenario, area areaID: AreaID) throws -> [Place] {
        var places: [Place] = []
        for hospital in scenario.hospitals {
            places.append(try Place(
                id: PlaceID.parse(hospital.id, field: "hospitals.id"), area: areaID, kind: .hospital, name: hospital.name,
                coordinate: Coordinate(latitude: hospital.lat, longitude: hospital.lon)))
        }
        for tambon in group {
            places.append(try Place(
                id: PlaceID.parse("\(tambon.id)-DEPOT", field: "tambons.id"), area: areaID, kind: .depot, name: "โรงจอดรถ \(tambon.name)",
                coordinate: Coordinate(latitude: tambon.depot.lat, longitude: tambon.depot.lon)))
            for village in tambon.villages {
                places.append(try Place(
                    id: PlaceID.parse("\(tambon.id)-\(village.id)", field: "villages.id"), area: areaID, kind: .village, name: village.name,
                    moo: village.moo, coordinate: Coordinate(latitude: village.lat, longitude: village.lon)))
            }
        }
        return places
    }

    /// The areas of `variant` (`separate`: one per tambon; `pooled`: one for all), each tambon's
    /// fleet cut or grown to `fleetSize` vehicles when given.
    func areas(variant: String, fleetSize: Int? = nil) throws -> [SimArea] {
        let groups = variant == "pooled" ? [tambons] : tambons.map { [$0] }
        return try groups.enumerated().map { index, group in
            try area(group, id: variant == "pooled" ? "pooled" : group[0].id, seed: World.seed(scenario.seed, 1), fleetSize: fleetSize)
        }
    }

    private func area(_ group: [Scenario.Tambon], id: String, seed: UInt64, fleetSize: Int?) throws -> SimArea {
        let areaID = try AreaID.parse(id, field: "tambons.id")
        let policies = Policies.defaults.merging(scenario.policies)
        let places = try World.places(group, of: scenario, area: areaID)
        var vehicles: [Vehicle] = []
        var drivers: [Driver] = []
        var patients: [SimPatient] = []
        var villages: [Scenario.Village] = []
        var villagePlaces: [PlaceID] = []
        var villageTambon: [PlaceID: String] = [:]
        var shifts: [VehicleID: (driver: DriverID, start: LocalTime, end: LocalTime, breakStart: LocalTime?, breakEnd: LocalTime?)] = [:]
        var costPerDay: [VehicleID: Double] = [:]
        var kindName: [VehicleID: String] = [:]
        for tambon in group {
            let depot = try PlaceID.parse("\(tambon.id)-DEPOT", field: "tambons.id")
            for village in tambon.villages {
                let placeID = try PlaceID.parse("\(tambon.id)-\(village.id)", field: "villages.id")
                villages.append(village)
                villagePlaces.append(placeID)
                villageTambon[placeID] = tambon.id
                for (typeIndex, demand) in scenario.demand.enumerated() {
                    // Seeded by the village and the type, not the area nor the other types: pooled and
                    // separate fleets serve the same people, and a scenario that changes one type's
                    // numbers (twice the dialysis patients) keeps every other type's people as they were.
                    var random = SeededGenerator(seed: World.seed(seed, World.stableHash(placeID.rawValue), World.stableHash(demand.type)))
                    let count = demand.patients(population: village.population)
                    for number in 0..<count {
                        let mobility = Mobility(rawValue: World.pick(demand.mobility, &random)) ?? .ambulatory
                        // At most maxCompanions + 1 probabilities (validated): the draw is the number itself.
                        let companions = World.pickIndex(demand.companions, &random)
                        let patient = try Patient(
                            id: PatientID.parse("\(placeID.rawValue)-\(typeIndex)-\(number)", field: "patient"), area: areaID,
                            name: "ผู้ป่วยจำลอง \(village.name) \(number + 1)", phone: "0800000000", home: placeID, village: placeID,
                            address: nil, mobility: mobility, companions: min(companions, Patient.maxCompanions), entitlement: .tambonHealthFund,
                            registeredOn: LocalDate(year: 2024, month: 1, day: 1)!, notes: nil)
                        patients.append(SimPatient(patient: patient, tambon: tambon.id, village: placeID, type: demand.type))
                    }
                }
            }
            // The fleet, cut or grown (its kinds in turn) to the asked size.
            var kinds: [Scenario.VehicleKind] = tambon.fleet.flatMap { Array(repeating: $0, count: $0.count ?? 1) }
            if let fleetSize, !kinds.isEmpty {
                kinds = (0..<fleetSize).map { kinds[$0 % kinds.count] }
            }
            for (number, kind) in kinds.enumerated() {
                let vehicleID = try VehicleID.parse("\(tambon.id)-V\(number + 1)", field: "fleet")
                vehicles.append(try Vehicle(
                    id: vehicleID, area: areaID, name: "\(kind.name) \(number + 1)", plate: nil,
                    capacity: Capacity(seats: kind.seats, wheelchairs: kind.wheelchairs ?? 0, stretchers: kind.stretchers ?? 0,
                                       seatsPerFoldedWheelchair: kind.foldSeats ?? 0),
                    depot: depot, costPerKm: kind.costPerKm))
                let driverID = try DriverID.parse("\(tambon.id)-D\(number + 1)", field: "fleet")
                drivers.append(try Driver(id: driverID, area: areaID, name: "คนขับจำลอง \(number + 1)", phone: "0800000001"))
                let (start, end) = try World.span(kind.shift, field: "fleet.shift")
                let pause = try kind.breakTime.map { try World.span($0, field: "fleet.breakTime") }
                shifts[vehicleID] = (driverID, start, end, pause?.0, pause?.1)
                costPerDay[vehicleID] = (kind.costPerDay ?? 0) + (kind.driverCostPerDay ?? 0)
                kindName[vehicleID] = kind.name
            }
        }
        let area = Area(
            id: areaID, name: group.count == 1 ? group[0].name : "รวม \(group.count) ตำบล", offset: .bangkok,
            travel: try TravelModel(circuityFactor: scenario.travel.circuityFactor, averageSpeedKmh: scenario.travel.averageSpeedKmh),
            policies: policies, places: places, vehicles: vehicles, drivers: drivers, shiftPatterns: [],
            patients: patients.map(\.patient), homes: [])
        let own = Set(places.map(\.id))
        return SimArea(
            area: area, tambonNames: Dictionary(uniqueKeysWithValues: group.map { ($0.id, $0.name) }), villages: villages,
            villagePlaces: villagePlaces, villageTambon: villageTambon, patients: patients,
            matrix: matrix.filter { own.contains($0.from) && own.contains($0.to) }, shifts: shifts, costPerDay: costPerDay, kindName: kindName)
    }

    /// `HH:MM-HH:MM`, ending after it starts.
    static func span(_ text: String, field: String) throws -> (LocalTime, LocalTime) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        // Either half's own error would hide that the whole is malformed; say what is expected.
        guard parts.count == 2, let start = try? LocalTime.parse(parts[0], field: field), let end = try? LocalTime.parse(parts[1], field: field) else {
            throw PhapaiError.invalid(field, "INVALID_TIME", "'\(text)' is not HH:MM-HH:MM")
        }
        guard start < end else { throw PhapaiError.invalid(field, "TIME_ORDER", "'\(text)' ends before it starts") }
        return (start, end)
    }

    /// A seed for one part of the run, from the scenario's seed and the part's coordinates.
    static func seed(_ base: UInt64, _ parts: Int...) -> UInt64 {
        parts.reduce(base) { ($0 ^ UInt64(truncatingIfNeeded: $1 + 1)) &* 0x9E37_79B9_7F4A_7C15 }
    }

    /// The seed of one area's run in one variant: from the scenario's seed, the variant's name and
    /// the area's id, so that a variant's results do not depend on the variants listed before it.
    static func areaSeed(_ seed: UInt64, variant: String, area: SimArea) -> UInt64 {
        World.seed(seed, 4, stableHash(variant), stableHash(area.area.id.rawValue))
    }

    /// FNV-1a of a text: a seed part that does not depend on the order things are visited in.
    static func stableHash(_ text: String) -> Int {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Int(truncatingIfNeeded: hash >> 1)
    }

    /// A key drawn by weight (keys in sorted order, so a seed always gives the same draw).
    static func pick(_ weights: [String: Double], _ random: inout SeededGenerator) -> String {
        let keys = weights.keys.sorted()
        return keys[pickIndex(keys.map { weights[$0]! }, &random)]
    }

    /// An index drawn by weight.
    static func pickIndex(_ weights: [Double], _ random: inout SeededGenerator) -> Int {
        let total = weights.reduce(0, +)
        guard total > 0 else { return 0 }
        var draw = random.unit() * total
        for (index, weight) in weights.enumerated() {
            draw -= weight
            if draw < 0 { return index }
        }
        // Rounding may leave a sliver of the draw: it goes to the last weight that can be drawn, never to one of weight 0.
        return weights.lastIndex { $0 > 0 } ?? weights.count - 1
    }

    /// A Poisson count with the given mean (Knuth's method; means here are small).
    static func poisson(_ mean: Double, _ random: inout SeededGenerator) -> Int {
        guard mean > 0 else { return 0 }
        if mean > 30 { return max(0, Int((mean + mean.squareRoot() * normal(&random)).rounded())) }
        let limit = exp(-mean)
        var product = random.unit()
        var count = 0
        while product > limit {
            count += 1
            product *= random.unit()
        }
        return count
    }

    /// A standard normal draw (Box-Muller).
    static func normal(_ random: inout SeededGenerator) -> Double {
        let u = max(random.unit(), 1e-12)
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * random.unit())
    }

    static let syllablesA = ["นา", "ควน", "หนอง", "ท่า", "โคก", "ทุ่ง", "บาง", "คลอง", "วัง", "ห้วย", "โพธิ์", "ดอน"]
    static let syllablesB = ["ทอง", "หิน", "ม่วง", "บัว", "ช้าง", "ใหญ่", "ยาง", "ไทร", "งาม", "เหนือ", "ใต้", "กลาง", "แก้ว", "สะอาด"]

    /// Tambons laid out from the seed: centres spread over the region, villages within 5 km of
    /// their tambon's centre, the depot at the centre, Thai names from common syllables.
    static func generate(_ spec: Scenario.GeneratedTambons, seed: UInt64) -> [Scenario.Tambon] {
        var random = SeededGenerator(seed: World.seed(seed, 0))
        /// A whole number in `[min, max]` (validated: min <= max).
        func between(_ range: [Int]) -> Int {
            range[0] + random.below(range[1] - range[0] + 1)
        }
        let kmPerDegree = 111.32
        let lonScale = cos(spec.centre.lat * Double.pi / 180)
        var tambons: [Scenario.Tambon] = []
        for index in 0..<spec.count {
            let centre = Scenario.Point(
                lat: spec.centre.lat + (random.unit() * 2 - 1) * spec.radiusKm / kmPerDegree,
                lon: spec.centre.lon + (random.unit() * 2 - 1) * spec.radiusKm / (kmPerDegree * lonScale))
            let name = syllablesA[index % syllablesA.count] + syllablesB[(index / syllablesA.count + index) % syllablesB.count]
            var villages: [Scenario.Village] = []
            for moo in 1...between(spec.villagesPerTambon) {
                let angle = random.unit() * 2 * Double.pi
                let distance = 0.5 + random.unit() * 4.5
                villages.append(Scenario.Village(
                    id: String(format: "V%02d", moo),
                    name: "บ้าน" + syllablesA[random.below(syllablesA.count)] + syllablesB[random.below(syllablesB.count)],
                    moo: moo, lat: centre.lat + sin(angle) * distance / kmPerDegree,
                    lon: centre.lon + cos(angle) * distance / (kmPerDegree * lonScale), population: between(spec.populationPerVillage)))
            }
            tambons.append(Scenario.Tambon(
                id: String(format: "T%03d", index + 1), name: "ตำบล" + name, depot: centre, villages: villages, fleet: spec.fleet))
        }
        return tambons
    }
}
