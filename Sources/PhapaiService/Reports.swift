import PhapaiCore
import PhapaiStore

/// How to group a report.
public enum ReportGrouping: String, Sendable, CaseIterable {
    /// One row per area of the database, then the total (`all`): the province table.
    case village, funding, vehicle, area
}

/// Service figures for one group (or the total) over a span of days.
public struct ReportRow: Sendable, Equatable {
    /// The group ("all" for the total).
    public var group: String
    /// Every trip of the group; the counts below add up to it.
    public var trips = 0
    /// Trips completed (dropped off).
    public var served = 0
    /// Trips the service failed to perform: not reported by the end of their day, or never given a vehicle (`missed`).
    public var missed = 0
    /// Trips denied, or left unserved by the planner with a reason (before their day was closed).
    public var denied = 0
    /// Trips still to happen or under way (requested without a reason yet, scheduled, en route, on board).
    public var open = 0
    /// Cancellations by code.
    public var cancelled: [CancellationCode: Int] = [:]
    /// No-shows.
    public var noShows = 0
    /// Share of picked-up trips picked up by the end of their window (0-1; nil without any).
    public var pickupOnTime: Double?
    /// Share of outbound appointment trips delivered by the appointment time.
    public var appointmentOnTime: Double?
    /// Mean ride, minutes.
    public var meanRideMinutes: Double?
    /// 95th percentile ride (nearest rank), minutes.
    public var p95RideMinutes: Double?
    /// Mean ride over the direct driving time.
    public var meanRideRatio: Double?
    /// 95th percentile ride ratio.
    public var p95RideRatio: Double?
    /// Hours from the first to the last stop of each run (actual times where reported).
    public var vehicleHours: Double?
    /// Kilometres along the runs, depot to depot.
    public var kilometres: Double?
    /// Passengers (patients and companions) carried per vehicle-hour.
    public var passengersPerVehicleHour: Double?
}

/// Patients served per entitlement in a month, for the funder.
public struct FunderRow: Sendable, Equatable {
    public var entitlement: Entitlement
    public var patients: Int
    public var trips: Int
}

extension PhapaiService {
    /// Figures of the days `from` to `to` for one area (or every area), in total or grouped. By
    /// area, one row per area of the database (those without trips too) and then the total, `all`.
    public func report(from: LocalDate, to: LocalDate, by grouping: ReportGrouping? = nil, area: AreaID? = nil) throws -> [ReportRow] {
        guard from <= to else { throw PhapaiError.invalid("to", "DATE_ORDER", "the last day \(to.iso) is before the first \(from.iso)") }
        guard to.dayNumber - from.dayNumber <= 366 else { throw PhapaiError.invalid("to", "OUT_OF_RANGE", "a report spans at most 366 days") }
        if let area { _ = try self.area(area) }
        // Each vehicle's kilometres are counted with the travel model of its own area.
        var settingsOf: [AreaID: AreaSettings] = [:]
        for settings in try store.areas() { settingsOf[settings.id] = settings }
        var areaOfVehicle: [VehicleID: AreaID] = [:]
        var depots: [VehicleID: PlaceID] = [:]
        for vehicle in try store.vehicles() {
            areaOfVehicle[vehicle.id] = vehicle.area
            depots[vehicle.id] = vehicle.depot
        }
        let trips = try store.trips(from: from, to: to).filter { area == nil || $0.area == area }
        var patients: [PatientID: Patient] = [:]
        for patient in try store.patients() { patients[patient.id] = patient }
        var places: [PlaceID: Place] = [:]
        for place in try store.places() { places[place.id] = place }
        var events: [TripID: [TripEvent]] = [:]
        var runs: [Run] = []
        var day = from
        while day <= to {
            events.merge(try store.tripEvents(on: day)) { $1 }
            runs += try store.runs(on: day).filter { area == nil || areaOfVehicle[$0.vehicle] == area }
            day = day.adding(days: 1)
        }
        var vehicleOfTrip: [TripID: VehicleID] = [:]
        for run in runs { for stop in run.stops { vehicleOfTrip[stop.trip] = run.vehicle } }

        func key(_ trip: Trip) -> String {
            switch grouping {
            case nil: "all"
            case .village: patients[trip.patient].flatMap { places[$0.village]?.displayName } ?? "-"
            case .funding: trip.funding.rawValue
            case .vehicle: vehicleOfTrip[trip.id!]?.rawValue ?? "-"
            case .area: trip.area.rawValue
            }
        }
        /// Whether a run counts for a group's vehicle figures.
        func counts(_ run: Run, for group: String) -> Bool {
            switch grouping {
            case nil: true
            case .vehicle: run.vehicle.rawValue == group
            case .area: group == "all" || areaOfVehicle[run.vehicle]?.rawValue == group
            case .village, .funding: false
            }
        }
        var groups: [String: [Trip]] = [:]
        for trip in trips { groups[key(trip), default: []].append(trip) }
        if grouping == .vehicle { for run in runs where groups[run.vehicle.rawValue] == nil { groups[run.vehicle.rawValue] = [] } }
        if grouping == .area { for id in settingsOf.keys where area == nil || id == area { groups[id.rawValue, default: []] += [] } }
        if grouping == nil && groups.isEmpty { groups["all"] = [] }
        var order = groups.keys.sorted()
        if grouping == .village {
            // หมู่ 1, 2, ... 10 in number order (as text, 10 would come before 2), then the rest.
            var mooOf: [String: Int] = [:]
            for place in places.values where place.kind == .village { if let moo = place.moo { mooOf[place.displayName] = moo } }
            order.sort { (mooOf[$0] ?? Int.max, $0) < (mooOf[$1] ?? Int.max, $1) }
        }
        if grouping == .area {
            // The province's total after its areas ("all" is not an area code: codes have no spaces, and
            // the total is named apart from them below).
            order.append("all")
            groups["all"] = trips
        }

        func at(_ trip: TripID, _ kind: TripEvent.Kind) -> Instant? { events[trip]?.last { $0.kind == kind }?.at }
        let tripByID = Dictionary(uniqueKeysWithValues: trips.compactMap { t in t.id.map { ($0, t) } })
        return order.enumerated().map { index, group in
            let own = groups[group]!
            var row = ReportRow(group: group)
            var rides: [Double] = [], ratios: [Double] = []
            var pickups = 0, pickupsOnTime = 0, appointments = 0, appointmentsOnTime = 0
            var passengers = 0
            for trip in own {
                row.trips += 1
                switch trip.status {
                case .droppedOff: row.served += 1
                case .missedByOperator: row.missed += 1
                case .denied: row.denied += 1
                case .requested where trip.statusReason != nil: row.denied += 1
                case .cancelled: row.cancelled[trip.cancellationCode ?? .advance, default: 0] += 1
                case .noShow: row.noShows += 1
                case .requested, .scheduled, .enRoute, .pickedUp: row.open += 1
                }
                if let pickedUp = at(trip.id!, .pickup), let window = trip.pickupWindow {
                    pickups += 1
                    if pickedUp <= window.latest { pickupsOnTime += 1 }
                    if let droppedOff = at(trip.id!, .dropoff) {
                        let ride = Double(droppedOff.seconds(since: pickedUp)) / 60
                        rides.append(ride)
                        if trip.directSeconds > 0 { ratios.append(ride * 60 / Double(trip.directSeconds)) }
                        passengers += 1 + trip.companions
                        if trip.direction == .outbound, let appointment = trip.appointment {
                            appointments += 1
                            if droppedOff <= appointment { appointmentsOnTime += 1 }
                        }
                    }
                }
            }
            if pickups > 0 { row.pickupOnTime = Double(pickupsOnTime) / Double(pickups) }
            if appointments > 0 { row.appointmentOnTime = Double(appointmentsOnTime) / Double(appointments) }
            if !rides.isEmpty {
                row.meanRideMinutes = rides.reduce(0, +) / Double(rides.count)
                row.p95RideMinutes = nearestRank(rides, 0.95)
            }
            if !ratios.isEmpty {
                row.meanRideRatio = ratios.reduce(0, +) / Double(ratios.count)
                row.p95RideRatio = nearestRank(ratios, 0.95)
            }
            // Vehicle figures belong to runs: in total, or by vehicle.
            if grouping == nil || grouping == .vehicle || grouping == .area {
                // By area the total is the last row, whatever the areas are called.
                let ownRuns = runs.filter { grouping == .area && index == order.count - 1 ? true : counts($0, for: group) }
                var hours = 0.0, kilometres = 0.0
                for run in ownRuns where !run.stops.isEmpty {
                    let times = run.stops.map { stop in
                        at(stop.trip, stop.action == .pickup ? .pickup : .dropoff) ?? (stop.action == .pickup ? at(stop.trip, .noshow) : nil)
                            ?? stop.plannedTime
                    }
                    hours += Double(times.max()!.seconds(since: times.min()!)) / 3600
                    var path = [depots[run.vehicle]].compactMap { $0 }
                    for stop in run.stops {
                        guard let trip = tripByID[stop.trip] else { continue }
                        path.append(stop.action == .pickup ? trip.pickupPlace : trip.dropoffPlace)
                    }
                    if let depot = depots[run.vehicle] { path.append(depot) }
                    for (a, b) in zip(path, path.dropFirst()) {
                        if let from = places[a]?.coordinate, let to = places[b]?.coordinate,
                            let travel = areaOfVehicle[run.vehicle].flatMap({ settingsOf[$0] })?.travel
                        {
                            kilometres += travel.roadKilometres(from, to)
                        }
                    }
                }
                row.vehicleHours = hours
                row.kilometres = kilometres
                if hours > 0 { row.passengersPerVehicleHour = Double(passengers) / hours }
            }
            return row
        }
    }

    /// Patients served (at least one trip completed) per entitlement of the trips, in `month`, in
    /// one area (or every area).
    public func funderReport(year: Int, month: Int, area: AreaID? = nil) throws -> [FunderRow] {
        guard let first = LocalDate(year: year, month: month, day: 1) else {
            throw PhapaiError.invalid("month", "INVALID_DATE", "\(year)-\(month) is not a month")
        }
        let last = first.adding(days: 40).adding(days: -LocalDate(dayNumber: first.dayNumber + 40).day)
        let served = try store.trips(from: first, to: last).filter { $0.status == .droppedOff && (area == nil || $0.area == area) }
        return Entitlement.allCases.map { entitlement in
            let own = served.filter { $0.funding == entitlement }
            return FunderRow(entitlement: entitlement, patients: Set(own.map(\.patient)).count, trips: own.count)
        }
    }
}

func nearestRank(_ values: [Double], _ q: Double) -> Double {
    let sorted = values.sorted()
    let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}
