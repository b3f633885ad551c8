import Foundation
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
    /// Other trips changed with it (a return closed after a no-show, or restored by an undo).
    public var alsoChanged: [Trip]
    /// The re-plan of the rest of the day that the report caused (a delay, a no-show, an undo).
    public var replan: DayPlan?
    /// Why that re-plan failed, when it did (the report is stored regardless).
    public var replanFailure: PhapaiError?
    /// Promises to patients that this report broke: a late arrival, or trips the re-plan could
    /// not keep in their windows.
    public var notices: [PromiseNotice]

    /// Whether the rest of the day was re-planned.
    public var replanned: Bool { replan != nil }
}

extension PhapaiService {
    /// A report this much later than planned counts as a delay and re-plans the rest of the day.
    static let delayThresholdSeconds = 5 * 60

    /// Records a driver's report with its actual time (default now) and odometer reading, under
    /// the rules: arrive or pick up a scheduled trip (a will-call only once the clinic called; a
    /// return only once its outbound was picked up); drop off only after pick-up; no-show only
    /// after arriving and waiting the policy's minutes; undo only the trip's last report, not an
    /// outbound's pickup while its return has reports, and nothing once the day is closed;
    /// odometer readings never go backwards along a run. The stop is locked. An arrival after the promised window is a broken promise, told at once.
    /// After a delay, a no-show or an undo the rest of the day is re-planned from its runs; a
    /// failed re-plan is reported in the result, the report stays stored.
    public func reportStatus(_ id: TripID, _ report: DriverReport, at time: Instant? = nil, odometer: Double? = nil) throws -> StatusChange {
        if let odometer, !(odometer.isFinite && odometer >= 0 && odometer < 10_000_000) {
            throw PhapaiError.invalid("odometer", "OUT_OF_RANGE", "must be between 0 and 10,000,000 km")
        }
        var cause: PlanCause?
        var change: StatusChange = try write { now in
            let at = time ?? now
            guard at <= now.adding(minutes: 5) else {
                throw PhapaiError.invalid("at", "IN_FUTURE", Phrase("error.report_in_future"))
            }
            var trip = try trip(id)
            let events = try store.tripEvents(id)
            let settings = try area(trip.area)
            let offset = settings.offset
            var also: [Trip] = []
            var notices: [PromiseNotice] = []
            let run = try store.runs(on: trip.serviceDate).first { $0.stops.contains { $0.trip == id } }
            func planned(_ action: RunStop.Action) -> Instant? { run?.stops.first { $0.trip == id && $0.action == action }?.plannedTime }
            func record(_ kind: TripEvent.Kind, status: TripStatus, lock: RunStop.Action) throws {
                if let last = events.last, at < last.at {
                    throw PhapaiError.invalid("at", "TIME_ORDER", "\(kind.rawValue) at \(offset.format(at)) is before the previous report (\(last.kind.rawValue) at \(offset.format(last.at)))")
                }
                if let odometer, let run { try checkOdometer(odometer, at: at, run: run, offset: offset) }
                try store.insertTripEvent(TripEvent(id: nil, trip: id, kind: kind, at: at, odometer: odometer, recordedAt: now))
                try store.updateTripStatus(id, status: status, code: nil, reason: nil, at: now)
                try store.lockStop(trip: id, action: lock, locked: true)
                if let plan = planned(lock), at.seconds(since: plan) > Self.delayThresholdSeconds {
                    cause = .lateReport(id, minutes: at.seconds(since: plan) / 60)
                }
                store.record("trip.\(kind.rawValue)", entity: "trip:\(id)", detail: ["at": offset.iso8601(at)])
                if let run {
                    try store.recordRunChange(
                        run.shift, kind: "stop", detail: "trip=\(id) report=\(kind.rawValue) status=\(status.rawValue) time=\(at.rawValue)", at: now)
                }
                trip.status = status
            }
            switch report {
            case .arrive, .pickup:
                guard !trip.awaitingRelease else {
                    throw PhapaiError.conflict("status", "NOT_RELEASED", Phrase("error.not_released", ["trip": "\(id)"]))
                }
                if report == .arrive {
                    guard trip.status == .scheduled || trip.status == .enRoute, !events.contains(where: { $0.kind == .arrive }) else {
                        throw PhapaiError.conflict(
                            "status", "INVALID_TRANSITION",
                            Phrase(events.isEmpty ? "error.cannot_arrive" : "error.cannot_arrive.reported", ["status": trip.status.rawValue]))
                    }
                } else {
                    guard trip.status == .scheduled || trip.status == .enRoute else {
                        throw PhapaiError.conflict("status", "INVALID_TRANSITION", Phrase("error.cannot_pick_up", ["status": trip.status.rawValue]))
                    }
                }
                // A ride home starts only once the patient was taken there (the rule of 'trip ready').
                if trip.direction == .return, let linked = trip.linkedTrip, let outbound = try store.trip(linked),
                    outbound.status != .pickedUp && outbound.status != .droppedOff
                {
                    throw PhapaiError.conflict(
                        "trip", "OUTBOUND_NOT_DONE", Phrase("error.outbound_not_done", ["trip": "\(linked)", "status": outbound.status.rawValue]))
                }
                if report == .arrive {
                    try record(.arrive, status: .enRoute, lock: .pickup)
                } else {
                    try record(.pickup, status: .pickedUp, lock: .pickup)
                }
                if let notice = try lateArrival(trip, at: at, settings: settings) {
                    try recordBroken(notice, run: run?.shift, now: now)
                    notices.append(notice)
                }
            case .dropoff:
                guard trip.status == .pickedUp else {
                    throw PhapaiError.conflict("status", "NOT_PICKED_UP", Phrase("error.not_picked_up", ["status": trip.status.rawValue]))
                }
                try record(.dropoff, status: .droppedOff, lock: .dropoff)
            case .noshow:
                guard trip.status == .enRoute, let arrived = events.last(where: { $0.kind == .arrive }) else {
                    throw PhapaiError.conflict("status", "NOT_ARRIVED", Phrase("error.not_arrived", ["status": trip.status.rawValue]))
                }
                let earliest = arrived.at.adding(minutes: settings.policies.noShowWaitMinutes)
                guard at >= earliest else {
                    throw PhapaiError.conflict(
                        "at", "TOO_EARLY_FOR_NO_SHOW",
                        Phrase("error.too_early_for_no_show", [
                            "minutes": "\(settings.policies.noShowWaitMinutes)", "arrived": "\(offset.time(of: arrived.at))", "earliest": "\(offset.time(of: earliest))",
                        ]))
                }
                try record(.noshow, status: .noShow, lock: .pickup)
                // The driver went and waited: the pickup stays on the run as history; the drop-off goes.
                try removeFromRuns([trip], actions: [.dropoff], now: now)
                if trip.direction == .outbound, let back = try closeReturn(of: try self.trip(id), now: now) {
                    try removeFromRuns([back], now: now)
                    also.append(back)
                }
                cause = .noShow(id)
            case .undo:
                guard let last = events.last else {
                    throw PhapaiError.conflict("action", "NOTHING_TO_UNDO", Phrase("error.nothing_to_undo", ["trip": "\(id)"]))
                }
                // A closed day is final: taking a report back would reopen a trip marked missed and
                // leave its journey half open.
                if let closed = try dayClosed(trip.serviceDate, area: trip.area) {
                    throw PhapaiError.conflict(
                        "trip", "DAY_CLOSED", Phrase("error.day_closed", ["date": trip.serviceDate.iso, "at": offset.format(closed)]))
                }
                guard trip.status != .missedByOperator else {
                    throw PhapaiError.conflict("trip", "DAY_CLOSED", Phrase("error.day_closed.missed", ["trip": "\(id)"]))
                }
                let remaining = events.dropLast()
                let status: TripStatus =
                    switch remaining.last?.kind {
                    case .arrive: .enRoute
                    case .pickup: .pickedUp
                    case .dropoff: .droppedOff
                    case .noshow: .noShow
                    case nil: planned(.pickup) != nil || last.kind == .noshow ? .scheduled : .requested
                    }
                // The legs stay in step: an outbound is not taken back to before its pickup while
                // its return has been reported.
                if trip.direction == .outbound, status != .pickedUp && status != .droppedOff, let linked = trip.linkedTrip,
                    let back = try store.trip(linked), try !store.tripEvents(linked).isEmpty
                {
                    throw PhapaiError.conflict(
                        "trip", "RETURN_UNDER_WAY", Phrase("error.return_under_way", ["trip": "\(linked)", "status": back.status.rawValue]))
                }
                try store.deleteTripEvent(last.id!)
                try store.updateTripStatus(id, status: status, code: nil, reason: nil, at: now)
                switch last.kind {
                case .dropoff: try store.lockStop(trip: id, action: .dropoff, locked: false)
                case .arrive, .pickup, .noshow:
                    if remaining.isEmpty {
                        try store.lockStop(trip: id, action: .pickup, locked: false)
                        try store.lockStop(trip: id, action: .dropoff, locked: false)
                    }
                }
                // The stop the vehicle was taken to be driving to next was locked on that
                // report's account: it is free again.
                if let run, let at = run.stops.firstIndex(where: { $0.trip == id && $0.action == (last.kind == .dropoff ? .dropoff : .pickup) }),
                    let next = run.stops[(at + 1)...].first(where: { $0.trip != id }), next.locked,
                    try store.tripEvents(next.trip).isEmpty
                {
                    try store.lockStop(trip: next.trip, action: next.action, locked: false)
                }
                if last.kind == .noshow, let linked = trip.linkedTrip, let back = try store.trip(linked),
                    back.status == .cancelled, back.cancellationCode == .outboundNotPerformed
                {
                    // The journey is whole again: its return goes back into the plan with it.
                    try store.updateTripStatus(linked, status: .requested, code: nil, reason: nil, at: now)
                    store.record("trip.restore", entity: "trip:\(linked)", detail: ["undone": "noshow"])
                    also.append(try self.trip(linked))
                }
                store.record("trip.undo", entity: "trip:\(id)", detail: ["undone": last.kind.rawValue])
                trip.status = status
                cause = .undo(id)
            }
            return StatusChange(trip: trip, alsoChanged: also, replan: nil, replanFailure: nil, notices: notices)
        }
        guard let cause else { return change }
        // The rest of the day moves around what has happened, in a write of its own: a failed
        // re-plan must not undo the driver's report.
        (change.replan, change.replanFailure) = replanAfterStoredChange(change.trip.serviceDate, area: change.trip.area, cause: cause)
        change.notices += change.replan?.notices ?? []
        if change.replan != nil {
            change.trip = try trip(id)
            change.alsoChanged = try change.alsoChanged.map { try trip($0.id!) }
        }
        return change
    }

    /// When `date` was closed for `area` (`day close`), if it was.
    func dayClosed(_ date: LocalDate, area: AreaID) throws -> Instant? {
        let mark = "area=\(area)"
        return try store.dayEvents("day:\(date.iso)", areas: [area], action: "day.close", limit: 10).first { event in
            event.detail.split(separator: " ").contains { $0 == mark }
        }?.at
    }

    /// A broken promise when the vehicle reaches a promised pickup later than the window told
    /// (beyond the tolerance), unless it was already told at least as late.
    func lateArrival(_ trip: Trip, at: Instant, settings: AreaSettings) throws -> PromiseNotice? {
        guard let promise = trip.promise else { return nil }
        let tolerance = settings.policies.promiseToleranceMinutes
        let over = at.seconds(since: promise.latest)
        guard over > tolerance * 60 else { return nil }
        let minutes = (over + 59) / 60
        let told = try store.events(entity: "trip:\(trip.id!)", limit: 100)
            .filter { $0.action == "trip.promise_broken" }
            .compactMap { event in event.detail.split(separator: " ").first { $0.hasPrefix("minutes=") }.flatMap { Int($0.dropFirst(8)) } }
            .max()
        if let told, minutes <= told + tolerance { return nil }
        let offset = settings.offset
        return PromiseNotice(
            trip: trip.id!, patient: trip.patient, kind: .arrivedLate(minutes: minutes), promised: promise, plannedPickup: at,
            vehicle: nil, cause: .lateArrival(trip.id!, minutes: minutes),
            reason: Phrase("promise.arrived_late", [
                "at": "\(offset.time(of: at))", "earliest": "\(offset.time(of: promise.earliest))", "latest": "\(offset.time(of: promise.latest))",
            ]))
    }

    /// Refuses an odometer reading that goes backwards along `run`: no earlier report of its trips
    /// may read more, no later one less.
    func checkOdometer(_ reading: Double, at: Instant, run: Run, offset: UTCOffset) throws {
        let trips = Set(run.stops.map(\.trip))
        for (trip, events) in try store.tripEvents(on: run.date) where trips.contains(trip) {
            for event in events {
                guard let other = event.odometer else { continue }
                if event.at <= at && other > reading {
                    throw PhapaiError.invalid(
                        "odometer", "ODOMETER_BACKWARDS",
                        "the odometer read \(Self.kilometres(other)) km at \(offset.time(of: event.at)) (trip \(trip) \(event.kind.rawValue)); \(Self.kilometres(reading)) km is less")
                }
                if event.at > at && other < reading {
                    throw PhapaiError.invalid(
                        "odometer", "ODOMETER_BACKWARDS",
                        "the odometer read \(Self.kilometres(other)) km later, at \(offset.time(of: event.at)) (trip \(trip) \(event.kind.rawValue)); \(Self.kilometres(reading)) km is more")
                }
            }
        }
    }

    static func kilometres(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    /// The reports of a trip, oldest first.
    public func tripEvents(_ id: TripID) throws -> [TripEvent] {
        _ = try trip(id)
        return try store.tripEvents(id)
    }
}
