import PhapaiCore
import PhapaiScheduler
import PhapaiStore

/// A day's plan as stored after planning or re-planning: its runs, the trips it could not serve
/// with the reason, and the promises to patients it could not keep.
public struct DayPlan: Sendable {
    /// The day.
    public var date: LocalDate
    /// One run per shift that has stops (the area's).
    public var runs: [Run]
    /// Trips left unserved, with why.
    public var unserved: [(trip: TripID, reason: Phrase)]
    /// Road kilometres driven by all runs.
    public var kilometres: Double
    /// Operating cost of the driving, baht.
    public var drivingCost: Double
    /// Promises to patients that this plan breaks, each with its cause.
    public var notices: [PromiseNotice]
    /// Patients whose drop-off this plan puts after their appointment (newly, or later than before).
    public var lateForAppointment: [AppointmentNotice] = []
}

/// An outbound trip whose drop-off is now planned after the patient's appointment (after a late
/// arrival at the door, say): the dispatcher tells the patient and the clinic.
public struct AppointmentNotice: Hashable, Sendable {
    /// The trip.
    public var trip: TripID
    /// Its patient.
    public var patient: PatientID
    /// The appointment.
    public var appointment: Instant
    /// The drop-off as planned now.
    public var plannedDropoff: Instant
    /// Minutes after the appointment.
    public var minutes: Int
    /// The vehicle that has the trip.
    public var vehicle: VehicleID
    /// The disruption that caused it.
    public var cause: PlanCause
}

/// A promise to a patient that a change of the day broke: the trip lost its place on the runs, or
/// its pickup is now planned (or happened) after the window the patient was told.
public struct PromiseNotice: Hashable, Sendable {
    /// How the promise is broken.
    public enum Kind: Hashable, Sendable {
        /// The trip has no vehicle any more.
        case lostPlace
        /// The pickup is planned this many minutes after the promised window.
        case late(minutes: Int)
        /// The vehicle arrived this many minutes after the promised window.
        case arrivedLate(minutes: Int)
    }

    /// The trip.
    public var trip: TripID
    /// Its patient (a code: the dispatcher looks up the phone number).
    public var patient: PatientID
    /// What broke.
    public var kind: Kind
    /// The window told to the patient.
    public var promised: TimeWindow
    /// The pickup as planned now, when the trip is still on a run.
    public var plannedPickup: Instant?
    /// The vehicle that now has it, if any.
    public var vehicle: VehicleID?
    /// The disruption that caused it (the command's event).
    public var cause: PlanCause
    /// Why the promise can no longer be kept.
    public var reason: Phrase
}

/// What made a day be planned again: named in the promises it breaks and in the audit log.
public enum PlanCause: Hashable, Sendable, CustomStringConvertible {
    /// A dispatcher or planner asked for a plan.
    case plan
    /// A driver's report this many minutes later than planned.
    case lateReport(TripID, minutes: Int)
    /// A vehicle arrived at a pickup after the promised window.
    case lateArrival(TripID, minutes: Int)
    /// A patient did not come.
    case noShow(TripID)
    /// A trip was cancelled.
    case cancellation(TripID)
    /// A booking into a day whose runs no longer fit it as planned.
    case booking
    /// The clinic called for a will-call return.
    case release(TripID)
    /// A driver's report was taken back.
    case undo(TripID)
    /// A trip was pinned to a vehicle.
    case assignment(TripID)
    /// A trip was moved to another time.
    case move(TripID)
    /// A patient's details changed.
    case patientEdit(PatientID)

    /// A keyword for the audit log and the wire.
    public var keyword: String {
        switch self {
        case .plan: "plan"
        case .lateReport: "late_report"
        case .lateArrival: "late_arrival"
        case .noShow: "no_show"
        case .cancellation: "cancellation"
        case .booking: "booking"
        case .release: "release"
        case .undo: "undo"
        case .assignment: "assignment"
        case .move: "move"
        case .patientEdit: "patient_edit"
        }
    }

    public var description: String {
        switch self {
        case .plan: "the day was planned again"
        case .lateReport(let trip, let minutes): "trip \(trip) was reported \(minutes) min later than planned"
        case .lateArrival(let trip, let minutes): "the vehicle reached trip \(trip) \(minutes) min after its window"
        case .noShow(let trip): "no-show on trip \(trip)"
        case .cancellation(let trip): "trip \(trip) was cancelled"
        case .booking: "a booking into a day that has drifted from its plan"
        case .release(let trip): "the clinic called for trip \(trip)"
        case .undo(let trip): "a report on trip \(trip) was taken back"
        case .assignment(let trip): "trip \(trip) was pinned to a vehicle"
        case .move(let trip): "trip \(trip) was moved"
        case .patientEdit(let patient): "patient \(patient)'s details changed"
        }
    }
}

extension PhapaiService {
    /// How far before the end of a pickup window the planned time stays, when the route allows.
    static let pickupMarginSeconds = 15 * 60
    /// Slack a plan keeps first before the end of every window of a trip not yet started.
    static let planningSlackSeconds = 5 * 60
    /// And a share of the drive to it, since longer drives vary more.
    static let pickupMarginPerTravel = 0.3

    /// Most seconds a plan may search; longer asks are refused.
    static let maxPlanSeconds = 600.0

    /// Builds the runs of `date` for `area` from its booked trips, vehicles and shifts with the
    /// scheduler, starting from the current runs when the day is planned already; checks them with
    /// the independent verifier and stores them with planned times. Promised trips keep their
    /// windows; those that cannot are named in ``DayPlan/notices``. Locked stops stay at the head of
    /// their runs. Trips that cannot be served stay `requested` with the reason.
    /// It searches on `threads` threads (nil: ``searchThreads``); with an iteration budget, the
    /// same number of threads gives the same plan on any machine.
    public func planDay(
        _ date: LocalDate, area: AreaID? = nil, seconds: Double = 5, iterations: Int? = nil, seed: UInt64 = 1, threads: Int? = nil
    ) throws -> DayPlan {
        try planDay(
            date, area: area, seconds: seconds, iterations: iterations, seed: seed, threads: threads ?? searchThreads,
            onlyIfNoPromiseBreaks: false)!
    }

    /// Plans the day; with `onlyIfNoPromiseBreaks`, stores nothing (and returns nil) when the new
    /// plan would break a promise the current runs keep: an improvement is never worse for patients.
    func planDay(
        _ date: LocalDate, area: AreaID?, seconds: Double, iterations: Int?, seed: UInt64, threads: Int, onlyIfNoPromiseBreaks: Bool
    ) throws -> DayPlan? {
        guard seconds > 0, seconds <= Self.maxPlanSeconds else {
            throw PhapaiError.invalid("time", "OUT_OF_RANGE", "the planning time must be between 0 and 600 seconds")
        }
        let settings = try self.area(area)
        guard (1...256).contains(threads) else {
            throw PhapaiError.invalid("threads", "OUT_OF_RANGE", "the search threads (--threads, PHAPAI_THREADS) must be between 1 and 256")
        }
        let options = SolverOptions(seed: seed, timeLimit: seconds, iterationLimit: iterations, threads: threads)
        // The search runs before the write (it may take minutes, and on a server other
        // connections write meanwhile); the write stores it only if the day did not change
        // meanwhile, and otherwise the day is searched again from it, on the new state.
        for member in try planningUnit(of: settings).members.sorted() where try !store.isRostered(member, on: date) {
            let memberSettings = try self.area(member)
            try write { _ in try ensureRoster(memberSettings, on: date) }
        }
        var state = try store.readSnapshot { try dayState(date, settings: settings) }
        guard !state.shifts.isEmpty else {
            throw PhapaiError.conflict("date", "NO_SHIFTS", "no vehicle has a shift on \(date.iso); add shifts first")
        }
        var searched = try searchDay(state, options: options)
        /// Whether storing `solved` over `before` would break a promise that an improvement must keep.
        func breaksPromise(_ solved: SolvedDay, over before: DayState, now: Instant) throws -> Bool {
            guard onlyIfNoPromiseBreaks else { return false }
            let runs = try plannedRuns(solved, date: date, now: now)
            return !promiseNotices(before: before, after: runs, model: solved.model, unserved: []).isEmpty
        }
        /// Thrown inside the write to leave it without a change (every write must record something).
        struct KeptAsItIs: Error {}
        for attempt in 0...Self.searchesBeforeWrite {
            // Where a test holds a plan between its search and its write, to change the day meanwhile.
            try store.faultPoint("plan.searched")
            if try breaksPromise(searched, over: state, now: clock()) { return nil }
            do {
                return try write { now in
                    let current = try dayState(date, settings: settings)
                    if PlanningModel.signature(of: current) == searched.model.signature {
                        return try commit(searched, state: current, cause: .plan, now: now)
                    }
                    guard attempt == Self.searchesBeforeWrite else { throw DayChanged() }
                    // Changed again after every search outside: the last one runs in this write
                    // (with the bounded budget of a command's re-plan), so a busy day is planned
                    // in the end rather than never.
                    let runs = try plannedRuns(searched, date: date, now: now)
                    let solved = try searchDay(current, options: Self.replanOptions(for: current, seed: seed), initialRuns: runs)
                    if try breaksPromise(solved, over: current, now: now) { throw KeptAsItIs() }
                    return try commit(solved, state: current, cause: .plan, now: now)
                }
            } catch is KeptAsItIs {
                return nil
            } catch is DayChanged {
                // Planned again from the plan just found, on the day as it is now, outside any write.
                let runs = try plannedRuns(searched, date: date, now: clock())
                state = try store.readSnapshot { try dayState(date, settings: settings) }
                searched = try searchDay(state, options: Self.replanOptions(for: state, seed: seed), initialRuns: runs)
            }
        }
        preconditionFailure("the last attempt stores its plan or throws")
    }

    /// How many times a plan is searched again outside the write when the day changed between
    /// its search and its write, before the last search runs inside the write.
    static let searchesBeforeWrite = 3

    /// Thrown inside a write to leave it when the day changed since the plan being stored was
    /// searched: nothing is written, and the day is searched again outside the write.
    struct DayChanged: Error {}

    /// Whether `date` is planned for `area`: it has runs, or it was planned once (a `day.plan` event
    /// names the area). Runs alone do not say it: a day whose last run emptied (its only trip
    /// cancelled, moved or taken off for a change) is still planned, and what is booked or changed
    /// on it must be placed at once.
    /// An area of a pool is planned when its pool is.
    func isPlanned(_ date: LocalDate, area: AreaID, runs: [Run]? = nil) throws -> Bool {
        let members = try planningUnit(of: self.area(area)).members
        let vehicles = Set(try store.vehicles().filter { members.contains($0.area) }.map(\.id))
        if try (runs ?? store.runs(on: date)).contains(where: { vehicles.contains($0.vehicle) }) { return true }
        let marks = Set(members.map { "area=\($0)" })
        return try store.dayEvents("day:\(date.iso)", areas: members, action: "day.plan", limit: 10).contains { event in
            event.detail.split(separator: " ").contains { marks.contains(String($0)) }
        }
    }

    /// The areas that plan together with `settings`' (its pool, or itself alone) and the one whose
    /// settings the plan uses: the first of the pool by code, whichever member asks, so a pooled
    /// day is the same plan from every side.
    func planningUnit(of settings: AreaSettings) throws -> (lead: AreaSettings, members: Set<AreaID>) {
        guard let pool = settings.pool else { return (settings, [settings.id]) }
        let members = try store.areas().filter { $0.pool == pool }
        guard let lead = members.first else { return (settings, [settings.id]) }
        return (lead, Set(members.map(\.id)))
    }

    /// Re-plans the day of `area` after `cause`, inside an open write: from the current runs, with a
    /// budget that grows with the day. Returns nil when the day is not planned (nothing to re-plan).
    func replan(_ date: LocalDate, area: AreaID, cause: PlanCause, now: Instant, formerRuns: [TripID: ShiftID] = [:]) throws -> DayPlan? {
        let settings = try self.area(area)
        let state = try dayState(date, settings: settings)
        guard try isPlanned(date, area: area, runs: state.runs) else { return nil }
        let solved = try searchDay(state, options: Self.replanOptions(for: state, seed: 1))
        return try commit(solved, state: state, cause: cause, now: now, formerRuns: formerRuns)
    }

    /// Re-plans the day of `area` after `cause` in a write of its own (after the change that caused
    /// it was stored in another), when the day is planned; nil when it is not. The search runs
    /// before the write, so the write holds the database only to store it (on a server, other
    /// connections write meanwhile); when the day changed in between it is searched again, and
    /// after ``searchesBeforeWrite`` such changes inside the write.
    func replanInOwnWrite(_ date: LocalDate, area: AreaID, cause: PlanCause, formerRuns: [TripID: ShiftID] = [:]) throws -> DayPlan? {
        // A day once planned stays planned: the check outside the write holds inside it.
        guard try isPlanned(date, area: area) else { return nil }
        let settings = try self.area(area)
        for attempt in 0...Self.searchesBeforeWrite {
            let last = attempt == Self.searchesBeforeWrite
            let searched: SolvedDay?
            if last {
                searched = nil
            } else {
                let state = try store.readSnapshot { try dayState(date, settings: settings) }
                searched = try searchDay(state, options: Self.replanOptions(for: state, seed: 1))
                try store.faultPoint("replan.searched")
            }
            do {
                return try write { now in
                    if let searched {
                        let current = try dayState(date, settings: settings)
                        guard PlanningModel.signature(of: current) == searched.model.signature else { throw DayChanged() }
                        return try commit(searched, state: current, cause: cause, now: now, formerRuns: formerRuns)
                    }
                    return try replan(date, area: area, cause: cause, now: now, formerRuns: formerRuns)
                }
            } catch is DayChanged {
                continue
            }
        }
        preconditionFailure("the last attempt re-plans inside its write")
    }

    /// Improves the planned day of `area` from its runs with a budget of two iterations per trip
    /// still to do: what runs after a command's quick re-plan, between requests (the server's
    /// background improvement; the simulator does the same after every change). Nil when the day
    /// is not planned, or when the improvement would break a promise (the runs stay as they are).
    public func improveDay(_ date: LocalDate, area: AreaID? = nil, seed: UInt64 = 2) throws -> DayPlan? {
        let settings = try self.area(area)
        guard try isPlanned(date, area: settings.id) else { return nil }
        let members = try planningUnit(of: settings).members
        let active = try store.trips(date: date).filter { members.contains($0.area) && $0.status.isActive }.count
        return try planDay(
            date, area: settings.id, seconds: Self.maxPlanSeconds, iterations: max(30, 2 * active), seed: seed, threads: searchThreads,
            onlyIfNoPromiseBreaks: true)
    }

    /// The budget of a re-plan: iterations that grow with the day's trips (so the same day gives
    /// the same plan on any machine), with a time cap. One thread: a re-plan is a few hundred
    /// iterations from a good plan, over before a second search would pay for its start.
    static func replanOptions(for state: DayState, seed: UInt64) -> SolverOptions {
        let active = state.trips.filter(\.status.isActive).count
        return SolverOptions(seed: seed, timeLimit: 2, iterationLimit: min(600, max(30, active)))
    }

    /// The day as the store holds it for one area, or for its whole pool when it is in one (the
    /// pool's vehicles serve the pool's trips): its shifts (by their vehicle's area), trips, runs,
    /// reports, assignments and the travel matrix, under the settings of the pool's lead.
    func dayState(_ date: LocalDate, settings asked: AreaSettings) throws -> DayState {
        let (settings, members) = try planningUnit(of: asked)
        var vehicles: [VehicleID: Vehicle] = [:]
        for vehicle in try store.vehicles() where members.contains(vehicle.area) { vehicles[vehicle.id] = vehicle }
        var places: [PlaceID: Place] = [:]
        for place in try store.places(areas: members) { places[place.id] = place }
        let shifts = try store.shifts(from: date, to: date).filter { vehicles[$0.vehicle] != nil }
        let shiftIDs = Set(shifts.compactMap(\.id))
        let trips = try store.trips(date: date).filter { members.contains($0.area) }
        // Only these trips' reports and assignments: another area's report must not make this
        // day look changed (a plan's write compares the day's signature) nor cost a read.
        let own = Set(trips.compactMap(\.id))
        return DayState(
            date: date, settings: settings, shifts: shifts, vehicles: vehicles, places: places, trips: trips,
            runs: try store.runs(on: date).filter { shiftIDs.contains($0.shift) },
            events: try store.tripEvents(on: date).filter { own.contains($0.key) },
            assignments: try store.assignments(on: date).filter { own.contains($0.key) }, matrix: try store.matrix(), now: clock())
    }

    /// A solved day: the model it was solved on (with the relaxation it needed) and the result.
    struct SolvedDay {
        var model: PlanningModel
        var solver: DARPSolver
        var plan: DARPPlan
        var relaxation: Relaxation
    }

    /// Solves a day from its current runs (or `initialRuns`), then keeps what promises it can:
    /// when the plan fails verification because delays have made the promises to passengers
    /// aboard contradict each other, solves with their deadlines relaxed; when promised trips or
    /// patients waiting at the clinic are left out, lets those that cannot be placed be later, step
    /// by step, and at last lets shifts run over to bring patients home. A trip of those tiers that
    /// the runs (or a step) carry keeps its place: it never makes room for one let be later.
    func searchDay(_ state: DayState, options: SolverOptions, initialRuns: [Run]? = nil) throws -> SolvedDay {
        // Planned with some slack first: each trip not yet started must be picked up and dropped
        // off a little before the end of its windows, so a slow road does not make it late; trips
        // that cannot have that slack get their whole windows back below.
        var relaxation = Relaxation()
        for trip in state.trips where trip.status == .requested || trip.status == .scheduled {
            if (state.events[trip.id!] ?? []).isEmpty { relaxation.lateBy[trip.id!] = -Double(Self.planningSlackSeconds) }
        }
        // A promise already broken by a delay is not made worse for the sake of kilometres: the
        // trip keeps the lateness it has in the runs, no more.
        for run in initialRuns ?? state.runs {
            for stop in run.stops where stop.action == .pickup {
                // (Half a minute past is the rounding of planned times, not lateness.)
                guard let trip = state.trips.first(where: { $0.id == stop.trip }), let promise = trip.promise,
                    stop.plannedTime.seconds(since: promise.latest) > 30
                else { continue }
                // To the next whole minute: planned times are rounded to the second.
                relaxation.lateBy[stop.trip] = Double((stop.plannedTime.seconds(since: promise.latest) / 60 + 1) * 60)
            }
        }
        let runs = initialRuns ?? state.runs
        // A promised trip (or a patient's ride home) that the runs carry keeps its place: no
        // search step gives it to another trip of its tier, whose lateness it would then inherit.
        relaxation.kept = Set(runs.flatMap { $0.stops.filter { $0.action == .pickup }.map(\.trip) })
        var model = try PlanningModel.build(state, relaxation: relaxation)
        var solver = DARPSolver(problem: model.problem)
        var result = solver.solve(options, initial: runs.isEmpty ? nil : model.plan(from: runs))
        if !PlanVerifier.verify(result.plan, problem: model.problem).feasible {
            relaxation.onBoard = true
            model = try PlanningModel.build(state, relaxation: relaxation)
            solver = DARPSolver(problem: model.problem)
            result = solver.solve(options, initial: runs.isEmpty ? nil : model.plan(from: runs))
        }
        // Serving every trip comes before slack: when the plan with slack leaves a trip out, the
        // whole windows come back, and the search goes on from that plan if it serves all that the
        // current runs serve, else from the current runs (a re-plan never ends worse than them).
        if !result.plan.unserved.filter({ $0 < model.trips.count }).isEmpty {
            relaxation.lateBy = relaxation.lateBy.filter { $0.value > 0 }
            model = try PlanningModel.build(state, relaxation: relaxation)
            solver = DARPSolver(problem: model.problem)
            var initial = result.plan
            if !runs.isEmpty {
                let current = solver.repaired(model.plan(from: runs))
                if !Set(current.unserved).isSuperset(of: result.plan.unserved) { initial = current }
            }
            result = solver.solve(
                SolverOptions(
                    seed: options.seed, timeLimit: options.timeLimit, iterationLimit: max(30, (options.iterationLimit ?? 200) / 3),
                    threads: options.threads),
                initial: initial)
        }
        // Trips that must not be dropped: promised, or bringing a patient home.
        func needy(_ plan: DARPPlan) -> [Int] {
            plan.unserved.filter { $0 < model.trips.count && model.tiers[$0] >= Priority.mustServe }
        }
        // Small steps first: a schedule may place a stop anywhere its window allows, so a wide
        // window would tell a patient later than need be.
        let steps: [Double?] = [10, 20, 30, 45, 60, 90, 120, 180, 240, nil]
        var left = needy(result.plan)
        // Those the plan serves in their windows now are not displaced by those let be later.
        if !left.isEmpty {
            for node in result.plan.routes.joined() {
                let request = model.problem.requestOfNode[node]
                if request >= 0 && request < model.trips.count { relaxation.kept.insert(model.trips[request].id!) }
            }
        }
        let stepOptions = SolverOptions(
            seed: options.seed, timeLimit: options.timeLimit, iterationLimit: min(options.iterationLimit ?? 200, 200), threads: options.threads)
        for step in steps where !left.isEmpty {
            // Only the trips that cannot be placed as the plan stands are let be later: a leg that
            // fits keeps its window and waits for its partner to be placed (unless none is stuck
            // alone, when all of them are).
            let stuck = left.filter { !solver.explain($0, in: result.plan, fixedPenalty: Priority.fixed).contains(.fits) }
            for request in stuck.isEmpty ? left : stuck {
                // The last step opens the rest of the day, with the shifts' overtime allowance;
                // a trip already late is never given less than it has.
                let id = model.trips[request].id!
                relaxation.lateBy[id] = max(relaxation.lateBy[id] ?? 0, step.map { $0 * 60 } ?? 86_400)
            }
            relaxation.overtime = step == nil
            model = try PlanningModel.build(state, relaxation: relaxation)
            solver = DARPSolver(problem: model.problem)
            result = solver.solve(stepOptions, initial: result.plan)
            left = needy(result.plan)
        }
        let check = PlanVerifier.verify(result.plan, problem: model.problem)
        guard check.feasible else {
            throw PhapaiError(
                .storage, keyword: "PLAN_NOT_VERIFIED", field: nil,
                message: "the plan of \(state.date.iso) failed verification: \(check.violations.first ?? "")")
        }
        return SolvedDay(model: model, solver: solver, plan: result.plan, relaxation: relaxation)
    }

    /// Stores a solved day inside an open write: its runs, each trip's status, first promises, the
    /// promises it breaks (audited and pushed to those who watch the runs).
    func commit(_ solved: SolvedDay, state: DayState, cause: PlanCause, now: Instant, formerRuns: [TripID: ShiftID] = [:]) throws -> DayPlan {
        let model = solved.model, plan = solved.plan
        let runs = try plannedRuns(solved, date: state.date, now: now)
        try store.replaceRuns(on: state.date, with: runs, shifts: Set(state.shifts.compactMap(\.id)), at: now)
        let unserved = try updateStatuses(solved, state: state, runs: runs, now: now)
        var notices: [PromiseNotice] = []
        for (notice, run) in promiseNotices(before: state, after: runs, model: model, unserved: unserved, cause: cause, formerRuns: formerRuns) {
            // Audited and pushed to whoever watches the run concerned.
            try recordBroken(notice, run: run, now: now)
            notices.append(notice)
        }
        // The area marks the day planned for good (see isPlanned).
        var lateForAppointment: [AppointmentNotice] = []
        for (notice, run) in appointmentNotices(before: state, after: runs, model: model, cause: cause) {
            store.record(
                "trip.appointment_late", entity: "trip:\(notice.trip)",
                detail: ["cause": cause.keyword, "patient": "\(notice.patient)", "minutes": "\(notice.minutes)"])
            try store.recordRunChange(run, kind: "appointment", detail: "trip=\(notice.trip) late_dropoff minutes=\(notice.minutes)", at: now)
            lateForAppointment.append(notice)
        }
        var detail = ["runs": "\(runs.count)", "scheduled": "\(model.trips.count - unserved.count)", "unserved": "\(unserved.count)",
                      "cause": cause.keyword, "area": "\(state.settings.id)"]
        if !notices.isEmpty { detail["broken"] = "\(notices.count)" }
        store.record("day.plan", entity: "day:\(state.date.iso)", detail: detail)
        var kilometres = 0.0, cost = 0.0
        for (k, route) in plan.routes.enumerated() where !route.isEmpty {
            let vehicle = model.problem.vehicles[k]
            let stops = [vehicle.startNode] + route + [vehicle.endNode]
            let distance = zip(stops, stops.dropFirst()).reduce(0.0) { $0 + model.problem.cost($1.0, $1.1) }
            kilometres += distance
            cost += distance * vehicle.costPerUnit
        }
        return DayPlan(
            date: state.date, runs: runs, unserved: unserved, kilometres: kilometres, drivingCost: cost, notices: notices,
            lateForAppointment: lateForAppointment)
    }

    /// The runs a solved day describes, with planned times from the solver's schedule; performed
    /// stops first, as they happened.
    func plannedRuns(_ solved: SolvedDay, date: LocalDate, now: Instant) throws -> [Run] {
        let model = solved.model
        var runs: [Run] = []
        for (k, route) in solved.plan.routes.enumerated() where !route.isEmpty || !model.performed[k].isEmpty {
            // Times told to drivers keep a margin before the end of each pickup window where the
            // route allows it: a few minutes on the road then do not make a patient late.
            guard let times = route.isEmpty ? [] : solved.solver.schedule(route, vehicle: k, pickupMargin: Double(Self.pickupMarginSeconds), perTravel: Self.pickupMarginPerTravel) else {
                throw PhapaiError(.storage, keyword: "PLAN_NOT_VERIFIED", field: nil, message: "run \(k) of \(date.iso) has no feasible schedule")
            }
            let shift = model.shifts[k]
            let lockedCount = model.problem.vehicles[k].lockedNodes.count
            // Performed stops first, as they happened; then the plan, without the on-board
            // passengers' stand-in pickups (they are among the performed stops).
            var stops = model.performed[k]
            for (position, node) in route.enumerated() {
                let request = model.problem.requestOfNode[node]
                guard request < model.trips.count else { continue }
                let trip = model.trips[request].id!
                let action: RunStop.Action = model.problem.requests[request].pickup == node ? .pickup : .dropoff
                if action == .pickup && model.onBoard.contains(trip) { continue }
                stops.append(RunStop(
                    sequence: 0, trip: trip, action: action,
                    plannedTime: model.dayStart.adding(seconds: Int(times[position + 1].rounded())), locked: position < lockedCount))
            }
            for index in stops.indices { stops[index].sequence = index + 1 }
            if stops.isEmpty { continue }
            runs.append(Run(id: nil, date: date, shift: shift.id!, vehicle: shift.vehicle, driver: shift.driver, plannedAt: now, stops: stops))
        }
        return runs
    }

    /// Marks each trip of a new plan `scheduled` (promising its window the first time, narrowed to
    /// where it was placed if it had to be later than asked), or `requested` with the reason it got
    /// no vehicle; returns the unserved trips with their reasons.
    func updateStatuses(_ solved: SolvedDay, state: DayState, runs: [Run], now: Instant) throws -> [(TripID, Phrase)] {
        let model = solved.model
        let pickups = Dictionary(runs.flatMap { run in run.stops.filter { $0.action == .pickup }.map { ($0.trip, $0.plannedTime) } },
                                 uniquingKeysWith: { a, _ in a })
        let window = state.settings.policies.pickupWindowMinutes
        var unserved: [(TripID, Phrase)] = []
        for (request, trip) in model.trips.enumerated() where trip.status == .requested || trip.status == .scheduled {
            let id = trip.id!
            guard let pickup = pickups[id] else {
                let reason = explain(request, solved: solved, state: state)
                unserved.append((id, reason))
                if trip.status != .requested || trip.statusPhrase != reason {
                    try store.updateTripStatus(id, status: .requested, code: nil, reason: reason, at: now)
                }
                continue
            }
            if trip.status != .scheduled || trip.statusReason != nil {
                try store.updateTripStatus(id, status: .scheduled, code: nil, reason: nil, at: now)
            }
            guard trip.promisedAt == nil, let asked = trip.pickupWindow else { continue }
            if pickup > asked.latest {
                // Never promised, and only a later time was found (a patient waiting at the clinic):
                // the window told is where the vehicle will come.
                var moved = trip
                moved.pickupWindow = TimeWindow(earliest: pickup, latest: pickup.adding(minutes: window))
                let shift = moved.pickupWindow!.latest.seconds(since: asked.latest)
                moved.dropoffWindow = trip.dropoffWindow.map { TimeWindow(earliest: $0.earliest, latest: $0.latest.adding(seconds: shift)) }
                moved.status = .scheduled
                moved.promisedAt = now
                try store.rebookTrip(moved, at: now)
                store.record("trip.retime", entity: "trip:\(id)", detail: ["pickup": state.settings.offset.iso8601(pickup)])
            } else {
                try store.setPromised(id, at: now)
            }
        }
        return unserved
    }

    /// The promises a new plan breaks: a promised trip it does not carry (whether or not the runs
    /// before it did: a change may have taken it off first), unless it had already lost its place
    /// and been told; or one whose planned pickup moved past its window (or further past it). Each
    /// with the run concerned: where it was, from the runs before or `formerRuns`.
    func promiseNotices(
        before state: DayState, after runs: [Run], model: PlanningModel, unserved: [(TripID, Phrase)], cause: PlanCause = .plan,
        formerRuns: [TripID: ShiftID] = [:]
    ) -> [(notice: PromiseNotice, run: ShiftID?)] {
        func pickups(_ runs: [Run]) -> [TripID: (shift: ShiftID, vehicle: VehicleID, at: Instant)] {
            var found: [TripID: (ShiftID, VehicleID, Instant)] = [:]
            for run in runs { for stop in run.stops where stop.action == .pickup { found[stop.trip] = (run.shift, run.vehicle, stop.plannedTime) } }
            return found
        }
        let old = pickups(state.runs), new = pickups(runs)
        let reasons = Dictionary(unserved, uniquingKeysWith: { a, _ in a })
        let offset = state.settings.offset
        var notices: [(notice: PromiseNotice, run: ShiftID?)] = []
        for trip in model.trips {
            guard let id = trip.id, let promise = trip.promise, trip.status == .requested || trip.status == .scheduled else { continue }
            // Planned times are rounded to the second: half a minute past the window is not late.
            func lateness(_ at: Instant) -> Int {
                let over = at.seconds(since: promise.latest)
                return over > 30 ? (over + 59) / 60 : 0
            }
            var notice: PromiseNotice?
            var shift: ShiftID?
            if let now = new[id] {
                let late = lateness(now.at)
                let lateBefore = old[id].map { lateness($0.at) }
                if late > 0, lateBefore.map({ late > $0 + state.settings.policies.promiseToleranceMinutes || $0 == 0 }) ?? true {
                    notice = PromiseNotice(
                        trip: id, patient: trip.patient, kind: .late(minutes: late), promised: promise, plannedPickup: now.at,
                        vehicle: now.vehicle, cause: cause,
                        reason: Phrase("promise.late", [
                            "latest": "\(offset.time(of: promise.latest))", "vehicle": now.vehicle.rawValue, "at": "\(offset.time(of: now.at))",
                        ]))
                    shift = now.shift
                }
            } else if old[id] != nil || !(trip.status == .requested && trip.statusReason != nil) {
                // (A trip left `requested` with a reason by an earlier plan lost its place then, and was told.)
                notice = PromiseNotice(
                    trip: id, patient: trip.patient, kind: .lostPlace, promised: promise, plannedPickup: nil, vehicle: nil, cause: cause,
                    reason: reasons[id] ?? Phrase("unserved.no_vehicle"))
                shift = old[id]?.shift ?? formerRuns[id]
            }
            guard let notice else { continue }
            notices.append((notice, shift))
        }
        return notices
    }

    /// The outbound trips a new plan drops off after their appointment, newly or later than the
    /// runs before it did (beyond the promise tolerance), with their run.
    func appointmentNotices(before state: DayState, after runs: [Run], model: PlanningModel, cause: PlanCause) -> [(AppointmentNotice, ShiftID)] {
        func dropoffs(_ runs: [Run]) -> [TripID: (run: Run, at: Instant)] {
            var found: [TripID: (Run, Instant)] = [:]
            for run in runs { for stop in run.stops where stop.action == .dropoff { found[stop.trip] = (run, stop.plannedTime) } }
            return found
        }
        let old = dropoffs(state.runs), new = dropoffs(runs)
        var notices: [(AppointmentNotice, ShiftID)] = []
        for trip in model.trips where trip.direction == .outbound && trip.status.isActive {
            guard let id = trip.id, let appointment = trip.appointment, let now = new[id] else { continue }
            // Planned times are rounded to the second: half a minute past is not late.
            func lateness(_ at: Instant) -> Int {
                let over = at.seconds(since: appointment)
                return over > 30 ? (over + 59) / 60 : 0
            }
            let late = lateness(now.at)
            let before = old[id].map { lateness($0.at) } ?? 0
            guard late > 0, before == 0 || late > before + state.settings.policies.promiseToleranceMinutes else { continue }
            notices.append((AppointmentNotice(
                trip: id, patient: trip.patient, appointment: appointment, plannedDropoff: now.at, minutes: late, vehicle: now.run.vehicle,
                cause: cause), now.run.shift))
        }
        return notices
    }

    /// Audits a broken promise and tells those who watch the run.
    func recordBroken(_ notice: PromiseNotice, run: ShiftID?, now: Instant) throws {
        var detail = ["cause": notice.cause.keyword, "patient": "\(notice.patient)"]
        switch notice.kind {
        case .lostPlace: detail["kind"] = "lost_place"
        case .late(let minutes): (detail["kind"], detail["minutes"]) = ("late", "\(minutes)")
        case .arrivedLate(let minutes): (detail["kind"], detail["minutes"]) = ("arrived_late", "\(minutes)")
        }
        store.record("trip.promise_broken", entity: "trip:\(notice.trip)", detail: detail)
        if let run {
            let kind = detail["kind"]!
            try store.recordRunChange(run, kind: "promise", detail: "trip=\(notice.trip) broken=\(kind)" + (detail["minutes"].map { " minutes=\($0)" } ?? ""), at: now)
        }
    }

    /// Why request `request` of a solved day got no vehicle, in the dispatcher's words: the break,
    /// the shift's hours, the missing wheelchair or stretcher place, the ride-time limit, a full
    /// vehicle, or the other leg of the journey. When the other leg is further from fitting than
    /// this one (it fits, or is only crowded out, while the other meets the break, the shift's end
    /// or a vehicle that cannot carry the patient), the other leg's reason comes first: it is why
    /// the journey is not served.
    func explain(_ request: Int, solved: SolvedDay, state: DayState) -> Phrase {
        let model = solved.model
        let trip = model.trips[request]
        let obstacles = solved.solver.explain(request, in: solved.plan, fixedPenalty: Priority.fixed)
        let own = describe(obstacles, trip: trip, model: model)
        guard let partner = model.problem.requests[request].partner else { return own }
        let other = model.trips[partner]
        let otherObstacles = solved.solver.explain(partner, in: solved.plan, fixedPenalty: Priority.fixed)
        // How close each leg comes to fitting, on the vehicle that comes closest.
        func closest(_ obstacles: [InsertionObstacle]) -> Int {
            obstacles.map { obstacle in
                switch obstacle {
                case .notAllowed: 0
                case .capacity: 1
                case .timeWindows: 2
                case .rideTime: 3
                case .blockedBy: 4
                case .busy: 5
                case .fits: 6
                }
            }.max() ?? 0
        }
        guard closest(otherObstacles) < closest(obstacles) else { return own }
        let first = Phrase(
            other.direction == .return ? "unserved.leg.return" : "unserved.leg.outbound", ["trip": "\(other.id!)"],
            parts: [describe(otherObstacles, trip: other, model: model)])
        return obstacles.contains(.fits) ? first : Phrase("unserved.leg_and_own", parts: [first, own])
    }

    /// Per-vehicle obstacles in words, grouped: "VAN1: its driver's break 12:00-13:00; CAR1, PICKUP1: cannot carry a wheelchair".
    func describe(_ obstacles: [InsertionObstacle], trip: Trip, model: PlanningModel) -> Phrase {
        var groups: [(text: Phrase, vehicles: [String])] = []
        func add(_ text: Phrase, _ vehicle: String) {
            if let index = groups.firstIndex(where: { $0.text == text }) {
                if !groups[index].vehicles.contains(vehicle) { groups[index].vehicles.append(vehicle) }
            } else {
                groups.append((text, [vehicle]))
            }
        }
        if obstacles.contains(.fits) {
            // It would fit as the plan stands: it was left out for trips that come first (promised
            // ones, or patients waiting at the clinic).
            return Phrase("unserved.promise_first")
        }
        let load = Self.patientLoad(trip.mobility, companions: trip.companions)
        for (k, obstacle) in obstacles.enumerated() where k < model.shifts.count {
            let shift = model.shifts[k]
            let vehicle = shift.vehicle.rawValue
            switch obstacle {
            case .fits: continue
            case .notAllowed: continue
            case .capacity: add(Phrase("obstacle.capacity", parts: [load]), vehicle)
            case .timeWindows: add(Phrase("obstacle.shift", ["start": "\(shift.start)", "end": "\(shift.end)"]), vehicle)
            case .rideTime: add(Phrase("obstacle.ride_time", ["minutes": "\(trip.maxRideSeconds / 60)"]), vehicle)
            case .blockedBy(let blockers):
                if blockers.contains(where: { blocker in model.breaks[k]?.request == blocker }), let from = shift.breakStart, let to = shift.breakEnd {
                    add(Phrase("obstacle.break", ["from": "\(from)", "to": "\(to)"]), vehicle)
                } else {
                    add(Phrase("obstacle.under_way"), vehicle)
                }
            case .busy: add(Phrase("obstacle.full"), vehicle)
            }
        }
        guard !groups.isEmpty else {
            let pinned = obstacles.allSatisfy { $0 == .notAllowed }
            return Phrase(pinned ? "unserved.no_shift_for_assigned" : "unserved.no_shift")
        }
        let ordered = groups.sorted { $0.vehicles.count > $1.vehicles.count }
        if ordered.count == 1 && ordered[0].text == Phrase("obstacle.full") {
            return Phrase("unserved.all_full", ["vehicles": ordered[0].vehicles.joined(separator: ", ")])
        }
        return Phrase("unserved.obstacles", parts: ordered.map { group in
            group.vehicles.count > 4
                ? Phrase("obstacle.vehicles.more", ["vehicles": group.vehicles.prefix(3).joined(separator: ", "), "more": "\(group.vehicles.count - 3)"], parts: [group.text])
                : Phrase("obstacle.vehicles", ["vehicles": group.vehicles.joined(separator: ", ")], parts: [group.text])
        })
    }

    /// `areas` and every area that shares a pool with one of them: whose vehicles serve their trips.
    public func fleetAreas(of areas: Set<AreaID>) throws -> Set<AreaID> {
        let stored = try store.areas()
        let pools = Set(stored.filter { areas.contains($0.id) }.compactMap(\.pool))
        return areas.union(stored.filter { $0.pool.map(pools.contains) == true }.map(\.id))
    }

    /// The vehicles that serve `area`'s trips: its own, or its pool's.
    func fleet(of area: AreaID) throws -> [Vehicle] {
        let members = try planningUnit(of: self.area(area)).members
        return try store.vehicles().filter { members.contains($0.area) }
    }

    /// Makes the shifts of `date` for the area and every area it plans with (inside a write).
    func ensureRosters(_ settings: AreaSettings, on date: LocalDate) throws {
        for member in try planningUnit(of: settings).members.sorted() {
            try ensureRoster(member == settings.id ? settings : self.area(member), on: date)
        }
    }

    /// Makes the shifts of `date` from the area's weekly patterns the first time the day is needed
    /// (inside a write). Shifts added or removed by hand afterwards are left as they are.
    func ensureRoster(_ settings: AreaSettings, on date: LocalDate) throws {
        guard try !store.isRostered(settings.id, on: date) else { return }
        let patterns = try store.shiftPatterns(area: settings.id)
        let existing = try store.shifts(from: date, to: date)
        var made = 0
        for pattern in patterns {
            guard let shift = pattern.shift(on: date), !existing.contains(where: { $0.overlaps(shift) && ($0.driver == shift.driver || $0.vehicle == shift.vehicle) })
            else { continue }
            try store.insertShift(shift)
            made += 1
        }
        try store.markRostered(settings.id, on: date)
        store.record("day.roster", entity: "day:\(date.iso)", detail: ["area": "\(settings.id)", "shifts": "\(made)"])
    }

    /// The stored runs of `date`: of one area (its vehicles' runs, and the runs of its pool that
    /// carry its trips), or of every vehicle.
    public func runs(on date: LocalDate, area: AreaID? = nil) throws -> [Run] {
        let runs = try store.runs(on: date)
        guard let area else { return runs }
        let vehicles = Set(try store.vehicles(area: area).map(\.id))
        let trips = Set(try store.trips(date: date).filter { $0.area == area }.compactMap(\.id))
        return runs.filter { run in vehicles.contains(run.vehicle) || run.stops.contains { trips.contains($0.trip) } }
    }

    /// Re-checks the stored runs of `date` with the independent verifier, from the database alone
    /// (for each area; the first violation found is reported).
    public func verifyStoredPlan(_ date: LocalDate) throws -> PlanCheck {
        var last: PlanCheck?
        for settings in try store.areas() {
            let state = try dayState(date, settings: settings)
            guard !state.runs.isEmpty else { continue }
            let model = try PlanningModel.build(state)
            var check = PlanVerifier.verify(model.plan(from: state.runs), problem: model.problem)
            if !check.feasible {
                // A stored plan may have needed loosened windows (delays, patients brought home late):
                // it must hold under the loosest the planner may use.
                var relaxation = Relaxation(lateBy: [:], overtime: true, onBoard: true)
                for trip in state.trips where trip.status.isActive { relaxation.lateBy[trip.id!] = 86_400 }
                let relaxed = try PlanningModel.build(state, relaxation: relaxation)
                check = PlanVerifier.verify(relaxed.plan(from: state.runs), problem: relaxed.problem)
            }
            if !check.feasible { return check }
            last = check
        }
        if let last { return last }
        let nothing = try DARPProblem(dimensions: 1, earliest: [], latest: [], service: [], load: [], travelTime: [], travelCost: [], requests: [], vehicles: [])
        return PlanVerifier.verify(DARPPlan(routes: [], unserved: []), problem: nothing)
    }
}
