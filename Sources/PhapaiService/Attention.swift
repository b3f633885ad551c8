import PhapaiCore
import PhapaiStore

/// A trip that needs a dispatcher's call: a promise that no longer holds, a patient at the clinic
/// without a ride home, a trip nobody reported on.
public struct AttentionItem: Hashable, Sendable {
    /// What is wrong, most urgent first.
    public enum Kind: String, Sendable, CaseIterable {
        /// The patient was taken to the clinic and has no ride home yet.
        case returnAtRisk = "return_at_risk"
        /// A promised trip lost its vehicle.
        case lostPlace = "lost_place"
        /// A promised trip is planned (or came) after its window.
        case late
        /// A patient's drop-off is planned after their appointment.
        case lateForAppointment = "late_for_appointment"
        /// The planned pickup passed without a word from the driver.
        case overdue
        /// A will-call patient's clinic has not called, and the expected time is over.
        case notCalled = "not_called"
        /// A booking no vehicle could take (the patient was not yet told a time).
        case unserved
        /// A re-plan of the day failed after a change was stored: the runs may be stale.
        case replanFailed = "replan_failed"
    }

    /// What is wrong.
    public var kind: Kind
    /// The day.
    public var date: LocalDate
    /// The trip (nil for a day-wide item).
    public var trip: TripID?
    /// Its direction.
    public var direction: TripDirection?
    /// Who to call.
    public var patient: Patient?
    /// The window the patient was told, if any.
    public var promised: TimeWindow?
    /// The pickup as planned now, if the trip is on a run.
    public var plannedPickup: Instant?
    /// The vehicle that has it now, if any.
    public var vehicle: VehicleID?
    /// What happened and why, as a phrase each reader reads in their language.
    public var detail: Phrase
}

/// What `day close` did.
public struct DayCloseResult: Sendable {
    /// The day closed.
    public var date: LocalDate
    /// Trips marked `missed`: not reported, or never given a vehicle.
    public var missed: [Trip]
    /// Returns closed because their outbound was not performed.
    public var closedReturns: [Trip]
}

extension PhapaiService {
    /// Minutes after a planned pickup without any report before the trip is overdue.
    static let overdueMinutes = 30

    /// The trips of `date` that need a call, most urgent first (the order of ``AttentionItem/Kind``):
    /// returns at risk, promised trips without a vehicle, late promises, drop-offs after the
    /// appointment, overdue stops, will-calls not yet called, bookings without a vehicle, and a
    /// failed re-plan.
    public func attention(on date: LocalDate, area: AreaID? = nil) throws -> [AttentionItem] {
        let settings = try self.area(area)
        let state = try dayState(date, settings: settings)
        let now = clock()
        let offset = settings.offset
        var planned: [TripID: (vehicle: VehicleID, at: Instant)] = [:]
        var dropoffs: [TripID: (vehicle: VehicleID, at: Instant)] = [:]
        for run in state.runs {
            for stop in run.stops {
                if stop.action == .pickup { planned[stop.trip] = (run.vehicle, stop.plannedTime) } else { dropoffs[stop.trip] = (run.vehicle, stop.plannedTime) }
            }
        }
        let byID = Dictionary(uniqueKeysWithValues: state.trips.map { ($0.id!, $0) })
        var patients: [PatientID: Patient] = [:]
        func patient(_ id: PatientID) throws -> Patient {
            if let known = patients[id] { return known }
            let found = try self.patient(id)
            patients[id] = found
            return found
        }
        var items: [AttentionItem] = []
        func add(_ kind: AttentionItem.Kind, _ trip: Trip, _ detail: Phrase) throws {
            items.append(AttentionItem(
                kind: kind, date: date, trip: trip.id, direction: trip.direction, patient: try patient(trip.patient), promised: trip.promise,
                plannedPickup: planned[trip.id!]?.at, vehicle: planned[trip.id!]?.vehicle, detail: detail))
        }
        let dayPlanned = try isPlanned(date, area: settings.id, runs: state.runs)
        // A pooled day holds other areas' trips: only this area's are its dispatcher's to call.
        let own = state.trips.filter { $0.area == settings.id }
        for trip in own where trip.status.isActive && trip.status != .pickedUp {
            let id = trip.id!
            let onRun = planned[id]
            let outbound = trip.direction == .return ? trip.linkedTrip.flatMap { byID[$0] } : nil
            let patientAtClinic = outbound.map { $0.status == .droppedOff || $0.status == .pickedUp } ?? false
            if patientAtClinic && onRun == nil && !(trip.awaitingRelease && !dayPlanned) {
                try add(.returnAtRisk, trip, Phrase(
                    trip.awaitingRelease ? "attention.return_at_risk.kept" : "attention.return_at_risk",
                    parts: [trip.statusPhrase ?? Phrase("attention.no_vehicle")]))
                continue
            }
            if let promise = trip.promise {
                if onRun == nil {
                    try add(.lostPlace, trip, Phrase("attention.lost_place", parts: [trip.statusPhrase ?? Phrase("unserved.no_vehicle")]))
                    continue
                }
                if let onRun, onRun.at.seconds(since: promise.latest) > 30 {
                    let minutes = (onRun.at.seconds(since: promise.latest) + 59) / 60
                    try add(.late, trip, Phrase("attention.late", [
                        "vehicle": onRun.vehicle.rawValue, "at": "\(offset.time(of: onRun.at))", "minutes": "\(minutes)",
                        "earliest": "\(offset.time(of: promise.earliest))", "latest": "\(offset.time(of: promise.latest))",
                    ]))
                    continue
                }
            }
            if let onRun, !trip.awaitingRelease, trip.status == .scheduled,
                now.seconds(since: onRun.at) > Self.overdueMinutes * 60, (state.events[id] ?? []).isEmpty
            {
                try add(.overdue, trip, Phrase("attention.overdue", ["vehicle": onRun.vehicle.rawValue, "at": "\(offset.time(of: onRun.at))"]))
                continue
            }
            if trip.awaitingRelease, patientAtClinic, let expected = trip.releaseWindow, now > expected.latest {
                try add(.notCalled, trip, Phrase("attention.not_called", ["latest": "\(offset.time(of: expected.latest))"]))
                continue
            }
            if trip.status == .requested && trip.promise == nil && dayPlanned && !patientAtClinic {
                try add(.unserved, trip, Phrase("attention.unserved", parts: [trip.statusPhrase ?? Phrase("attention.not_placed")]))
            }
        }
        // Patients who will reach their appointment late, on board or not (half a minute is rounding).
        for trip in own where trip.direction == .outbound && trip.status.isActive {
            guard let appointment = trip.appointment, let dropoff = dropoffs[trip.id!], dropoff.at.seconds(since: appointment) > 30 else { continue }
            let minutes = (dropoff.at.seconds(since: appointment) + 59) / 60
            items.append(AttentionItem(
                kind: .lateForAppointment, date: date, trip: trip.id, direction: trip.direction, patient: try patient(trip.patient),
                promised: trip.promise, plannedPickup: planned[trip.id!]?.at, vehicle: dropoff.vehicle,
                detail: Phrase("attention.late_for_appointment", [
                    "vehicle": dropoff.vehicle.rawValue, "at": "\(offset.time(of: dropoff.at))", "minutes": "\(minutes)",
                    "appointment": "\(offset.time(of: appointment))",
                ])))
        }
        // A failed re-plan stays on the list until the day is planned again.
        // Events of this area (older plan events name no area).
        let members = try planningUnit(of: settings).members
        let marks = Set(members.map { "area=\($0)" })
        let dayEvents = try store.dayEvents("day:\(date.iso)", areas: members, limit: 50).filter { event in
            let tokens = event.detail.split(separator: " ")
            return tokens.contains { marks.contains(String($0)) } || (event.action == "day.plan" && !tokens.contains { $0.hasPrefix("area=") })
        }
        if let latest = dayEvents.first(where: { $0.action == "day.plan" || $0.action == "day.replan_failed" }), latest.action == "day.replan_failed" {
            items.append(AttentionItem(
                kind: .replanFailed, date: date, trip: nil, direction: nil, patient: nil, promised: nil, plannedPickup: nil, vehicle: nil,
                detail: Phrase("attention.replan_failed", ["at": "\(offset.time(of: latest.at))", "detail": latest.detail])))
        }
        let order = AttentionItem.Kind.allCases
        return items.sorted { a, b in
            let (ka, kb) = (order.firstIndex(of: a.kind)!, order.firstIndex(of: b.kind)!)
            if ka != kb { return ka < kb }
            let (ta, tb) = (a.plannedPickup ?? a.promised?.earliest, b.plannedPickup ?? b.promised?.earliest)
            if ta != tb { return (ta?.rawValue ?? .max) < (tb?.rawValue ?? .max) }
            return (a.trip?.rawValue ?? 0) < (b.trip?.rawValue ?? 0)
        }
    }

    /// Closes a day once it is over: every trip not reported by then is marked `missed` (by the
    /// operator) with the reason, and a return whose outbound was not performed is closed with a
    /// code that does not count against the patient (or, when it was already reported on, marked
    /// `missed` too: no trip stays open). Refused while the day is still running (a shift not
    /// ended, a stop still planned ahead, a patient on board).
    public func closeDay(_ date: LocalDate, area: AreaID? = nil) throws -> DayCloseResult {
        let settings = try self.area(area)
        return try write { now in
            let state = try dayState(date, settings: settings)
            let offset = settings.offset
            // A pooled day is closed area by area: each closes its own trips.
            let own = state.trips.filter { $0.area == settings.id }
            if let aboard = own.first(where: { $0.status == .pickedUp }) {
                throw PhapaiError.conflict("date", "DAY_RUNNING", "the day is still running: the patient of trip \(aboard.id!) is on board")
            }
            let shiftEnd = state.shifts.map { offset.instant(date, $0.end) }.max() ?? offset.startOfDay(date.adding(days: 1))
            guard now >= shiftEnd else {
                throw PhapaiError.conflict("date", "DAY_RUNNING", "the day is still running: the last shift ends at \(offset.format(shiftEnd))")
            }
            let active = Set(own.filter(\.status.isActive).map(\.id!))
            for run in state.runs {
                if let ahead = run.stops.first(where: { active.contains($0.trip) && $0.plannedTime > now }) {
                    throw PhapaiError.conflict(
                        "date", "DAY_RUNNING", "the day is still running: \(run.vehicle) has trip \(ahead.trip) planned at \(offset.format(ahead.plannedTime))")
                }
            }
            var byID = Dictionary(uniqueKeysWithValues: state.trips.map { ($0.id!, $0) })
            var vehicleOf: [TripID: VehicleID] = [:]
            for run in state.runs { for stop in run.stops { vehicleOf[stop.trip] = run.vehicle } }
            var missed: [Trip] = []
            var closed: [Trip] = []
            // Outbound legs first: whether they were performed decides what their return is.
            let ordered = own.filter(\.status.isActive).sorted { ($0.direction == .outbound ? 0 : 1, $0.id!) < ($1.direction == .outbound ? 0 : 1, $1.id!) }
            for trip in ordered {
                let current = byID[trip.id!]!
                var leftOver: Phrase?
                if current.direction == .return, let outbound = current.linkedTrip.flatMap({ byID[$0] }),
                    outbound.status != .droppedOff && outbound.status != .pickedUp
                {
                    if let back = try closeReturn(of: outbound, now: now) {
                        byID[back.id!] = back
                        closed.append(back)
                        continue
                    }
                    // Reported on before its outbound happened (as older versions allowed): it is
                    // not closed as not needed, and it must not stay open either.
                    leftOver = Phrase("closed.left_over", [
                        "trip": "\(outbound.id!)", "status": outbound.status.rawValue, "status_left": current.status.rawValue,
                    ])
                }
                let reason: Phrase
                if let leftOver {
                    reason = leftOver
                } else {
                    switch current.status {
                    case .requested where current.awaitingRelease: reason = Phrase("closed.never_called")
                    case .requested: reason = Phrase("closed.no_vehicle", parts: [current.statusPhrase ?? Phrase("closed.not_planned")])
                    default:
                        reason = vehicleOf[current.id!].map { Phrase("closed.not_reported.run", ["vehicle": $0.rawValue]) } ?? Phrase("closed.not_reported")
                    }
                }
                try store.updateTripStatus(current.id!, status: .missedByOperator, code: nil, reason: reason, at: now)
                store.record("trip.missed", entity: "trip:\(current.id!)", detail: ["from": current.status.rawValue])
                var marked = current
                marked.status = .missedByOperator
                marked.statusPhrase = reason
                byID[marked.id!] = marked
                missed.append(marked)
            }
            store.record(
                "day.close", entity: "day:\(date.iso)",
                detail: ["area": "\(settings.id)", "missed": "\(missed.count)", "closed": "\(closed.count)"])
            return DayCloseResult(date: date, missed: missed, closedReturns: closed)
        }
    }
}
