import PhapaiCore
import PhapaiStore

extension PhapaiService {
    /// Books a journey: the outbound trip and, when asked, its return, in one transaction with its
    /// audit event. Refuses unknown patients or places, times in the past or beyond the horizon, a
    /// return before arrival, a patient no vehicle can carry, a day or hour that no vehicle able to
    /// carry the patient works, and a second booking that overlaps one the patient already has.
    public func bookTrip(_ request: BookingRequest) throws -> [Trip] {
        try bookAndPlace(request).trips
    }

    /// Books a journey and, when its day is already planned, places both legs in the runs at once
    /// (one transaction): the booking's answer is then a promise. When no vehicle can take the
    /// journey, nothing is stored and the refusal names the reason and up to three nearby times
    /// that would be accepted (each tried as a whole booking).
    public func bookAndPlace(_ request: BookingRequest) throws -> BookingResult {
        do {
            return try write { now in try bookInWrite(request, now: now) }
        } catch var error as PhapaiError where error.keyword == "NO_CAPACITY" {
            let options = try alternatives(for: request)
            error.alternatives = options
            if options.isEmpty {
                error.phrase = Phrase("error.no_capacity.none_near", parts: [error.phrase ?? .text(error.message)])
            } else if let phrase = error.phrase {
                // Other languages list the nearby times on lines of their own, from the alternatives.
                error.tell(phrase, english: error.message + "; nearest that fit: " + options.map(\.description).joined(separator: "; "))
            } else {
                error.message += "; nearest that fit: " + options.map(\.description).joined(separator: "; ")
            }
            throw error
        }
    }

    /// The booking and its placement, inside an open write.
    func bookInWrite(_ request: BookingRequest, now: Instant) throws -> BookingResult {
        var trips = try book(request, now: now, standingOrder: nil)
        let placed = try placeJourney(trips, cause: .booking, now: now)
        for index in trips.indices {
            if let placement = placed?.placements[trips[index].id!] {
                trips[index].status = .scheduled
                trips[index].promisedAt = placement.awaitingRelease ? nil : now
            }
        }
        return BookingResult(trips: trips, placements: placed?.placements, notices: placed?.notices ?? [])
    }

    /// The booking itself, run inside an open write.
    func book(_ request: BookingRequest, now: Instant, standingOrder: StandingOrderID?) throws -> [Trip] {
        let patient = try patient(request.patient)
        let settings = try area(patient.area)
        let pickupPlace = try place(request.from ?? patient.home, field: "from", area: patient.area)
        let dropoffPlace = try place(request.to, field: "to", area: patient.area)
        let vehicles = try fleet(of: patient.area)
        let context = BookingContext(
            patient: patient, pickupPlace: pickupPlace, dropoffPlace: dropoffPlace, policies: settings.policies,
            travel: settings.travel, offset: settings.offset, now: now, fleet: vehicles.map(\.capacity),
            directSeconds: try store.matrixEntry(from: pickupPlace.id, to: dropoffPlace.id).map { Int($0.seconds.rounded(.up)) },
            returnDirectSeconds: try store.matrixEntry(from: dropoffPlace.id, to: pickupPlace.id).map { Int($0.seconds.rounded(.up)) })
        var trips = try BookingRules.makeTrips(request, context: context)
        try checkNoOverlap(trips, patient: patient.id, offset: settings.offset)
        try ensureRosters(settings, on: trips[0].serviceDate)
        try checkShiftsCover(trips, settings: settings, vehicles: vehicles, timingField: request.timing.isAppointment ? "appointment" : "pickup")

        for index in trips.indices {
            trips[index].standingOrder = standingOrder
            trips[index].id = try store.insertTrip(trips[index])
            if index == 0 { try store.faultPoint("trip.book.after-outbound") }
        }
        if trips.count == 2, let outbound = trips[0].id, let back = trips[1].id {
            try store.linkTrips(outbound, back)
            trips[0].linkedTrip = back
            trips[1].linkedTrip = outbound
        }
        for trip in trips {
            var detail = ["patient": "\(trip.patient)", "direction": trip.direction.rawValue, "date": trip.serviceDate.iso]
            if let order = standingOrder { detail["standing"] = "\(order)" }
            if trip.willCall { detail["willCall"] = "true" }
            store.record("trip.book", entity: "trip:\(trip.id!)", detail: detail)
        }
        return trips
    }

    /// Refuses a journey on a day no vehicle works, or at an hour when no vehicle that can carry the
    /// patient is on shift (for the outbound, a fixed return, and the time a will-call patient is
    /// expected to be ready): the patient is never taken somewhere nobody could bring them back from.
    func checkShiftsCover(_ trips: [Trip], settings: AreaSettings, vehicles: [Vehicle], timingField: String) throws {
        let date = trips[0].serviceDate
        let offset = settings.offset
        let byID = Dictionary(uniqueKeysWithValues: vehicles.map { ($0.id, $0) })
        let shifts = try store.shifts(from: date, to: date).filter { byID[$0.vehicle] != nil }
        let day = ["weekday": date.weekday.shortName, "date": date.iso]
        guard !shifts.isEmpty else {
            throw PhapaiError.conflict(timingField, "NO_SHIFT", Phrase("error.no_shift", day))
        }
        let load = trips[0].load
        let capable = shifts.filter { byID[$0.vehicle]!.capacity.canCarry(load) }
        let who = Self.patientLoad(trips[0].mobility, companions: trips[0].companions)
        guard !capable.isEmpty else {
            throw PhapaiError.conflict("mobility", "NO_CAPABLE_SHIFT", Phrase("error.no_capable_shift", day, parts: [who]))
        }
        let hours = capable.map { "\($0.vehicle) \($0.start)-\($0.end)" }.joined(separator: ", ")
        for trip in trips {
            if let pickup = trip.pickupWindow, let dropoff = trip.dropoffWindow {
                let covered = capable.contains { offset.instant(date, $0.start) <= pickup.latest && offset.instant(date, $0.end) >= dropoff.earliest }
                guard covered else {
                    throw PhapaiError.conflict(
                        trip.direction == .return ? "return" : timingField, "OUTSIDE_SHIFTS",
                        Phrase("error.outside_shifts", day.merging(["time": "\(offset.time(of: pickup.earliest))", "shifts": hours]) { $1 }, parts: [who]))
                }
            } else if let ready = trip.releaseWindow {
                guard capable.contains(where: { offset.instant(date, $0.end) >= ready.earliest }) else {
                    throw PhapaiError.conflict(
                        "will-call", "OUTSIDE_SHIFTS",
                        Phrase("error.outside_shifts.ready", ["time": "\(offset.time(of: ready.earliest))", "shifts": hours], parts: [who]))
                }
            }
        }
    }

    /// Who a vehicle must carry, in words: "an ambulatory patient", "a wheelchair patient with 1 companion(s)".
    static func patientLoad(_ mobility: Mobility, companions: Int) -> Phrase {
        companions == 0 ? Phrase("load." + mobility.rawValue) : Phrase("load.\(mobility.rawValue).companions", ["companions": "\(companions)"])
    }

    /// Refuses trips that overlap, in time, a journey the patient already has. A journey with a
    /// return holds the patient from the outbound pickup to the return drop-off: between the two
    /// legs they are at the clinic and cannot be somewhere else.
    func checkNoOverlap(_ trips: [Trip], patient: PatientID, offset: UTCOffset, except: Set<TripID> = []) throws {
        let date = trips[0].serviceDate
        let existing = try store.trips(patient: patient, from: date.adding(days: -1), to: date.adding(days: 1))
            .filter { $0.status.isActive && !except.contains($0.id!) }
        let newSpan = journeySpan(trips, offset: offset)
        for trip in existing {
            let journey = [trip] + existing.filter { $0.id == trip.linkedTrip }
            let legs = journey.sorted { $0.direction == .outbound && $1.direction == .return }
            guard journeySpan(legs, offset: offset).overlaps(newSpan) else { continue }
            let values = ["patient": "\(patient)", "trip": "\(trip.id!)"]
            throw PhapaiError.conflict(
                "patient", "DOUBLE_BOOKING",
                trip.pickupWindow.map { Phrase("error.double_booking", values.merging(["at": offset.format($0.earliest)]) { $1 }) }
                    ?? Phrase("error.double_booking.will_call", values.merging(["date": trip.serviceDate.iso]) { $1 }))
        }
    }

    /// From the first leg's earliest pickup to the last leg's latest drop-off; a will-call return
    /// runs from the outbound arrival to the end of its day.
    private func journeySpan(_ legs: [Trip], offset: UTCOffset) -> TimeWindow {
        let arrival = legs.first { $0.direction == .outbound }.flatMap { $0.appointment ?? $0.dropoffWindow?.latest }
        let spans = legs.map { $0.occupiedSpan(offset: offset, notBefore: $0.direction == .return ? arrival : nil) }
        return TimeWindow(earliest: spans.map(\.earliest).min()!, latest: spans.map(\.latest).max()!)
    }

    /// The trip `id`, or nil when there is none.
    public func findTrip(_ id: TripID) throws -> Trip? { try store.trip(id) }

    /// The trip `id`, or a not-found error.
    public func trip(_ id: TripID) throws -> Trip {
        guard let trip = try store.trip(id) else {
            throw PhapaiError.notFound("trip", "UNKNOWN_TRIP", Phrase("error.unknown_trip", ["trip": "\(id)"]))
        }
        return trip
    }

    /// Trips matching the filters, of one area (or of every area).
    public func trips(date: LocalDate? = nil, patient: PatientID? = nil, status: TripStatus? = nil, area: AreaID? = nil) throws -> [Trip] {
        if let patient {
            // Another area's patient is answered as one that does not exist.
            guard let found = try findPatient(patient), area == nil || found.area == area else {
                throw PhapaiError.notFound("patient", "UNKNOWN_PATIENT", Phrase("error.unknown_patient", ["patient": "\(patient)"]))
            }
        }
        return try store.trips(date: date, patient: patient, status: status).filter { area == nil || $0.area == area }
    }

    /// Cancels a trip with a reason; the code (advance, same-day, late, at the door) follows from
    /// the time left before pickup. Cancelling an outbound trip also closes its pending return
    /// (code `outbound_not_performed`). Refuses a trip that is completed, under way with the patient
    /// on board, or already closed. With `replan`, a planned day is re-planned afterwards from its
    /// runs (the freed seats may take waiting trips); a failed re-plan is reported in the result,
    /// the cancellation stays.
    public func cancelTrip(_ id: TripID, reason: String, atDoor: Bool = false, replan replanning: Bool = true) throws -> CancelResult {
        let cancelled = try cancelWithoutReplanning(id, reason: reason, atDoor: atDoor)
        var result = CancelResult(trips: cancelled)
        guard replanning, let first = cancelled.first else { return result }
        (result.replan, result.replanFailure) = replanAfterStoredChange(first.serviceDate, area: first.area, cause: .cancellation(id))
        return result
    }

    /// Re-plans a day after a change that is already stored (in a write of its own), and never
    /// throws: the change stands whatever happens to the re-plan, whose failure (of any kind) comes
    /// back instead, after it was audited for `attention` when the audit could still be written.
    func replanAfterStoredChange(
        _ date: LocalDate, area: AreaID, cause: PlanCause, formerRuns: [TripID: ShiftID] = [:]
    ) -> (plan: DayPlan?, failure: PhapaiError?) {
        do {
            return (try replanInOwnWrite(date, area: area, cause: cause, formerRuns: formerRuns), nil)
        } catch {
            return (nil, recordReplanFailure(date, area: area, error: error))
        }
    }

    /// Audits a re-plan that failed after a change that was stored, so the day's state is known
    /// to be stale (the dispatcher sees it in `attention`). Best-effort: the failure is returned as
    /// a ``PhapaiError`` (`REPLAN_FAILED` for an error of another kind), and when it cannot be
    /// recorded either, its message says so; the caller puts it in the command's result.
    func recordReplanFailure(_ date: LocalDate, area: AreaID, error: Error) -> PhapaiError {
        var failure = error as? PhapaiError ?? PhapaiError(.storage, keyword: "REPLAN_FAILED", field: nil, message: "\(error)")
        do {
            try write { _ in
                store.record("day.replan_failed", entity: "day:\(date.iso)", detail: ["area": "\(area)", "keyword": failure.keyword])
            }
        } catch {
            failure.message += "; the failure could not be recorded either: \(error)"
        }
        return failure
    }

    func cancelWithoutReplanning(_ id: TripID, reason: String, atDoor: Bool) throws -> [Trip] {
        let reasonText = try TextRules.line(reason, field: "reason", maxLength: TextRules.Limit.reason)
        return try write { now in
            let trip = try trip(id)
            try trip.status.checkTransition(to: .cancelled)
            var cancelled = [try cancel(trip, reason: .text(reasonText), atDoor: atDoor, now: now)]
            if trip.direction == .outbound, let back = try closeReturn(of: cancelled[0], now: now) { cancelled.append(back) }
            try removeFromRuns(cancelled, now: now)
            return cancelled
        }
    }

    /// Closes the pending return of an outbound trip that will not be performed, with a code that
    /// does not count against the patient (inside a write). Returns it, or nil if there is none.
    func closeReturn(of outbound: Trip, now: Instant) throws -> Trip? {
        guard let linked = outbound.linkedTrip, let back = try store.trip(linked), back.status.allowedNext.contains(.cancelled),
            back.status == .requested || back.status == .scheduled
        else { return nil }
        let reason = outbound.status == .noShow
            ? Phrase("return.closed.no_show", ["trip": "\(outbound.id!)"])
            : Phrase("return.closed", ["trip": "\(outbound.id!)", "status": outbound.status.rawValue])
        try store.updateTripStatus(back.id!, status: .cancelled, code: .outboundNotPerformed, reason: reason, at: now)
        store.record("trip.cancel", entity: "trip:\(back.id!)", detail: ["code": CancellationCode.outboundNotPerformed.rawValue, "from": back.status.rawValue])
        var closed = back
        closed.status = .cancelled
        closed.cancellationCode = .outboundNotPerformed
        closed.statusPhrase = reason
        return closed
    }

    /// Marks one trip cancelled inside an open write, with `code` when given (an office decision),
    /// else the code that the time left before pickup gives.
    func cancel(_ trip: Trip, reason: Phrase, atDoor: Bool, now: Instant, code given: CancellationCode? = nil) throws -> Trip {
        let settings = try area(trip.area)
        let code = given ?? CancellationCode.classify(
            now: now, pickup: trip.pickupWindow?.earliest, serviceDate: trip.serviceDate, offset: settings.offset,
            lateLimitMinutes: settings.policies.lateCancellationMinutes, atDoor: atDoor)
        try store.updateTripStatus(trip.id!, status: .cancelled, code: code, reason: reason, at: now)
        store.record("trip.cancel", entity: "trip:\(trip.id!)", detail: ["code": code.rawValue, "from": trip.status.rawValue])
        var cancelled = trip
        cancelled.status = .cancelled
        cancelled.cancellationCode = code
        cancelled.statusPhrase = reason
        return cancelled
    }
}

/// What `trip book` did: the trips, where they were placed (nil when the day is not planned yet),
/// and any promise to another patient that placing them broke (only on a day that had drifted).
public struct BookingResult: Sendable {
    /// The outbound trip and its return, as stored.
    public var trips: [Trip]
    /// Per trip, its vehicle and planned pickup, when the day is planned.
    public var placements: [TripID: Placement]?
    /// Promises the booking's re-plan broke.
    public var notices: [PromiseNotice]
}

/// What `trip cancel` did.
public struct CancelResult: Sendable {
    /// The trip and its return, cancelled.
    public var trips: [Trip]
    /// The re-plan of the day that followed, when the day was planned.
    public var replan: DayPlan?
    /// Why that re-plan failed, when it did (the cancellation is stored regardless).
    public var replanFailure: PhapaiError?

    init(trips: [Trip]) { self.trips = trips }
}
