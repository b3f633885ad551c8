import Foundation

/// How long and how the solver searches.
public struct SolverOptions: Sendable {
    /// Seed of the random generator: the same seed follows the same search path.
    public var seed: UInt64
    /// Wall-clock budget in seconds (nil: none). A budget only decides where the path is cut.
    public var timeLimit: Double?
    /// Iteration budget (nil: none). At least one budget must be set.
    public var iterationLimit: Int?

    /// Creates options.
    public init(seed: UInt64 = 1, timeLimit: Double? = nil, iterationLimit: Int? = nil) {
        precondition(timeLimit != nil || iterationLimit != nil, "give a time or an iteration budget")
        self.seed = seed
        self.timeLimit = timeLimit
        self.iterationLimit = iterationLimit
    }
}

/// What the solver returns.
public struct SolverResult: Sendable {
    /// The best plan found.
    public var plan: DARPPlan
    /// Its cost (fixed + travel + unserved penalties).
    public var cost: Double
    /// Iterations run.
    public var iterations: Int
    /// Seconds from the start until the best plan was found.
    public var secondsToBest: Double
    /// Why each unserved request could not be served.
    public var unservedReasons: [Int: String]
}

/// Adaptive large neighbourhood search for the DARP (after Ropke & Pisinger 2006): remove a part
/// of the plan (random, worst or related requests) and repair it by greedy or regret insertion,
/// with noise; accept by a threshold that falls linearly in cycles and restarts from the best
/// plan at each cycle's end (deterministic annealing, after Braekers, Caris & Janssens 2014).
public final class DARPSolver: @unchecked Sendable {
    /// The problem.
    public let problem: DARPProblem
    let flat: FlatProblem

    /// Creates a solver for `problem` (copies its data once into the solver's flat layout).
    public init(problem: DARPProblem) {
        self.problem = problem
        flat = FlatProblem(problem)
    }

    /// Searches within the budget and returns the best plan found.
    public func solve(_ options: SolverOptions, initial: DARPPlan? = nil) -> SolverResult {
        var search = Search(problem: problem, flat: flat, seed: options.seed)
        if let initial { search.load(initial) }
        return search.run(options)
    }

    /// Planned service start times for vehicle `vehicle` driving `route` (request nodes only), one
    /// per stop, depots included; nil when the route is infeasible.
    public func schedule(_ route: [Int], vehicle: Int) -> [Double]? {
        let evaluator = RouteEvaluator(flat)
        let stops = [problem.vehicles[vehicle].startNode] + route + [problem.vehicles[vehicle].endNode]
        guard evaluator.feasible(stops, vehicle: problem.vehicles[vehicle]) else { return nil }
        return stops.indices.map { evaluator.serviceStart(at: $0) }
    }

    /// Inserts one request into an existing plan at its cheapest feasible place, moving nothing
    /// else (locked stops stay at the head of their routes): the dispatcher's same-day booking.
    public func insert(_ request: Int, into plan: DARPPlan) -> InsertionOutcome {
        guard problem.requests.indices.contains(request) else { return .refused(reason: "unknown request \(request)") }
        var search = Search(problem: problem, flat: flat, seed: 0)
        search.load(plan)
        guard search.routeOf[request] < 0 else { return .refused(reason: "request \(request) is already in the plan") }
        var best: (vehicle: Int, delta: Double, i: Int, j: Int)?
        for k in problem.vehicles.indices {
            if let option = search.bestInsertion(request, into: k), option.delta < (best?.delta ?? .infinity) {
                best = (k, option.delta, option.i, option.j)
            }
        }
        guard let best else { return .refused(reason: search.unservedReason(request)) }
        search.insert(request, into: best.vehicle, i: best.i, j: best.j)
        let stops = search.routes[best.vehicle].stops
        _ = search.evaluator.feasible(stops, vehicle: problem.vehicles[best.vehicle])
        let pickupAt = stops.firstIndex(of: problem.requests[request].pickup)!
        let dropoffAt = stops.firstIndex(of: problem.requests[request].dropoff)!
        return .inserted(
            InsertionResult(
                vehicle: best.vehicle, plan: search.plan(), costIncrease: best.delta,
                pickupTime: search.evaluator.serviceStart(at: pickupAt), dropoffTime: search.evaluator.serviceStart(at: dropoffAt)))
    }
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
        for k in routes.indices { routes[k].refresh(problem) }
    }

    /// Starts from a given plan.
    mutating func load(_ plan: DARPPlan) {
        for index in routeOf.indices { routeOf[index] = -1 }
        for (k, nodes) in plan.routes.enumerated() where k < routes.count {
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
        let maxRide = problem.requests[request].maxRide
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

        for i in route.lockedCount..<(count - 1) {
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
    mutating func repair(_ requests: [Int], regret: Int, noise: Bool) {
        var pending = requests
        let vehicleCount = routes.count
        // cache[r][k]: the cheapest filtered insertion of pending request r into route k; it is
        // fully checked only when chosen (verified[r][k]), since most filtered candidates pass.
        var cache = [[(delta: Double, i: Int, j: Int)?]](repeating: [], count: pending.count)
        var verified = [[Bool]](repeating: [Bool](repeating: false, count: vehicleCount), count: pending.count)
        var noiseOf = [[Double]](repeating: [], count: pending.count)
        for index in pending.indices {
            cache[index] = (0..<vehicleCount).map { bestInsertion(pending[index], into: $0, verify: false) }
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
            insert(pending[chosen], into: chosenRoute, i: option.i, j: option.j)
            pending.remove(at: chosen)
            cache.remove(at: chosen)
            verified.remove(at: chosen)
            noiseOf.remove(at: chosen)
            for index in pending.indices {
                cache[index][chosenRoute] = bestInsertion(pending[index], into: chosenRoute, verify: false)
                verified[index][chosenRoute] = false
            }
        }
    }

    // MARK: Removal

    var servedRemovable: [Int] {
        routeOf.indices.filter { routeOf[$0] >= 0 && removable[$0] }
    }

    mutating func removeRandom(_ q: Int) -> [Int] {
        var pool = servedRemovable
        var removed: [Int] = []
        while removed.count < q && !pool.isEmpty {
            let request = pool.remove(at: random.below(pool.count))
            remove(request)
            removed.append(request)
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
        while removed.count < q {
            let pool = servedRemovable.map { ($0, removalSaving($0)) }.sorted { $0.1 > $1.1 }
            guard !pool.isEmpty else { break }
            let y = random.unit()
            let pick = pool[Int(Double(pool.count) * y * y * y)].0
            remove(pick)
            removed.append(pick)
        }
        return removed
    }

    /// Service start of a stop in the current plan (earliest schedule), for relatedness.
    func earliestStart(of node: Int) -> Double {
        let route = routes[routeOf[problem.requestOfNode[node]]]
        return route.stops.firstIndex(of: node).map { route.earliest[$0] } ?? problem.earliest[node]
    }

    mutating func removeRelated(_ q: Int) -> [Int] {
        var pool = servedRemovable
        guard !pool.isEmpty else { return [] }
        var removed = [pool.remove(at: random.below(pool.count))]
        var times = [Int: (Double, Double)]()
        for request in pool + removed {
            times[request] = (earliestStart(of: problem.requests[request].pickup), earliestStart(of: problem.requests[request].dropoff))
        }
        while removed.count < q && !pool.isEmpty {
            let anchor = removed[random.below(removed.count)]
            let a = problem.requests[anchor]
            let at = times[anchor]!
            let ranked = pool.map { other -> (Int, Double) in
                let b = problem.requests[other]
                let bt = times[other]!
                let distance = problem.cost(a.pickup, b.pickup) + problem.cost(a.dropoff, b.dropoff)
                let time = abs(at.0 - bt.0) + abs(at.1 - bt.1)
                return (other, 9 * distance + 3 * time)
            }.sorted { $0.1 < $1.1 }
            let y = random.unit()
            let pick = ranked[Int(Double(ranked.count) * pow(y, 6))].0
            pool.removeAll { $0 == pick }
            removed.append(pick)
        }
        for request in removed { remove(request) }
        return removed
    }

    // MARK: The search

    mutating func run(_ options: SolverOptions) -> SolverResult {
        let clock = ContinuousClock()
        let started = clock.now
        func elapsed() -> Double {
            let duration = clock.now - started
            return Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        }
        repair(unservedRequests, regret: 2, noise: false)
        var current = snapshot()
        var currentCost = cost()
        var best = current
        var bestCost = currentCost
        var secondsToBest = elapsed()

        let requestCount = servedRemovable.count + unservedRequests.count
        let destroyCount = 3
        let repairCount = 4
        var destroyWeight = [Double](repeating: 1, count: destroyCount)
        var repairWeight = [Double](repeating: 1, count: repairCount)
        var destroyScore = [Double](repeating: 0, count: destroyCount)
        var repairScore = [Double](repeating: 0, count: repairCount)
        var destroyUses = [Int](repeating: 0, count: destroyCount)
        var repairUses = [Int](repeating: 0, count: repairCount)
        let cycle = 2_000
        var iteration = 0
        var seen = Set<Int>()

        while true {
            if let limit = options.iterationLimit, iteration >= limit { break }
            if let limit = options.timeLimit, iteration % 8 == 0, elapsed() >= limit { break }
            guard requestCount > 0 else { break }
            iteration += 1
            // Threshold falls from 1% of the best cost to zero over each cycle; a new cycle restarts
            // from the best plan.
            let phase = Double(iteration % cycle) / Double(cycle)
            if iteration % cycle == 0 {
                restore(best)
                current = best
                currentCost = bestCost
            }
            let threshold = 0.01 * min(bestCost, problem.unservedPenalty) * (1 - phase)

            let low = min(4, requestCount)
            let high = max(low, min(40, Int(0.4 * Double(requestCount))))
            let q = low + random.below(high - low + 1)
            let destroy = roulette(destroyWeight)
            let repairChoice = roulette(repairWeight)
            let removed: [Int]
            switch destroy {
            case 0: removed = removeRandom(q)
            case 1: removed = removeWorst(q)
            default: removed = removeRelated(q)
            }
            switch repairChoice {
            case 0: repair(removed + unservedRequests.filter { !removed.contains($0) }, regret: 1, noise: false)
            case 1: repair(removed + unservedRequests.filter { !removed.contains($0) }, regret: 2, noise: false)
            case 2: repair(removed + unservedRequests.filter { !removed.contains($0) }, regret: 3, noise: false)
            default: repair(removed + unservedRequests.filter { !removed.contains($0) }, regret: 2, noise: true)
            }
            let newCost = cost()
            var reward = 0.0
            if newCost < bestCost - 1e-9 {
                best = snapshot()
                bestCost = newCost
                current = best
                currentCost = newCost
                secondsToBest = elapsed()
                reward = 33
            } else if newCost < currentCost + threshold {
                let key = Int(newCost * 1000)
                if newCost < currentCost - 1e-9 {
                    reward = 9
                } else if !seen.contains(key) {
                    reward = 13
                }
                seen.insert(key)
                current = snapshot()
                currentCost = newCost
            } else {
                restore(current)
            }
            destroyScore[destroy] += reward
            repairScore[repairChoice] += reward
            destroyUses[destroy] += 1
            repairUses[repairChoice] += 1
            if iteration % 100 == 0 {
                for o in 0..<destroyCount where destroyUses[o] > 0 {
                    destroyWeight[o] = 0.9 * destroyWeight[o] + 0.1 * destroyScore[o] / Double(destroyUses[o])
                    destroyWeight[o] = max(destroyWeight[o], 0.05)
                }
                for o in 0..<repairCount where repairUses[o] > 0 {
                    repairWeight[o] = 0.9 * repairWeight[o] + 0.1 * repairScore[o] / Double(repairUses[o])
                    repairWeight[o] = max(repairWeight[o], 0.05)
                }
                destroyScore = [Double](repeating: 0, count: destroyCount)
                repairScore = [Double](repeating: 0, count: repairCount)
                destroyUses = [Int](repeating: 0, count: destroyCount)
                repairUses = [Int](repeating: 0, count: repairCount)
                if seen.count > 100_000 { seen.removeAll() }
            }
        }
        restore(best)
        var reasons: [Int: String] = [:]
        for request in unservedRequests { reasons[request] = unservedReason(request) }
        return SolverResult(plan: plan(), cost: cost(), iterations: iteration, secondsToBest: secondsToBest, unservedReasons: reasons)
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

    /// Why `request` is unserved: whether any vehicle could serve it alone.
    mutating func unservedReason(_ request: Int) -> String {
        for k in problem.vehicles.indices {
            var alone = Route(vehicle: problem.vehicles[k])
            alone.refresh(problem)
            let saved = routes[k]
            routes[k] = alone
            let fits = bestInsertion(request, into: k) != nil
            routes[k] = saved
            if fits { return "no vehicle has room at that time alongside the other requests" }
        }
        return "no vehicle can serve it even alone (time windows, capacity, ride time or shift)"
    }
}
