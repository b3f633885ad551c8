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

    /// Simulates every variant once, with the scenario's seed; `progress` gets (areas done, areas in all).
    static func run(
        _ scenario: Scenario, days: Int, fleetSize: Int? = nil, variants: [String]? = nil, temporary: String = NSTemporaryDirectory(),
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) throws -> [VariantOutcome] {
        try replicate(scenario, days: days, fleetSize: fleetSize, variants: variants, replications: 1, temporary: temporary, progress: progress)[0]
    }

    /// The scenario as replication `index` runs it: the same world (villages, patients, fleet),
    /// other days. Replication 0 is the scenario itself, so a single run is replication 0.
    static func replicationScenario(_ scenario: Scenario, _ index: Int) -> Scenario {
        var copy = scenario
        if index > 0 { copy.seed = World.seed(scenario.seed, 10, index) }
        return copy
    }

    /// Simulates every variant `replications` times, every (replication, variant, area) on the
    /// cores at once; returns outcomes by replication, then variant. The world is built from the
    /// scenario's seed; each replication draws its own demand, behaviour and driving, the same
    /// for every variant and fleet size (common random numbers). The databases live in a folder
    /// made under `temporary` for the run and removed after it.
    static func replicate(
        _ scenario: Scenario, days: Int, fleetSize: Int? = nil, variants: [String]? = nil, replications: Int,
        temporary: String = NSTemporaryDirectory(), progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) throws -> [[VariantOutcome]] {
        precondition(replications >= 1, "at least one replication")
        // The world (which checks the scenario) and its areas are built before the folder exists:
        // a scenario's mistake leaves nothing behind.
        let world = try World(scenario)
        let (dates, holidaysSkipped) = try serviceDays(scenario, count: days, holidays: world.holidays)
        let calendarYears = world.holidays.years
        let yearsWithoutHolidays = calendarYears.isEmpty ? [] : Set(dates.map(\.year)).subtracting(calendarYears).sorted()
        let chosen = variants ?? scenario.fleets ?? ["separate"]
        let all = try chosen.map { try world.areas(variant: $0, fleetSize: fleetSize) }
        let folder = (temporary.hasSuffix("/") ? temporary : temporary + "/") + "phapai-sim-" + UUID().uuidString
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
        var list: [(replication: Int, variant: Int, area: Int)] = []
        for replication in 0..<replications {
            for variant in chosen.indices {
                try FileManager.default.createDirectory(atPath: folder + "/\(replication)-\(chosen[variant])", withIntermediateDirectories: true)
                for area in all[variant].indices { list.append((replication, variant, area)) }
            }
        }
        let jobs = list
        let scenarios = (0..<replications).map { replicationScenario(scenario, $0) }
        let results = ResultSlots<Result<AreaOutcome, Error>>(count: jobs.count)
        let counter = Counter()
        // Jobs are independent (own database, own seed): run them on every core, keep their order.
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
            let job = jobs[index]
            let variant = chosen[job.variant]
            let area = all[job.variant][job.area]
            let outcome = Result {
                try AreaSimulation(
                    scenario: scenarios[job.replication], area: area, days: dates,
                    seed: World.areaSeed(scenarios[job.replication].seed, variant: variant, area: area),
                    folder: folder + "/\(job.replication)-\(variant)"
                ).run()
            }
            results.set(index, outcome)
            progress(counter.increment(), jobs.count)
        }
        let values = results.values
        var outcomes: [[VariantOutcome]] = []
        var index = 0
        for _ in 0..<replications {
            var row: [VariantOutcome] = []
            for (variantIndex, variant) in chosen.enumerated() {
                var trips: [TripRecord] = []
                var vehicleDays: [VehicleDay] = []
                var surprises = 0
                for _ in all[variantIndex].indices {
                    let outcome = try values[index]!.get()
                    index += 1
                    trips += outcome.trips
                    vehicleDays += outcome.vehicleDays
                    surprises += outcome.surprises
                }
                row.append(VariantOutcome(
                    variant: variant, areas: all[variantIndex], trips: trips, vehicleDays: vehicleDays, surprises: surprises,
                    holidaysSkipped: holidaysSkipped, yearsWithoutHolidays: yearsWithoutHolidays))
            }
            outcomes.append(row)
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

/// The figures planners read (simulations/README.md, "KPIs"): numbers by key, with the number
/// of trips each rests on; text is made from them by ``KPIDefinition``.
struct KPIs: Sendable {
    private(set) var values: [String: Double] = [:]
    /// Trips each share, delay or ratio rests on (counts rest on themselves and have none).
    private(set) var basis: [String: Int] = [:]

    /// The statuses of a leg that was asked for and not served, not by the patient's doing.
    static let deniedStatuses: Set<String> = ["refused", TripStatus.requested.rawValue, TripStatus.scheduled.rawValue,
                                               TripStatus.denied.rawValue, TripStatus.missedByOperator.rawValue]

    /// Whether each leg of `trips` was asked for and not served, not by the patient's doing: its
    /// status says so, or it is a return the service closed because its outbound was denied
    /// (a journey refused at booking counts both legs; one whose outbound no vehicle took must too).
    static func deniedLegs(_ trips: [TripRecord]) -> [Bool] {
        var byID: [String: TripRecord] = [:]
        for trip in trips { if let id = trip.trip { byID["\(trip.area)|\(id)"] = trip } }
        return trips.map { trip in
            if deniedStatuses.contains(trip.status) { return true }
            guard trip.status == TripStatus.cancelled.rawValue, trip.cancelCode == CancellationCode.outboundNotPerformed.rawValue,
                let linked = trip.linkedTrip, let outbound = byID["\(trip.area)|\(linked)"]
            else { return false }
            return deniedStatuses.contains(outbound.status)
        }
    }

    /// The figure of `key`, or nil when there is none (e.g. a delay with no trip served).
    func value(_ key: String) -> Double? { values[key] }

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
        let deniedFlags = KPIs.deniedLegs(trips)
        let denied = zip(trips, deniedFlags).filter(\.1).map(\.0)
        let cancelled = zip(trips, deniedFlags).filter { $0.0.status == TripStatus.cancelled.rawValue && !$0.1 }.map(\.0)
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
        let out = outcome.vehicleDays.filter { $0.leftDepot != nil }
        let hours = out.reduce(0.0) { total, day in
            guard let left = day.leftDepot, let back = day.backAtDepot else { return total }
            return total + Double(back.rawValue - left.rawValue) / 3600
        }
        let kilometres = outcome.vehicleDays.reduce(0.0) { $0 + $1.kilometres }
        let loaded = outcome.vehicleDays.reduce(0.0) { $0 + $1.loadedKilometres }
        let drivingCost = outcome.vehicleDays.reduce(0.0) { $0 + $1.kilometres * $1.costPerKm }
        // A vehicle that never left its depot that day costs no driver and no day of the vehicle.
        let dayCost = out.reduce(0.0) { $0 + $1.costPerDay }
        let passengers = served.reduce(0) { $0 + $1.passengers }
        // The lowest village share, and the legs it rests on (often few: it is marked then).
        let lowestVillage = KPIs.villages(outcome).filter { $0.servedShare != nil }
            .min { ($0.servedShare!, $0.village.rawValue) < ($1.servedShare!, $1.village.rawValue) }
        let vehicles = Set(outcome.vehicleDays.map { "\($0.area)|\($0.vehicle)" }).count
        let promises = Promises(trips)
        func mean(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
        func share(_ part: Int, _ whole: Int) -> Double? { whole == 0 ? nil : 100 * Double(part) / Double(whole) }
        let figures: [(String, Double?, Int?)] = [
            ("days", Double(days), nil),
            ("holidays_skipped", Double(outcome.holidaysSkipped.count), nil),
            ("areas", Double(outcome.areas.count), nil),
            ("vehicles", Double(vehicles), nil),
            ("patients_registered", Double(outcome.areas.reduce(0) { $0 + $1.patients.count }), nil),
            ("trips_requested", Double(trips.count), nil),
            ("trips_served", Double(served.count), nil),
            ("trips_denied", Double(denied.count), nil),
            ("trips_cancelled", Double(cancelled.count), nil),
            ("trips_no_show", Double(noShows.count), nil),
            ("served_share_pct", share(served.count, served.count + denied.count), served.count + denied.count),
            ("pickup_on_time_pct", share(onTime.count, withWindow.count), withWindow.count),
            ("appointment_on_time_pct", share(inTime.count, appointments.count), appointments.count),
            ("pickup_delay_mean_min", mean(delays), delays.count),
            ("pickup_delay_p95_min", KPIs.percentile(delays, 0.95), delays.count),
            ("return_wait_mean_min", mean(returnWaits), returnWaits.count),
            ("return_wait_p95_min", KPIs.percentile(returnWaits, 0.95), returnWaits.count),
            ("ride_mean_min", mean(rides), rides.count),
            ("ride_ratio_mean", mean(ratios), ratios.count),
            ("ride_ratio_p95", KPIs.percentile(ratios, 0.95), ratios.count),
            ("vehicle_hours", hours, nil),
            ("kilometres", kilometres, nil),
            ("loaded_km", loaded, nil),
            ("empty_km", kilometres - loaded, nil),
            ("driving_cost_baht", drivingCost, nil),
            ("day_cost_baht", dayCost, nil),
            ("cost_per_day_baht", days > 0 ? (drivingCost + dayCost) / Double(days) : nil, nil),
            ("cost_per_trip_baht", served.isEmpty ? nil : (drivingCost + dayCost) / Double(served.count), served.count),
            ("passengers_per_vehicle_hour", hours > 0 ? Double(passengers) / hours : nil, served.count),
            ("village_served_share_min_pct", lowestVillage?.servedShare.map { $0 * 100 }, lowestVillage.map { $0.served + $0.denied }),
            ("stranded_patients", Double(promises.stranded.count), nil),
            ("promises_broken", Double(promises.broken.count), nil),
            ("promises_broken_unannounced", Double(promises.unannounced.count), nil),
            ("journeys_dropped", Double(promises.droppedJourneys.count), nil),
            ("simulation_surprises", Double(outcome.surprises), nil),
        ]
        for (key, value, basis) in figures {
            precondition(KPIDefinition.byKey[key] != nil, "every KPI has its definition")
            if let value, value.isFinite { values[key] = value }
            if let basis { self.basis[key] = basis }
        }
    }

    /// The figure of `name` as kpis.csv writes it (empty when there is none), or nil for an unknown key.
    subscript(_ name: String) -> String? { KPIDefinition.byKey[name].map { $0.format(values[name]) } }

    /// Per village: requests, served, denied, served share, and the 95th percentile pickup delay.
    struct VillageFigures {
        var tambon: String
        var village: PlaceID
        var name: String
        var moo: Int
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
                    tambon: area.villageTambon[place]!, village: place, name: village.name, moo: village.moo, population: village.population,
                    lat: village.lat, lon: village.lon)
                order.append(place)
            }
        }
        for (trip, denied) in zip(outcome.trips, deniedLegs(outcome.trips)) {
            figures[trip.village]?.requested += 1
            if trip.status == TripStatus.droppedOff.rawValue {
                figures[trip.village]?.served += 1
                if let delay = pickupDelay(trip) { figures[trip.village]?.delays.append(delay) }
            } else if denied {
                figures[trip.village]?.denied += 1
            }
        }
        return order.map { figures[$0]! }
    }
}

extension Array where Element == String {
    /// The fields as one CSV line: numbers as they are (a negative difference is a number, not a
    /// formula to defuse), text through ``CSV/field(_:)``.
    var csvLine: String {
        map { field in Double(field) != nil && !field.hasPrefix("+") ? field : CSV.field(field) }.joined(separator: ",")
    }
}

/// The CSV files of a run: the figures, in English keys and plain numbers, for programs and
/// spreadsheets (the report is where people read them).
enum CoverageFiles {
    /// A number as the CSV writes it: the KPI's decimals, nothing when there is none.
    private static func number(_ value: Double?, _ decimals: Int) -> String { KPIs.format(value, decimals) }

    /// One row per variant and KPI: the mean over replications, its 95% interval (two or more
    /// replications), the trips the figure rests on and whether that is under 20.
    static func kpis(_ rows: [(variant: String, kpis: [KPIs])]) -> String {
        var lines = ["variant,metric,unit,mean,ci95_low,ci95_high,replications,basis_trips,small_sample"]
        for row in rows {
            for summary in KPISummary.summarize(row.kpis) {
                let definition = summary.definition
                lines.append([
                    row.variant, definition.key, definition.unitEnglish, number(summary.interval?.mean, summary.decimals),
                    number(summary.interval?.low, summary.decimals), number(summary.interval?.high, summary.decimals),
                    String(summary.interval?.count ?? 0), number(summary.basis, 1), summary.isSmallSample ? "yes" : "no",
                ].csvLine)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Paired differences of every variant against the first, replication by replication.
    static func differences(_ rows: [(variant: String, kpis: [KPIs])]) -> String {
        var lines = ["variant,versus,metric,unit,mean_difference,ci95_low,ci95_high,replications,small_sample"]
        guard let base = rows.first else { return lines.joined(separator: "\n") + "\n" }
        for row in rows.dropFirst() {
            for summary in KPISummary.differences(row.kpis, minus: base.kpis) {
                let definition = summary.definition
                lines.append([
                    row.variant, base.variant, definition.key, definition.unitEnglish, number(summary.interval?.mean, summary.decimals),
                    number(summary.interval?.low, summary.decimals), number(summary.interval?.high, summary.decimals),
                    String(summary.interval?.count ?? 0), summary.isSmallSample ? "yes" : "no",
                ].csvLine)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Who is served, by every grouping: legs summed over replications, the served share and its
    /// interval over replications, the 95th percentile pickup delay.
    static func groups(_ rows: [(variant: String, outcomes: [VariantOutcome])], scenario: Scenario, language: ReportLanguage) -> String {
        var lines = ["variant,dimension,key,label,requested,served,denied,cancelled,served_share_pct,ci95_low,ci95_high,pickup_delay_p95_min,"
                     + "legs_per_replication,small_sample"]
        for row in rows {
            for dimension in GroupDimension.allCases {
                for group in KPIs.groups(dimension, row.outcomes, scenario: scenario, language: language) {
                    let interval = group.shareInterval
                    lines.append([
                        row.variant, dimension.rawValue, group.key, group.label, String(group.requested), String(group.served), String(group.denied),
                        String(group.cancelled), number(group.servedShare.map { $0 * 100 }, 1), number(interval?.low.map { $0 * 100 }, 1),
                        number(interval?.high.map { $0 * 100 }, 1), number(group.p95Delay, 1), number(group.basis, 1),
                        group.isSmallSample ? "yes" : "no",
                    ].csvLine)
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Legs not served, by status and keyword, summed over replications.
    static func denials(_ rows: [(variant: String, outcomes: [VariantOutcome])]) -> String {
        var lines = ["variant,status,reason,legs,legs_per_replication"]
        for row in rows {
            for entry in KPIs.denialReasons(row.outcomes) {
                lines.append([row.variant, entry.status, entry.reason, String(entry.legs), number(Double(entry.legs) / Double(row.outcomes.count), 1)]
                    .csvLine)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One row per leg of every replication, refused and unserved legs complete (time asked for,
    /// hospital, mobility, reason).
    static func trips(_ outcomes: [VariantOutcome], replication: Int = 1) -> String {
        trips([(replication, outcomes)])
    }

    static func trips(_ replications: [(replication: Int, outcomes: [VariantOutcome])]) -> String {
        let offset = UTCOffset.bangkok
        func time(_ instant: Instant?) -> String {
            guard let instant else { return "" }
            let seconds = instant.seconds(since: offset.startOfDay(offset.date(of: instant)))
            return String(format: "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        }
        var lines = [
            "replication,variant,area,tambon,village,type,mobility,hospital,day,trip,direction,same_day,will_call,requested,status,reason,detail,"
                + "window_earliest,window_latest,appointment,ready,pickup,dropoff,direct_min,ride_min,passengers,vehicle,linked_trip,cancel_code,"
                + "promised_earliest,promised_latest,promise_broken,announced_cause"
        ]
        for (replication, outcomes) in replications {
            for outcome in outcomes {
                let broken = Set(KPIs.Promises(outcome.trips).broken.compactMap { record in record.trip.map { "\(record.area)|\($0)" } })
                for trip in outcome.trips {
                    let ride = trip.pickup.flatMap { pickup in trip.dropoff.map { KPIs.format(Double($0.rawValue - pickup.rawValue) / 60, 1) } } ?? ""
                    lines.append([
                        String(replication), outcome.variant, trip.area, trip.tambon, trip.village.rawValue, trip.type, trip.mobility,
                        trip.hospital.rawValue, trip.day.iso, trip.trip.map(String.init) ?? "", trip.direction, trip.sameDay ? "yes" : "no",
                        trip.willCall ? "yes" : "no", time(trip.requested), trip.status, trip.reason ?? "", trip.detail ?? "",
                        time(trip.windowEarliest), time(trip.windowLatest), time(trip.appointment), time(trip.ready), time(trip.pickup),
                        time(trip.dropoff), trip.directSeconds > 0 ? KPIs.format(Double(trip.directSeconds) / 60, 1) : "", ride,
                        String(trip.passengers), trip.vehicle ?? "", trip.linkedTrip.map(String.init) ?? "", trip.cancelCode ?? "",
                        time(trip.promisedEarliest), time(trip.promisedLatest),
                        trip.trip.map { broken.contains("\(trip.area)|\($0)") } == true ? "yes" : "no", trip.announcedCause ?? "",
                    ].csvLine)
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Per village (with its หมู่ and tambon): legs over all replications, served share and interval.
    static func villages(_ rows: [(variant: String, outcomes: [VariantOutcome])], scenario: Scenario) -> String {
        var lines = ["variant,tambon,village,name,moo,tambon_name,population,requested,served,denied,served_share_pct,ci95_low,ci95_high,"
                     + "pickup_delay_p95_min,small_sample"]
        for row in rows {
            guard let first = row.outcomes.first else { continue }
            let groups = Dictionary(KPIs.groups(.village, row.outcomes, scenario: scenario, language: .thai).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            for village in KPIs.villages(first) {
                let group = groups[village.village.rawValue]
                let interval = group?.shareInterval
                let tambonName = first.areas.lazy.compactMap { $0.tambonNames[village.tambon] }.first ?? ""
                lines.append([
                    row.variant, village.tambon, village.village.rawValue, village.name, String(village.moo), tambonName, String(village.population),
                    String(group?.requested ?? 0), String(group?.served ?? 0), String(group?.denied ?? 0),
                    number(group?.servedShare.map { $0 * 100 }, 1), number(interval?.low.map { $0 * 100 }, 1),
                    number(interval?.high.map { $0 * 100 }, 1), number(group?.p95Delay, 1), (group?.isSmallSample ?? true) ? "yes" : "no",
                ].csvLine)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
