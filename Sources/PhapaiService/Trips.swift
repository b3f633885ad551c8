import PhapaiCore
import PhapaiStore

extension PhapaiService {
    /// Books a journey: the outbound trip and, when asked, its return, in one transaction with its
    /// audit event. Refuses unknown patients or places, times in the past or beyond the horizon, a
    /// return before arrival, a patient no vehicle can carry, and a second booking that overlaps
    /// one the patient already has.
    public func bookTrip(_ request: BookingRequest) throws -> [Trip] {
        try bookAndPlace(request).trips
    }

    /// Books a journey and, when its day is already planned, places it in the runs at once (one
    /// transaction). When no vehicle can take it, nothing is stored and the refusal names the
    /// reason and up to three nearby times that would fit.
    public func bookAndPlace(_ request: BookingRequest) throws -> (trips: [Trip], placements: [TripID: Placement]?) {
        do {
            return try write { now in
                var trips = try book(request, now: now, standingOrder: nil)
                let placements = try insertIntoPlan(trips, now: now)
                for index in trips.indices where placements?[trips[index].id!] != nil { trips[index].status = .scheduled }
                return (trips, placements)
            }
        } catch var error as PhapaiError where error.keyword == "NO_CAPACITY" {
            let options = try alternatives(for: request)
            error.message += options.isEmpty ? "; no nearby time fits either" : "; nearest that fit: " + options.joined(separator: "; ")
            throw error
        }
    }

    /// The booking itself, run inside an open write.
    func book(_ request: BookingRequest, now: Instant, standingOrder: StandingOrderID?) throws -> [Trip] {
        let patient = try patient(request.patient)
        let settings = try area(patient.area)
        let pickupPlace = try place(request.from ?? patient.home, field: "from")
        let dropoffPlace = try place(request.to, field: "to")
        let fleet = try store.vehicles(area: patient.area).map(\.capacity)
        let context = BookingContext(
            patient: patient, pickupPlace: pickupPlace, dropoffPlace: dropoffPlace, policies: settings.policies,
            travel: settings.travel, offset: settings.offset, now: now, fleet: fleet,
            directSeconds: try store.matrixEntry(from: pickupPlace.id, to: dropoffPlace.id).map { Int($0.seconds.rounded(.up)) })
        var trips = try BookingRules.makeTrips(request, context: context)
        try checkNoOverlap(trips, patient: patient.id, offset: settings.offset)

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

    /// Refuses trips that overlap, in time, a journey the patient already has. A journey with a
    /// return holds the patient from the outbound pickup to the return drop-off: between the two
    /// legs they are at the clinic and cannot be somewhere else.
    private func checkNoOverlap(_ trips: [Trip], patient: PatientID, offset: UTCOffset) throws {
        let date = trips[0].serviceDate
        let existing = try store.trips(patient: patient, from: date.adding(days: -1), to: date.adding(days: 1))
            .filter { $0.status.isActive }
        let newSpan = journeySpan(trips, offset: offset)
        for trip in existing {
            let journey = [trip] + existing.filter { $0.id == trip.linkedTrip }
            let legs = journey.sorted { $0.direction == .outbound && $1.direction == .return }
            guard journeySpan(legs, offset: offset).overlaps(newSpan) else { continue }
            let when = trip.pickupWindow.map { offset.format($0.earliest) } ?? "\(trip.serviceDate.iso) (will-call)"
            throw PhapaiError.conflict(
                "patient", "DOUBLE_BOOKING",
                "patient \(patient) already has trip \(trip.id!) at \(when) overlapping this booking")
        }
    }

    /// From the first leg's earliest pickup to the last leg's latest drop-off; a will-call return
    /// runs from the outbound arrival to the end of its day.
    private func journeySpan(_ legs: [Trip], offset: UTCOffset) -> TimeWindow {
        let arrival = legs.first { $0.direction == .outbound }.flatMap { $0.appointment ?? $0.dropoffWindow?.latest }
        let spans = legs.map { $0.occupiedSpan(offset: offset, notBefore: $0.direction == .return ? arrival : nil) }
        return TimeWindow(earliest: spans.map(\.earliest).min()!, latest: spans.map(\.latest).max()!)
    }

    /// The trip `id`, or a not-found error.
    public func trip(_ id: TripID) throws -> Trip {
        guard let trip = try store.trip(id) else {
            throw PhapaiError.notFound("trip", "UNKNOWN_TRIP", "no trip \(id)")
        }
        return trip
    }

    /// Trips matching the filters.
    public func trips(date: LocalDate? = nil, patient: PatientID? = nil, status: TripStatus? = nil) throws -> [Trip] {
        if let patient { _ = try self.patient(patient) }
        return try store.trips(date: date, patient: patient, status: status)
    }

    /// Cancels a trip with a reason; the code (advance, same-day, late, at the door) follows from
    /// the time left before pickup. Cancelling an outbound trip also cancels its pending return.
    /// Refuses a trip that is completed, under way with the patient on board, or already closed.
    /// With `replan`, a planned day is re-planned afterwards.
    public func cancelTrip(_ id: TripID, reason: String, atDoor: Bool = false, replan: Bool = true) throws -> [Trip] {
        let cancelled = try cancelWithoutReplanning(id, reason: reason, atDoor: atDoor)
        // The seats are free already; on a planned day the rest of it is re-planned around the locked stops.
        if replan, let date = cancelled.first?.serviceDate, try !store.runs(on: date).isEmpty {
            _ = try? planDay(date, seconds: 2, iterations: 300)
        }
        return cancelled
    }

    func cancelWithoutReplanning(_ id: TripID, reason: String, atDoor: Bool) throws -> [Trip] {
        let reasonText = try TextRules.line(reason, field: "reason", maxLength: TextRules.Limit.reason)
        return try write { now in
            let trip = try trip(id)
            try trip.status.checkTransition(to: .cancelled)
            var affected = [trip]
            if trip.direction == .outbound, let linked = trip.linkedTrip, let back = try store.trip(linked),
                back.status.allowedNext.contains(.cancelled)
            {
                affected.append(back)
            }
            let cancelled = try affected.map { try cancel($0, reason: reasonText, atDoor: atDoor && $0.id == id, now: now) }
            try removeFromRuns(cancelled)
            return cancelled
        }
    }

    /// Marks one trip cancelled inside an open write.
    func cancel(_ trip: Trip, reason: String, atDoor: Bool, now: Instant) throws -> Trip {
        let settings = try area(trip.area)
        let code = CancellationCode.classify(
            now: now, pickup: trip.pickupWindow?.earliest, serviceDate: trip.serviceDate, offset: settings.offset,
            lateLimitMinutes: settings.policies.lateCancellationMinutes, atDoor: atDoor)
        try store.updateTripStatus(trip.id!, status: .cancelled, code: code, reason: reason, at: now)
        store.record("trip.cancel", entity: "trip:\(trip.id!)", detail: ["code": code.rawValue, "from": trip.status.rawValue])
        var cancelled = trip
        cancelled.status = .cancelled
        cancelled.cancellationCode = code
        cancelled.statusReason = reason
        return cancelled
    }
}
