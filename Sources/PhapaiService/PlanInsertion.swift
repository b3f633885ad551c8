import PhapaiCore
import PhapaiScheduler
import PhapaiStore

/// Where a booking landed in a planned day.
public struct Placement: Hashable, Sendable {
    /// The vehicle that takes the trip.
    public var vehicle: VehicleID
    /// The planned pickup time.
    public var pickupTime: Instant
    /// A will-call return placed where the patient is expected to be ready: a place kept on the
    /// run, not a time told (the clinic's call sets it).
    public var awaitingRelease: Bool
}

/// Where the legs of a journey were placed, and what placing them cost other patients.
struct JourneyPlacement {
    var placements: [TripID: Placement]
    var notices: [PromiseNotice]
}

extension PhapaiService {
    /// Places stored `trips` (the legs of one journey) into their day's runs when that day is
    /// planned (inside a write): first by inserting them into the runs as they stand, else by a
    /// re-plan of the day from its runs. Returns nil for an unplanned day; throws `NO_CAPACITY`
    /// naming `field` when the journey fits nowhere, which rolls the write back.
    func placeJourney(_ trips: [Trip], cause: PlanCause, field: String? = nil, now: Instant) throws -> JourneyPlacement? {
        let date = trips[0].serviceDate
        let settings = try area(trips[0].area)
        // Most bookings are for days not planned yet: know that before reading the whole day.
        guard try isPlanned(date, area: settings.id) else { return nil }
        let state = try dayState(date, settings: settings)
        let model = try PlanningModel.build(state)
        let solver = DARPSolver(problem: model.problem)
        let current = model.plan(from: state.runs)
        let requests = trips.compactMap { model.request(of: $0.id!) }
        var solved: SolvedDay
        if PlanVerifier.verify(current, problem: model.problem).feasible, let plan = solver.insertAll(requests, into: current) {
            solved = SolvedDay(model: model, solver: solver, plan: plan, relaxation: Relaxation())
        } else {
            solved = try searchDay(state, options: Self.replanOptions(for: state, seed: 1))
        }
        for trip in trips {
            guard let request = solved.model.request(of: trip.id!), solved.plan.unserved.contains(request) else { continue }
            let timing = trip.appointment != nil ? "appointment" : "pickup"
            throw PhapaiError.conflict(
                field ?? (trip.direction == .return ? "return" : timing), "NO_CAPACITY",
                Phrase("error.no_capacity", parts: [explain(request, solved: solved, state: state)]))
        }
        let day = try commit(solved, state: state, cause: cause, now: now)
        var placements: [TripID: Placement] = [:]
        let ids = Set(trips.compactMap(\.id))
        for run in day.runs {
            for stop in run.stops where stop.action == .pickup && ids.contains(stop.trip) {
                let awaiting = trips.first { $0.id == stop.trip }?.awaitingRelease ?? false
                placements[stop.trip] = Placement(vehicle: run.vehicle, pickupTime: stop.plannedTime, awaitingRelease: awaiting)
                if !awaiting { store.record("trip.schedule", entity: "trip:\(stop.trip)", detail: ["vehicle": "\(run.vehicle)"]) }
            }
        }
        return JourneyPlacement(placements: placements, notices: day.notices)
    }

    /// Up to `limit` nearby times at which `request` would be accepted: the same day 30 to 120
    /// minutes earlier or later, then the following week's days. Each is a trial booking of the
    /// whole journey (rules, shifts, both legs placed on a planned day) that is undone. Read-only.
    public func alternatives(for request: BookingRequest, limit: Int = 3) throws -> [BookingAlternative] {
        let patient = try patient(request.patient)
        let offset = try area(patient.area).offset
        let base: Instant
        switch request.timing {
        case .appointment(let at), .pickup(let at): base = at
        }
        let now = clock()
        var found: [BookingAlternative] = []
        let moves = [-30, 30, -60, 60, -90, 90, -120, 120].map { $0 * 60 } + (1...7).map { $0 * 86_400 }
        for move in moves where found.count < limit {
            var candidate = request
            let moved = base.adding(seconds: move)
            guard moved > now else { continue }
            switch request.timing {
            case .appointment: candidate.timing = .appointment(moved)
            case .pickup: candidate.timing = .pickup(moved)
            }
            var back: Instant?
            if case .at(let time) = request.returnLeg {
                back = time.adding(seconds: move)
                candidate.returnLeg = .at(back!)
            }
            if let ready = request.willCallReady { candidate.willCallReady = ready.adding(seconds: move) }
            let outcome: BookingResult
            do {
                outcome = try store.dryRun(actor: actor, at: now) { try bookInWrite(candidate, now: now) }
            } catch let error as PhapaiError where error.category != .storage {
                continue
            }
            let outbound = outcome.trips[0]
            let placement = outcome.placements?[outbound.id!]
            let pickup = placement?.pickupTime ?? outbound.pickupWindow!.earliest
            let label = request.timing.isAppointment ? "appointment" : "pickup"
            found.append(BookingAlternative(
                timing: candidate.timing, returnPickup: back, pickup: pickup, vehicle: placement?.vehicle.rawValue,
                label: "\(label) \(offset.format(moved)) (pickup \(placement == nil ? "from" : "about") \(offset.time(of: pickup))"
                    + (placement.map { " on \($0.vehicle)" } ?? "") + ")"))
        }
        return found
    }

    /// Removes the stops of `trips` from their runs, freeing the seats at once (inside the write
    /// at `now`). The remaining planned times stay valid: dropping stops never makes a run late.
    /// Returns the run (shift) each trip's pickup was on, so a promise it then loses is pushed to
    /// whoever watches that run.
    @discardableResult
    func removeFromRuns(_ trips: [Trip], actions: Set<RunStop.Action> = [.pickup, .dropoff], now: Instant) throws -> [TripID: ShiftID] {
        var former: [TripID: ShiftID] = [:]
        for date in Set(trips.map(\.serviceDate)) {
            let ids = Set(trips.compactMap(\.id))
            var runs = try store.runs(on: date)
            guard runs.contains(where: { $0.stops.contains { ids.contains($0.trip) } }) else { continue }
            for index in runs.indices {
                for stop in runs[index].stops where ids.contains(stop.trip) && stop.action == .pickup && actions.contains(.pickup) {
                    former[stop.trip] = runs[index].shift
                }
                runs[index].stops = runs[index].stops.filter { !(ids.contains($0.trip) && actions.contains($0.action)) }.enumerated().map { position, stop in
                    var renumbered = stop
                    renumbered.sequence = position + 1
                    return renumbered
                }
            }
            try store.replaceRuns(on: date, with: runs.filter { !$0.stops.isEmpty }, at: now)
        }
        return former
    }
}

extension BookingRequest.Timing {
    var isAppointment: Bool {
        if case .appointment = self { return true }
        return false
    }
}

extension DARPSolver {
    /// The plan with every request of `requests` inserted (a journey's legs), or nil if not all fit.
    func insertAll(_ requests: [Int], into plan: DARPPlan) -> DARPPlan? {
        guard !requests.isEmpty else { return plan }
        if case .inserted(_, let placed, _) = insert(requests, into: plan) { return placed }
        return nil
    }
}
