import PhapaiCore
import PhapaiScheduler
import PhapaiStore

/// Where a booking landed in a planned day.
public struct Placement: Hashable, Sendable {
    /// The vehicle that takes the trip.
    public var vehicle: VehicleID
    /// The planned pickup time.
    public var pickupTime: Instant
}

extension PhapaiService {
    /// Inserts freshly stored `trips` into their day's runs when that day is planned (inside the
    /// booking's write). Returns nil for an unplanned day; throws `NO_CAPACITY` when a trip fits
    /// no vehicle, which rolls the booking back.
    func insertIntoPlan(_ trips: [Trip], now: Instant) throws -> [TripID: Placement]? {
        let date = trips[0].serviceDate
        let runs = try store.runs(on: date)
        guard !runs.isEmpty else { return nil }
        let settings = try area(trips[0].area)
        let model = try planningModel(for: date, settings: settings, shifts: try store.shifts(from: date, to: date), runs: runs)
        var plan = model.plan(from: runs)
        let solver = DARPSolver(problem: model.problem)
        if !PlanVerifier.verify(plan, problem: model.problem).feasible {
            return try replanWith(trips, model: model, date: date, settings: settings, now: now)
        }
        var placements: [TripID: Placement] = [:]
        for trip in trips where trip.pickupWindow != nil {
            guard let request = model.trips.firstIndex(where: { $0.id == trip.id }) else { continue }
            switch solver.insert(request, into: plan) {
            case .inserted(let result):
                plan = result.plan
                placements[trip.id!] = Placement(
                    vehicle: model.shifts[result.vehicle].vehicle, pickupTime: model.dayStart.adding(seconds: Int(result.pickupTime.rounded())))
            case .refused(let reason):
                throw PhapaiError.conflict("appointment", "NO_CAPACITY", "the planned day has no room for trip \(trip.direction.rawValue): \(reason)")
            }
        }
        try storeRuns(plan, model: model, solver: solver, date: date, now: now)
        for (trip, placement) in placements {
            try store.updateTripStatus(trip, status: .scheduled, code: nil, reason: nil, at: now)
            store.record("trip.schedule", entity: "trip:\(trip)", detail: ["vehicle": "\(placement.vehicle)"])
        }
        return placements
    }

    /// The day's runs no longer fit the day as it stands (delays under the re-planning threshold
    /// add up), so inserting into them cannot give a valid plan: plan the rest of the day again,
    /// the new trips with it, as a late report would. A new trip left without a vehicle is
    /// `NO_CAPACITY`; other trips the new plan drops go back to `requested` with the reason.
    private func replanWith(
        _ trips: [Trip], model: PlanningModel, date: LocalDate, settings: AreaSettings, now: Instant
    ) throws -> [TripID: Placement] {
        let (model, solver, result, _) = try solveDay(
            date, settings: settings, shifts: try store.shifts(from: date, to: date), model: model,
            options: SolverOptions(seed: 1, timeLimit: 2, iterationLimit: 300))
        var placements: [TripID: Placement] = [:]
        for trip in trips where trip.pickupWindow != nil {
            guard let request = model.trips.firstIndex(where: { $0.id == trip.id }) else { continue }
            guard !result.plan.unserved.contains(request) else {
                let reason = result.unservedReasons[request] ?? "no feasible vehicle"
                throw PhapaiError.conflict("appointment", "NO_CAPACITY", "the planned day has no room for trip \(trip.direction.rawValue): \(reason)")
            }
            let pickup = model.problem.requests[request].pickup
            guard let vehicle = result.plan.routes.firstIndex(where: { $0.contains(pickup) }),
                let position = result.plan.routes[vehicle].firstIndex(of: pickup),
                let times = solver.schedule(result.plan.routes[vehicle], vehicle: vehicle)
            else { continue }
            placements[trip.id!] = Placement(
                vehicle: model.shifts[vehicle].vehicle, pickupTime: model.dayStart.adding(seconds: Int(times[position + 1].rounded())))
        }
        try storeRuns(result.plan, model: model, solver: solver, date: date, now: now)
        let unserved = try updateStatuses(model: model, result: result, now: now)
        for (trip, placement) in placements {
            store.record("trip.schedule", entity: "trip:\(trip)", detail: ["vehicle": "\(placement.vehicle)"])
        }
        store.record("day.plan", entity: "day:\(date.iso)", detail: ["unserved": "\(unserved.count)", "why": "runs-drifted"])
        return placements
    }

    /// Up to `limit` nearby times at which `request` would fit: the same day 30 to 120 minutes
    /// earlier or later, then the following days. Read-only.
    public func alternatives(for request: BookingRequest, limit: Int = 3) throws -> [String] {
        let patient = try patient(request.patient)
        let settings = try area(patient.area)
        let offset = settings.offset
        let base: Instant
        switch request.timing {
        case .appointment(let at), .pickup(let at): base = at
        }
        var found: [String] = []
        let shifts = [-30, 30, -60, 60, -90, 90, -120, 120].map { $0 * 60 } + (1...3).map { $0 * 86_400 }
        for shift in shifts where found.count < limit {
            var candidate = request
            let moved = base.adding(seconds: shift)
            switch request.timing {
            case .appointment: candidate.timing = .appointment(moved)
            case .pickup: candidate.timing = .pickup(moved)
            }
            if case .at(let back) = request.returnLeg { candidate.returnLeg = .at(back.adding(seconds: shift)) }
            guard let pickup = try fits(candidate, patient: patient, settings: settings) else { continue }
            let label = request.timing.isAppointment ? "appointment" : "pickup"
            found.append("\(label) \(offset.format(moved)) (pickup about \(offset.time(of: pickup)))")
        }
        return found
    }

    /// The planned pickup if `request` would be accepted now, nil if not. Unplanned days accept any
    /// booking the rules allow.
    private func fits(_ request: BookingRequest, patient: Patient, settings: AreaSettings) throws -> Instant? {
        let from = try place(request.from ?? patient.home)
        let to = try place(request.to)
        let context = BookingContext(
            patient: patient, pickupPlace: from, dropoffPlace: to, policies: settings.policies, travel: settings.travel,
            offset: settings.offset, now: clock(), fleet: try store.vehicles(area: patient.area).map(\.capacity),
            directSeconds: try store.matrixEntry(from: from.id, to: to.id).map { Int($0.seconds.rounded(.up)) })
        guard var trips = try? BookingRules.makeTrips(request, context: context) else { return nil }
        let date = trips[0].serviceDate
        let runs = try store.runs(on: date)
        guard !runs.isEmpty else { return trips[0].pickupWindow?.earliest }
        // Stand-in numbers for the trips not stored.
        for index in trips.indices { trips[index].id = TripID(-Int64(index) - 1) }
        let model = try planningModel(for: date, settings: settings, shifts: try store.shifts(from: date, to: date), extraTrips: trips, runs: runs)
        var plan = model.plan(from: runs)
        let solver = DARPSolver(problem: model.problem)
        var pickup: Instant?
        for trip in trips where trip.pickupWindow != nil {
            guard let request = model.trips.firstIndex(where: { $0.id == trip.id }),
                case .inserted(let result) = solver.insert(request, into: plan)
            else { return nil }
            plan = result.plan
            if pickup == nil { pickup = model.dayStart.adding(seconds: Int(result.pickupTime.rounded())) }
        }
        return pickup
    }

    /// Removes the stops of `trips` from their runs, freeing the seats at once (inside a write).
    /// The remaining planned times stay valid: dropping stops never makes a run late.
    func removeFromRuns(_ trips: [Trip], actions: Set<RunStop.Action> = [.pickup, .dropoff]) throws {
        for date in Set(trips.map(\.serviceDate)) {
            let ids = Set(trips.compactMap(\.id))
            var runs = try store.runs(on: date)
            guard runs.contains(where: { $0.stops.contains { ids.contains($0.trip) } }) else { continue }
            for index in runs.indices {
                runs[index].stops = runs[index].stops.filter { !(ids.contains($0.trip) && actions.contains($0.action)) }.enumerated().map { position, stop in
                    var renumbered = stop
                    renumbered.sequence = position + 1
                    return renumbered
                }
            }
            try store.replaceRuns(on: date, with: runs.filter { !$0.stops.isEmpty }, at: clock())
        }
    }
}

extension BookingRequest.Timing {
    var isAppointment: Bool {
        if case .appointment = self { return true }
        return false
    }
}
