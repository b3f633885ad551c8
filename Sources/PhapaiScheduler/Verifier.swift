/// What the verifier found.
public struct PlanCheck: Sendable {
    /// True when the plan breaks no constraint.
    public var feasible: Bool { violations.isEmpty }
    /// Every broken constraint, in words.
    public var violations: [String]
    /// Total cost: fixed cost of used vehicles, their travel cost, and the unserved penalty.
    public var cost: Double
    /// Travel cost alone (the benchmark's objective).
    public var travelCost: Double
    /// Vehicles with a non-empty route.
    public var vehiclesUsed: Int
    /// A feasible start-of-service time per position of each route, depots included (empty when
    /// that route is infeasible).
    public var schedules: [[Double]]
}

/// The independent checker: recomputes the cost and checks every constraint of a plan with its own
/// schedule computation, sharing nothing with the solver's incremental structures.
///
/// Timing is checked exactly: the service start times of a route form a system of difference
/// constraints (travel and service between consecutive stops, time windows, ride times, route
/// duration), feasible exactly when its constraint graph has no negative cycle (Bellman-Ford).
/// Departures and stops may be delayed freely; waiting is allowed. A journey's two legs
/// (``DARPProblem/Request/partner``) must both be served or both be unserved.
public enum PlanVerifier {
    /// Tolerance for floating-point comparisons (time and load units).
    public static let tolerance = 1e-6

    /// Checks `plan` against `problem`.
    public static func verify(_ plan: DARPPlan, problem: DARPProblem) -> PlanCheck {
        var violations: [String] = []
        var seen = [Int](repeating: -1, count: problem.nodeCount)
        var schedules: [[Double]] = []
        var travel = 0.0
        var total = 0.0
        var used = 0
        if plan.routes.count != problem.vehicles.count {
            violations.append("the plan has \(plan.routes.count) routes for \(problem.vehicles.count) vehicles")
        }
        for (k, route) in plan.routes.enumerated() where k < problem.vehicles.count {
            let vehicle = problem.vehicles[k]
            for (position, node) in route.enumerated() {
                guard (0..<problem.nodeCount).contains(node), problem.requestOfNode[node] >= 0 else {
                    violations.append("route \(k): node \(node) is not a request node")
                    continue
                }
                if seen[node] >= 0 { violations.append("node \(node) is visited twice") }
                seen[node] = k
                _ = position
            }
            if Array(route.prefix(vehicle.lockedNodes.count)) != vehicle.lockedNodes {
                violations.append("route \(k): the locked stops \(vehicle.lockedNodes) do not head the route")
            }
            for node in route where (0..<problem.nodeCount).contains(node) && problem.requestOfNode[node] >= 0 {
                let request = problem.requests[problem.requestOfNode[node]]
                guard node == request.pickup else { continue }
                guard let pickupAt = route.firstIndex(of: request.pickup), let dropoffAt = route.firstIndex(of: request.dropoff) else {
                    violations.append("route \(k): request \(problem.requestOfNode[node]) is picked up but not dropped off on the same route")
                    continue
                }
                if dropoffAt < pickupAt {
                    violations.append("route \(k): request \(problem.requestOfNode[node]) is dropped off before it is picked up")
                }
                if let allowed = request.allowedVehicles, !allowed.contains(k) {
                    violations.append("route \(k): request \(problem.requestOfNode[node]) is assigned to other vehicles")
                }
            }
            for node in route where (0..<problem.nodeCount).contains(node) && problem.requestOfNode[node] >= 0 {
                let request = problem.requests[problem.requestOfNode[node]]
                if node == request.dropoff && !route.contains(request.pickup) {
                    violations.append("route \(k): request \(problem.requestOfNode[node]) is dropped off but not picked up on this route")
                }
            }
            // Load along the route, per dimension.
            var onBoard = [Int](repeating: 0, count: problem.dimensions)
            for node in route where (0..<problem.nodeCount).contains(node) {
                for d in 0..<problem.dimensions {
                    onBoard[d] += problem.load[node * problem.dimensions + d]
                    if onBoard[d] > vehicle.capacity[d] {
                        violations.append("route \(k): load \(onBoard[d]) exceeds capacity \(vehicle.capacity[d]) in dimension \(d) after node \(node)")
                    }
                    if onBoard[d] < 0 { violations.append("route \(k): negative load after node \(node)") }
                }
            }
            guard !route.isEmpty else {
                schedules.append([])
                continue
            }
            // A foreign node is already reported; without it no schedule can be computed.
            guard route.allSatisfy({ (0..<problem.nodeCount).contains($0) && problem.requestOfNode[$0] >= 0 }) else {
                schedules.append([])
                continue
            }
            used += 1
            let stops = [vehicle.startNode] + route + [vehicle.endNode]
            var routeTravel = 0.0
            for index in 1..<stops.count where (0..<problem.nodeCount).contains(stops[index]) && (0..<problem.nodeCount).contains(stops[index - 1]) {
                routeTravel += problem.travelCost[stops[index - 1] * problem.nodeCount + stops[index]]
            }
            travel += routeTravel * vehicle.costPerUnit
            total += routeTravel * vehicle.costPerUnit + vehicle.fixedCost
            if let schedule = schedule(stops, vehicle: vehicle, problem: problem) {
                schedules.append(schedule)
            } else {
                schedules.append([])
                violations.append("route \(k): no schedule meets every time window, ride time and the route duration")
            }
        }
        var unserved = Set<Int>()
        for request in plan.unserved {
            if !(0..<problem.requests.count).contains(request) || !unserved.insert(request).inserted {
                violations.append("unserved request \(request) is unknown or listed twice")
            }
        }
        for (index, request) in problem.requests.enumerated() {
            let served = seen[request.pickup] >= 0
            if served && unserved.contains(index) { violations.append("request \(index) is both served and unserved") }
            if !served && !unserved.contains(index) { violations.append("request \(index) is neither served nor listed as unserved") }
            if served, let partner = request.partner, problem.requests.indices.contains(partner), seen[problem.requests[partner].pickup] < 0 {
                violations.append("request \(index) is served but its partner \(partner) is not")
            }
        }
        for vehicle in problem.vehicles {
            for node in vehicle.lockedNodes where seen[node] < 0 {
                violations.append("locked node \(node) is missing from the plan")
            }
        }
        for request in unserved where problem.requests.indices.contains(request) { total += problem.penalty(request) }
        return PlanCheck(violations: violations, cost: total, travelCost: travel, vehiclesUsed: used, schedules: schedules)
    }

    /// A feasible schedule for `stops` (depots included), or nil. Variables are service start
    /// times; a constraint x_j - x_i <= w is an edge i -> j of weight w; node `count` is the zero
    /// reference. Shortest distances from it give the latest feasible schedule.
    static func schedule(_ stops: [Int], vehicle: DARPProblem.Vehicle, problem: DARPProblem) -> [Double]? {
        let count = stops.count
        var edges: [(from: Int, to: Int, weight: Double)] = []
        let zero = count
        for (position, node) in stops.enumerated() {
            edges.append((zero, position, problem.latest[node]))
            edges.append((position, zero, -problem.earliest[node]))
            if position > 0 {
                let previous = stops[position - 1]
                // x[p] - x[p-1] >= service + travel.
                edges.append((position, position - 1, -(problem.service[previous] + problem.time(previous, node))))
            }
        }
        for (position, node) in stops.enumerated() where position > 0 && position < count - 1 {
            let request = problem.requests[problem.requestOfNode[node]]
            guard node == request.pickup, let dropoffAt = stops.firstIndex(of: request.dropoff) else { continue }
            // x[drop] - x[pick] <= maxRide + service at the pickup.
            edges.append((position, dropoffAt, request.maxRide + problem.service[node]))
        }
        // x[end] - x[start] <= maximum duration (the start's time is the departure).
        edges.append((0, count - 1, vehicle.maxDuration + problem.service[stops[0]]))

        var distance = [Double](repeating: .infinity, count: count + 1)
        distance[zero] = 0
        for _ in 0...count {
            var changed = false
            for edge in edges where distance[edge.from] < .infinity {
                let candidate = distance[edge.from] + edge.weight
                if candidate < distance[edge.to] - 1e-9 {
                    distance[edge.to] = candidate
                    changed = true
                }
            }
            if !changed { break }
        }
        for edge in edges where distance[edge.from] + edge.weight < distance[edge.to] - tolerance {
            return nil
        }
        return Array(distance[0..<count])
    }
}
