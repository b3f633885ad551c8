import PhapaiCore
import PhapaiStore

/// What a driver reports with `trip status`.
public enum DriverReport: String, Sendable, CaseIterable {
    case arrive, pickup, dropoff, noshow, undo

    /// Parses a report name.
    public static func parse(_ text: String) throws -> DriverReport {
        guard let value = DriverReport(rawValue: text) else {
            throw PhapaiError.invalid("action", "INVALID_VALUE", "'\(text)' is not one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}

/// What a status report changed.
public struct StatusChange: Sendable {
    /// The trip after the report.
    public var trip: Trip
    /// Other trips changed with it (a return cancelled after a no-show).
    public var alsoChanged: [Trip]
    /// Whether the rest of the day was re-planned.
    public var replanned: Bool
}

extension PhapaiService {
    static let noShowReturnReason = "no-show on the outbound trip"
    /// A report this much later than planned counts as a delay and re-plans the rest of the day.
    static let delayThresholdSeconds = 5 * 60

    /// Records a driver's report with its actual time (default now) and odometer reading, under
    /// the rules: arrive or pick up a scheduled trip; drop off only after pick-up; no-show only
    /// after arriving and waiting the policy's minutes; undo only the trip's last report. The stop
    /// is locked; after a delay or a no-show the rest of the day is re-planned around locked stops.
    public func reportStatus(_ id: TripID, _ report: DriverReport, at time: Instant? = nil, odometer: Double? = nil) throws -> StatusChange {
        if let odometer, !(odometer.isFinite && odometer >= 0 && odometer < 10_000_000) {
            throw PhapaiError.invalid("odometer", "OUT_OF_RANGE", "must be between 0 and 10,000,000 km")
        }
        var delayed = false
        let change: StatusChange = try write { now in
            let at = time ?? now
            guard at <= now.adding(minutes: 5) else {
                throw PhapaiError.invalid("at", "IN_FUTURE", "a report cannot be dated after now")
            }
            var trip = try trip(id)
            let events = try store.tripEvents(id)
            let settings = try area(trip.area)
            var also: [Trip] = []
            func planned(_ action: RunStop.Action) throws -> Instant? {
                try store.runs(on: trip.serviceDate).flatMap(\.stops).first { $0.trip == id && $0.action == action }?.plannedTime
            }
            func record(_ kind: TripEvent.Kind, status: TripStatus, lock: RunStop.Action) throws {
                if let last = events.last, at < last.at {
                    throw PhapaiError.invalid("at", "TIME_ORDER", "\(kind.rawValue) at \(settings.offset.format(at)) is before the previous report (\(last.kind.rawValue) at \(settings.offset.format(last.at)))")
                }
                try store.insertTripEvent(TripEvent(id: nil, trip: id, kind: kind, at: at, odometer: odometer, recordedAt: now))
                try store.updateTripStatus(id, status: status, code: nil, reason: nil, at: now)
                try store.lockStop(trip: id, action: lock, locked: true)
                if let plan = try planned(lock), at.seconds(since: plan) > Self.delayThresholdSeconds { delayed = true }
                store.record("trip.\(kind.rawValue)", entity: "trip:\(id)", detail: ["at": settings.offset.iso8601(at)])
                if let run = try store.runs(on: trip.serviceDate).first(where: { $0.stops.contains { $0.trip == id } }) {
                    try store.recordRunChange(run.shift, kind: "stop", detail: "trip=\(id) report=\(kind.rawValue)", at: now)
                }
                trip.status = status
            }
            switch report {
            case .arrive:
                guard trip.status == .scheduled || trip.status == .enRoute, !events.contains(where: { $0.kind == .arrive }) else {
                    throw PhapaiError.conflict("status", "INVALID_TRANSITION", "cannot arrive for a trip that is \(trip.status.rawValue)\(events.isEmpty ? "" : " (already reported)")")
                }
                try record(.arrive, status: .enRoute, lock: .pickup)
            case .pickup:
                guard trip.status == .scheduled || trip.status == .enRoute else {
                    throw PhapaiError.conflict("status", "INVALID_TRANSITION", "cannot pick up a trip that is \(trip.status.rawValue)")
                }
                try record(.pickup, status: .pickedUp, lock: .pickup)
            case .dropoff:
                guard trip.status == .pickedUp else {
                    throw PhapaiError.conflict("status", "NOT_PICKED_UP", "no drop-off before pick-up: the trip is \(trip.status.rawValue)")
                }
                try record(.dropoff, status: .droppedOff, lock: .dropoff)
            case .noshow:
                guard trip.status == .enRoute, let arrived = events.last(where: { $0.kind == .arrive }) else {
                    throw PhapaiError.conflict("status", "NOT_ARRIVED", "a no-show needs the driver's arrival first (trip is \(trip.status.rawValue))")
                }
                let earliest = arrived.at.adding(minutes: settings.policies.noShowWaitMinutes)
                guard at >= earliest else {
                    throw PhapaiError.conflict(
                        "at", "TOO_EARLY_FOR_NO_SHOW",
                        "the driver waits \(settings.policies.noShowWaitMinutes) min after arriving at \(settings.offset.time(of: arrived.at)): not before \(settings.offset.time(of: earliest))")
                }
                try record(.noshow, status: .noShow, lock: .pickup)
                // The driver went and waited: the pickup stays on the run as history; the drop-off goes.
                try removeFromRuns([trip], actions: [.dropoff])
                if let linked = trip.linkedTrip, let back = try store.trip(linked), trip.direction == .outbound,
                    back.status.allowedNext.contains(.cancelled)
                {
                    let cancelled = try cancel(back, reason: Self.noShowReturnReason, atDoor: false, now: now)
                    try removeFromRuns([cancelled])
                    also.append(cancelled)
                }
                delayed = true
            case .undo:
                guard let last = events.last else {
                    throw PhapaiError.conflict("action", "NOTHING_TO_UNDO", "trip \(id) has no report to undo")
                }
                try store.deleteTripEvent(last.id!)
                let remaining = events.dropLast()
                let onRun = try planned(.pickup) != nil
                let status: TripStatus =
                    switch remaining.last?.kind {
                    case .arrive: .enRoute
                    case .pickup: .pickedUp
                    case .dropoff: .droppedOff
                    case .noshow: .noShow
                    case nil: onRun || last.kind == .noshow ? .scheduled : .requested
                    }
                try store.updateTripStatus(id, status: status, code: nil, reason: nil, at: now)
                switch last.kind {
                case .dropoff: try store.lockStop(trip: id, action: .dropoff, locked: false)
                case .arrive, .pickup, .noshow:
                    if remaining.isEmpty { try store.lockStop(trip: id, action: .pickup, locked: false) }
                }
                if last.kind == .noshow, let linked = trip.linkedTrip, let back = try store.trip(linked),
                    back.status == .cancelled, back.statusReason == Self.noShowReturnReason
                {
                    try store.updateTripStatus(linked, status: .requested, code: nil, reason: nil, at: now)
                    also.append(try self.trip(linked))
                }
                store.record("trip.undo", entity: "trip:\(id)", detail: ["undone": last.kind.rawValue])
                trip.status = status
            }
            return StatusChange(trip: trip, alsoChanged: also, replanned: false)
        }
        guard delayed else { return change }
        // The rest of the day moves around what has happened; a failed re-plan leaves the runs as they are.
        var replanned = change
        replanned.replanned = (try? planDay(change.trip.serviceDate, seconds: 2, iterations: 300)) != nil
        return replanned
    }

    /// The reports of a trip, oldest first.
    public func tripEvents(_ id: TripID) throws -> [TripEvent] {
        _ = try trip(id)
        return try store.tripEvents(id)
    }
}
