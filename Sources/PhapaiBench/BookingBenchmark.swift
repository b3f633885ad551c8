import Foundation
import PhapaiCore
import PhapaiScheduler
import PhapaiService

/// `phapai-bench book`: how long `trip book` takes, end to end in the embedded service, into a
/// planned day of a synthetic area (SQLite file in a temporary folder, WAL, synchronous=FULL).
public enum BookingBenchmark {
    /// Runs the benchmark and prints one summary line.
    public static func run(trips: Int, vehicles: Int, probes: Int, seed: UInt64, planSeconds: Double, print: (String) -> Void) throws {
        let folder = NSTemporaryDirectory() + "phapai-bench-book-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var random = SeededGenerator(seed: seed)
        // Friday 2026-11-20 08:00 books for Monday 2026-11-23.
        let offset = UTCOffset.bangkok
        var now = try offset.parseDateTime("2026-11-20 08:00", field: "now")
        let service = try PhapaiService.open(path: folder + "/bench.db", create: true, actor: "bench", clock: { now })
        let area = try syntheticArea(vehicles: vehicles, patients: trips + probes, random: &random)
        _ = try service.importArea(area)
        let day = try LocalDate.parse("2026-11-23", field: "day")
        let hospitals = area.places.filter { $0.kind == .hospital }.map(\.id)
        func request(_ index: Int) -> BookingRequest {
            let appointment = offset.instant(day, LocalTime(minutes: 8 * 60 + 15 * random.below(28))!)
            let back: BookingRequest.ReturnLeg = random.below(3) == 0 ? .none : .at(appointment.adding(minutes: 90 + 15 * random.below(8)))
            return BookingRequest(patient: area.patients[index].id, to: hospitals[random.below(hospitals.count)], timing: .appointment(appointment), returnLeg: back)
        }
        var booked = 0
        var index = 0
        while booked < trips && index < trips {
            do {
                booked += try service.bookTrip(request(index)).count
            } catch let error as PhapaiError where error.category == .invalidInput || error.category == .conflict {
                // A refused request (a patient no vehicle carries, an overlap) is part of a real day.
            }
            index += 1
        }
        let clock = ContinuousClock()
        let planStart = clock.now
        let plan = try service.planDay(day, seconds: planSeconds, seed: seed)
        let planSecondsTaken = seconds(clock.now - planStart)
        now = try offset.parseDateTime("2026-11-20 09:00", field: "now")
        var samples: [Double] = []
        var placedSamples: [Double] = [], refusedSamples: [Double] = []
        for probe in 0..<probes {
            let started = clock.now
            do {
                let made = try service.bookAndPlace(request(trips + probe)).trips
                placedSamples.append(seconds(clock.now - started) * 1000)
                // Cancelled and taken out again so the day keeps its size (not timed).
                _ = try service.cancelTrip(made[0].id!, reason: "benchmark probe", replan: false)
            } catch let error as PhapaiError {
                // A refusal tries other times to offer, so it is timed apart.
                refusedSamples.append(seconds(clock.now - started) * 1000)
                guard !error.message.isEmpty else { throw BenchError("a refusal without a reason") }
            }
        }
        placedSamples.sort()
        refusedSamples.sort()
        samples = (placedSamples + refusedSamples).sorted()
        let check = try service.verifyStoredPlan(day)
        print(String(format: "day: %d trips planned on %d runs (%d unserved) in %.1f s, stored plan verified %@",
                     plan.runs.reduce(0) { $0 + $1.stops.count } / 2, plan.runs.count, plan.unserved.count, planSecondsTaken,
                     check.feasible ? "yes" : "NO"))
        print(String(format: "trip book x %d: %d placed, %d refused with reasons; median %.1f ms, p99 %.1f ms, max %.1f ms",
                     probes, placedSamples.count, refusedSamples.count, InsertionBenchmark.percentile(samples, 0.5),
                     InsertionBenchmark.percentile(samples, 0.99), samples.last ?? 0))
        for (label, part) in [("placed", placedSamples), ("refused", refusedSamples)] where !part.isEmpty {
            print(String(format: "  %@ x %d: median %.1f ms, p99 %.1f ms, max %.1f ms", label, part.count,
                         InsertionBenchmark.percentile(part, 0.5), InsertionBenchmark.percentile(part, 0.99), part.last ?? 0))
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// A district-sized synthetic area: villages in a 40 km square, two hospitals, a depot, the
    /// fleet (vans with a wheelchair position) working 06:00-18:00 on weekdays.
    static func syntheticArea(vehicles: Int, patients: Int, random: inout SeededGenerator) throws -> Area {
        let areaID = AreaID(unchecked: "bench")
        func point(_ kmNorth: Double, _ kmEast: Double) throws -> Coordinate {
            try Coordinate(latitude: 7.0 + kmNorth / 110.574, longitude: 100.5 + kmEast / 110.4)
        }
        var places = [
            try Place(id: PlaceID(unchecked: "DEPOT"), area: areaID, kind: .depot, name: "อบต.", coordinate: point(0, 0)),
            try Place(id: PlaceID(unchecked: "H1"), area: areaID, kind: .hospital, name: "โรงพยาบาลชุมชน", coordinate: point(12, 15)),
            try Place(id: PlaceID(unchecked: "H2"), area: areaID, kind: .hospital, name: "โรงพยาบาลจังหวัด", coordinate: point(-10, 25)),
        ]
        for village in 1...40 {
            places.append(try Place(
                id: PlaceID(unchecked: "V\(village)"), area: areaID, kind: .village, name: "บ้าน \(village)", moo: village,
                coordinate: point(random.unit() * 40 - 20, random.unit() * 40 - 20)))
        }
        let fleet = try (1...vehicles).map { number in
            try Vehicle(id: VehicleID(unchecked: "VAN\(number)"), area: areaID, name: "รถตู้ \(number)", plate: nil,
                        capacity: Capacity(seats: 6, wheelchairs: 1, seatsPerFoldedWheelchair: 2), depot: PlaceID(unchecked: "DEPOT"), costPerKm: 8)
        }
        let drivers = try (1...vehicles).map { number in
            try Driver(id: DriverID(unchecked: "D\(number)"), area: areaID, name: "คนขับ \(number)", phone: "0810000\(String(format: "%03d", number))")
        }
        let patterns = (1...vehicles).map { number in
            ShiftPattern(driver: DriverID(unchecked: "D\(number)"), vehicle: VehicleID(unchecked: "VAN\(number)"),
                         weekdays: [.monday, .tuesday, .wednesday, .thursday, .friday], start: LocalTime(minutes: 360)!, end: LocalTime(minutes: 1080)!, breakStart: nil, breakEnd: nil)
        }
        let people = try (0..<patients).map { index in
            let village = PlaceID(unchecked: "V\(1 + random.below(40))")
            return try Patient(
                id: PatientID(unchecked: "P\(index)"), area: areaID, name: "ผู้ป่วย \(index)", phone: "0820000000", home: village, village: village,
                address: nil, mobility: random.below(8) == 0 ? .wheelchair : .ambulatory, companions: random.below(2),
                entitlement: .tambonHealthFund, registeredOn: LocalDate(year: 2025, month: 1, day: 1)!, notes: nil)
        }
        return Area(
            id: areaID, name: "อำเภอทดสอบ", offset: .bangkok, travel: try TravelModel(circuityFactor: 1.3, averageSpeedKmh: 50),
            policies: .defaults, places: places, vehicles: fleet, drivers: drivers, shiftPatterns: patterns, patients: people, homes: [])
    }
}
