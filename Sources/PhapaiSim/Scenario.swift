import Foundation
import PhapaiCore

/// A planner's scenario (simulations/README.md): the area, fleets and shifts, demand per patient
/// type, behaviour, policies and seed.
public struct Scenario: Sendable, Decodable {
    /// A point given by latitude and longitude.
    public struct Point: Sendable, Decodable {
        public var lat: Double
        public var lon: Double
    }

    /// A village with its หมู่ที่ number and population.
    public struct Village: Sendable, Decodable {
        public var id: String
        public var name: String
        public var moo: Int
        public var lat: Double
        public var lon: Double
        public var population: Int
    }

    /// A hospital and its clinic hours (appointments fall inside them).
    public struct Hospital: Sendable, Decodable {
        public var id: String
        public var name: String
        public var lat: Double
        public var lon: Double
        public var opens: String
        public var closes: String
        /// `community` or `provincial`: `nearest` in a demand's hospitals means the nearest community hospital.
        public var level: String?
    }

    /// A kind of vehicle, `count` of them, each with the same daily shift.
    public struct VehicleKind: Sendable, Decodable {
        public var name: String
        public var count: Int?
        public var seats: Int
        public var wheelchairs: Int?
        public var stretchers: Int?
        public var foldSeats: Int?
        public var costPerKm: Double
        public var shift: String
        public var breakTime: String?
    }

    /// One tambon: its villages, depot and fleet.
    public struct Tambon: Sendable, Decodable {
        public var id: String
        public var name: String
        public var depot: Point
        public var villages: [Village]
        public var fleet: [VehicleKind]
    }

    /// Tambons laid out by the simulator from the seed, for scenarios too large to write out.
    public struct GeneratedTambons: Sendable, Decodable {
        public var count: Int
        /// The middle of the region, and its half-width in kilometres.
        public var centre: Point
        public var radiusKm: Double
        public var villagesPerTambon: [Int]
        public var populationPerVillage: [Int]
        public var fleet: [VehicleKind]
    }

    /// Demand of one patient type.
    public struct Demand: Sendable, Decodable {
        /// `elderly`, `bedridden`, `wheelchair`, `dialysis`, `cancer`, ...
        public var type: String
        /// Registered patients of this type per 1,000 people.
        public var patientsPer1000: Double
        /// Trips booked a day or more ahead, per patient per week.
        public var advancePerPatientPerWeek: Double
        /// Trips asked for on the day, per patient per week.
        public var sameDayPerPatientPerWeek: Double
        /// Weights of appointment hours, e.g. {"8": 3, "9": 2}.
        public var appointmentHours: [String: Double]
        /// Weights of the hospitals they go to; `nearest` is the community hospital nearest the village.
        public var hospitals: [String: Double]
        /// Share of trips with a return, and of those the share that is will-call.
        public var returnShare: Double
        public var willCallShare: Double
        /// Minutes at the clinic before a return (fixed returns are booked for then).
        public var clinicMinutes: Int
        /// Probabilities of 0, 1, 2, ... companions.
        public var companions: [Double]
        /// Weights of `ambulatory`, `wheelchair`, `stretcher`.
        public var mobility: [String: Double]
    }

    /// How people and roads behave.
    public struct Behaviour: Sendable, Decodable {
        /// Standard deviation of actual over planned travel time (0.15: about 15%).
        public var travelTimeNoise: Double
        /// Mean minutes a clinic runs late before a will-call patient is ready (exponential).
        public var clinicDelayMinutes: Double
        public var noShowRate: Double
        /// Share of advance bookings cancelled the day before, and of the day's trips cancelled on the day.
        public var advanceCancellationRate: Double
        public var sameDayCancellationRate: Double
    }

    /// A request given exactly (tests and worked examples): on service day `day` (0-based).
    public struct FixedRequest: Sendable, Decodable {
        public var day: Int
        public var village: String
        public var type: String
        public var hospital: String
        public var appointment: String
        public var returnAt: String?
        public var willCall: Bool?
        public var mobility: String?
        public var companions: Int?
    }

    public var name: String
    public var description: String?
    public var seed: UInt64
    /// The first day simulated (then the following service days).
    public var startDate: String
    /// Days with service (default mon-fri).
    public var serviceDays: String?
    /// The holiday calendar whose days are not simulated: a file relative to the working
    /// directory (default config/holidays-th.csv), or `none`.
    public var holidays: String?
    public var travel: TravelEntry
    public var policies: PolicyOverrides?
    public var tambons: [Tambon]?
    public var generatedTambons: GeneratedTambons?
    public var hospitals: [Hospital]
    /// `separate` (each tambon its own fleet), `pooled` (one fleet for all), or both to compare.
    public var fleets: [String]?
    public var demand: [Demand]
    public var behaviour: Behaviour
    public var fixedRequests: [FixedRequest]?
    /// Scheduler iterations per day plan (a fixed count, so that a seed gives the same plans).
    public var planIterations: Int?

    /// The road model, and an imported road matrix used where it has the pair.
    public struct TravelEntry: Sendable, Decodable {
        public var circuityFactor: Double
        public var averageSpeedKmh: Double
        /// A travel-time matrix file (relative to the working directory) as production imports
        /// it, keyed by the simulator's place ids: hospital ids, `TAMBON-DEPOT`, `TAMBON-VILLAGE`.
        public var matrix: String?
        /// `csv` (`from,to,seconds[,meters]`) or `osrm` (an OSRM `table` response); by default
        /// `osrm` for a `.json` file, else `csv`.
        public var matrixFormat: String?
        /// For an OSRM table: the place ids of its rows and columns, in order (without them, the
        /// place within 500 m of each snapped waypoint).
        public var matrixPlaces: [String]?
    }

    /// Reads and checks a scenario file.
    public static func load(_ path: String) throws -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PhapaiError.notFound("scenario", "NO_FILE", "cannot read \(path)")
        }
        let scenario = try ConfigDecoding.decode(Scenario.self, from: data, file: path)
        try scenario.validate()
        return scenario
    }

    /// Refuses what cannot be simulated, naming the field and the rule.
    public func validate() throws {
        func rule(_ ok: Bool, _ field: String, _ message: String) throws {
            if !ok { throw PhapaiError.invalid(field, "INVALID_SCENARIO", message) }
        }
        _ = try LocalDate.parse(startDate, field: "startDate")
        _ = try Weekday.parseSet(serviceDays ?? "mon-fri", field: "serviceDays")
        try rule(holidays.map { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? true, "holidays", "names a calendar file, or none")
        _ = try TravelModel(circuityFactor: travel.circuityFactor, averageSpeedKmh: travel.averageSpeedKmh)
        try rule(travel.matrix.map { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? true, "travel.matrix", "names a matrix file")
        try rule(travel.matrixFormat.map { ["csv", "osrm"].contains($0) } ?? true, "travel.matrixFormat", "is csv or osrm")
        try rule(travel.matrix != nil || (travel.matrixFormat == nil && travel.matrixPlaces == nil), "travel.matrix",
                 "matrixFormat and matrixPlaces go with a matrix file")
        try rule(travel.matrixPlaces.map { !$0.isEmpty } ?? true, "travel.matrixPlaces", "lists the place ids of the table's rows")
        try rule((tambons?.isEmpty == false) != (generatedTambons != nil), "tambons", "give either tambons or generatedTambons")
        try rule(!hospitals.isEmpty, "hospitals", "at least one hospital")
        for (index, hospital) in hospitals.enumerated() {
            let opens = try LocalTime.parse(hospital.opens, field: "hospitals[\(index)].opens")
            let closes = try LocalTime.parse(hospital.closes, field: "hospitals[\(index)].closes")
            try rule(opens < closes, "hospitals[\(index)]", "a clinic closes after it opens")
        }
        for variant in fleets ?? ["separate"] {
            try rule(["separate", "pooled"].contains(variant), "fleets", "each is 'separate' or 'pooled', not '\(variant)'")
        }
        let hospitalIDs = Set(hospitals.map(\.id))
        for (index, demand) in demand.enumerated() {
            let field = "demand[\(index)]"
            try rule(demand.patientsPer1000 >= 0 && demand.advancePerPatientPerWeek >= 0 && demand.sameDayPerPatientPerWeek >= 0,
                     field, "rates are not negative")
            try rule((0...1).contains(demand.returnShare) && (0...1).contains(demand.willCallShare), field, "shares lie in 0...1")
            try rule(!demand.appointmentHours.isEmpty && demand.appointmentHours.keys.allSatisfy { Int($0).map { (0..<24).contains($0) } ?? false },
                     "\(field).appointmentHours", "keys are hours 0-23")
            try rule(!demand.hospitals.isEmpty && demand.hospitals.keys.allSatisfy { hospitalIDs.contains($0) || $0 == "nearest" },
                     "\(field).hospitals", "names hospitals of the scenario, or nearest")
            try rule(demand.hospitals["nearest"] == nil || hospitals.contains { $0.level == "community" }, "\(field).hospitals",
                     "nearest needs a hospital with level community")
            try rule(!demand.companions.isEmpty && demand.companions.allSatisfy { $0 >= 0 }, "\(field).companions", "probabilities of 0, 1, 2, ...")
            try rule(!demand.mobility.isEmpty && demand.mobility.keys.allSatisfy { Mobility(rawValue: $0) != nil }, "\(field).mobility",
                     "weights of ambulatory, wheelchair, stretcher")
        }
        try rule((0...1).contains(behaviour.noShowRate) && (0...1).contains(behaviour.advanceCancellationRate)
                 && (0...1).contains(behaviour.sameDayCancellationRate), "behaviour", "rates lie in 0...1")
        try rule(behaviour.travelTimeNoise >= 0 && behaviour.travelTimeNoise <= 1, "behaviour.travelTimeNoise", "lies in 0...1")
        try rule(behaviour.clinicDelayMinutes >= 0, "behaviour.clinicDelayMinutes", "is not negative")
        try rule((planIterations ?? 1) > 0, "planIterations", "is positive")
    }
}

