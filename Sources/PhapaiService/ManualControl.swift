import PhapaiCore
import PhapaiStore

extension PhapaiService {
    /// Pins a trip to a vehicle: planning keeps it there. When its day is planned, the trip moves
    /// to that vehicle's run at once, or the assignment is refused with the reason.
    public func assignTrip(_ id: TripID, to vehicleID: VehicleID) throws -> PlacementResult {
        try write { now in
            let trip = try trip(id)
            guard trip.status == .requested || trip.status == .scheduled else {
                throw PhapaiError.conflict("trip", "INVALID_TRANSITION", Phrase("error.not_reassignable", ["trip": "\(id)", "status": trip.status.rawValue]))
            }
            // Any vehicle of the fleet that serves the trip's area: its own, or its pool's.
            guard let vehicle = try fleet(of: trip.area).first(where: { $0.id == vehicleID }) else {
                throw PhapaiError.notFound("vehicle", "UNKNOWN_VEHICLE", Phrase("error.unknown_vehicle", ["vehicle": "\(vehicleID)"]))
            }
            guard vehicle.capacity.canCarry(trip.load) else {
                throw PhapaiError.conflict(
                    "vehicle", "VEHICLE_CANNOT_CARRY",
                    Phrase("error.vehicle_cannot_carry", ["vehicle": "\(vehicleID)"], parts: [Self.patientLoad(trip.mobility, companions: trip.companions)]))
            }
            try store.assignTrip(id, to: vehicleID)
            store.record("trip.assign", entity: "trip:\(id)", detail: ["vehicle": "\(vehicleID)"])
            guard trip.pickupWindow != nil || trip.awaitingRelease else { return PlacementResult(placement: nil, notices: []) }
            try removeFromRuns([trip], now: now)
            let placed = try placeJourney([trip], cause: .assignment(id), field: "vehicle", now: now)
            return PlacementResult(placement: placed?.placements[id], notices: placed?.notices ?? [])
        }
    }

    /// Locks a trip on its run: its stops, and every stop before them on that run, keep their
    /// vehicle and order when the day is re-planned.
    public func lockTrip(_ id: TripID) throws {
        try write { _ in
            let trip = try trip(id)
            guard let run = try store.runs(on: trip.serviceDate).first(where: { $0.stops.contains { $0.trip == id } }) else {
                throw PhapaiError.conflict("trip", "NOT_PLANNED", Phrase("error.not_planned", ["trip": "\(id)"]))
            }
            let last = run.stops.last { $0.trip == id }!.sequence
            try store.setLocks(run: run.id!, throughSequence: last, fromSequence: nil, locked: true)
            store.record("trip.lock", entity: "trip:\(id)", detail: ["run": "\(run.id!)"])
        }
    }

    /// Unlocks a trip and the stops after it on its run, except what has already happened.
    public func unlockTrip(_ id: TripID) throws {
        try write { _ in
            let trip = try trip(id)
            guard try store.tripEvents(id).isEmpty else {
                throw PhapaiError.conflict("trip", "ALREADY_UNDER_WAY", Phrase("error.already_under_way", ["trip": "\(id)"]))
            }
            guard let run = try store.runs(on: trip.serviceDate).first(where: { $0.stops.contains { $0.trip == id } }) else {
                throw PhapaiError.conflict("trip", "NOT_PLANNED", Phrase("error.not_planned.unlock", ["trip": "\(id)"]))
            }
            let first = run.stops.first { $0.trip == id }!.sequence
            let events = try store.tripEvents(on: trip.serviceDate)
            // Performed stops after it stay locked (they happened).
            try store.setLocks(run: run.id!, throughSequence: nil, fromSequence: first, locked: false)
            for stop in run.stops where stop.sequence >= first && !(events[stop.trip] ?? []).isEmpty {
                try store.lockStop(trip: stop.trip, action: stop.action, locked: true)
            }
            store.record("trip.unlock", entity: "trip:\(id)", detail: ["run": "\(run.id!)"])
        }
    }

    /// The clinic called: a will-call return is released for pickup from now (or `at`) and placed
    /// in the planned day at once, before any new booking (the patient is waiting at the clinic):
    /// in the next pickup window when a vehicle is free then, else at the earliest time one is,
    /// which becomes the window told. When no vehicle can come at all, it stays `requested` with
    /// the reason and is listed in `attention`.
    public func releaseWillCall(_ id: TripID, at time: Instant? = nil) throws -> ReleaseResult {
        let released: Trip = try write { now in
            var trip = try trip(id)
            guard trip.willCall, trip.direction == .return else {
                throw PhapaiError.conflict("trip", "NOT_WILL_CALL", Phrase("error.not_will_call", ["trip": "\(id)"]))
            }
            guard trip.pickupWindow == nil, trip.status == .requested || trip.status == .scheduled else {
                throw PhapaiError.conflict("trip", "ALREADY_RELEASED", Phrase("error.already_released", ["trip": "\(id)"]))
            }
            if let linked = trip.linkedTrip, let outbound = try store.trip(linked), outbound.status != .droppedOff {
                throw PhapaiError.conflict(
                    "trip", "OUTBOUND_NOT_DONE", Phrase("error.outbound_not_done", ["trip": "\(linked)", "status": outbound.status.rawValue]))
            }
            let settings = try area(trip.area)
            let start = max(time ?? now, now)
            guard settings.offset.date(of: start) == trip.serviceDate else {
                throw PhapaiError.invalid("at", "OTHER_DAY", Phrase("error.return_booked_for", ["date": trip.serviceDate.iso]))
            }
            let boarding = settings.policies.boardingSeconds(trip.mobility)
            let pickup = TimeWindow(earliest: start, latest: start.adding(minutes: settings.policies.pickupWindowMinutes))
            let dropoff = TimeWindow(
                earliest: pickup.earliest.adding(seconds: boarding + trip.directSeconds),
                latest: pickup.latest.adding(seconds: boarding + trip.maxRideSeconds))
            try store.updateTripTiming(id, requestedPickup: start, pickup: pickup, dropoff: dropoff, at: now)
            store.record("trip.ready", entity: "trip:\(id)", detail: ["at": settings.offset.iso8601(start)])
            trip.requestedPickup = start
            trip.pickupWindow = pickup
            trip.dropoffWindow = dropoff
            return trip
        }
        var result = ReleaseResult(trip: released, placement: nil, reason: nil, notices: [], replanFailure: nil)
        let (day, failure) = replanAfterStoredChange(released.serviceDate, area: released.area, cause: .release(id))
        result.replanFailure = failure
        result.notices = day?.notices ?? []
        if let run = day?.runs.first(where: { $0.stops.contains { $0.trip == id && $0.action == .pickup } }),
            let stop = run.stops.first(where: { $0.trip == id && $0.action == .pickup })
        {
            result.placement = Placement(vehicle: run.vehicle, pickupTime: stop.plannedTime, awaitingRelease: false)
        }
        result.trip = try trip(id)
        if result.placement == nil { result.reason = result.trip.statusPhrase ?? Phrase("release.not_planned") }
        return result
    }

    /// Problems a dispatcher should see for `date`: a patient with overlapping trips, a driver on
    /// two shifts at once, a trip assigned to a vehicle that cannot carry it.
    /// Of one area (its trips and its vehicles' shifts), or of every area.
    public func warnings(on date: LocalDate, area: AreaID? = nil) throws -> [Phrase] {
        var warnings: [Phrase] = []
        let trips = try store.trips(date: date).filter { $0.status.isActive && $0.pickupWindow != nil && (area == nil || $0.area == area) }
        for (patient, own) in Dictionary(grouping: trips, by: \.patient) {
            let sorted = own.sorted { $0.pickupWindow!.earliest < $1.pickupWindow!.earliest }
            for (a, b) in zip(sorted, sorted.dropFirst()) where a.linkedTrip != b.id {
                if TimeWindow(earliest: a.pickupWindow!.earliest, latest: a.dropoffWindow!.latest)
                    .overlaps(TimeWindow(earliest: b.pickupWindow!.earliest, latest: b.dropoffWindow!.latest))
                {
                    warnings.append(Phrase("warning.patient_overlap", ["patient": patient.rawValue, "trip": "\(a.id!)", "other": "\(b.id!)"]))
                }
            }
        }
        let shifts = try self.shifts(from: date, to: date, area: area)
        for (driver, own) in Dictionary(grouping: shifts, by: \.driver) {
            for (a, b) in zip(own, own.dropFirst()) where a.overlaps(b) {
                warnings.append(Phrase("warning.driver_overlap", ["driver": driver.rawValue, "shift": "\(a.id!)", "other": "\(b.id!)"]))
            }
        }
        for (trip, vehicle) in try store.assignments(on: date) {
            guard let record = try store.trip(trip), record.status.isActive, area == nil || record.area == area, let capacity = try store.vehicle(vehicle)?.capacity else { continue }
            if !capacity.canCarry(record.load) {
                warnings.append(Phrase(
                    "warning.cannot_carry", ["trip": "\(trip)", "vehicle": vehicle.rawValue],
                    parts: [Self.patientLoad(record.mobility, companions: record.companions)]))
            }
        }
        return warnings.sorted { $0.english < $1.english }
    }
}

/// Where a trip went after a dispatcher's change, and what it cost other patients.
public struct PlacementResult: Sendable {
    /// Its vehicle and planned pickup, when its day is planned.
    public var placement: Placement?
    /// Promises to other patients that the change broke.
    public var notices: [PromiseNotice]
}

/// What the clinic's call did to a will-call return.
public struct ReleaseResult: Sendable {
    /// The return, with the pickup window now told.
    public var trip: Trip
    /// Its vehicle and planned pickup, when one could come.
    public var placement: Placement?
    /// Why no vehicle could come, when none could.
    public var reason: Phrase?
    /// Promises to other patients that placing it broke.
    public var notices: [PromiseNotice]
    /// Why the re-plan failed, when it did (the release is stored regardless).
    public var replanFailure: PhapaiError?
}
