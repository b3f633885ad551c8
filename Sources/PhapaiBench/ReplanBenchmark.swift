import Foundation
import PhapaiCore
import PhapaiScheduler
import PhapaiService

/// `phapai-bench replan`: how long a driver's late report takes when it re-plans the rest of the
/// day, end to end in the embedded service (the report, the re-plan from the current runs with
/// its budget, the verifier, the store), on planned days of the synthetic district.
public enum ReplanBenchmark {
    /// Plans a day of about `trips` trips on `vehicles` vehicles for each size, then drives it:
    /// every stop reported in order, every third pickup 10 minutes late, which re-plans the rest of
    /// the day; those reports are timed (up to `probes` of them). Prints one line per size.
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
        let dayClock = SettableClock(try offset.parseDateTime("2026-11-20 08:00", field: "now"))
        let service = try PhapaiService.open(path: folder + "/bench.db", create: true, actor: "bench", clock: dayClock.read)
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
            do {
                booked += try service.bookTrip(request).count
            } catch let error as PhapaiError where error.category == .invalidInput || error.category == .conflict {
                // A refused request (a patient no vehicle carries, an overlap) is part of a real day.
            }
            index += 1
        }
        let plan = try service.planDay(day, seconds: 600, iterations: 2000, seed: seed)
        let planned = plan.runs.reduce(0) { $0 + Set($1.stops.map(\.trip)).count }
        // The day is driven: every stop reported in planned order, on time, except every third
        // pickup, reported 10 minutes late: that report re-plans the rest of the day and is timed.
        let clock = ContinuousClock()
        var samples: [Double] = []
        var handled = Set<String>()
        var pickups = 0
        while samples.count < probes {
            let pending = try service.runs(on: day).flatMap(\.stops)
                .filter { !handled.contains("\($0.trip)/\($0.action.rawValue)") }
                .filter { stop in
                    let status = try service.trip(stop.trip).status
                    return stop.action == .pickup ? status == .scheduled : status == .pickedUp
                }
                .sorted { $0.plannedTime < $1.plannedTime }
            guard let stop = pending.first else { break }
            handled.insert("\(stop.trip)/\(stop.action.rawValue)")
            var at = stop.plannedTime
            let timed = stop.action == .pickup && pickups % 3 == 2
            if stop.action == .pickup { pickups += 1 }
            if timed { at = at.adding(minutes: 10) }
            dayClock.advance(to: at)
            at = dayClock.now
            let started = clock.now
            let change = try service.reportStatus(stop.trip, stop.action == .pickup ? .pickup : .dropoff, at: at)
            if let failure = change.replanFailure { throw BenchError("re-plan failed: \(failure)") }
            guard timed else { continue }
            samples.append(BookingBenchmark.seconds(clock.now - started) * 1000)
            guard change.replanned else { throw BenchError("a 10-minute late report of trip \(stop.trip) did not re-plan") }
        }
        samples.sort()
        return (samples, planned, try service.verifyStoredPlan(day).feasible)
    }
}
