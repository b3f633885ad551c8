import Foundation
import PhapaiCore
import PhapaiScheduler
import PhapaiService

/// `phapai-bench replan`: how long a driver's late report takes when it re-plans the rest of the
/// day, end to end in the embedded service (the report, the re-plan from the current runs with
/// its budget, the verifier, the store), on planned days of the synthetic district.
public enum ReplanBenchmark {
    /// Plans a day of about `trips` trips on `vehicles` vehicles for each size, then reports
    /// `probes` pickups late by 10 minutes, one at a time, timing each report; each is taken back
    /// (untimed) so the day keeps its size. Prints one line per size.
    public static func run(sizes: [(trips: Int, vehicles: Int)], probes: Int, seed: UInt64, print: (String) -> Void) throws {
        for size in sizes {
            let result = try measure(trips: size.trips, vehicles: size.vehicles, probes: probes, seed: seed)
            print(String(format: "replan, %d trips on %d vehicles (%d planned): %d late reports; median %.1f ms, p99 %.1f ms, max %.1f ms; plan verified %@",
                         size.trips, size.vehicles, result.planned, result.samples.count, InsertionBenchmark.percentile(result.samples, 0.5),
                         InsertionBenchmark.percentile(result.samples, 0.99), result.samples.last ?? 0, result.verified ? "yes" : "NO"))
        }
    }

    static func measure(trips: Int, vehicles: Int, probes: Int, seed: UInt64) throws -> (samples: [Double], planned: Int, verified: Bool) {
        let folder = NSTemporaryDirectory() + "phapai-bench-replan-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var random = SeededGenerator(seed: seed)
        let offset = UTCOffset.bangkok
        nonisolated(unsafe) var now = try offset.parseDateTime("2026-11-20 08:00", field: "now")
        let service = try PhapaiService.open(path: folder + "/bench.db", create: true, actor: "bench", clock: { now })
        let area = try BookingBenchmark.syntheticArea(vehicles: vehicles, patients: trips, random: &random)
        _ = try service.importArea(area)
        let day = try LocalDate.parse("2026-11-23", field: "day")
        let hospitals = area.places.filter { $0.kind == .hospital }.map(\.id)
        var booked = 0
        var index = 0
        while booked < trips && index < area.patients.count {
            // Appointments spread over the day so that late reports happen with work still ahead.
            let appointment = offset.instant(day, LocalTime(minutes: 8 * 60 + 15 * random.below(28))!)
            let back: BookingRequest.ReturnLeg = random.below(3) == 0 ? .none : .at(appointment.adding(minutes: 90 + 15 * random.below(8)))
            let request = BookingRequest(
                patient: area.patients[index].id, to: hospitals[random.below(hospitals.count)], timing: .appointment(appointment), returnLeg: back)
            if let made = try? service.bookTrip(request) { booked += made.count }
            index += 1
        }
        let plan = try service.planDay(day, seconds: 600, iterations: 2000, seed: seed)
        let planned = plan.runs.reduce(0) { $0 + Set($1.stops.map(\.trip)).count }
        // The pickups of the day in time order: each probe reports the next one late, against the
        // runs as they stand then (earlier re-plans move planned times).
        let trips = plan.runs.flatMap { run in run.stops.filter { $0.action == .pickup } }.sorted { $0.plannedTime < $1.plannedTime }.map(\.trip)
        let clock = ContinuousClock()
        var samples: [Double] = []
        for trip in trips.prefix(probes) {
            guard let stop = try service.runs(on: day).flatMap(\.stops).first(where: { $0.trip == trip && $0.action == .pickup }) else { continue }
            let late = stop.plannedTime.adding(minutes: 10)
            now = max(now, late)
            let started = clock.now
            let change = try service.reportStatus(stop.trip, .pickup, at: late)
            samples.append(BookingBenchmark.seconds(clock.now - started) * 1000)
            if let failure = change.replanFailure { throw BenchError("re-plan failed: \(failure)") }
            guard change.replanned else { throw BenchError("a 10-minute late report of trip \(stop.trip) did not re-plan") }
            _ = try service.reportStatus(stop.trip, .undo)
        }
        samples.sort()
        return (samples, planned, try service.verifyStoredPlan(day).feasible)
    }
}
