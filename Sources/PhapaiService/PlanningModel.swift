import PhapaiCore
import PhapaiScheduler
import PhapaiStore

/// What leaving a trip unserved costs the plan, in tiers that never trade against each other: a
/// driver's break is never given up; a promise told to a patient is kept before anything else; a
/// patient at the hospital is brought home before a new booking is served.
enum Priority {
    /// A driver's break.
    static let driverBreak = 1e12
    /// A trip whose pickup window was told to the patient.
    static let promised = 1e10
    /// A return whose outbound was performed (the patient is at the clinic or on board).
    static let mustServe = 1e9
    /// A trip of one of the two tiers above (`tier`) that the plan being improved already carries
    /// (see ``Relaxation/kept``): dearer to leave out than several others of its tier, never dearer
    /// than one of the tier above (a patient at the clinic does not take a promised place).
    static func kept(_ tier: Double) -> Double { tier * 9 }
    /// A booking not yet promised.
    static let waiting = 1e6
    /// Requests at or above this are obstacles, not competitors, when explaining a refusal.
    static let fixed = 1e11
}

/// Everything the store holds that planning one area's day reads.
struct DayState {
    let date: LocalDate
    let settings: AreaSettings
    let shifts: [Shift]
    let vehicles: [VehicleID: Vehicle]
    let places: [PlaceID: Place]
    /// The area's trips of the day, every status.
    let trips: [Trip]
    let runs: [Run]
    let events: [TripID: [TripEvent]]
    let assignments: [TripID: VehicleID]
    let matrix: [PlaceID: [PlaceID: MatrixEntry]]
    /// When the day is looked at: a vehicle whose planned departure for its next stop has passed
    /// is taken to be on its way there.
    let now: Instant
}

/// How the windows of a model are loosened when promises cannot all be kept as told.
struct Relaxation {
    /// Extra seconds past the latest pickup (and drop-off) per trip.
    var lateBy: [TripID: Double] = [:]
    /// Shifts may run past their end by the area's overtime allowance.
    var overtime = false
    /// Delays have made the promises to passengers aboard contradict each other.
    var onBoard = false
    /// Trips the plan being improved carries: when promised (or bringing a patient home) they cost
    /// ``Priority/kept(_:)`` to leave out, so another of their tier, let be later, never takes their place.
    var kept: Set<TripID> = []
}

/// The scheduling problem of one day, built from the store: one DARP vehicle per shift (with depot
/// nodes of its own, whose windows are the shift), one request per trip with a time window, journeys
/// paired (both legs or neither), unserved penalties by ``Priority``. Times are seconds after the
/// day's local midnight.
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
    /// Per trip request: its priority tier.
    let tiers: [Double]
    /// Everything the model was built from that a plan depends on; two builds with the same
    /// signature give the same problem.
    let signature: String

    /// Fixed cost of putting a vehicle on the road for a day, in baht: planning prefers fewer vehicles.
    static let vehicleDayCost = 300.0

    /// Whether `trip` is planned in a model: active, with windows (or a will-call's expected ones),
    /// and not the return of an outbound that will not happen.
    static func isPlannable(_ trip: Trip, outbound: Trip?) -> Bool {
        guard trip.status.isActive else { return false }
        if let outbound, trip.direction == .return, !(outbound.status.isActive || outbound.status == .droppedOff) { return false }
        if trip.awaitingRelease { return trip.releaseWindow != nil }
        return trip.pickupWindow != nil && trip.dropoffWindow != nil
    }

    static func build(_ state: DayState, relaxation: Relaxation = Relaxation()) throws -> PlanningModel {
        let settings = state.settings, shifts = state.shifts, vehicles = state.vehicles, places = state.places
        let policies = settings.policies
        let travel = TravelTimes(model: settings.travel, matrix: state.matrix)
        let dayStart = settings.offset.startOfDay(state.date)
        let tripByID = Dictionary(uniqueKeysWithValues: state.trips.compactMap { trip in trip.id.map { ($0, trip) } })
        let trips = state.trips.filter { isPlannable($0, outbound: $0.linkedTrip.flatMap { tripByID[$0] }) }
        func actual(_ trip: TripID, _ kind: TripEvent.Kind) -> Instant? { state.events[trip]?.last { $0.kind == kind }?.at }
        // What each shift has already done, and where and when its vehicle is now.
        var performed: [[RunStop]] = []
        var position: [(place: PlaceID, time: Double)?] = []
        var lockedHeads: [[(TripID, RunStop.Action)]] = []
        var onBoard = Set<TripID>()
        var lockedTrips = Set<TripID>()
        for shift in shifts {
            let run = state.runs.first { $0.shift == shift.id }
            var done: [RunStop] = []
            var heads: [(TripID, RunStop.Action)] = []
            var here: (PlaceID, Double)?
            // Standing at a door, waiting for a patient: not driving anywhere yet.
            var atDoor = false
            for stop in run?.stops ?? [] {
                guard let trip = tripByID[stop.trip] else { continue }
                let doneAt: Instant? =
                    stop.action == .pickup ? (actual(stop.trip, .pickup) ?? actual(stop.trip, .noshow)) : actual(stop.trip, .dropoff)
                if let doneAt {
                    done.append(stop)
                    let time = Double(doneAt.seconds(since: dayStart))
                    if time >= here?.1 ?? -.infinity {
                        here = (stop.action == .pickup ? trip.pickupPlace : trip.dropoffPlace, time)
                        atDoor = false
                    }
                } else {
                    // A locked drop-off heads the run only behind its pickup (a lock left over after
                    // a report was taken back is not one).
                    if stop.locked, stop.action == .pickup || heads.contains(where: { $0.0 == stop.trip }) || actual(stop.trip, .pickup) != nil {
                        heads.append((stop.trip, stop.action))
                    }
                    // Arrived at the door, patient not aboard yet: the vehicle is there since then.
                    if stop.action == .pickup, let arrived = actual(stop.trip, .arrive) {
                        let time = Double(arrived.seconds(since: dayStart))
                        if time >= here?.1 ?? -.infinity {
                            here = (trip.pickupPlace, time)
                            atDoor = true
                        }
                    }
                }
            }
            for stop in done where stop.action == .pickup && tripByID[stop.trip]?.status == .pickedUp {
                onBoard.insert(stop.trip)
                heads.insert((stop.trip, .pickup), at: heads.filter { $0.1 == .pickup && onBoard.contains($0.0) }.count)
            }
            // The stop the vehicle is driving to is not moved: it is the next one to do once its
            // planned departure (from where the vehicle last was) has passed.
            // Stops before the last one done were passed over (a place kept for a will-call, say).
            let finished = Set(done.map { "\($0.trip)/\($0.action.rawValue)" })
            let headed = Set(heads.map { "\($0.0)/\($0.1.rawValue)" })
            let stops = run?.stops ?? []
            let lastDone = stops.lastIndex { finished.contains("\($0.trip)/\($0.action.rawValue)") || ($0.action == .pickup && actual($0.trip, .arrive) != nil) }
            // Only a plan made before now can have sent the vehicle on its way.
            if !atDoor, let run, run.plannedAt < state.now, let next = stops[(lastDone.map { $0 + 1 } ?? 0)...].first(where: { stop in
                guard let trip = tripByID[stop.trip], trip.status.isActive, !trip.awaitingRelease else { return false }
                return !finished.contains("\(stop.trip)/\(stop.action.rawValue)")
            }),
                // Something the vehicle can drive to: a pickup still to make, or a drop-off of someone
                // aboard (not of a patient still at the door, where the vehicle stands).
                next.action == .pickup ? tripByID[next.trip]?.status == .scheduled : tripByID[next.trip]?.status == .pickedUp,
                !headed.contains("\(next.trip)/\(next.action.rawValue)"), let trip = tripByID[next.trip],
                let from = places[here?.0 ?? vehicles[shift.vehicle]?.depot ?? trip.pickupPlace],
                let to = places[next.action == .pickup ? trip.pickupPlace : trip.dropoffPlace],
                next.plannedTime.adding(seconds: -Int(travel.seconds(from, to))) <= state.now
            {
                heads.append((next.trip, next.action))
            }
            for head in heads { lockedTrips.insert(head.0) }
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
        // Per shift: how long it takes to finish what the vehicle has started along one concrete
        // order (its locked stops in order, then the drop-offs of everyone started, nearest first,
        // waiting where a window opens later), and to drive home from there. Deadlines relaxed to
        // this make that order a feasible plan, whatever delays came before.
        var startedBound: [Int: Double] = [:]
        var startedReturn: [Int: Double] = [:]
        // When a vehicle can reach each locked pickup it has not reached yet, along its locked order.
        var reachable: [TripID: Double] = [:]
        for (k, shift) in shifts.enumerated() {
            guard let depotID = vehicles[shift.vehicle]?.depot, let depot = places[depotID], !lockedHeads[k].isEmpty,
                var at = places[position[k]?.place ?? depotID]
            else { continue }
            let begin = position[k]?.time ?? Double(shift.start.minutes * 60)
            var time = begin
            func visit(_ place: Place?, opens: Double, service: Double) {
                guard let place else { return }
                time = max(time + travel.seconds(at, place), opens) + service
                at = place
            }
            var dropped = Set<TripID>()
            for head in lockedHeads[k] {
                guard let trip = tripByID[head.0] else { continue }
                let service = Double(policies.boardingSeconds(trip.mobility))
                if head.1 == .pickup {
                    guard !onBoard.contains(head.0), let window = trip.pickupWindow ?? trip.releaseWindow else { continue }
                    if let place = places[trip.pickupPlace] { reachable[head.0] = time + travel.seconds(at, place) }
                    visit(places[trip.pickupPlace], opens: offsetSeconds(window.earliest), service: service)
                } else {
                    visit(places[trip.dropoffPlace], opens: trip.dropoffWindow.map { offsetSeconds($0.earliest) } ?? 0, service: service)
                    dropped.insert(head.0)
                }
            }
            var left = Set(lockedHeads[k].map(\.0)).subtracting(dropped).compactMap { tripByID[$0] }.sorted { $0.id! < $1.id! }
            while !left.isEmpty {
                let here = at
                let nearest = left.indices.min { travel.seconds(here, places[left[$0].dropoffPlace] ?? here) < travel.seconds(here, places[left[$1].dropoffPlace] ?? here) }!
                let trip = left.remove(at: nearest)
                visit(places[trip.dropoffPlace], opens: trip.dropoffWindow.map { offsetSeconds($0.earliest) } ?? 0,
                      service: Double(policies.boardingSeconds(trip.mobility)))
            }
            startedBound[k] = time - begin
            startedReturn[k] = travel.seconds(at, depot)
        }
        let overtime = relaxation.overtime ? Double(policies.maxOvertimeMinutes * 60) : 0
        var darpVehicles: [DARPProblem.Vehicle] = []
        for (index, shift) in shifts.enumerated() {
            guard let vehicle = vehicles[shift.vehicle] else { continue }
            var window = (Double(shift.start.minutes * 60), Double(shift.end.minutes * 60) + overtime)
            var startPlace = vehicle.depot
            if let here = position[index] {
                // The vehicle is where it last stopped, since then (it may have set out early).
                startPlace = here.place
                window = (here.time, max(here.time, window.1))
            }
            if relaxation.onBoard, let bound = startedBound[index] {
                // Relaxed: time to finish what the vehicle started and drive home, past the
                // shift's end if need be.
                window.1 = max(window.1, window.0 + bound + (startedReturn[index] ?? 0))
            }
            let start = node(startPlace, (window.0, window.1), 0, [0, 0, 0])
            let end = node(vehicle.depot, (window.0, max(window.1, window.0)), 0, [0, 0, 0])
            darpVehicles.append(
                DARPProblem.Vehicle(
                    startNode: start, endNode: end,
                    capacity: [vehicle.capacity.seats, vehicle.capacity.wheelchairs, vehicle.capacity.stretchers],
                    maxDuration: max(0, window.1 - window.0), fixedCost: vehicleDayCost, costPerUnit: vehicle.costPerKm))
        }
        // Priorities, and which journeys are still whole (neither leg started nor locked): those
        // are served both or neither.
        var requestOfTrip: [TripID: Int] = [:]
        for (index, trip) in trips.enumerated() { requestOfTrip[trip.id!] = index }
        func started(_ trip: Trip) -> Bool {
            !(state.events[trip.id!] ?? []).isEmpty || lockedTrips.contains(trip.id!) || !(trip.status == .requested || trip.status == .scheduled)
        }
        var tiers: [Double] = []
        var partners: [Int?] = []
        for trip in trips {
            var tier = trip.promise != nil ? Priority.promised : Priority.waiting
            var partner: Int?
            if let linked = trip.linkedTrip, let other = tripByID[linked] {
                if trip.direction == .return, other.status == .pickedUp || other.status == .droppedOff {
                    tier = max(tier, Priority.mustServe)
                }
                if let otherIndex = requestOfTrip[linked], !started(trip), !started(other) {
                    partner = otherIndex
                    if other.promise != nil { tier = Priority.promised }
                }
            }
            tiers.append(tier)
            partners.append(partner)
        }
        var requests: [DARPProblem.Request] = []
        var nodeOfStop: [TripID: (pickup: Int, dropoff: Int)] = [:]
        /// How late a patient picked up late (by `pickedUp`) may be dropped off: within the ride-time
        /// limit, but never after the appointment unless the direct drive itself is (a detour must
        /// not make the patient miss it; a drop-off planned after it is told).
        func latestDropoff(_ trip: Trip, pickedUpBy pickedUp: Double, maxRide: Double) -> Double {
            let limit = pickedUp + maxRide
            guard let appointment = trip.appointment else { return limit }
            let direct = places[trip.pickupPlace].flatMap { from in places[trip.dropoffPlace].map { travel.seconds(from, $0) } }
                ?? Double(trip.directSeconds)
            return min(limit, max(offsetSeconds(appointment), pickedUp + direct))
        }
        for (index, trip) in trips.enumerated() {
            let boarding = Double(policies.boardingSeconds(trip.mobility))
            let vector = [trip.load.seats, trip.load.wheelchairs, trip.load.stretchers]
            var pickupWindow: (Double, Double)
            var dropoffWindow: (Double, Double)
            var maxRide = Double(trip.maxRideSeconds)
            if trip.awaitingRelease, let expected = trip.releaseWindow {
                // A will-call not yet released: a place kept for it while the patient is expected ready.
                pickupWindow = (offsetSeconds(expected.earliest), offsetSeconds(expected.latest))
                dropoffWindow = (pickupWindow.0 + boarding + Double(trip.directSeconds), pickupWindow.1 + boarding + maxRide)
            } else {
                pickupWindow = (offsetSeconds(trip.pickupWindow!.earliest), offsetSeconds(trip.pickupWindow!.latest))
                dropoffWindow = (offsetSeconds(trip.dropoffWindow!.earliest), offsetSeconds(trip.dropoffWindow!.latest))
            }
            if let late = relaxation.lateBy[trip.id!] {
                pickupWindow.1 += late
                dropoffWindow.1 += late
            }
            var pickupPlace = trip.pickupPlace
            var pickupService = boarding
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
            } else if let arrived = actual(trip.id!, .arrive) {
                let time = offsetSeconds(arrived)
                pickupWindow = (min(pickupWindow.0, time), max(pickupWindow.1, time))
                dropoffWindow.1 = max(dropoffWindow.1, latestDropoff(trip, pickedUpBy: time + boarding, maxRide: maxRide))
            } else if let arrival = reachable[trip.id!] {
                // Locked ahead of the vehicle (on its way there, or held by the office): it comes
                // when it can, late if it must (a late pickup is then a broken promise, told), never
                // dropped.
                pickupWindow.1 = max(pickupWindow.1, arrival)
                dropoffWindow.1 = max(dropoffWindow.1, latestDropoff(trip, pickedUpBy: pickupWindow.1 + boarding, maxRide: maxRide))
            }
            if relaxation.onBoard, lockedTrips.contains(trip.id!),
                let k = lockedHeads.firstIndex(where: { $0.contains { $0.0 == trip.id } }), let bound = startedBound[k]
            {
                // Relaxed: delays have made the promises to the patients a vehicle has started
                // with (aboard, at the door, on its way) contradict each other: each gets a deadline
                // that any order of finishing them meets, so the plan can finish what it started.
                let from = onBoard.contains(trip.id!) ? pickupWindow.0 : (position[k]?.time ?? pickupWindow.0)
                if !onBoard.contains(trip.id!) { pickupWindow.1 = max(pickupWindow.1, from + bound) }
                dropoffWindow.1 = max(dropoffWindow.1, from + bound)
                maxRide = max(maxRide, bound)
            }
            let pickup = node(pickupPlace, pickupWindow, pickupService, vector)
            let dropoff = node(trip.dropoffPlace, dropoffWindow, boarding, vector.map { -$0 })
            let allowed = state.assignments[trip.id!].map { vehicle in Set(shifts.indices.filter { shifts[$0].vehicle == vehicle }) }
            requests.append(
                DARPProblem.Request(
                    pickup: pickup, dropoff: dropoff, maxRide: maxRide, allowedVehicles: allowed,
                    unservedPenalty: tiers[index] >= Priority.mustServe && relaxation.kept.contains(trip.id!) ? Priority.kept(tiers[index]) : tiers[index],
                    partner: partners[index]))
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
            requests.append(
                DARPProblem.Request(pickup: begin, dropoff: finish, maxRide: 0, allowedVehicles: [index], unservedPenalty: Priority.driverBreak))
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
        let problem: DARPProblem
        do {
            problem = try DARPProblem(
                dimensions: 3, earliest: earliest, latest: latest, service: service, load: load, travelTime: time, travelCost: kilometres,
                requests: requests, vehicles: darpVehicles, unservedPenalty: Priority.waiting)
        } catch {
            throw PhapaiError(.storage, keyword: "PLAN_MODEL", field: nil, message: "the day \(state.date.iso) cannot be modelled: \(error)")
        }
        return PlanningModel(
            problem: problem, shifts: Array(shifts.prefix(darpVehicles.count)), trips: trips, dayStart: dayStart,
            performed: Array(performed.prefix(darpVehicles.count)), onBoard: onBoard, breaks: breaks, tiers: tiers,
            signature: signature(of: state))
    }

    /// The parts of the day that decide its problem, as one string: trips with their status,
    /// windows and promise, stops with their locks, reports, shifts and assignments.
    static func signature(of state: DayState) -> String {
        var parts: [String] = []
        for trip in state.trips {
            // Everything of a trip the model reads: a plan searched on a server while another
            // connection edits a patient (mobility, companions, home) or moves a trip must not be
            // stored over that change.
            parts.append(
                "t\(trip.id!.rawValue):\(trip.status.rawValue):\(trip.pickupWindow?.earliest.rawValue ?? 0)-\(trip.pickupWindow?.latest.rawValue ?? 0)"
                    + ":\(trip.promisedAt?.rawValue ?? 0):\(trip.releaseWindow?.earliest.rawValue ?? 0)-\(trip.releaseWindow?.latest.rawValue ?? 0)"
                    + ":\(trip.dropoffWindow?.earliest.rawValue ?? 0)-\(trip.dropoffWindow?.latest.rawValue ?? 0):\(trip.appointment?.rawValue ?? 0)"
                    + ":\(trip.pickupPlace)>\(trip.dropoffPlace):\(trip.mobility.rawValue)+\(trip.companions):\(trip.maxRideSeconds)"
                    + ":\(trip.willCall ? "w" : "")\(trip.linkedTrip?.rawValue ?? 0)")
        }
        for run in state.runs {
            parts.append("r\(run.shift.rawValue):" + run.stops.map { "\($0.trip.rawValue)\($0.action == .pickup ? "p" : "d")\($0.locked ? "*" : "")" }.joined(separator: ","))
        }
        for (trip, events) in state.events.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            parts.append("e\(trip.rawValue):" + events.map { "\($0.kind.rawValue)@\($0.at.rawValue)" }.joined(separator: ","))
        }
        for shift in state.shifts { parts.append("s\(shift.id!.rawValue)") }
        for (trip, vehicle) in state.assignments.sorted(by: { $0.key.rawValue < $1.key.rawValue }) { parts.append("a\(trip.rawValue)=\(vehicle)") }
        return parts.joined(separator: "|")
    }

    /// The request of `trip`, if the model plans it.
    func request(of trip: TripID) -> Int? { trips.firstIndex { $0.id == trip } }

    /// The DARP plan that a set of stored runs describes (it may no longer be feasible).
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
        // A request needs both its stops on one route; a half left over (a stop removed) is dropped.
        for k in routes.indices {
            let nodes = Set(routes[k])
            routes[k] = routes[k].filter { node in
                let request = problem.requests[problem.requestOfNode[node]]
                return nodes.contains(request.pickup) && nodes.contains(request.dropoff)
            }
        }
        served = Set(routes.flatMap { $0.map { problem.requestOfNode[$0] } })
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

