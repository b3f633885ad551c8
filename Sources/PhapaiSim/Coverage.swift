import Dispatch
import Foundation
import Synchronization
import PhapaiCore
import PhapaiService

/// The outcome of one variant of a scenario (all its areas, all days).
struct VariantOutcome: Sendable {
    var variant: String
    var areas: [SimArea]
    var trips: [TripRecord]
    var vehicleDays: [VehicleDay]
    var surprises: Int
    /// The public holidays among the scenario's service weekdays that were not simulated.
    var holidaysSkipped: [Holiday] = []
    /// Years of the simulated days that the holiday calendar has no day in (its holidays, if
    /// any, were simulated as working days).
    var yearsWithoutHolidays: [Int] = []
}

extension VariantOutcome {
    /// What the calendar left out of the run, for its output and report: the holidays not
    /// simulated, and the years the calendar says nothing of.
    var calendarNotes: [String] {
        var notes: [String] = []
        if !holidaysSkipped.isEmpty {
            notes.append("public holidays not simulated: " + holidaysSkipped.map { "\($0.date.iso) \($0.nameTH)" }.joined(separator: ", "))
        }
        if !yearsWithoutHolidays.isEmpty {
            let years = yearsWithoutHolidays.map(String.init).joined(separator: ", ")
            notes.append("warning: the holiday calendar has no day in \(years): its holidays were simulated as service days")
        }
        return notes
    }
}

/// Runs a scenario's variants on temporary databases, areas in parallel.
enum CoverageRun {
    /// The service days simulated: `count` of them from the scenario's start, on its service
    /// weekdays but the calendar's holidays; and the holidays left out on the way.
    static func serviceDays(_ scenario: Scenario, count: Int, holidays: HolidayCalendar) throws -> (days: [LocalDate], skipped: [Holiday]) {
        let weekdays = Set(try Weekday.parseSet(scenario.serviceDays ?? "mon-fri", field: "serviceDays"))
        var date = try LocalDate.parse(scenario.startDate, field: "startDate")
        var days: [LocalDate] = []
        var skipped: [Holiday] = []
        while days.count < count {
            if weekdays.contains(date.weekday) {
                if let holiday = holidays.holiday(on: date) { skipped.append(holiday) } else { days.append(date) }
            }
            date = date.adding(days: 1)
        }
        return (days, skipped)
    }

    /// Simulates every variant; `progress` gets (areas done, areas in all).
    static func run(
        _ scenario: Scenario, days: Int, fleetSize: Int? = nil, variants: [String]? = nil, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) throws -> [VariantOutcome] {
        let world = try World(scenario)
        let (dates, holidaysSkipped) = try serviceDays(scenario, count: days, holidays: world.holidays)
        let calendarYears = world.holidays.years
        let yearsWithoutHolidays = calendarYears.isEmpty ? [] : Set(dates.map(\.year)).subtracting(calendarYears).sorted()
        let folder = NSTemporaryDirectory() + "phapai-sim-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // PHAPAI_SIM_KEEP=1 keeps the databases, to look into a run with `phapai --db`.
        let keep = ProcessInfo.processInfo.environment["PHAPAI_SIM_KEEP"] == "1"
        defer {
            if keep {
                FileHandle.standardError.write(Data("kept the databases in \(folder)\n".utf8))
            } else {
                try? FileManager.default.removeItem(atPath: folder)
            }
        }
        var outcomes: [VariantOutcome] = []
        let chosen = variants ?? scenario.fleets ?? ["separate"]
        let all = try chosen.map { try world.areas(variant: $0, fleetSize: fleetSize) }
        let total = all.reduce(0) { $0 + $1.count }
        let counter = Counter()
        for (variantIndex, variant) in chosen.enumerated() {
            let areas = all[variantIndex]
            let results = ResultSlots<Result<AreaOutcome, Error>>(count: areas.count)
            let subfolder = folder + "/\(variant)"
            try FileManager.default.createDirectory(atPath: subfolder, withIntermediateDirectories: true)
            // Areas are independent (own database, own seed): run them on every core, keep their order.
            DispatchQueue.concurrentPerform(iterations: areas.count) { index in
                let outcome = Result {
                    try AreaSimulation(
                        scenario: scenario, area: areas[index], days: dates, seed: World.seed(scenario.seed, 4, variantIndex, index),
                        folder: subfolder
                    ).run()
                }
                results.set(index, outcome)
                progress(counter.increment(), total)
            }
            var trips: [TripRecord] = []
            var vehicleDays: [VehicleDay] = []
            var surprises = 0
            for result in results.values {
                let outcome = try result!.get()
                trips += outcome.trips
                vehicleDays += outcome.vehicleDays
                surprises += outcome.surprises
            }
            outcomes.append(VariantOutcome(
                variant: variant, areas: areas, trips: trips, vehicleDays: vehicleDays, surprises: surprises, holidaysSkipped: holidaysSkipped,
                yearsWithoutHolidays: yearsWithoutHolidays))
        }
        return outcomes
    }
}

/// Slots filled from several threads, read once all are done.
final class ResultSlots<T: Sendable>: Sendable {
    private let slots: Mutex<[T?]>
    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }
    func set(_ index: Int, _ value: T) { slots.withLock { $0[index] = value } }
    var values: [T?] { slots.withLock { $0 } }
}

/// A count shared by threads.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    /// Counts one more and returns the new count.
    func increment() -> Int { value.wrappingAdd(1, ordering: .relaxed).newValue }
}

/// The figures planners read (simulations/README.md, "KPIs").
struct KPIs: Sendable {
    var values: [(String, String)] = []

    /// Nearest-rank percentile of `values` (q in 0...1); nil when empty.
    static func percentile(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[min(max(Int((q * Double(sorted.count)).rounded(.up)) - 1, 0), sorted.count - 1)]
    }

    static func format(_ value: Double?, _ decimals: Int = 2) -> String {
        guard let value, value.isFinite else { return "" }
        return String(format: "%.\(decimals)f", value)
    }

    /// Minutes a served leg waited past the start of its pickup window (0 when on time or early);
    /// a will-call return waits from the clinic's call.
    static func pickupDelay(_ trip: TripRecord) -> Double? {
        guard let pickup = trip.pickup, let earliest = trip.willCall ? (trip.ready ?? trip.windowEarliest) : trip.windowEarliest else { return nil }
        return max(0, Double(pickup.rawValue - earliest.rawValue) / 60)
    }

    /// How the journeys of a variant kept their promises: the legs as stored at the end of each day.
    struct Promises {
        /// Outbound legs dropped off whose return was not served, for a reason not the patient's.
        var stranded: [TripRecord] = []
        /// Promised legs not served, or picked up more than the tolerance outside the window told,
        /// for a reason not the patient's.
        var broken: [TripRecord] = []
        /// Of those, the ones no reply of the service ever told.
        var unannounced: [TripRecord] = []
        /// Booked journeys whose outbound was not served, for a reason not the patient's.
        var droppedJourneys: [TripRecord] = []

        static let toleranceSeconds: Int64 = 5 * 60

        init(_ trips: [TripRecord]) {
            var byID: [String: TripRecord] = [:]
            for trip in trips { if let id = trip.trip { byID["\(trip.area)|\(id)"] = trip } }
            func other(_ trip: TripRecord) -> TripRecord? { trip.linkedTrip.flatMap { byID["\(trip.area)|\($0)"] } }
            /// Whether the patient made this leg not happen (cancelled it, did not come, or the
            /// outbound they cancelled or missed took the return with it).
            func patientsDoing(_ trip: TripRecord) -> Bool {
                if trip.status == TripStatus.noShow.rawValue { return true }
                guard trip.status == TripStatus.cancelled.rawValue, let code = trip.cancelCode.flatMap(CancellationCode.init(rawValue:)) else { return false }
                if code.byPatient { return true }
                return other(trip).map(patientsDoing) ?? false
            }
            let served = TripStatus.droppedOff.rawValue
            for trip in trips where trip.trip != nil {
                if trip.direction == "outbound", trip.status == served, let back = other(trip), back.status != served, !patientsDoing(back) {
                    stranded.append(back)
                }
                if trip.direction == "outbound", trip.status != served, !patientsDoing(trip) {
                    droppedJourneys.append(trip)
                }
                guard let earliest = trip.promisedEarliest, let latest = trip.promisedLatest else { continue }
                let kept: Bool
                if let pickup = trip.pickup {
                    kept = pickup.rawValue >= earliest.rawValue - Promises.toleranceSeconds && pickup.rawValue <= latest.rawValue + Promises.toleranceSeconds
                } else {
                    kept = trip.status == served || patientsDoing(trip)
                }
                guard !kept else { continue }
                broken.append(trip)
                if trip.announcedCause == nil { unannounced.append(trip) }
            }
        }
    }

    init(_ outcome: VariantOutcome, days: Int) {
        let trips = outcome.trips
        let served = trips.filter { $0.status == TripStatus.droppedOff.rawValue }
        let denied = trips.filter { ["refused", TripStatus.requested.rawValue, TripStatus.scheduled.rawValue, TripStatus.denied.rawValue,
                                     TripStatus.missedByOperator.rawValue].contains($0.status) }
        let cancelled = trips.filter { $0.status == TripStatus.cancelled.rawValue }
        let noShows = trips.filter { $0.status == TripStatus.noShow.rawValue }
        let withWindow = served.filter { $0.windowLatest != nil && $0.pickup != nil }
        let onTime = withWindow.filter { $0.pickup! <= $0.windowLatest! }
        let appointments = served.filter { $0.direction == "outbound" && $0.appointment != nil }
        let inTime = appointments.filter { $0.dropoff! <= $0.appointment! }
        let delays = served.compactMap(KPIs.pickupDelay)
        let returnWaits = served.filter { $0.willCall && $0.ready != nil }.map { Double($0.pickup!.rawValue - $0.ready!.rawValue) / 60 }
        let rides = served.filter { $0.pickup != nil }.map { Double($0.dropoff!.rawValue - $0.pickup!.rawValue) / 60 }
        let ratios = served.filter { $0.pickup != nil && $0.directSeconds > 0 }
            .map { Double($0.dropoff!.rawValue - $0.pickup!.rawValue) / Double($0.directSeconds) }
        let hours = outcome.vehicleDays.reduce(0.0) { total, day in
            guard let left = day.leftDepot, let back = day.backAtDepot else { return total }
            return total + Double(back.rawValue - left.rawValue) / 3600
        }
        let kilometres = outcome.vehicleDays.reduce(0.0) { $0 + $1.kilometres }
        let cost = outcome.vehicleDays.reduce(0.0) { $0 + $1.kilometres * $1.costPerKm }
        let passengers = served.reduce(0) { $0 + $1.passengers }
        let villageShares = KPIs.villages(outcome).map(\.servedShare).compactMap { $0 }
        let vehicles = Set(outcome.vehicleDays.map { "\($0.area)|\($0.vehicle)" }).count
        let promises = Promises(trips)
        func share(_ part: Int, _ whole: Int) -> String { whole == 0 ? "" : KPIs.format(100 * Double(part) / Double(whole), 1) }
        values = [
            ("days", String(days)),
            ("holidays_skipped", String(outcome.holidaysSkipped.count)),
            ("areas", String(outcome.areas.count)),
            ("vehicles", String(vehicles)),
            ("patients_registered", String(outcome.areas.reduce(0) { $0 + $1.patients.count })),
            ("trips_requested", String(trips.count)),
            ("trips_served", String(served.count)),
            ("trips_denied", String(denied.count)),
            ("trips_cancelled", String(cancelled.count)),
            ("trips_no_show", String(noShows.count)),
            ("served_share_pct", share(served.count, served.count + denied.count)),
            ("pickup_on_time_pct", share(onTime.count, withWindow.count)),
            ("appointment_on_time_pct", share(inTime.count, appointments.count)),
            ("pickup_delay_mean_min", KPIs.format(delays.isEmpty ? nil : delays.reduce(0, +) / Double(delays.count), 1)),
            ("pickup_delay_p95_min", KPIs.format(KPIs.percentile(delays, 0.95), 1)),
            ("return_wait_mean_min", KPIs.format(returnWaits.isEmpty ? nil : returnWaits.reduce(0, +) / Double(returnWaits.count), 1)),
            ("return_wait_p95_min", KPIs.format(KPIs.percentile(returnWaits, 0.95), 1)),
            ("ride_mean_min", KPIs.format(rides.isEmpty ? nil : rides.reduce(0, +) / Double(rides.count), 1)),
            ("ride_ratio_mean", KPIs.format(ratios.isEmpty ? nil : ratios.reduce(0, +) / Double(ratios.count), 3)),
            ("ride_ratio_p95", KPIs.format(KPIs.percentile(ratios, 0.95), 3)),
            ("vehicle_hours", KPIs.format(hours, 2)),
            ("kilometres", KPIs.format(kilometres, 1)),
            ("driving_cost_baht", KPIs.format(cost, 0)),
            ("cost_per_trip_baht", served.isEmpty ? "" : KPIs.format(cost / Double(served.count), 1)),
            ("passengers_per_vehicle_hour", hours > 0 ? KPIs.format(Double(passengers) / hours, 2) : ""),
            ("village_served_share_min_pct", KPIs.format(villageShares.min().map { $0 * 100 }, 1)),
            ("stranded_patients", String(promises.stranded.count)),
            ("promises_broken", String(promises.broken.count)),
            ("promises_broken_unannounced", String(promises.unannounced.count)),
            ("journeys_dropped", String(promises.droppedJourneys.count)),
            ("simulation_surprises", String(outcome.surprises)),
        ]
    }

    subscript(_ name: String) -> String? { values.first { $0.0 == name }?.1 }

    /// Per village: requests, served, denied, served share, and the 95th percentile pickup delay.
    struct VillageFigures {
        var tambon: String
        var village: PlaceID
        var name: String
        var population: Int
        var lat: Double
        var lon: Double
        var requested = 0
        var served = 0
        var denied = 0
        var delays: [Double] = []
        var servedShare: Double? { served + denied == 0 ? nil : Double(served) / Double(served + denied) }
        var p95Delay: Double? { KPIs.percentile(delays, 0.95) }
    }

    static func villages(_ outcome: VariantOutcome) -> [VillageFigures] {
        var figures: [PlaceID: VillageFigures] = [:]
        var order: [PlaceID] = []
        for area in outcome.areas {
            for (index, place) in area.villagePlaces.enumerated() {
                let village = area.villages[index]
                figures[place] = VillageFigures(
                    tambon: area.villageTambon[place]!, village: place, name: village.name, population: village.population,
                    lat: village.lat, lon: village.lon)
                order.append(place)
            }
        }
        for trip in outcome.trips {
            figures[trip.village]?.requested += 1
            if trip.status == TripStatus.droppedOff.rawValue {
                figures[trip.village]?.served += 1
                if let delay = pickupDelay(trip) { figures[trip.village]?.delays.append(delay) }
            } else if ["refused", "requested", "scheduled", "denied", "missed"].contains(trip.status) {
                figures[trip.village]?.denied += 1
            }
        }
        return order.map { figures[$0]! }
    }
}

/// The CSV files of a run.
enum CoverageFiles {
    static func kpis(_ rows: [(variant: String, kpis: KPIs)]) -> String {
        var lines = ["metric," + rows.map(\.variant).joined(separator: ",")]
        for (index, entry) in rows[0].kpis.values.enumerated() {
            lines.append(entry.0 + "," + rows.map { $0.kpis.values[index].1 }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func trips(_ outcomes: [VariantOutcome]) -> String {
        let offset = UTCOffset.bangkok
        func time(_ instant: Instant?) -> String {
            guard let instant else { return "" }
            let seconds = instant.seconds(since: offset.startOfDay(offset.date(of: instant)))
            return String(format: "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        }
        var lines = [
            "variant,area,tambon,village,type,day,trip,direction,same_day,will_call,status,reason,window_earliest,window_latest,"
                + "appointment,ready,pickup,dropoff,direct_min,ride_min,passengers,vehicle,linked_trip,cancel_code,promised_earliest,"
                + "promised_latest,promise_broken,announced_cause"
        ]
        for outcome in outcomes {
            let broken = Set(KPIs.Promises(outcome.trips).broken.compactMap { record in record.trip.map { "\(record.area)|\($0)" } })
            for trip in outcome.trips {
                let ride = trip.pickup.flatMap { pickup in trip.dropoff.map { KPIs.format(Double($0.rawValue - pickup.rawValue) / 60, 1) } } ?? ""
                lines.append([
                    outcome.variant, trip.area, trip.tambon, trip.village.rawValue, trip.type, trip.day.iso, trip.trip.map(String.init) ?? "",
                    trip.direction, trip.sameDay ? "yes" : "no", trip.willCall ? "yes" : "no", trip.status, trip.reason ?? "",
                    time(trip.windowEarliest), time(trip.windowLatest), time(trip.appointment), time(trip.ready), time(trip.pickup),
                    time(trip.dropoff), KPIs.format(Double(trip.directSeconds) / 60, 1), ride, String(trip.passengers), trip.vehicle ?? "",
                    trip.linkedTrip.map(String.init) ?? "", trip.cancelCode ?? "", time(trip.promisedEarliest), time(trip.promisedLatest),
                    trip.trip.map { broken.contains("\(trip.area)|\($0)") } == true ? "yes" : "no", trip.announcedCause ?? "",
                ].map(CSV.field).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func villages(_ outcomes: [VariantOutcome]) -> String {
        var lines = ["variant,tambon,village,name,population,requested,served,denied,served_share_pct,pickup_delay_p95_min"]
        for outcome in outcomes {
            for village in KPIs.villages(outcome) {
                lines.append([
                    outcome.variant, village.tambon, village.village.rawValue, village.name, String(village.population),
                    String(village.requested), String(village.served), String(village.denied),
                    KPIs.format(village.servedShare.map { $0 * 100 }, 1), KPIs.format(village.p95Delay, 1),
                ].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
