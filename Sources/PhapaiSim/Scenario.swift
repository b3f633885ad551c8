import Foundation
import PhapaiCore

/// A planner's scenario (simulations/README.md): the area, fleets and shifts, demand per patient
/// type, behaviour, policies and seed.
public struct Scenario: Sendable, Decodable {
    /// A point given by latitude and longitude.
    public struct Point: Sendable, Decodable {
        public var lat: Double
        public var lon: Double

        enum CodingKeys: String, CodingKey, CaseIterable { case lat, lon }
        static let shape = ConfigShape.object(CodingKeys.self)
    }

    /// A village with its หมู่ที่ number and population.
    public struct Village: Sendable, Decodable {
        public var id: String
        public var name: String
        public var moo: Int
        public var lat: Double
        public var lon: Double
        public var population: Int

        enum CodingKeys: String, CodingKey, CaseIterable { case id, name, moo, lat, lon, population }
        static let shape = ConfigShape.object(CodingKeys.self)
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

        enum CodingKeys: String, CodingKey, CaseIterable { case id, name, lat, lon, opens, closes, level }
        static let shape = ConfigShape.object(CodingKeys.self)
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
        /// Baht a day the vehicle is in service (fuel aside): depreciation, insurance, upkeep.
        public var costPerDay: Double?
        /// Baht a day for its driver.
        public var driverCostPerDay: Double?
        public var shift: String
        public var breakTime: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case name, count, seats, wheelchairs, stretchers, foldSeats, costPerKm, costPerDay, driverCostPerDay, shift, breakTime }
        static let shape = ConfigShape.object(CodingKeys.self)
    }

    /// One tambon: its villages, depot and fleet.
    public struct Tambon: Sendable, Decodable {
        public var id: String
        public var name: String
        public var depot: Point
        public var villages: [Village]
        public var fleet: [VehicleKind]

        enum CodingKeys: String, CodingKey, CaseIterable { case id, name, depot, villages, fleet }
        static let shape = ConfigShape.object(CodingKeys.self, [.depot: Point.shape, .villages: .array(Village.shape), .fleet: .array(VehicleKind.shape)])
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

        enum CodingKeys: String, CodingKey, CaseIterable { case count, centre, radiusKm, villagesPerTambon, populationPerVillage, fleet }
        static let shape = ConfigShape.object(
            CodingKeys.self, [.centre: Point.shape, .villagesPerTambon: .array(.value), .populationPerVillage: .array(.value), .fleet: .array(VehicleKind.shape)])
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

        enum CodingKeys: String, CodingKey, CaseIterable {
            case type, patientsPer1000, advancePerPatientPerWeek, sameDayPerPatientPerWeek, appointmentHours, hospitals, returnShare, willCallShare,
                clinicMinutes, companions, mobility
        }
        static let shape = ConfigShape.object(
            CodingKeys.self, [.appointmentHours: .map(.value), .hospitals: .map(.value), .companions: .array(.value), .mobility: .map(.value)])

        /// The registered patients of this type in a village of `population` (rounded to the nearest).
        func patients(population: Int) -> Int {
            Int((Double(population) * patientsPer1000 / 1000).rounded())
        }
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

        enum CodingKeys: String, CodingKey, CaseIterable {
            case travelTimeNoise, clinicDelayMinutes, noShowRate, advanceCancellationRate, sameDayCancellationRate
        }
        static let shape = ConfigShape.object(CodingKeys.self)
    }

    /// A request given exactly (tests and worked examples): on service day `day` (0-based), for
    /// the first patient of `type` in `village` (a village id of ``tambons``).
    public struct FixedRequest: Sendable, Decodable {
        public var day: Int
        public var village: String
        public var type: String
        public var hospital: String
        public var appointment: String
        /// A fixed return at this time; or `willCall`; or neither for a one-way trip.
        public var returnAt: String?
        public var willCall: Bool?
        /// Relatives travelling along; the patient's usual number when nil.
        public var companions: Int?

        enum CodingKeys: String, CodingKey, CaseIterable { case day, village, type, hospital, appointment, returnAt, willCall, companions }
        static let shape = ConfigShape.object(CodingKeys.self)
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

        enum CodingKeys: String, CodingKey, CaseIterable { case circuityFactor, averageSpeedKmh, matrix, matrixFormat, matrixPlaces }
        static let shape = ConfigShape.object(CodingKeys.self, [.matrixPlaces: .array(.value)])
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, seed, startDate, serviceDays, holidays, travel, policies, tambons, generatedTambons, hospitals, fleets, demand,
            behaviour, fixedRequests, planIterations
    }

    /// What a scenario file may hold: every key of every object (strict decoding refuses others).
    static let shape = ConfigShape.object(CodingKeys.self, [
        .travel: TravelEntry.shape, .policies: PolicyOverrides.shape, .tambons: .array(Tambon.shape), .generatedTambons: GeneratedTambons.shape,
        .hospitals: .array(Hospital.shape), .fleets: .array(.value), .demand: .array(Demand.shape), .behaviour: Behaviour.shape,
        .fixedRequests: .array(FixedRequest.shape),
    ])

    /// Reads and checks a scenario file (``decode(_:file:)``).
    public static func load(_ path: String) throws -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PhapaiError.notFound("scenario", "NO_FILE", "cannot read \(path)")
        }
        return try decode(data, file: path)
    }

    /// Decodes a scenario strictly (a key the format does not know is an error, naming its path
    /// and the nearest known key) and checks it (``validate()``); `file` names the document in an
    /// error about the whole of it.
    public static func decode(_ data: Data, file: String) throws -> Scenario {
        let scenario = try ConfigDecoding.decode(Scenario.self, from: data, shape: shape, file: file)
        try scenario.validate()
        return scenario
    }
}
