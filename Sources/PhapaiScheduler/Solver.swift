import Foundation

/// How long and how the solver searches.
public struct SolverOptions: Sendable {
    /// Seed of the random generator: the same seed follows the same search path.
    public var seed: UInt64
    /// Wall-clock budget in seconds (nil: none). A budget only decides where the path is cut.
    public var timeLimit: Double?
    /// Iteration budget (nil: none), per search thread. At least one budget must be set.
    public var iterationLimit: Int?
    /// Searches run side by side on this many threads (at least 1), exchanging their best plans
    /// at fixed iteration counts: with an iteration budget the plan is the same on any machine.
    public var threads: Int

    /// Creates options.
    public init(seed: UInt64 = 1, timeLimit: Double? = nil, iterationLimit: Int? = nil, threads: Int = 1) {
        precondition(timeLimit != nil || iterationLimit != nil, "give a time or an iteration budget")
        self.seed = seed
        self.timeLimit = timeLimit
        self.iterationLimit = iterationLimit
        self.threads = max(1, threads)
    }

    /// The processors this machine lets the process use: the default number of search threads.
    public static var allCores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}

/// What the solver returns.
public struct SolverResult: Sendable {
    /// The best plan found.
    public var plan: DARPPlan
    /// Its cost (fixed + travel + unserved penalties).
    public var cost: Double
    /// Iterations run (over all search threads).
    public var iterations: Int
    /// Seconds from the start until the best plan was found.
    public var secondsToBest: Double
    /// Why each unserved request could not be served.
    public var unservedReasons: [Int: String]
    /// With an initial plan: the cost of that plan once repaired (``DARPSolver/repaired(_:)``) and
    /// completed by inserting what it left out, where the search started; `cost` is never above it.
    /// Nil for a cold start.
    public var initialCost: Double? = nil
}

/// Adaptive large neighbourhood search for the DARP (after Ropke & Pisinger 2006): remove a part
/// of the plan (random, worst or related requests) and repair it by greedy or regret insertion,
/// with noise; accept by a threshold that falls linearly in cycles and restarts from the best
/// plan at each cycle's end (deterministic annealing, after Braekers, Caris & Janssens 2014).
/// The two legs of a journey (``DARPProblem/Request/partner``) are removed, inserted and left out
/// together: no plan it returns serves one without the other. Not `Sendable`: a solver and its
/// raw buffers (``FlatProblem``) stay on the thread that solves.
public final class DARPSolver {
    /// The problem.
    public let problem: DARPProblem
    let flat: FlatProblem

    /// Creates a solver for `problem` (copies its data once into the solver's flat layout).
    public init(problem: DARPProblem) {
        self.problem = problem
        flat = FlatProblem(problem)
    }

    /// Searches within the budget and returns the best plan found.
    ///
    /// With `initial` (the plan in force, possibly no longer feasible), the search starts from
    /// ``repaired(_:)`` of it completed by insertion, and never returns anything costlier than that
    /// start (``SolverResult/initialCost``):
    /// ```swift
    /// let result = solver.solve(SolverOptions(seed: 1, iterationLimit: 300), initial: current)
    /// ```
    public func solve(_ options: SolverOptions, initial: DARPPlan? = nil) -> SolverResult {
        if options.threads > 1 { return solveInParallel(options, initial: initial) }
        var search = Search(problem: problem, flat: flat, seed: options.seed)
        if let initial { search.load(repaired(initial)) }
        return search.run(options, warm: initial != nil)
    }

    /// Planned service start times for vehicle `vehicle` driving `route` (request nodes only), one
    /// per stop, depots included; nil when the route is infeasible.
    public func schedule(_ route: [Int], vehicle: Int) -> [Double]? {
        let evaluator = RouteEvaluator(flat)
        let stops = [problem.vehicles[vehicle].startNode] + route + [problem.vehicles[vehicle].endNode]
        guard evaluator.feasible(stops, vehicle: problem.vehicles[vehicle]) else { return nil }
        return stops.indices.map { evaluator.serviceStart(at: $0) }
    }

    /// Like ``schedule(_:vehicle:)``, but each pickup, in route order, keeps up to a margin
    /// (`fixedMargin` plus `perTravel` times the drive to it) before the end of its window where
    /// the rest of the route still fits: the times told to a driver leave room for a slow road.
    /// Nil when the route is infeasible.
    public func schedule(_ route: [Int], vehicle: Int, pickupMargin fixedMargin: Double, perTravel: Double = 0) -> [Double]? {
        let stops = [problem.vehicles[vehicle].startNode] + route + [problem.vehicles[vehicle].endNode]
        let tightened = FlatProblem(copyingLatestOf: flat)
        let evaluator = RouteEvaluator(tightened)
        guard evaluator.feasible(stops, vehicle: problem.vehicles[vehicle]) else { return nil }
        for (index, node) in stops.enumerated() where index > 0 && index < stops.count - 1 && tightened.isPickup[node] {
            let original = tightened.latest[node]
            // Longer drives vary more: the margin grows with the drive to the pickup.
            let margin = fixedMargin + perTravel * problem.time(stops[index - 1], node)
            // As much of the margin as fits: all, then half, then a quarter.
            for share in [1.0, 0.5, 0.25] {
                tightened.latest[node] = max(tightened.earliest[node], original - margin * share)
                if evaluator.feasible(stops, vehicle: problem.vehicles[vehicle]) { break }
                tightened.latest[node] = original
            }
        }
        guard evaluator.feasible(stops, vehicle: problem.vehicles[vehicle]) else { return nil }
        return stops.indices.map { evaluator.serviceStart(at: $0) }
    }

    /// When the stops a route cannot drop (its locked head, and the drop-offs of the requests
    /// locked on it) are infeasible in their given order (delays since the plan was made), puts
    /// those drop-offs in the first order that fits, in the same slots of `stops`: every order for
    /// up to six of them, else one at a time at the first place that fits.
    func reorderLockedDropoffs(_ stops: inout [Int], vehicle: DARPProblem.Vehicle, isLocked: (Int) -> Bool) {
        let head = Set(vehicle.lockedNodes)
        let slots = stops.indices.filter { index in
            let node = stops[index]
            return index > 0 && index < stops.count - 1 && !head.contains(node) && isLocked(node)
        }
        guard slots.count >= 2 else { return }
        let evaluator = RouteEvaluator(flat)
        let dropoffs = slots.map { stops[$0] }
        func skeleton(_ order: [Int]) -> [Int] { [vehicle.startNode] + vehicle.lockedNodes + order + [vehicle.endNode] }
        guard !evaluator.feasible(skeleton(dropoffs), vehicle: vehicle) else { return }
        var found: [Int]?
        if dropoffs.count <= 6 {
            var order = dropoffs
            // Heap's algorithm: every order once.
            func permute(_ count: Int) {
                guard found == nil else { return }
                if count == 1 {
                    if evaluator.feasible(skeleton(order), vehicle: vehicle) { found = order }
                    return
                }
                for index in 0..<count {
                    permute(count - 1)
                    order.swapAt(count % 2 == 0 ? index : 0, count - 1)
                }
            }
            permute(order.count)
        } else {
            var order: [Int] = []
            for node in dropoffs {
                let place = (0...order.count).first { at in
                    var trial = order
                    trial.insert(node, at: at)
                    return evaluator.feasible(skeleton(trial), vehicle: vehicle)
                } ?? order.count
                order.insert(node, at: place)
            }
            if evaluator.feasible(skeleton(order), vehicle: vehicle) { found = order }
        }
        guard let found else { return }
        for (slot, node) in zip(slots, found) { stops[slot] = node }
    }

    /// The largest feasible part of `plan` that keeps its order: each route keeps its vehicle's
    /// locked head (and the drop-offs of passengers aboard), then takes its requests in the order of
    /// their pickups, keeping each one only if the route of the requests kept so far plus it (all
    /// stops in their original relative order) is still feasible. Nodes that are not request nodes
    /// of the problem or appear a second time, requests split across routes or on a vehicle they
    /// may not use, and requests whose journey partner ends up unserved are dropped.
    ///
    /// Use it on a plan made for an earlier state of the day (a vehicle that now starts later, a
    /// trip whose windows changed, a trip that vanished). It moves nothing: every route it returns
    /// is a subsequence of the given one.
    public func repaired(_ plan: DARPPlan) -> DARPPlan {
        let n = problem.nodeCount
        let requestCount = problem.requests.count
        let vehicles = problem.vehicles
        // The vehicle holding a locked node of each request (its route keeps that request whatever happens).
        var lockedOn = [Int](repeating: -1, count: requestCount)
        var seen = [Bool](repeating: false, count: n)
        for (k, vehicle) in vehicles.enumerated() {
            for node in vehicle.lockedNodes {
                lockedOn[problem.requestOfNode[node]] = k
                seen[node] = true
            }
        }
        // Per vehicle: the plan's request nodes in order, each node's first appearance in the plan only.
        var listed = [[Int]](repeating: [], count: vehicles.count)
        for k in vehicles.indices where k < plan.routes.count {
            for node in plan.routes[k] where node >= 0 && node < n && problem.requestOfNode[node] >= 0 && !seen[node] {
                seen[node] = true
                listed[k].append(node)
            }
        }
        let evaluator = RouteEvaluator(flat)
        var banned = [Bool](repeating: false, count: requestCount)
        var position = [Int](repeating: -1, count: n)
        var trial: [Int] = []

        /// Route `k` greedily rebuilt from its listed nodes, without the banned requests.
        func walk(_ k: Int) -> [Int] {
            let vehicle = vehicles[k]
            for (index, node) in listed[k].enumerated() { position[node] = index }
            var order: [Int] = []
            var mandatory: [Int] = []
            for node in listed[k] {
                let request = problem.requestOfNode[node]
                let r = problem.requests[request]
                if lockedOn[request] == k {
                    order.append(node)
                    continue
                }
                guard lockedOn[request] < 0, !banned[request], r.allowedVehicles?.contains(k) ?? true else { continue }
                // Both ends on this route, the pickup first.
                let pickupAt = position[r.pickup], dropoffAt = position[r.dropoff]
                guard pickupAt >= 0, dropoffAt > pickupAt, listed[k][pickupAt] == r.pickup, listed[k][dropoffAt] == r.dropoff else { continue }
                order.append(node)
            }
            for node in listed[k] { position[node] = -1 }
            // Drop-offs of passengers aboard (or at the door) that the plan lost come right after the
            // locked head: nobody else is picked up before they are delivered, so they always fit.
            for node in vehicle.lockedNodes {
                let r = problem.requests[problem.requestOfNode[node]]
                if node == r.pickup && !vehicle.lockedNodes.contains(r.dropoff) && !order.contains(r.dropoff) { mandatory.append(r.dropoff) }
            }
            var stops = [vehicle.startNode] + vehicle.lockedNodes + mandatory + order + [vehicle.endNode]
            reorderLockedDropoffs(&stops, vehicle: vehicle, isLocked: { lockedOn[problem.requestOfNode[$0]] == k })
            var keep = [Bool](repeating: false, count: stops.count)
            for (index, node) in stops.enumerated() {
                keep[index] = index == 0 || index == stops.count - 1 || lockedOn[problem.requestOfNode[node]] == k
            }
            for (index, node) in stops.enumerated() where !keep[index] && problem.requests[problem.requestOfNode[node]].pickup == node {
                let request = problem.requestOfNode[node]
                trial.removeAll(keepingCapacity: true)
                var dropoffAt = -1
                for (other, stop) in stops.enumerated() where keep[other] || problem.requestOfNode[stop] == request {
                    if other > index && problem.requestOfNode[stop] == request { dropoffAt = other }
                    trial.append(stop)
                }
                if evaluator.feasible(trial, vehicle: vehicle) {
                    keep[index] = true
                    keep[dropoffAt] = true
                }
            }
            return stops.indices.filter { keep[$0] && $0 > 0 && $0 < stops.count - 1 }.map { stops[$0] }
        }

        var routes = vehicles.indices.map(walk)
        // Drop half journeys, and rebuild the routes they left (what was refused beside them may fit now).
        while true {
            var routeOf = [Int](repeating: -1, count: requestCount)
            for (k, route) in routes.enumerated() {
                for node in route { routeOf[problem.requestOfNode[node]] = k }
            }
            var dirty = Set<Int>()
            for request in 0..<requestCount where routeOf[request] >= 0 {
                let partner = problem.partner(request)
                if partner >= 0 && routeOf[partner] < 0 {
                    banned[request] = true
                    dirty.insert(routeOf[request])
                }
            }
            if dirty.isEmpty {
                return DARPPlan(routes: routes, unserved: (0..<requestCount).filter { routeOf[$0] < 0 })
            }
            for k in dirty.sorted() { routes[k] = walk(k) }
        }
    }

    /// Inserts one request into an existing plan at its cheapest feasible place, moving nothing
    /// else (locked stops stay at the head of their routes): the dispatcher's same-day booking.
    /// A leg of a journey whose partner is not in the plan is refused: insert both with
    /// ``insert(_:into:)-([Int],_)``.
    public func insert(_ request: Int, into plan: DARPPlan) -> InsertionOutcome {
        guard problem.requests.indices.contains(request) else { return .refused(reason: "unknown request \(request)") }
        var search = Search(problem: problem, flat: flat, seed: 0)
        search.load(plan)
        guard search.routeOf[request] < 0 else { return .refused(reason: "request \(request) is already in the plan") }
        let partner = problem.partner(request)
        if partner >= 0 && search.routeOf[partner] < 0 {
            return .refused(reason: "request \(request) is one leg of a journey: insert it together with its partner request \(partner)")
        }
        guard let best = search.cheapestInsertion(request) else { return .refused(reason: search.unservedReason(request)) }
        search.insert(request, into: best.vehicle, i: best.i, j: best.j)
        let times = search.serviceTimes(of: request)
        return .inserted(
            InsertionResult(
                vehicle: best.vehicle, plan: search.plan(), costIncrease: best.delta, pickupTime: times.pickup, dropoffTime: times.dropoff))
    }

    /// Inserts all of `requests` (the legs of a journey: an outbound trip and its return) into an
    /// existing plan, each at its cheapest feasible place, moving nothing else; or none of them.
    ///
    /// The requests go in one at a time in the given order; if one of them fits nowhere, the
    /// reverse order is tried once. A request whose partner is neither in the plan nor in
    /// `requests` is refused, so a call never leaves half a journey.
    public func insert(_ requests: [Int], into plan: DARPPlan) -> JourneyInsertionOutcome {
        for request in requests where !problem.requests.indices.contains(request) {
            return .refused(request: request, reason: "unknown request \(request)")
        }
        var named = Set<Int>()
        for request in requests where !named.insert(request).inserted {
            return .refused(request: request, reason: "request \(request) is named twice")
        }
        var search = Search(problem: problem, flat: flat, seed: 0)
        search.load(plan)
        for request in requests where search.routeOf[request] >= 0 {
            return .refused(request: request, reason: "request \(request) is already in the plan")
        }
        for request in requests {
            let partner = problem.partner(request)
            if partner >= 0 && search.routeOf[partner] < 0 && !named.contains(partner) {
                return .refused(
                    request: request, reason: "request \(request) is one leg of a journey: insert it together with its partner request \(partner)")
            }
        }
        let start = search.snapshot()
        var refusal: (request: Int, reason: String)?
        for order in requests.count > 1 ? [requests, requests.reversed()] : [requests] {
            var placed: [(request: Int, vehicle: Int)] = []
            var increase = 0.0
            for request in order {
                guard let best = search.cheapestInsertion(request) else {
                    // Explained where it failed, beside the legs placed before it.
                    if refusal == nil { refusal = (request, search.unservedReason(request)) }
                    break
                }
                search.insert(request, into: best.vehicle, i: best.i, j: best.j)
                placed.append((request, best.vehicle))
                increase += best.delta
            }
            guard placed.count == order.count else {
                search.restore(start)
                continue
            }
            let results = requests.map { request in
                let times = search.serviceTimes(of: request)
                return PlacedRequest(request: request, vehicle: search.routeOf[request], pickupTime: times.pickup, dropoffTime: times.dropoff)
            }
            return .inserted(results, plan: search.plan(), costIncrease: increase)
        }
        guard let refusal else { return .refused(request: -1, reason: "no requests to insert") }
        return .refused(request: refusal.request, reason: refusal.reason)
    }

    /// Why `request` does or does not fit each vehicle's route in `plan` as it stands (with the
    /// request itself taken out first when the plan serves it): one obstacle per vehicle, the first
    /// that applies of not allowed, capacity, time windows, ride time, blocked by requests whose
    /// unserved penalty is at least `fixedPenalty` (a driver's break), busy, fits. A request locked
    /// on a vehicle (under way) fits that vehicle and no other.
    public func explain(_ request: Int, in plan: DARPPlan, fixedPenalty: Double) -> [InsertionObstacle] {
        precondition(problem.requests.indices.contains(request), "unknown request \(request)")
        var search = Search(problem: problem, flat: flat, seed: 0)
        search.load(plan)
        if !search.removable[request], let k = problem.vehicles.firstIndex(where: { vehicle in
            vehicle.lockedNodes.contains { problem.requestOfNode[$0] == request }
        }) {
            return problem.vehicles.indices.map { $0 == k ? .fits : .notAllowed }
        }
        search.remove(request)
        return search.obstacles(request, fixedPenalty: fixedPenalty)
    }
}

/// What keeps a request out of one vehicle's route (``DARPSolver/explain(_:in:fixedPenalty:)``).
public enum InsertionObstacle: Hashable, Sendable {
    /// It fits this vehicle's route in the plan as it is.
    case fits
    /// It is pinned to other vehicles (``DARPProblem/Request/allowedVehicles``).
    case notAllowed
    /// Its load exceeds this vehicle's capacity even with nobody else aboard.
    case capacity
    /// This vehicle cannot serve it even alone (with only its locked head), because of the time
    /// windows, the route's start and end windows or its maximum duration.
    case timeWindows
    /// Alone it fails only because of its maximum ride time (it would fit with no limit).
    case rideTime
    /// It fits alone, but not alongside these requests of the route whose unserved penalty is at
    /// least the fixed penalty (a driver's break): those whose removal alone makes it fit, or all of
    /// them when no single removal does.
    case blockedBy([Int])
    /// It fits alongside the fixed requests, but not into the route as planned (other passengers
    /// at that time).
    case busy

    /// How close to fitting: higher is closer (the order in which the cases are decided).
    var closeness: Int {
        switch self {
        case .notAllowed: 0
        case .capacity: 1
        case .timeWindows: 2
        case .rideTime: 3
        case .blockedBy: 4
        case .busy: 5
        case .fits: 6
        }
    }
}

/// One request placed by ``DARPSolver/insert(_:into:)-([Int],_)``.
public struct PlacedRequest: Hashable, Sendable {
    /// The request.
    public var request: Int
    /// The vehicle that takes it.
    public var vehicle: Int
    /// Planned start of service at the pickup, in the plan with all the requests placed.
    public var pickupTime: Double
    /// Planned start of service at the drop-off.
    public var dropoffTime: Double

    /// Creates a placement.
    public init(request: Int, vehicle: Int, pickupTime: Double, dropoffTime: Double) {
        self.request = request
        self.vehicle = vehicle
        self.pickupTime = pickupTime
        self.dropoffTime = dropoffTime
    }
}

/// The answer to inserting several requests together (a journey).
public enum JourneyInsertionOutcome: Hashable, Sendable {
    /// All placed, in the order asked for; `plan` holds them all; the plan's cost grew by `costIncrease`.
    case inserted([PlacedRequest], plan: DARPPlan, costIncrease: Double)
    /// None placed: `request` fits nowhere (in either order), and why.
    case refused(request: Int, reason: String)
}

/// A request placed into a plan.
public struct InsertionResult: Sendable {
    /// The vehicle that takes it.
    public var vehicle: Int
    /// The plan with the request in it.
    public var plan: DARPPlan
    /// How much the plan's cost grew.
    public var costIncrease: Double
    /// Planned start of service at the pickup (a schedule that meets every constraint).
    public var pickupTime: Double
    /// Planned start of service at the drop-off.
    public var dropoffTime: Double
}

/// The answer to a same-day insertion.
public enum InsertionOutcome: Sendable {
    /// Placed.
    case inserted(InsertionResult)
    /// No feasible place, and why.
    case refused(reason: String)
}

/// The search state: routes, where each request is, and the insertion machinery.
struct Search {
    /// Most requests one iteration removes when the search starts from a given plan. Re-planning
    /// a day after a late report starts from a good plan with a budget of a few hundred iterations:
    /// small repairs suit that best (on 200-request service-like days, 300 iterations removing at
    /// most 8 end about 1% cheaper than at most 40, in a seventh of the time).
    static let warmDestroyLimit = 8
    let problem: DARPProblem
    var random: SeededGenerator
    var routes: [Route]
    var routeOf: [Int]
    let flat: FlatProblem
    let evaluator: RouteEvaluator
    var scratch: [Int] = []
    var candidates: [(delta: Double, i: Int, j: Int)] = []
    let maxArcCost: Double
    let removable: [Bool]
    /// The other leg of each request's journey, or -1; `hasPartners` when any request has one
    /// (without, every step runs exactly as it did before journeys existed).
    let partnerOf: [Int]
    let hasPartners: Bool
    /// Per vehicle, its route with only the locked head and the drop-offs of passengers aboard.
    let headRoutes: [Route]
    /// The search loop's state (``run(_:warm:)``).
    var loop = LoopState()

    init(problem: DARPProblem, flat: FlatProblem, seed: UInt64) {
        self.problem = problem
        self.flat = flat
        evaluator = RouteEvaluator(flat)
        random = SeededGenerator(seed: seed)
        routes = problem.vehicles.map { Route(vehicle: $0) }
        routeOf = [Int](repeating: -1, count: problem.requests.count)
        var locked = [Bool](repeating: false, count: problem.nodeCount)
        for (k, vehicle) in problem.vehicles.enumerated() {
            for node in vehicle.lockedNodes {
                locked[node] = true
                routeOf[problem.requestOfNode[node]] = k
            }
        }
        // A request with a locked stop stays where it is; its drop-off, if not yet locked, stays too.
        removable = problem.requests.map { !locked[$0.pickup] && !locked[$0.dropoff] }
        for k in routes.indices {
            let vehicle = problem.vehicles[k]
            for node in vehicle.lockedNodes {
                let request = problem.requests[problem.requestOfNode[node]]
                if node == request.pickup && !vehicle.lockedNodes.contains(request.dropoff) {
                    routes[k].stops.insert(request.dropoff, at: routes[k].stops.count - 1)
                }
            }
        }
        maxArcCost = flat.maxCost
        partnerOf = problem.requests.indices.map { problem.partner($0) }
        hasPartners = partnerOf.contains { $0 >= 0 }
        for k in routes.indices { routes[k].refresh(problem) }
        headRoutes = routes
    }

    /// Starts from a given plan as it is (nodes that are not request nodes are skipped).
    mutating func load(_ plan: DARPPlan) {
        for index in routeOf.indices { routeOf[index] = -1 }
        for (k, listed) in plan.routes.enumerated() where k < routes.count {
            let nodes = listed.filter { (0..<problem.nodeCount).contains($0) && problem.requestOfNode[$0] >= 0 }
            routes[k].stops = [problem.vehicles[k].startNode] + nodes + [problem.vehicles[k].endNode]
            routes[k].refresh(problem)
            for node in nodes { routeOf[problem.requestOfNode[node]] = k }
        }
    }

    var unservedRequests: [Int] { routeOf.indices.filter { routeOf[$0] < 0 } }

    func cost() -> Double {
        var total = 0.0
        for (k, route) in routes.enumerated() where !route.isEmpty {
            total += route.travelCost * problem.vehicles[k].costPerUnit + problem.vehicles[k].fixedCost
        }
        for request in routeOf.indices where routeOf[request] < 0 { total += problem.penalty(request) }
        return total
    }

    func plan() -> DARPPlan {
        DARPPlan(routes: routes.map { Array($0.stops.dropFirst().dropLast()) }, unserved: unservedRequests)
    }

    // MARK: Insertion

    /// The cheapest feasible way to insert `request` into route `k`: (cost increase, pickup after
    /// position i, drop-off after position j of the current route), or nil. Without `verify`, the
    /// cheapest candidate that passes the constant-time filters, not yet fully checked.
    mutating func bestInsertion(_ request: Int, into k: Int, verify: Bool = true) -> (delta: Double, i: Int, j: Int)? {
        if let allowed = problem.requests[request].allowedVehicles, !allowed.contains(k) { return nil }
        let p = problem.requests[request].pickup
        let d = problem.requests[request].dropoff
        // From the flat copy, which explanations may relax.
        let maxRide = flat.maxRide[p]
        let vehicle = problem.vehicles[k]
        let route = routes[k]
        let stops = route.stops
        let count = stops.count
        let dims = problem.dimensions
        let n = problem.nodeCount
        let e = problem.earliest, l = problem.latest, s = problem.service
        let tt = problem.travelTime, cc = problem.travelCost
        let eps = PlanVerifier.tolerance
        let unit = vehicle.costPerUnit
        let fixed = route.isEmpty ? vehicle.fixedCost : 0
        candidates.removeAll(keepingCapacity: true)

        // Capacity for the pickup's load at each position (checked per dimension).
        func fits(_ position: Int) -> Bool {
            for dim in 0..<dims where route.loadAfter[position * dims + dim] + problem.load[p * dims + dim] > vehicle.capacity[dim] {
                return false
            }
            return true
        }

        // Earliest and latest starts never decrease along a route, so the pickup can only follow
        // a stop from the first whose successor's latest start reaches the pickup's window up to
        // the last that can start before that window closes; the others would all be refused below.
        var first = route.lockedCount
        while first < count - 1 && route.latestStart[first + 1] < e[p] - eps { first += 1 }
        for i in first..<(count - 1) {
            if route.earliest[i] > l[p] + eps { break }
            let a = stops[i]
            let b = stops[i + 1]
            guard fits(i) else { continue }
            let startP = max(e[p], route.earliest[i] + s[a] + tt[a * n + p])
            if startP > l[p] + eps { continue }
            let removed = cc[a * n + b]
            // Drop-off right after the pickup.
            let startD = max(e[d], startP + s[p] + tt[p * n + d])
            let bothDetour = tt[a * n + p] + s[p] + tt[p * n + d] + s[d] + tt[d * n + b] - tt[a * n + b]
            if startD <= l[d] + eps && startD + s[d] + tt[d * n + b] <= route.latestStart[i + 1] + eps && tt[p * n + d] <= maxRide + eps
                && bothDetour <= route.rideSlack[i] + eps
            {
                candidates.append(((cc[a * n + p] + cc[p * n + d] + cc[d * n + b] - removed) * unit + fixed, i, i))
            }
            // Drop-off later: the stops between shift by the pickup's detour.
            if tt[a * n + p] + s[p] + tt[p * n + b] - tt[a * n + b] > route.rideSlack[i] + eps { continue }
            var current = max(e[b], startP + s[p] + tt[p * n + b])
            if current > route.latestStart[i + 1] + eps { continue }
            // The latest the pickup can end: its window, and the next stop's latest start.
            let latestPickupEnd = min(l[p], route.latestStart[i + 1] - tt[p * n + b] - s[p]) + s[p]
            let pickupDelta = cc[a * n + p] + cc[p * n + b] - removed
            var minimumRide = tt[p * n + b]
            var j = i + 1
            while j < count - 1 {
                let c = stops[j]
                if j > i + 1 {
                    let previous = stops[j - 1]
                    current = max(e[c], current + s[previous] + tt[previous * n + c])
                    if current > route.latestStart[j] + eps { break }
                    minimumRide += s[previous] + tt[previous * n + c]
                }
                guard fits(j) else { break }
                let ride = minimumRide + s[c] + tt[c * n + d]
                if ride > maxRide + eps { break }
                let next = stops[j + 1]
                let startD = max(e[d], current + s[c] + tt[c * n + d])
                // The drop-off starts no earlier than startD; the pickup ends no later than
                // latestPickupEnd: a longer gap than the maximum ride can never work.
                if startD - latestPickupEnd > maxRide + eps { j += 1; continue }
                if startD <= l[d] + eps && startD + s[d] + tt[d * n + next] <= route.latestStart[j + 1] + eps
                    && tt[c * n + d] + s[d] + tt[d * n + next] - tt[c * n + next] <= route.rideSlack[j] + eps
                {
                    candidates.append(((pickupDelta + cc[c * n + d] + cc[d * n + next] - cc[c * n + next]) * unit + fixed, i, j))
                }
                j += 1
            }
        }
        // Cheapest first; most calls stop at the first candidate, so select rather than sort.
        var remaining = candidates.count
        if !verify {
            return candidates.min { $0.delta < $1.delta }
        }
        while remaining > 0 {
            var cheapest = 0
            for index in 1..<remaining where candidates[index].delta < candidates[cheapest].delta { cheapest = index }
            let candidate = candidates[cheapest]
            build(stops, p, d, candidate.i, candidate.j)
            if evaluator.feasible(scratch, vehicle: vehicle) { return candidate }
            remaining -= 1
            candidates.swapAt(cheapest, remaining)
        }
        return nil
    }

    /// `scratch` := `stops` with `p` after position i and `d` after position j (j >= i).
    private mutating func build(_ stops: [Int], _ p: Int, _ d: Int, _ i: Int, _ j: Int) {
        scratch.removeAll(keepingCapacity: true)
        for position in 0..<stops.count {
            scratch.append(stops[position])
            if position == i { scratch.append(p) }
            if position == j { scratch.append(d) }
        }
    }

    /// The cheapest fully checked insertion of `request` over all routes (ties: the lowest vehicle).
    mutating func cheapestInsertion(_ request: Int) -> (vehicle: Int, delta: Double, i: Int, j: Int)? {
        // A route's cheapest filtered candidate bounds its checked one from below: check routes from
        // the lowest bound up, and stop when no bound left can beat the best found.
        var bounds: [(delta: Double, vehicle: Int)] = []
        for k in routes.indices {
            if let option = bestInsertion(request, into: k, verify: false) { bounds.append((option.delta, k)) }
        }
        bounds.sort { $0.delta < $1.delta || ($0.delta == $1.delta && $0.vehicle < $1.vehicle) }
        var best: (vehicle: Int, delta: Double, i: Int, j: Int)?
        for bound in bounds {
            if let best, bound.delta > best.delta || (bound.delta == best.delta && bound.vehicle > best.vehicle) { break }
            guard let option = bestInsertion(request, into: bound.vehicle) else { continue }
            if best == nil || option.delta < best!.delta || (option.delta == best!.delta && bound.vehicle < best!.vehicle) {
                best = (bound.vehicle, option.delta, option.i, option.j)
            }
        }
        return best
    }

    /// Planned pickup and drop-off service starts of a served request (the evaluator's schedule).
    func serviceTimes(of request: Int) -> (pickup: Double, dropoff: Double) {
        let stops = routes[routeOf[request]].stops
        _ = evaluator.feasible(stops, vehicle: problem.vehicles[routeOf[request]])
        let pickupAt = stops.firstIndex(of: problem.requests[request].pickup)!
        let dropoffAt = stops.firstIndex(of: problem.requests[request].dropoff)!
        return (evaluator.serviceStart(at: pickupAt), evaluator.serviceStart(at: dropoffAt))
    }

    mutating func insert(_ request: Int, into k: Int, i: Int, j: Int) {
        let p = problem.requests[request].pickup
        let d = problem.requests[request].dropoff
        routes[k].stops.insert(d, at: j + 1)
        routes[k].stops.insert(p, at: i + 1)
        routes[k].refresh(problem)
        routeOf[request] = k
    }

    mutating func remove(_ request: Int) {
        let k = routeOf[request]
        guard k >= 0 else { return }
        let p = problem.requests[request].pickup
        let d = problem.requests[request].dropoff
        routes[k].stops.removeAll { $0 == p || $0 == d }
        routes[k].refresh(problem)
        routeOf[request] = -1
    }

    // MARK: Repair

    /// Inserts `requests` by regret-`k` (k = 1 is greedy), optionally with noise on the costs.
    /// Requests that fit nowhere stay unserved.
    ///
    /// Journeys stay whole: right after a leg goes in, its pending partner goes to its cheapest
    /// checked place; when it fits nowhere, the first leg comes out again and both stay unserved
    /// for this call. A leg whose partner is neither served nor among `requests` is not inserted.
    ///
    /// The last `carried` requests were left unserved by the previous repair, so they fit none of
    /// the routes that have not lost a stop since (`changed` false): those are not tried again.
    mutating func repair(_ requests: [Int], regret: Int, noise: Bool, carried: Int = 0, changed: [Bool]? = nil) {
        var pending = requests
        var known = requests.indices.map { $0 >= requests.count - carried }
        if hasPartners {
            let asked = Set(requests)
            pending = []
            known = []
            for (index, request) in requests.enumerated()
            where partnerOf[request] < 0 || routeOf[partnerOf[request]] >= 0 || asked.contains(partnerOf[request]) {
                pending.append(request)
                known.append(requests.count - index <= carried)
            }
        }
        let vehicleCount = routes.count
        // cache[r][k]: the cheapest filtered insertion of pending request r into route k; it is
        // fully checked only when chosen (verified[r][k]), since most filtered candidates pass.
        var cache = [[(delta: Double, i: Int, j: Int)?]](repeating: [], count: pending.count)
        var verified = [[Bool]](repeating: [Bool](repeating: false, count: vehicleCount), count: pending.count)
        var noiseOf = [[Double]](repeating: [], count: pending.count)
        for index in pending.indices {
            cache[index] = (0..<vehicleCount).map { k in
                known[index] && changed?[k] == false ? nil : bestInsertion(pending[index], into: k, verify: false)
            }
            noiseOf[index] = (0..<vehicleCount).map { _ in noise ? (random.unit() * 2 - 1) * 0.025 * maxArcCost : 0 }
        }
        while !pending.isEmpty {
            var chosen = -1
            var chosenScore = -Double.infinity
            var chosenRoute = -1
            var chosenCost = Double.infinity
            for index in pending.indices {
                // The three cheapest insertion costs of this request over the routes.
                var best = Double.infinity, second = Double.infinity, third = Double.infinity
                var bestRoute = -1
                var options = 0
                for (k, option) in cache[index].enumerated() {
                    guard let option else { continue }
                    let value = option.delta + noiseOf[index][k]
                    options += 1
                    if value < best {
                        third = second
                        second = best
                        best = value
                        bestRoute = k
                    } else if value < second {
                        third = second
                        second = value
                    } else if value < third {
                        third = value
                    }
                }
                guard bestRoute >= 0 else { continue }
                let score: Double
                if regret <= 1 {
                    score = -best
                } else {
                    // Fewer options first; then the larger regret.
                    let regretValue = (second.isFinite ? second - best : 1e9) + (regret >= 3 ? (third.isFinite ? third - best : 1e9) : 0)
                    score = Double(vehicleCount - options) * 1e12 + regretValue
                }
                if score > chosenScore || (score == chosenScore && best < chosenCost) {
                    chosenScore = score
                    chosen = index
                    chosenRoute = bestRoute
                    chosenCost = best
                }
            }
            guard chosen >= 0, let option = cache[chosen][chosenRoute] else { break }
            if !verified[chosen][chosenRoute] {
                let checked = bestInsertion(pending[chosen], into: chosenRoute)
                verified[chosen][chosenRoute] = true
                if checked?.i != option.i || checked?.j != option.j {
                    cache[chosen][chosenRoute] = checked
                    continue
                }
            }
            let request = pending[chosen]
            insert(request, into: chosenRoute, i: option.i, j: option.j)
            var partnerIndex = -1
            var partnerRoute = -1
            var undone = false
            let partner = hasPartners ? partnerOf[request] : -1
            if partner >= 0 && routeOf[partner] < 0 {
                partnerIndex = pending.firstIndex(of: partner) ?? -1
                if partnerIndex >= 0, let place = cheapestInsertion(partner) {
                    insert(partner, into: place.vehicle, i: place.i, j: place.j)
                    partnerRoute = place.vehicle
                } else {
                    // Taking the leg out leaves the route as it was, so the other caches still hold.
                    remove(request)
                    undone = true
                }
            }
            for index in [max(chosen, partnerIndex), min(chosen, partnerIndex)] where index >= 0 {
                pending.remove(at: index)
                cache.remove(at: index)
                verified.remove(at: index)
                noiseOf.remove(at: index)
            }
            guard !undone else { continue }
            for index in pending.indices {
                // With metric times, a route that could not take a request cannot once it is longer.
                if !problem.timesAreMetric || cache[index][chosenRoute] != nil {
                    cache[index][chosenRoute] = bestInsertion(pending[index], into: chosenRoute, verify: false)
                    verified[index][chosenRoute] = false
                }
                if partnerRoute >= 0 && partnerRoute != chosenRoute && (!problem.timesAreMetric || cache[index][partnerRoute] != nil) {
                    cache[index][partnerRoute] = bestInsertion(pending[index], into: partnerRoute, verify: false)
                    verified[index][partnerRoute] = false
                }
            }
        }
    }

    // MARK: Removal

    var servedRemovable: [Int] {
        routeOf.indices.filter { routeOf[$0] >= 0 && removable[$0] }
    }

    /// Removes the partner of `request` (just removed) if it is served: journeys leave together.
    mutating func removePartner(of request: Int, into removed: inout [Int]) {
        guard hasPartners else { return }
        let partner = partnerOf[request]
        if partner >= 0 && routeOf[partner] >= 0 {
            remove(partner)
            removed.append(partner)
        }
    }

    mutating func removeRandom(_ q: Int) -> [Int] {
        var pool = servedRemovable
        var removed: [Int] = []
        while removed.count < q && !pool.isEmpty {
            let request = pool.remove(at: random.below(pool.count))
            // Already gone with its partner.
            guard routeOf[request] >= 0 else { continue }
            remove(request)
            removed.append(request)
            removePartner(of: request, into: &removed)
        }
        return removed
    }

    /// Saving in travel cost if `request` left its route.
    func removalSaving(_ request: Int) -> Double {
        let route = routes[routeOf[request]]
        let p = problem.requests[request].pickup
        let d = problem.requests[request].dropoff
        let stops = route.stops
        guard let i = stops.firstIndex(of: p), let j = stops.firstIndex(of: d) else { return 0 }
        if j == i + 1 {
            return problem.cost(stops[i - 1], p) + problem.cost(p, d) + problem.cost(d, stops[j + 1]) - problem.cost(stops[i - 1], stops[j + 1])
        }
        return problem.cost(stops[i - 1], p) + problem.cost(p, stops[i + 1]) - problem.cost(stops[i - 1], stops[i + 1])
            + problem.cost(stops[j - 1], d) + problem.cost(d, stops[j + 1]) - problem.cost(stops[j - 1], stops[j + 1])
    }

    mutating func removeWorst(_ q: Int) -> [Int] {
        var removed: [Int] = []
        // Savings change only on the routes that lost a request: recompute those alone.
        var saving = [Double](repeating: 0, count: routeOf.count)
        var stale = [Bool](repeating: true, count: routes.count)
        var ranked: [(key: Double, order: Int, value: Int)] = []
        while removed.count < q {
            for k in routes.indices where stale[k] {
                for node in routes[k].stops {
                    let request = problem.requestOfNode[node]
                    if request >= 0 && problem.requests[request].pickup == node { saving[request] = removalSaving(request) }
                }
                stale[k] = false
            }
            ranked.removeAll(keepingCapacity: true)
            for request in routeOf.indices where routeOf[request] >= 0 && removable[request] {
                // Largest saving first, ties in request order.
                ranked.append((-saving[request], ranked.count, request))
            }
            guard !ranked.isEmpty else { break }
            let y = random.unit()
            let pick = stableRank(&ranked, Int(Double(ranked.count) * y * y * y))
            stale[routeOf[pick]] = true
            remove(pick)
            removed.append(pick)
            if hasPartners && partnerOf[pick] >= 0 && routeOf[partnerOf[pick]] >= 0 { stale[routeOf[partnerOf[pick]]] = true }
            removePartner(of: pick, into: &removed)
        }
        return removed
    }

    /// The `value` at position `rank` of `items` sorted by `key` with ties in `order` (where a
    /// stable sort would put it), in expected linear time instead of a sort. Reorders `items`.
    func stableRank(_ items: inout [(key: Double, order: Int, value: Int)], _ rank: Int) -> Int {
        func less(_ a: (key: Double, order: Int, value: Int), _ b: (key: Double, order: Int, value: Int)) -> Bool {
            a.key < b.key || (a.key == b.key && a.order < b.order)
        }
        var low = 0
        var high = items.count - 1
        while low < high {
            let pivot = items[(low + high) / 2]
            var i = low
            var j = high
            while i <= j {
                while less(items[i], pivot) { i += 1 }
                while less(pivot, items[j]) { j -= 1 }
                if i <= j {
                    items.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if rank <= j {
                high = j
            } else if rank >= i {
                low = i
            } else {
                return items[rank].value
            }
        }
        return items[rank].value
    }

    mutating func removeRelated(_ q: Int) -> [Int] {
        var pool = servedRemovable
        guard !pool.isEmpty else { return [] }
        var removed = [pool.remove(at: random.below(pool.count))]
        // A served partner leaves with its request and counts towards q.
        func takePartner(of request: Int) {
            guard hasPartners, partnerOf[request] >= 0, let at = pool.firstIndex(of: partnerOf[request]) else { return }
            removed.append(pool.remove(at: at))
        }
        takePartner(of: removed[0])
        // Service start of every stop in the current plan (earliest schedule), for relatedness.
        var start = [Double](repeating: 0, count: problem.nodeCount)
        for route in routes {
            for (position, node) in route.stops.enumerated() { start[node] = route.earliest[position] }
        }
        var ranked: [(key: Double, order: Int, value: Int)] = []
        while removed.count < q && !pool.isEmpty {
            let anchor = removed[random.below(removed.count)]
            let a = problem.requests[anchor]
            let at = (start[a.pickup], start[a.dropoff])
            ranked.removeAll(keepingCapacity: true)
            for other in pool {
                let b = problem.requests[other]
                let distance = problem.cost(a.pickup, b.pickup) + problem.cost(a.dropoff, b.dropoff)
                let time = abs(at.0 - start[b.pickup]) + abs(at.1 - start[b.dropoff])
                ranked.append((9 * distance + 3 * time, ranked.count, other))
            }
            let y = random.unit()
            let pick = stableRank(&ranked, Int(Double(ranked.count) * pow(y, 6)))
            pool.removeAll { $0 == pick }
            removed.append(pick)
            takePartner(of: pick)
        }
        for request in removed { remove(request) }
        return removed
    }

    // MARK: The search

    /// The search loop's state between calls of ``advance(to:deadline:)``: the plan it stands on,
    /// the best found, the operators' adaptive weights and the iteration count. Kept outside the
    /// loop so a parallel search can stop every search at the same iteration and hand it a better
    /// best plan (``offer(_:cost:foundAfter:)``) before it goes on.
    struct LoopState {
        static let destroyCount = 3
        static let repairCount = 4
        /// Iterations of one threshold cycle; each cycle starts again from the best plan.
        static let cycle = 2_000
        var current: [[Int]] = []
        var currentCost = 0.0
        var best: [[Int]] = []
        var bestCost = 0.0
        var initialCost: Double?
        var secondsToBest = 0.0
        var hopeless: [Bool] = []
        var requestCount = 0
        var warm = false
        // Filled by `begin`: a search made only to insert one request allocates none of this.
        var destroyWeight: [Double] = []
        var repairWeight: [Double] = []
        var destroyScore: [Double] = []
        var repairScore: [Double] = []
        var destroyUses: [Int] = []
        var repairUses: [Int] = []
        var iteration = 0
        var seen = Set<Int>()
        var started = ContinuousClock.now
    }

    /// Searches from the current routes (`warm`: a given plan, whose completed cost is reported).
    mutating func run(_ options: SolverOptions, warm: Bool = false) -> SolverResult {
        begin(warm: warm)
        let deadline = options.timeLimit.map { loop.started + .nanoseconds(Int64($0 * 1e9)) }
        advance(to: options.iterationLimit ?? .max, deadline: deadline)
        return finish()
    }

    /// Seconds since ``begin(warm:)``.
    func elapsed() -> Double {
        let duration = ContinuousClock.now - loop.started
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// Completes the current routes by insertion and makes them the first current and best plan.
    mutating func begin(warm: Bool) {
        loop = LoopState()
        loop.warm = warm
        loop.destroyWeight = [Double](repeating: 1, count: LoopState.destroyCount)
        loop.repairWeight = [Double](repeating: 1, count: LoopState.repairCount)
        loop.destroyScore = [Double](repeating: 0, count: LoopState.destroyCount)
        loop.repairScore = [Double](repeating: 0, count: LoopState.repairCount)
        loop.destroyUses = [Int](repeating: 0, count: LoopState.destroyCount)
        loop.repairUses = [Int](repeating: 0, count: LoopState.repairCount)
        repair(unservedRequests, regret: 2, noise: false)
        loop.current = snapshot()
        loop.currentCost = cost()
        loop.initialCost = warm ? loop.currentCost : nil
        // What no vehicle can serve even alone never will (nor its partner): no repair retries it.
        loop.hopeless = [Bool](repeating: false, count: routeOf.count)
        for request in unservedRequests where !loop.hopeless[request] && !fitsAlone(request) {
            loop.hopeless[request] = true
            if partnerOf[request] >= 0 { loop.hopeless[partnerOf[request]] = true }
        }
        loop.best = loop.current
        loop.bestCost = loop.currentCost
        loop.secondsToBest = elapsed()
        loop.requestCount = servedRemovable.count + unservedRequests.count
    }

    /// Iterates until `target` iterations in all, or the deadline (checked every 8 iterations).
    /// Stopping and going on later follows the same path as never stopping.
    mutating func advance(to target: Int, deadline: ContinuousClock.Instant?) {
        let cycle = LoopState.cycle
        while loop.iteration < target {
            if let deadline, loop.iteration % 8 == 0, ContinuousClock.now >= deadline { break }
            guard loop.requestCount > 0 else { break }
            loop.iteration += 1
            let iteration = loop.iteration
            // Threshold falls from 1% of the best cost to zero over each cycle; a new cycle restarts
            // from the best plan.
            let phase = Double(iteration % cycle) / Double(cycle)
            if iteration % cycle == 0 {
                restore(loop.best)
                loop.current = loop.best
                loop.currentCost = loop.bestCost
            }
            let threshold = 0.01 * min(loop.bestCost, problem.unservedPenalty) * (1 - phase)

            // At most 20 removed from a cold start: larger removals cost more than they find (on the
            // larger cordeau-a instances at 2 s, twice the iterations and 0.3% closer to the best
            // known than at most 40).
            let low = min(4, loop.requestCount)
            let high = max(low, min(loop.warm ? Search.warmDestroyLimit : 20, Int(0.4 * Double(loop.requestCount))))
            let q = low + random.below(high - low + 1)
            let destroy = roulette(loop.destroyWeight)
            let repairChoice = roulette(loop.repairWeight)
            let stopCounts = routes.map(\.stops.count)
            let removed: [Int]
            switch destroy {
            case 0: removed = removeRandom(q)
            case 1: removed = removeWorst(q)
            default: removed = removeRelated(q)
            }
            // Removing requests only shortens routes: a route that lost a stop changed.
            let changed = routes.indices.map { routes[$0].stops.count != stopCounts[$0] }
            let carried = unservedRequests.filter { !removed.contains($0) && !loop.hopeless[$0] }
            let pending = removed + carried
            switch repairChoice {
            case 0: repair(pending, regret: 1, noise: false, carried: carried.count, changed: changed)
            case 1: repair(pending, regret: 2, noise: false, carried: carried.count, changed: changed)
            case 2: repair(pending, regret: 3, noise: false, carried: carried.count, changed: changed)
            default: repair(pending, regret: 2, noise: true, carried: carried.count, changed: changed)
            }
            let newCost = cost()
            var reward = 0.0
            if newCost < loop.bestCost - 1e-9 {
                // A new best is pushed to its local optimum (warm re-plans keep their short budget).
                let polished = loop.warm ? newCost : polish(newCost)
                loop.best = snapshot()
                loop.bestCost = polished
                loop.current = loop.best
                loop.currentCost = polished
                loop.secondsToBest = elapsed()
                reward = 33
            } else if newCost < loop.currentCost + threshold {
                let key = Int(newCost * 1000)
                if newCost < loop.currentCost - 1e-9 {
                    reward = 9
                } else if !loop.seen.contains(key) {
                    reward = 13
                }
                loop.seen.insert(key)
                loop.current = snapshot()
                loop.currentCost = newCost
            } else {
                restore(loop.current)
            }
            loop.destroyScore[destroy] += reward
            loop.repairScore[repairChoice] += reward
            loop.destroyUses[destroy] += 1
            loop.repairUses[repairChoice] += 1
            if iteration % 100 == 0 { updateWeights() }
        }
    }

    /// Local search on a new best plan: moves each request (with its journey's other leg) to its
    /// cheapest place, in request order, while that lowers the cost; returns the cost reached.
    mutating func polish(_ startCost: Double) -> Double {
        var total = startCost
        var improved = true
        while improved {
            improved = false
            for request in routeOf.indices where routeOf[request] >= 0 && removable[request] {
                let partner = hasPartners ? partnerOf[request] : -1
                // A journey moves once, from its first leg.
                if partner >= 0 && partner < request && routeOf[partner] >= 0 { continue }
                let saved = snapshot()
                var moved = [request]
                remove(request)
                if partner >= 0 && routeOf[partner] >= 0 && removable[partner] {
                    remove(partner)
                    moved.append(partner)
                } else if partner >= 0 && routeOf[partner] >= 0 {
                    restore(saved)
                    continue
                }
                repair(moved, regret: 1, noise: false)
                let after = cost()
                if after < total - 1e-9 {
                    total = after
                    improved = true
                } else {
                    restore(saved)
                }
            }
        }
        return total
    }

    /// Moves each operator's weight towards its mean reward of the last segment.
    private mutating func updateWeights() {
        for o in 0..<LoopState.destroyCount where loop.destroyUses[o] > 0 {
            loop.destroyWeight[o] = max(0.9 * loop.destroyWeight[o] + 0.1 * loop.destroyScore[o] / Double(loop.destroyUses[o]), 0.05)
        }
        for o in 0..<LoopState.repairCount where loop.repairUses[o] > 0 {
            loop.repairWeight[o] = max(0.9 * loop.repairWeight[o] + 0.1 * loop.repairScore[o] / Double(loop.repairUses[o]), 0.05)
        }
        loop.destroyScore = [Double](repeating: 0, count: LoopState.destroyCount)
        loop.repairScore = [Double](repeating: 0, count: LoopState.repairCount)
        loop.destroyUses = [Int](repeating: 0, count: LoopState.destroyCount)
        loop.repairUses = [Int](repeating: 0, count: LoopState.repairCount)
        if loop.seen.count > 100_000 { loop.seen.removeAll() }
    }

    /// Takes `plan` (found `foundAfter` seconds into the search) as the best plan when it is
    /// cheaper than this search's best; the next cycle starts from it (the plan being worked on is
    /// kept, for diversity).
    mutating func offer(_ plan: [[Int]], cost: Double, foundAfter: Double) {
        guard cost < loop.bestCost - 1e-9 else { return }
        loop.best = plan
        loop.bestCost = cost
        loop.secondsToBest = foundAfter
    }

    /// Restores the best plan and returns it with the reasons for what it leaves unserved.
    mutating func finish() -> SolverResult {
        restore(loop.best)
        var reasons: [Int: String] = [:]
        for request in unservedRequests { reasons[request] = unservedReason(request) }
        return SolverResult(
            plan: plan(), cost: cost(), iterations: loop.iteration, secondsToBest: loop.secondsToBest, unservedReasons: reasons,
            initialCost: loop.initialCost)
    }

    mutating func roulette(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var pick = random.unit() * total
        for (index, weight) in weights.enumerated() {
            pick -= weight
            if pick <= 0 { return index }
        }
        return weights.count - 1
    }

    func snapshot() -> [[Int]] { routes.map(\.stops) }

    mutating func restore(_ saved: [[Int]]) {
        for k in routes.indices where routes[k].stops != saved[k] {
            routes[k].stops = saved[k]
            routes[k].refresh(problem)
        }
        for index in routeOf.indices { routeOf[index] = -1 }
        for (k, stops) in saved.enumerated() {
            for node in stops.dropFirst().dropLast() where problem.requestOfNode[node] >= 0 {
                routeOf[problem.requestOfNode[node]] = k
            }
        }
    }

    // MARK: Explanations

    /// Whether some vehicle could take `request` with nothing but its locked head.
    mutating func fitsAlone(_ request: Int) -> Bool {
        for k in routes.indices {
            let planned = routes[k]
            routes[k] = headRoutes[k]
            let fits = bestInsertion(request, into: k) != nil
            routes[k] = planned
            if fits { return true }
        }
        return false
    }

    /// Per vehicle, what keeps unserved `request` out of its route as it stands (see
    /// ``InsertionObstacle``); requests whose penalty is at least `fixedPenalty` count as fixed.
    mutating func obstacles(_ request: Int, fixedPenalty: Double) -> [InsertionObstacle] {
        let r = problem.requests[request]
        let dims = problem.dimensions
        // The same search with no ride-time limit for `request`, made only when needed.
        var relaxed: Search?
        var result: [InsertionObstacle] = []
        for k in problem.vehicles.indices {
            let vehicle = problem.vehicles[k]
            if let allowed = r.allowedVehicles, !allowed.contains(k) {
                result.append(.notAllowed)
                continue
            }
            if (0..<dims).contains(where: { problem.load[r.pickup * dims + $0] > vehicle.capacity[$0] }) {
                result.append(.capacity)
                continue
            }
            let planned = routes[k]
            defer { routes[k] = planned }
            routes[k] = headRoutes[k]
            if bestInsertion(request, into: k) == nil {
                if relaxed == nil { relaxed = Search(problem: problem, flat: FlatProblem(flat, unlimitedRideOf: r), seed: 0) }
                result.append(relaxed!.bestInsertion(request, into: k) != nil ? .rideTime : .timeWindows)
                continue
            }
            // Fixed requests of the route, in the order of their pickups (locked ones head it anyway).
            let fixed = planned.stops.compactMap { node -> Int? in
                let other = problem.requestOfNode[node]
                guard other >= 0, removable[other], problem.requests[other].pickup == node, problem.penalty(other) >= fixedPenalty else {
                    return nil
                }
                return other
            }
            /// Whether `request` fits route k with only its locked part and the fixed requests `kept` accepts.
            func fitsBeside(_ kept: (Int) -> Bool) -> Bool {
                routes[k] = planned
                routes[k].stops = planned.stops.filter { node in
                    let other = problem.requestOfNode[node]
                    return other < 0 || !removable[other] || (fixed.contains(other) && kept(other))
                }
                routes[k].refresh(problem)
                return bestInsertion(request, into: k) != nil
            }
            if !fixed.isEmpty && !fitsBeside({ _ in true }) {
                let blockers = fixed.filter { blocker in fitsBeside { $0 != blocker } }
                result.append(.blockedBy((blockers.isEmpty ? fixed : blockers).sorted()))
                continue
            }
            routes[k] = planned
            result.append(bestInsertion(request, into: k) == nil ? .busy : .fits)
        }
        return result
    }

    /// Why `request` is unserved, in words, from the obstacle of the vehicle closest to taking it;
    /// a leg left out because its partner cannot be served says so. Requests costlier to leave out
    /// than an ordinary one (a driver's break) count as fixed.
    mutating func unservedReason(_ request: Int) -> String {
        let fixedPenalty = problem.unservedPenalty.nextUp
        let own = obstacles(request, fixedPenalty: fixedPenalty)
        let partner = partnerOf[request]
        if partner >= 0 && routeOf[partner] < 0 {
            let theirs = obstacles(partner, fixedPenalty: fixedPenalty)
            let ownBest = own.map(\.closeness).max() ?? 0
            let theirBest = theirs.map(\.closeness).max() ?? 0
            if theirBest < ownBest { return "its partner request \(partner) cannot be served: " + reason(partner, theirs) }
            if ownBest == InsertionObstacle.fits.closeness { return "it fits, but not together with its partner request \(partner)" }
        }
        return reason(request, own)
    }

    /// The words for the obstacles of `request` over all vehicles.
    func reason(_ request: Int, _ obstacles: [InsertionObstacle]) -> String {
        guard let best = obstacles.max(by: { $0.closeness < $1.closeness }) else { return "there is no vehicle" }
        let busy = "no vehicle has room at that time alongside the other requests"
        let alone = "no vehicle can serve it even alone"
        switch best {
        case .fits: return "it fits into the plan as it stands"
        case .busy: return busy
        case .blockedBy:
            let blocked = obstacles.enumerated().compactMap { k, obstacle -> String? in
                guard case .blockedBy(let requests) = obstacle else { return nil }
                let label = requests.count == 1 ? "request" : "requests"
                return "\(label) \(requests.map(String.init).joined(separator: ", ")) on vehicle \(k)"
            }
            return busy + ": blocked by " + blocked.joined(separator: "; ")
        case .rideTime: return alone + " within its ride-time limit"
        case .timeWindows:
            let r = problem.requests[request]
            let direct = problem.earliest[r.pickup] + problem.service[r.pickup] + problem.time(r.pickup, r.dropoff)
            if direct > problem.latest[r.dropoff] + PlanVerifier.tolerance {
                return alone + ": its drop-off window closes before it can get there from the pickup"
            }
            return alone + ": outside every vehicle's working hours"
        case .capacity: return alone + ": its load exceeds the capacity of every vehicle allowed to take it"
        case .notAllowed: return "no vehicle is allowed to take it"
        }
    }
}
