/// A vehicle's route inside the solver, depots included, with the caches that let an insertion be
/// filtered in constant time: earliest start of service at each stop (leaving as early as possible),
/// latest start that keeps the rest of the route within its time windows, and the load after each stop.
struct Route {
    var stops: [Int]
    /// Stops at positions 1...lockedCount are locked.
    var lockedCount: Int
    var earliest: [Double] = []
    var latestStart: [Double] = []
    var loadAfter: [Int] = []
    /// Least ride slack (maximum ride minus the ride with no waiting) of the passengers on board
    /// between position g and g + 1: a detour longer than this breaks a ride whatever the schedule.
    var rideSlack: [Double] = []
    var travelCost = 0.0
    /// Scratch for `refresh`: time along the route with no waiting.
    private var path: [Double] = []

    init(vehicle: DARPProblem.Vehicle) {
        stops = [vehicle.startNode] + vehicle.lockedNodes + [vehicle.endNode]
        lockedCount = vehicle.lockedNodes.count
    }

    var isEmpty: Bool { stops.count == 2 }

    /// Recomputes the caches after a change.
    mutating func refresh(_ problem: DARPProblem) {
        let count = stops.count
        let dims = problem.dimensions
        if earliest.count != count {
            earliest = [Double](repeating: 0, count: count)
            latestStart = earliest
        }
        if loadAfter.count != count * dims { loadAfter = [Int](repeating: 0, count: count * dims) }
        earliest[0] = problem.earliest[stops[0]]
        travelCost = 0
        for d in 0..<dims { loadAfter[d] = 0 }
        for p in 1..<count {
            let previous = stops[p - 1]
            let node = stops[p]
            earliest[p] = max(problem.earliest[node], earliest[p - 1] + problem.service[previous] + problem.time(previous, node))
            travelCost += problem.cost(previous, node)
            for d in 0..<dims { loadAfter[p * dims + d] = loadAfter[(p - 1) * dims + d] + problem.load[node * dims + d] }
        }
        if rideSlack.count != count { rideSlack = [Double](repeating: 0, count: count) }
        for g in 0..<count { rideSlack[g] = .infinity }
        // Time along the route with no waiting, to measure the shortest possible rides.
        if path.count != count { path = [Double](repeating: 0, count: count) }
        path[0] = 0
        for p in 1..<count {
            path[p] = path[p - 1] + problem.service[stops[p - 1]] + problem.time(stops[p - 1], stops[p])
        }
        for a in 1..<(count - 1) {
            let request = problem.requestOfNode[stops[a]]
            guard problem.requests[request].pickup == stops[a] else { continue }
            var b = a + 1
            while b < count - 1 && stops[b] != problem.requests[request].dropoff { b += 1 }
            let slack = problem.requests[request].maxRide - (path[b] - path[a] - problem.service[stops[a]])
            for g in a..<b where slack < rideSlack[g] { rideSlack[g] = slack }
        }
        latestStart[count - 1] = problem.latest[stops[count - 1]]
        var p = count - 2
        while p >= 0 {
            let node = stops[p]
            latestStart[p] = min(problem.latest[node], latestStart[p + 1] - problem.time(node, stops[p + 1]) - problem.service[node])
            p -= 1
        }
    }
}
