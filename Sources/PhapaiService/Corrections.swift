import PhapaiCore
import PhapaiStore

/// Changes to a patient's record; nil leaves a field as it is, an empty text clears an optional one.
public struct PatientChanges: Sendable, Equatable {
    public var name: String?
    public var phone: String?
    public var address: String?
    public var home: PlaceID?
    public var village: PlaceID?
    public var mobility: Mobility?
    public var companions: Int?
    public var notes: String?
    public var entitlement: Entitlement?

    /// No change at all.
    public init() {}
}

/// What `patient edit` did.
public struct PatientEditResult: Sendable {
    /// The record as stored now.
    public var patient: Patient
    /// The fields that changed (names only).
    public var changed: [String]
    /// Upcoming trips that followed the change (mobility, home), as they are now.
    public var trips: [Trip]
    /// Promises the change broke (a trip that no longer fits its vehicle, say).
    public var notices: [PromiseNotice]
    /// Re-plans that failed after the change was stored.
    public var replanFailures: [PhapaiError]
}

/// What `trip move` did.
public struct MoveResult: Sendable {
    /// The journey's legs at their new time.
    public var trips: [Trip]
    /// Where they were placed, when the new day is planned.
    public var placements: [TripID: Placement]?
    /// Promises to other patients that placing them broke.
    public var notices: [PromiseNotice]
    /// Re-plans that failed after the move was stored (of the day it left).
    public var replanFailures: [PhapaiError] = []
}

extension PhapaiService {
    /// Corrects a patient's record. A change of mobility follows into the patient's upcoming trips
    /// (their load), checked against the shifts as a booking is; a change of home re-times the
    /// upcoming journeys that start or end there, by the booking rules. Planned days are re-planned
    /// at once; a promised trip that no longer fits is named in the result (audited, pushed to its
    /// run's watchers) and listed in `attention`. All of the record and the trips change together,
    /// or nothing does (a journey that the rules would now refuse refuses the edit, naming it).
    public func editPatient(_ id: PatientID, _ changes: PatientChanges) throws -> PatientEditResult {
        guard changes != PatientChanges() else {
            throw PhapaiError.usage("give at least one field to change", field: "patient")
        }
        var dates: [LocalDate: AreaID] = [:]
        var formerRuns: [TripID: ShiftID] = [:]
        var result: PatientEditResult = try write { now in
            let old = try patient(id)
            let settings = try area(old.area)
            if let home = changes.home {
                _ = try place(home, field: "home", area: old.area)
            }
            if let village = changes.village {
                let place = try place(village, field: "village", area: old.area)
                guard place.kind == .village else {
                    throw PhapaiError.invalid("village", "NOT_A_VILLAGE", Phrase("error.not_a_village.area", ["place": "\(village)"]))
                }
            }
            func text(_ change: String?, _ current: String?) -> String? {
                guard let change else { return current }
                return change.isEmpty ? nil : change
            }
            let new = try Patient(
                id: old.id, area: old.area, name: changes.name ?? old.name, phone: changes.phone ?? old.phone,
                home: changes.home ?? old.home, village: changes.village ?? old.village, address: text(changes.address, old.address),
                mobility: changes.mobility ?? old.mobility, companions: changes.companions ?? old.companions,
                entitlement: changes.entitlement ?? old.entitlement, registeredOn: old.registeredOn, notes: text(changes.notes, old.notes))
            let fields: [(String, Bool)] = [
                ("name", new.name != old.name), ("phone", new.phone != old.phone), ("address", new.address != old.address),
                ("home", new.home != old.home), ("village", new.village != old.village), ("mobility", new.mobility != old.mobility),
                ("companions", new.companions != old.companions), ("notes", new.notes != old.notes),
                ("entitlement", new.entitlement != old.entitlement),
            ]
            let changed = fields.filter(\.1).map(\.0)
            try store.updatePatient(new)
            store.record("patient.edit", entity: "patient:\(id)", detail: ["fields": changed.isEmpty ? "none" : changed.joined(separator: ",")])
            var followed: [Trip] = []
            if new.mobility != old.mobility || new.home != old.home {
                let today = settings.offset.date(of: now)
                let upcoming = try store.trips(patient: id, from: today).filter {
                    try ($0.status == .requested || $0.status == .scheduled) && store.tripEvents($0.id!).isEmpty
                }
                let vehicles = try fleet(of: old.area)
                var seen = Set<TripID>()
                for trip in upcoming where !seen.contains(trip.id!) {
                    let legs = ([trip] + upcoming.filter { $0.id == trip.linkedTrip }).sorted { $0.direction == .outbound && $1.direction == .return }
                    legs.forEach { seen.insert($0.id!) }
                    var updated = legs
                    if new.home != old.home, legs.contains(where: { $0.pickupPlace == old.home || $0.dropoffPlace == old.home }) {
                        updated = try retimed(legs, patient: new, oldHome: old.home, settings: settings, now: now)
                    } else if new.mobility != old.mobility {
                        for index in updated.indices { updated[index].mobility = new.mobility }
                        // Checked as a booking would be: a day or hour no vehicle able to carry the
                        // patient works refuses the edit, naming the trip.
                        do {
                            try ensureRosters(settings, on: legs[0].serviceDate)
                            try checkShiftsCover(updated, settings: settings, vehicles: vehicles, timingField: "mobility")
                        } catch var error as PhapaiError where error.category == .conflict {
                            error.field = "mobility"
                            error.phrase = Self.cannotFollow(legs[0], error)
                            throw error
                        }
                    }
                    for leg in updated where leg != legs.first(where: { $0.id == leg.id }) {
                        try store.rebookTrip(leg, at: now)
                        store.record("trip.follow", entity: "trip:\(leg.id!)", detail: ["patient": "\(id)", "fields": changed.joined(separator: ",")])
                        followed.append(leg)
                        dates[leg.serviceDate] = leg.area
                    }
                }
                formerRuns = try removeFromRuns(followed, now: now)
            }
            return PatientEditResult(patient: new, changed: changed, trips: followed, notices: [], replanFailures: [])
        }
        for (date, area) in dates.sorted(by: { $0.key < $1.key }) {
            let (day, failure) = replanAfterStoredChange(date, area: area, cause: .patientEdit(id), formerRuns: formerRuns)
            result.notices += day?.notices ?? []
            if let failure { result.replanFailures.append(failure) }
        }
        result.trips = try result.trips.map { try trip($0.id!) }
        return result
    }

    /// The legs of a journey booked again by the rules for a patient's new home: same times asked
    /// for, new places, windows and load; the old promise is withdrawn (the new window is told).
    private func retimed(_ legs: [Trip], patient: Patient, oldHome: PlaceID, settings: AreaSettings, now: Instant) throws -> [Trip] {
        let outbound = legs.first { $0.direction == .outbound } ?? legs[0]
        func swap(_ place: PlaceID) -> PlaceID { place == oldHome ? patient.home : place }
        let timing: BookingRequest.Timing = outbound.appointment.map { .appointment($0) } ?? .pickup(outbound.requestedPickup ?? outbound.pickupWindow!.earliest)
        let back = legs.first { $0.direction == .return }
        let returnLeg: BookingRequest.ReturnLeg = back.map { $0.willCall ? .willCall : .at($0.requestedPickup ?? $0.pickupWindow!.earliest) } ?? .none
        let request = BookingRequest(
            patient: patient.id, from: swap(outbound.pickupPlace), to: swap(outbound.dropoffPlace), timing: timing, returnLeg: returnLeg,
            companions: outbound.companions, funding: outbound.funding, notes: outbound.notes, willCallReady: back?.releaseWindow?.earliest)
        do {
            return try rebooked(legs, as: request, patient: patient, settings: settings, now: now)
        } catch var error as PhapaiError {
            error.phrase = Self.cannotFollow(outbound, error)
            throw error
        }
    }

    /// `legs` booked again as `request` by the booking rules and the shifts (inside a write), keeping
    /// their numbers: new day, times, windows, places and load; `requested`, promise withdrawn.
    private func rebooked(_ legs: [Trip], as request: BookingRequest, patient: Patient, settings: AreaSettings, now: Instant) throws -> [Trip] {
        let from = try place(request.from ?? patient.home, field: "from", area: patient.area)
        let to = try place(request.to, field: "to", area: patient.area)
        let vehicles = try fleet(of: patient.area)
        let context = BookingContext(
            patient: patient, pickupPlace: from, dropoffPlace: to, policies: settings.policies, travel: settings.travel, offset: settings.offset,
            now: now, fleet: vehicles.map(\.capacity), directSeconds: try store.matrixEntry(from: from.id, to: to.id).map { Int($0.seconds.rounded(.up)) },
            returnDirectSeconds: try store.matrixEntry(from: to.id, to: from.id).map { Int($0.seconds.rounded(.up)) })
        let fresh = try BookingRules.makeTrips(request, context: context)
        guard fresh.count == legs.count else {
            throw PhapaiError.invalid("return", "RETURN_CHANGED", "the journey has \(legs.count) leg(s); a move keeps its return as it is")
        }
        try checkNoOverlap(fresh, patient: patient.id, offset: settings.offset, except: Set(legs.compactMap(\.id)))
        try ensureRosters(settings, on: fresh[0].serviceDate)
        try checkShiftsCover(fresh, settings: settings, vehicles: vehicles, timingField: request.timing.isAppointment ? "appointment" : "pickup")
        return zip(legs, fresh).map { old, made in
            var leg = old
            leg.serviceDate = made.serviceDate
            leg.appointment = made.appointment
            leg.requestedPickup = made.requestedPickup
            leg.pickupWindow = made.pickupWindow
            leg.dropoffWindow = made.dropoffWindow
            leg.pickupPlace = made.pickupPlace
            leg.dropoffPlace = made.dropoffPlace
            leg.directSeconds = made.directSeconds
            leg.maxRideSeconds = made.maxRideSeconds
            leg.mobility = made.mobility
            leg.companions = made.companions
            leg.willCall = made.willCall
            leg.releaseWindow = made.releaseWindow
            leg.status = .requested
            leg.statusReason = nil
            leg.promisedAt = nil
            return leg
        }
    }

    /// Moves a journey (both legs; `id` may name either) to another time, as one audited operation:
    /// the new time is checked by the booking rules, the shifts and, on a planned day, placed on the
    /// runs before the old places are given up. When it does not fit, nothing changes and the
    /// refusal says why. A fixed return moves by as much as the outbound unless `returnLeg` is given.
    /// A planned day the journey left is then re-planned; a failure of that is in the result.
    public func moveTrip(_ id: TripID, to timing: BookingRequest.Timing, returnLeg: BookingRequest.ReturnLeg? = nil) throws -> MoveResult {
        var left: (date: LocalDate, area: AreaID)?
        var result: MoveResult = try write { now in
            let named = try trip(id)
            let outbound = named.direction == .outbound ? named : try named.linkedTrip.map { try trip($0) } ?? named
            let back = try outbound.linkedTrip.flatMap { try store.trip($0) }
            let legs = [outbound] + (back.map { [$0] } ?? [])
            for leg in legs {
                guard leg.status == .requested || leg.status == .scheduled, try store.tripEvents(leg.id!).isEmpty else {
                    throw PhapaiError.conflict("trip", "NOT_MOVABLE", "trip \(leg.id!) is \(leg.status.rawValue): only a journey not yet under way can be moved")
                }
            }
            let patient = try patient(outbound.patient)
            let settings = try area(outbound.area)
            let oldStart = outbound.appointment ?? outbound.requestedPickup ?? outbound.pickupWindow!.earliest
            let newStart: Instant
            switch timing {
            case .appointment(let at), .pickup(let at): newStart = at
            }
            let delta = newStart.seconds(since: oldStart)
            let newReturn: BookingRequest.ReturnLeg
            if let returnLeg {
                guard back != nil || returnLeg == .none else {
                    throw PhapaiError.invalid("return", "NO_RETURN", "trip \(outbound.id!) has no return to set; book one")
                }
                newReturn = returnLeg
            } else if let back {
                newReturn = back.willCall ? .willCall : .at((back.requestedPickup ?? back.pickupWindow!.earliest).adding(seconds: delta))
            } else {
                newReturn = .none
            }
            let request = BookingRequest(
                patient: patient.id, from: outbound.pickupPlace, to: outbound.dropoffPlace, timing: timing, returnLeg: newReturn,
                companions: outbound.companions, funding: outbound.funding, notes: outbound.notes)
            var moved = try rebooked(legs, as: request, patient: patient, settings: settings, now: now)
            for leg in moved { try store.rebookTrip(leg, at: now) }
            try removeFromRuns(legs, now: now)
            let placed = try placeJourney(moved, cause: .move(outbound.id!), now: now)
            for index in moved.indices {
                if let placement = placed?.placements[moved[index].id!] {
                    moved[index].status = .scheduled
                    moved[index].promisedAt = placement.awaitingRelease ? nil : now
                }
            }
            store.record(
                "trip.move", entity: "trip:\(outbound.id!)",
                detail: ["from": settings.offset.iso8601(oldStart), "to": settings.offset.iso8601(newStart), "legs": "\(legs.count)"])
            if moved[0].serviceDate != outbound.serviceDate { left = (outbound.serviceDate, outbound.area) }
            return MoveResult(trips: moved, placements: placed?.placements, notices: placed?.notices ?? [])
        }
        // The day it left is re-planned, as after a cancellation (the freed seats may take waiting
        // trips); a failure is told, the move stands.
        if let left {
            let (day, failure) = replanAfterStoredChange(left.date, area: left.area, cause: .move(result.trips[0].id!))
            result.notices += day?.notices ?? []
            if let failure { result.replanFailures.append(failure) }
        }
        return result
    }

    /// Ends a standing order from `date` on (today or later): no trips are made for that day or
    /// later, and those already made that have not started are cancelled by the office (a code
    /// that does not count against the patient). A return whose outbound is under way or done is
    /// kept: the patient is brought home. An order that ends before it began is switched off
    /// altogether.
    public func endStandingOrder(_ id: StandingOrderID, from date: LocalDate) throws -> (StandingOrder, [Trip]) {
        try write { now in
            guard var order = try store.standingOrder(id) else {
                throw PhapaiError.notFound("standing", "UNKNOWN_STANDING_ORDER", "no standing order \(id)")
            }
            let today = try area(try patient(order.patient).area).offset.date(of: now)
            guard date >= today else {
                throw PhapaiError.invalid("from", "IN_PAST", "the order can end from today (\(today.iso)) on, not from \(date.iso)")
            }
            let lastDay = date.adding(days: -1)
            if let end = order.endDate, end < lastDay {
                throw PhapaiError.conflict("from", "ALREADY_ENDED", "standing order \(id) already ends on \(end.iso)")
            }
            order.active = lastDay >= order.startDate
            order.endDate = order.active ? lastDay : order.endDate
            try store.endStandingOrder(id, lastDay: order.endDate, active: order.active)
            store.record("standing.end", entity: "standing:\(id)", detail: ["from": date.iso])
            let made = try store.trips(from: date, to: date.adding(days: 3660)).filter { $0.standingOrder == id }
            let cancelled = try notStarted(made).map {
                try cancel($0, reason: Phrase("standing.ended"), atDoor: false, now: now, code: .byOffice)
            }
            try removeFromRuns(cancelled, now: now)
            return (order, cancelled)
        }
    }

    /// The trips of `trips` that can still be called off as a whole: not under way (no report),
    /// and never a return whose outbound is under way or done (the patient must be brought home).
    func notStarted(_ trips: [Trip]) throws -> [Trip] {
        func untouched(_ trip: Trip) throws -> Bool {
            try (trip.status == .requested || trip.status == .scheduled) && store.tripEvents(trip.id!).isEmpty
        }
        return try trips.filter { trip in
            guard try untouched(trip) else { return false }
            guard trip.direction == .return, let linked = trip.linkedTrip, let outbound = try store.trip(linked) else { return true }
            // Its outbound is called off with it, or was never performed.
            return try untouched(outbound) || !(outbound.status.isActive || outbound.status == .droppedOff)
        }
    }

    /// Why an edit is refused when a booked trip cannot follow it: the trip's own refusal inside.
    static func cannotFollow(_ trip: Trip, _ error: PhapaiError) -> Phrase {
        Phrase("error.cannot_follow", ["trip": "\(trip.id!)", "date": trip.serviceDate.iso], parts: [error.phrase ?? .text(error.message)])
    }
}
