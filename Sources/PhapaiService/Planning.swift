import PhapaiCore
import PhapaiScheduler
import PhapaiStore

/// A day's plan as stored: its runs, and the trips it could not serve with the reason.
public struct DayPlan: Sendable {
    /// The day.
    public var date: LocalDate
    /// One run per shift that has stops.
    public var runs: [Run]
    /// Trips left unserved, with why.
    public var unserved: [(trip: TripID, reason: String)]
    /// Road kilometres driven by all runs.
    public var kilometres: Double
    /// Operating cost of the driving, baht.
    public var drivingCost: Double
}

/// The scheduling problem of one day, built from the store: one DARP vehicle per shift (with depot
/// nodes of its own, whose windows are the shift), one request per trip with a time window.
/// Times are seconds after the day's local midnight.
struct PlanningModel {
    let problem: DARPProblem
    let shifts: [Shift]
    let trips: [Trip]
    let dayStart: Instant
    /// Per shift: the stops already performed, kept ahead of whatever is planned after them.
    let performed: [[RunStop]]
    /// Trips whose patient is on board: their pickup node stands at the vehicle's start.
    let onBoard: Set<TripID>
    /// Per shift with a break still ahead: the break's request (after all trip requests) and when it ends.
    let breaks: [Int: (request: Int, ends: Double)]

    /// Fixed cost of putting a vehicle on the road for a day, in baht: planning prefers fewer vehicles.
    static let vehicleDayCost = 300.0

    static func build(
        date: LocalDate, trips allTrips: [Trip], shifts: [Shift], vehicles: [VehicleID: Vehicle], places: [PlaceID: Place],
        settings: AreaSettings, runs: [Run] = [], events: [TripID: [TripEvent]] = [:], assignments: [TripID: VehicleID] = [:],
        matrix: [PlaceID: [PlaceID: MatrixEntry]] = [:], relaxOnBoard: Bool = false
    ) throws -> PlanningModel {
        let travel = TravelTimes(model: settings.travel, matrix: matrix)
        let dayStart = settings.offset.startOfDay(date)
        let trips = allTrips.filter { $0.status.isActive && $0.pickupWindow != nil && $0.dropoffWindow != nil }
        let tripByID = Dictionary(uniqueKeysWithValues: allTrips.compactMap { trip in trip.id.map { ($0, trip) } })
        func actual(_ trip: TripID, _ kind: TripEvent.Kind) -> Instant? { events[trip]?.last { $0.kind == kind }?.at }
        // What each shift has already done, and where and when its vehicle is now.
        var performed: [[RunStop]] = []
        var position: [(place: PlaceID, time: Double)?] = []
        var lockedHeads: [[(TripID, RunStop.Action)]] = []
        var onBoard = Set<TripID>()
        for shift in shifts {
            let run = runs.first { $0.shift == shift.id }
            var done: [RunStop] = []
            var heads: [(TripID, RunStop.Action)] = []
            var here: (PlaceID, Double)?
            for stop in run?.stops ?? [] {
                guard let trip = tripByID[stop.trip] else { continue }
                let doneAt: Instant? =
                    stop.action == .pickup ? (actual(stop.trip, .pickup) ?? actual(stop.trip, .noshow)) : actual(stop.trip, .dropoff)
                if let doneAt {
                    done.append(stop)
                    here = (stop.action == .pickup ? trip.pickupPlace : trip.dropoffPlace, Double(doneAt.seconds(since: dayStart)))
                } else if stop.locked {
                    heads.append((stop.trip, stop.action))
                }
            }
            for stop in done where stop.action == .pickup && tripByID[stop.trip]?.status == .pickedUp {
                onBoard.insert(stop.trip)
                heads.insert((stop.trip, .pickup), at: heads.filter { $0.1 == .pickup && onBoard.contains($0.0) }.count)
            }
            performed.append(done)
            position.append(here)
            lockedHeads.append(heads)
        }
        var earliest: [Double] = [], latest: [Double] = [], service: [Double] = [], load: [Int] = [], placeOfNode: [PlaceID] = []
        func node(_ place: PlaceID, _ window: (Double, Double), _ seconds: Double, _ vector: [Int]) -> Int {
            earliest.append(window.0)
            latest.append(max(window.0, window.1))
            service.append(seconds)
            load.append(contentsOf: vector)
            placeOfNode.append(place)
            return earliest.count - 1
        }
        func offsetSeconds(_ instant: Instant) -> Double { Double(instant.seconds(since: dayStart)) }
        // Per shift with passengers aboard: the longest it can take to drop them all, in any order
        // (the farthest first leg, then the farthest leg between their destinations each time).
        var onBoardBound: [Int: Double] = [:]
        var onBoardReturn: [Int: Double] = [:]
        if relaxOnBoard {
            for (k, done) in performed.enumerated() {
                guard let here = position[k], let herePlace = places[here.place] else { continue }
                let aboard = done.filter { $0.action == .pickup && onBoard.contains($0.trip) }.compactMap { tripByID[$0.trip] }
                let destinations = aboard.compactMap { places[$0.dropoffPlace] }
                guard !destinations.isEmpty else { continue }
                let firstLeg = destinations.map { travel.seconds(herePlace, $0) }.max() ?? 0
                let between = destinations.flatMap { a in destinations.map { b in travel.seconds(a, b) } }.max() ?? 0
                let service = aboard.map { Double(settings.policies.boardingSeconds($0.mobility)) }.max() ?? 0
                onBoardBound[k] = firstLeg + Double(destinations.count - 1) * between + Double(destinations.count) * service
                if let depot = vehicles[shifts[k].vehicle].flatMap({ places[$0.depot] }) {
                    onBoardReturn[k] = destinations.map { travel.seconds($0, depot) }.max() ?? 0
                }
            }
        }
        var darpVehicles: [DARPProblem.Vehicle] = []
        for (index, shift) in shifts.enumerated() {
            guard let vehicle = vehicles[shift.vehicle] else { continue }
            var window = (Double(shift.start.minutes * 60), Double(shift.end.minutes * 60))
            var startPlace = vehicle.depot
            if let here = position[index] {
                // The vehicle is where it last stopped, since then (it may have set out early).
                startPlace = here.place
                window = (here.time, max(here.time, window.1))
                if let bound = onBoardBound[index] {
                    // Relaxed: time to drop everyone aboard and drive home, past the shift's end if need be.
                    window.1 = max(window.1, here.time + bound + (onBoardReturn[index] ?? 0))
                }
            }
            let start = node(startPlace, (window.0, window.1), 0, [0, 0, 0])
            let end = node(vehicle.depot, (window.0, max(window.1, window.0)), 0, [0, 0, 0])
            darpVehicles.append(
                DARPProblem.Vehicle(
                    startNode: start, endNode: end,
                    capacity: [vehicle.capacity.seats, vehicle.capacity.wheelchairs, vehicle.capacity.stretchers],
                    maxDuration: max(0, window.1 - window.0), fixedCost: vehicleDayCost, costPerUnit: vehicle.costPerKm))
        }
        var requests: [DARPProblem.Request] = []
        var nodeOfStop: [TripID: (pickup: Int, dropoff: Int)] = [:]
        for trip in trips {
            let boarding = Double(settings.policies.boardingSeconds(trip.mobility))
            let vector = [trip.load.seats, trip.load.wheelchairs, trip.load.stretchers]
            var pickupWindow = (offsetSeconds(trip.pickupWindow!.earliest), offsetSeconds(trip.pickupWindow!.latest))
            var dropoffWindow = (offsetSeconds(trip.dropoffWindow!.earliest), offsetSeconds(trip.dropoffWindow!.latest))
            var pickupPlace = trip.pickupPlace
            var pickupService = boarding
            var maxRide = Double(trip.maxRideSeconds)
            if onBoard.contains(trip.id!), let k = performed.firstIndex(where: { $0.contains { $0.trip == trip.id } }),
                let here = position[k], let herePlace = places[here.place], let destination = places[trip.dropoffPlace]
            {
                // On board: "picked up" where the vehicle is now. The ride left is the limit less the
                // time already aboard, but never less than the direct drive from here; the drop-off
                // deadline moves only as far as that drive forces it.
                let direct = travel.seconds(herePlace, destination)
                let aboard = actual(trip.id!, .pickup).map { here.time - offsetSeconds($0) - boarding } ?? 0
                pickupPlace = here.place
                pickupWindow = (here.time, here.time)
                pickupService = 0
                maxRide = max(maxRide - max(0, aboard), direct)
                dropoffWindow = (min(dropoffWindow.0, here.time + direct), max(dropoffWindow.1, here.time + direct))
                if relaxOnBoard {
                    // Delays have made the promises to the passengers aboard contradict each other
                    // (each can still be met alone, not all): give each a deadline that any order of
                    // their drop-offs meets, so the vehicle's plan can finish what it carries.
                    let bound = onBoardBound[k] ?? 0
                    maxRide = max(maxRide, bound)
                    dropoffWindow.1 = max(dropoffWindow.1, here.time + bound)
                }
            } else if let arrived = actual(trip.id!, .arrive) {
                let time = offsetSeconds(arrived)
                pickupWindow = (min(pickupWindow.0, time), max(pickupWindow.1, time))
                dropoffWindow.1 = max(dropoffWindow.1, time + boarding + maxRide)
            }
            let pickup = node(pickupPlace, pickupWindow, pickupService, vector)
            let dropoff = node(trip.dropoffPlace, dropoffWindow, boarding, vector.map { -$0 })
            let allowed = assignments[trip.id!].map { vehicle in Set(shifts.indices.filter { shifts[$0].vehicle == vehicle }) }
            requests.append(DARPProblem.Request(pickup: pickup, dropoff: dropoff, maxRide: maxRide, allowedVehicles: allowed))
            nodeOfStop[trip.id!] = (pickup, dropoff)
        }
        // Breaks: the driver stops at the depot for the break's length, on their own vehicle.
        var breaks: [Int: (request: Int, ends: Double)] = [:]
        for (index, shift) in shifts.enumerated() where index < darpVehicles.count {
            guard let from = shift.breakStart, let to = shift.breakEnd, let vehicle = vehicles[shift.vehicle] else { continue }
            let (start, end) = (Double(from.minutes * 60), Double(to.minutes * 60))
            if let here = position[index], here.time > start { continue }
            let begin = node(vehicle.depot, (start, start), end - start, [0, 0, 0])
            let finish = node(vehicle.depot, (end, end), 0, [0, 0, 0])
            breaks[index] = (requests.count, end)
            // A break is never traded for trips: its penalty dwarfs any day's worth of them.
            requests.append(DARPProblem.Request(pickup: begin, dropoff: finish, maxRide: 0, allowedVehicles: [index], unservedPenalty: 1e12))
        }
        for index in darpVehicles.indices {
            var seen = Set<Int>()
            darpVehicles[index].lockedNodes = lockedHeads[index].compactMap { stop in
                nodeOfStop[stop.0].map { stop.1 == .pickup ? $0.pickup : $0.dropoff }
            }.filter { seen.insert($0).inserted }
        }
        // Travel between places, computed once per pair of distinct places, then spread to nodes.
        var placeIndex: [PlaceID: Int] = [:]
        var distinct: [Place] = []
        let nodePlace = try placeOfNode.map { id -> Int in
            if let index = placeIndex[id] { return index }
            guard let place = places[id] else { throw PhapaiError(.storage, keyword: "BROKEN_PLACE", field: nil, message: "place \(id) is missing") }
            placeIndex[id] = distinct.count
            distinct.append(place)
            return distinct.count - 1
        }
        let placeCount = distinct.count
        var placeTime = [Double](repeating: 0, count: placeCount * placeCount)
        var placeKilometres = [Double](repeating: 0, count: placeCount * placeCount)
        for a in 0..<placeCount {
            for b in 0..<placeCount where a != b {
                placeTime[a * placeCount + b] = travel.seconds(distinct[a], distinct[b])
                placeKilometres[a * placeCount + b] = travel.kilometres(distinct[a], distinct[b])
            }
        }
        let count = earliest.count
        var time = [Double](repeating: 0, count: count * count)
        var kilometres = [Double](repeating: 0, count: count * count)
        for a in 0..<count {
            let row = nodePlace[a] * placeCount
            for b in 0..<count {
                time[a * count + b] = placeTime[row + nodePlace[b]]
                kilometres[a * count + b] = placeKilometres[row + nodePlace[b]]
            }
        }
        let problem = try DARPProblem(
            dimensions: 3, earliest: earliest, latest: latest, service: service, load: load, travelTime: time, travelCost: kilometres,
            requests: requests, vehicles: darpVehicles, unservedPenalty: 1_000_000)
        return PlanningModel(
            problem: problem, shifts: Array(shifts.prefix(darpVehicles.count)), trips: trips, dayStart: dayStart,
            performed: Array(performed.prefix(darpVehicles.count)), onBoard: onBoard, breaks: breaks)
    }

    /// The DARP plan that a set of stored runs describes.
    func plan(from runs: [Run]) -> DARPPlan {
        var index: [TripID: Int] = [:]
        for (request, trip) in trips.enumerated() { index[trip.id!] = request }
        var routes = [[Int]](repeating: [], count: shifts.count)
        var served = Set<Int>()
        for run in runs {
            guard let k = shifts.firstIndex(where: { $0.id == run.shift }) else { continue }
            let done = Set(performed[k].map { "\($0.trip)/\($0.action.rawValue)" })
            for stop in run.stops {
                guard let request = index[stop.trip] else { continue }
                if done.contains("\(stop.trip)/\(stop.action.rawValue)") && !(stop.action == .pickup && onBoard.contains(stop.trip)) { continue }
                routes[k].append(stop.action == .pickup ? problem.requests[request].pickup : problem.requests[request].dropoff)
                served.insert(request)
            }
        }
        // Breaks are not stored as stops: they go back where the planned times jump over them.
        for (k, entry) in breaks {
            let request = problem.requests[entry.request]
            let runStops = runs.first { $0.shift == shifts[k].id }?.stops ?? []
            let afterBreak = runStops.filter { Double($0.plannedTime.seconds(since: dayStart)) >= entry.ends && index[$0.trip] != nil }
            let position = afterBreak.first.flatMap { stop in
                routes[k].firstIndex { node in
                    let r = problem.requestOfNode[node]
                    return r < trips.count && trips[r].id == stop.trip
                        && (stop.action == .pickup ? problem.requests[r].pickup : problem.requests[r].dropoff) == node
                }
            } ?? routes[k].count
            routes[k].insert(contentsOf: [request.pickup, request.dropoff], at: position)
            served.insert(entry.request)
        }
        return DARPPlan(routes: routes, unserved: problem.requests.indices.filter { !served.contains($0) })
    }
}

extension PhapaiService {
    /// Builds the runs of `date` from its booked trips, vehicles and shifts with the scheduler,
    /// checks them with the independent verifier, and stores them with planned times. Locked stops
    /// stay at the head of their runs. Trips that cannot be served stay `requested` with the reason.
    public func planDay(_ date: LocalDate, seconds: Double = 5, iterations: Int? = nil, seed: UInt64 = 1) throws -> DayPlan {
        guard seconds > 0, seconds <= 600 else {
            throw PhapaiError.invalid("time", "OUT_OF_RANGE", "the planning time must be between 0 and 600 seconds")
        }
        let settings = try area()
        let shifts = try store.shifts(from: date, to: date)
        guard !shifts.isEmpty else {
            throw PhapaiError.conflict("date", "NO_SHIFTS", "no vehicle has a shift on \(date.iso); add shifts first")
        }
        let (model, solver, result, check) = try solveDay(
            date, settings: settings, shifts: shifts, options: SolverOptions(seed: seed, timeLimit: seconds, iterationLimit: iterations))
        return try write { now in
            let runs = try storeRuns(result.plan, model: model, solver: solver, date: date, now: now)
            let unserved = try updateStatuses(model: model, result: result, now: now)
            store.record(
                "day.plan", entity: "day:\(date.iso)",
                detail: ["runs": "\(runs.count)", "scheduled": "\(model.trips.count - unserved.count)", "unserved": "\(unserved.count)"])
            let kilometres = result.plan.routes.enumerated().reduce(0.0) { total, entry in
                guard !entry.element.isEmpty else { return total }
                let vehicle = model.problem.vehicles[entry.offset]
                let stops = [vehicle.startNode] + entry.element + [vehicle.endNode]
                return total + zip(stops, stops.dropFirst()).reduce(0.0) { $0 + model.problem.cost($1.0, $1.1) }
            }
            return DayPlan(
                date: date, runs: try store.runs(on: date), unserved: unserved, kilometres: kilometres,
                drivingCost: check.travelCost)
        }
    }

    /// Solves `date` (on `model` when given, else on the store as it is). When the plan fails
    /// verification because delays have made the promises to passengers aboard contradict each
    /// other, solves again with their deadlines relaxed.
    func solveDay(
        _ date: LocalDate, settings: AreaSettings, shifts: [Shift], model given: PlanningModel? = nil, options: SolverOptions
    ) throws -> (model: PlanningModel, solver: DARPSolver, result: SolverResult, check: PlanCheck) {
        var model = try given ?? planningModel(for: date, settings: settings, shifts: shifts)
        var solver = DARPSolver(problem: model.problem)
        var result = solver.solve(options)
        var check = PlanVerifier.verify(result.plan, problem: model.problem)
        if !check.feasible {
            model = try planningModel(for: date, settings: settings, shifts: shifts, relaxOnBoard: true)
            solver = DARPSolver(problem: model.problem)
            result = solver.solve(options)
            check = PlanVerifier.verify(result.plan, problem: model.problem)
        }
        return (model, solver, result, check)
    }

    /// Marks each waiting trip of a new plan `scheduled`, or `requested` with the reason it got no
    /// vehicle (inside an open write); returns the unserved trips with their reasons.
    func updateStatuses(model: PlanningModel, result: SolverResult, now: Instant) throws -> [(TripID, String)] {
        var unserved: [(TripID, String)] = []
        for (request, trip) in model.trips.enumerated() where trip.status == .requested || trip.status == .scheduled {
            let served = !result.plan.unserved.contains(request)
            let reason = served ? nil : (result.unservedReasons[request] ?? "no feasible vehicle")
            let status: TripStatus = served ? .scheduled : .requested
            if let reason { unserved.append((trip.id!, reason)) }
            if trip.status != status || trip.statusReason != reason {
                try store.updateTripStatus(trip.id!, status: status, code: nil, reason: reason, at: now)
            }
        }
        return unserved
    }

    /// Replaces the runs of `date` with `plan`, with planned times from the solver's schedule.
    @discardableResult
    func storeRuns(_ plan: DARPPlan, model: PlanningModel, solver: DARPSolver, date: LocalDate, now: Instant) throws -> [Run] {
        // No plan is stored without the independent verifier's yes.
        let check = PlanVerifier.verify(plan, problem: model.problem)
        guard check.feasible else {
            throw PhapaiError(.storage, keyword: "PLAN_NOT_VERIFIED", field: nil, message: "the plan of \(date.iso) failed verification: \(check.violations.first ?? "")")
        }
        var runs: [Run] = []
        for (k, route) in plan.routes.enumerated() where !route.isEmpty || !model.performed[k].isEmpty {
            guard let times = route.isEmpty ? [] : solver.schedule(route, vehicle: k) else {
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
        try store.replaceRuns(on: date, with: runs, at: now)
        return runs
    }

    /// The scheduling model of `date` as the store holds it now (trips, shifts, locked stops).
    func planningModel(
        for date: LocalDate, settings: AreaSettings, shifts: [Shift], extraTrips: [Trip] = [], runs: [Run]? = nil, relaxOnBoard: Bool = false
    ) throws -> PlanningModel {
        var vehicles: [VehicleID: Vehicle] = [:]
        for vehicle in try store.vehicles() { vehicles[vehicle.id] = vehicle }
        var places: [PlaceID: Place] = [:]
        for place in try store.places() { places[place.id] = place }
        return try PlanningModel.build(
            date: date, trips: try store.trips(date: date) + extraTrips, shifts: shifts, vehicles: vehicles, places: places,
            settings: settings, runs: try runs ?? store.runs(on: date), events: try store.tripEvents(on: date),
            assignments: try store.assignments(on: date), matrix: try store.matrix(), relaxOnBoard: relaxOnBoard)
    }

    /// The stored runs of `date`.
    public func runs(on date: LocalDate) throws -> [Run] { try store.runs(on: date) }

    /// Re-checks the stored runs of `date` with the independent verifier, from the database alone.
    public func verifyStoredPlan(_ date: LocalDate) throws -> PlanCheck {
        let settings = try area()
        let shifts = try store.shifts(from: date, to: date), runs = try store.runs(on: date)
        let model = try planningModel(for: date, settings: settings, shifts: shifts, runs: runs)
        let check = PlanVerifier.verify(model.plan(from: runs), problem: model.problem)
        guard !check.feasible else { return check }
        // A plan stored after delays broke the promises to passengers aboard was made under relaxed deadlines.
        let relaxed = try planningModel(for: date, settings: settings, shifts: shifts, runs: runs, relaxOnBoard: true)
        return PlanVerifier.verify(relaxed.plan(from: runs), problem: relaxed.problem)
    }
}
