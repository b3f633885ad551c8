import PhapaiCore
import PhapaiStore

/// One patient to call the night before: their journey of the day as the runs hold it now.
public struct CallRow: Sendable {
    /// The patient.
    public var patient: Patient
    /// The first leg of the day (the outbound, or a single leg).
    public var trip: Trip
    /// The window told (or, before it was told, the booked one); nil for a will-call leg.
    public var window: TimeWindow?
    /// When the run plans to be at the door.
    public var plannedPickup: Instant?
    /// The vehicle and its driver, when a run carries the trip.
    public var vehicle: Vehicle?
    public var driver: Driver?
    /// The return: its trip, and its planned pickup when a run carries it.
    public var returnTrip: Trip?
    public var returnPickup: Instant?
    /// The time or the vehicle changed since the list was last made (or it was not on it).
    public var changed: Bool
    /// What `attention` says of the journey, most urgent first.
    public var attention: [AttentionItem.Kind]
}

/// The night-before call list of one area's day.
public struct CallList: Sendable {
    public var date: LocalDate
    public var area: AreaID
    /// Patients in order of their pickup.
    public var rows: [CallRow]
    /// When the list was made before (nil: never).
    public var previous: Instant?
}

extension PhapaiService {
    /// The patients of `area` with a journey on `date`, to call the evening before: the window
    /// told, the vehicle and driver, the return; marked when the time or vehicle changed since
    /// the list was last made, and when `attention` lists the journey. Making it records what it
    /// said, so the next one marks what changed since.
    public func callList(on date: LocalDate, area: AreaID) throws -> CallList {
        let items = try attention(on: date, area: area)
        return try write { now in
            let trips = try store.trips(date: date).filter { $0.area == area && $0.status.isActive }
            let byID = Dictionary(uniqueKeysWithValues: trips.map { ($0.id!, $0) })
            var onRun: [TripID: (run: Run, at: Instant)] = [:]
            for run in try store.runs(on: date) {
                for stop in run.stops where stop.action == .pickup { onRun[stop.trip] = (run, stop.plannedTime) }
            }
            let printed = try store.printedCalls(area: area, date: date)
            var rows: [CallRow] = []
            var vehicles: [VehicleID: Vehicle] = [:]
            var drivers: [DriverID: Driver] = [:]
            // A journey once: by its first leg (an outbound, or a return whose outbound is not active).
            for trip in trips where trip.direction == .outbound || trip.linkedTrip.flatMap({ byID[$0] }) == nil {
                let back = trip.direction == .outbound ? trip.linkedTrip.flatMap { byID[$0] } : nil
                let carried = onRun[trip.id!]
                if let run = carried?.run {
                    if vehicles[run.vehicle] == nil { vehicles[run.vehicle] = try store.vehicle(run.vehicle) }
                    if drivers[run.driver] == nil { drivers[run.driver] = try store.driver(run.driver) }
                }
                let window = trip.promise ?? trip.pickupWindow
                let before = printed[trip.id!]
                let changed = before == nil || before?.earliest != window?.earliest || before?.vehicle != carried?.run.vehicle
                let journey = Set([trip.id, back?.id].compactMap { $0 })
                rows.append(CallRow(
                    patient: try patient(trip.patient), trip: trip, window: window, plannedPickup: carried?.at,
                    vehicle: carried.flatMap { vehicles[$0.run.vehicle] }, driver: carried.flatMap { drivers[$0.run.driver] },
                    returnTrip: back, returnPickup: back.flatMap { onRun[$0.id!]?.at }, changed: changed,
                    attention: items.filter { $0.trip.map(journey.contains) == true }.map(\.kind).reduce(into: []) { kinds, kind in
                        if !kinds.contains(kind) { kinds.append(kind) }
                    }))
            }
            rows.sort { ($0.window?.earliest ?? $0.plannedPickup ?? .init(rawValue: .max), $0.trip.id!) < ($1.window?.earliest ?? $1.plannedPickup ?? .init(rawValue: .max), $1.trip.id!) }
            let previous = try store.lastCallPrint(area: area, date: date)
            try store.recordCalls(
                area: area, date: date, at: now,
                rows.map { (trip: $0.trip.id!, earliest: $0.window?.earliest, vehicle: $0.vehicle?.id) })
            store.record("calls.print", entity: "day:\(date.iso)", detail: ["area": "\(area)", "patients": "\(rows.count)"])
            return CallList(date: date, area: area, rows: rows, previous: previous)
        }
    }
}
