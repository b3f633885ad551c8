/// The solver's route check: Cordeau & Laporte's (2003) eight-step scheme. It computes a schedule
/// that waits as little as possible, delays the departure by the forward time slack, then delays
/// each pickup to shorten the rides that follow, and finally checks that schedule against every
/// constraint. It accepts a route only with an explicit schedule that meets every constraint, so a
/// "yes" is always right (the independent verifier re-checks every returned plan anyway).
struct RouteEvaluator {
    private var arrival: [Double] = []
    private var start: [Double] = []
    private var wait: [Double] = []
    private var departure: [Double] = []
    private var partner: [Int] = []
    private var onBoard: [Int] = []

    /// Service start times of the last route accepted by ``feasible(_:vehicle:problem:)``.
    var serviceStart: [Double] { start }

    /// Whether `stops` (depots included) is feasible for `vehicle`.
    mutating func feasible(_ stops: [Int], vehicle: DARPProblem.Vehicle, problem: DARPProblem) -> Bool {
        let count = stops.count
        let eps = PlanVerifier.tolerance
        if arrival.count < count {
            let size = max(count, 2 * arrival.count)
            arrival = [Double](repeating: 0, count: size)
            start = arrival
            wait = arrival
            departure = arrival
            partner = [Int](repeating: -1, count: size)
        }
        // Capacity and pairing: the partner position of every request stop.
        let dims = problem.dimensions
        if onBoard.count < dims { onBoard = [Int](repeating: 0, count: dims) }
        for d in 0..<dims { onBoard[d] = 0 }
        for position in 1..<(count - 1) {
            let node = stops[position]
            for d in 0..<dims {
                onBoard[d] += problem.load[node * dims + d]
                if onBoard[d] > vehicle.capacity[d] { return false }
            }
            partner[position] = -1
        }
        for position in 1..<(count - 1) {
            let node = stops[position]
            let request = problem.requests[problem.requestOfNode[node]]
            if node == request.dropoff {
                var p = position - 1
                while p > 0 && stops[p] != request.pickup { p -= 1 }
                guard p > 0 else { return false }
                partner[p] = position
                partner[position] = p
            }
        }
        // Steps 1-2: earliest schedule from the earliest departure.
        start[0] = problem.earliest[stops[0]]
        guard forward(from: 0, stops, problem) else { return false }
        // Steps 3-5: delay the departure as far as the slack allows.
        var waiting = 0.0
        for position in 1..<(count - 1) { waiting += wait[position] }
        start[0] += min(slack(at: 0, stops, problem), waiting)
        guard forward(from: 0, stops, problem) else { return false }
        // Steps 6-7: delay each pickup to shorten the rides after it.
        for position in 1..<(count - 1) where partner[position] > position {
            var after = 0.0
            for p in (position + 1)..<(count - 1) { after += wait[p] }
            let delay = min(slack(at: position, stops, problem), after)
            if delay > 0 {
                wait[position] += delay
                start[position] = arrival[position] + wait[position]
                departure[position] = start[position] + problem.service[stops[position]]
                guard forward(from: position, stops, problem) else { return false }
            }
        }
        // Step 8: check the schedule.
        for position in 0..<count where start[position] > problem.latest[stops[position]] + eps { return false }
        for position in 1..<(count - 1) where partner[position] > position {
            let ride = start[partner[position]] - departure[position]
            if ride > problem.requests[problem.requestOfNode[stops[position]]].maxRide + eps { return false }
        }
        return start[count - 1] - departure[0] <= vehicle.maxDuration + eps
    }

    /// Recomputes arrival, wait, start and departure after `position` (whose start is set).
    private mutating func forward(from position: Int, _ stops: [Int], _ problem: DARPProblem) -> Bool {
        departure[position] = start[position] + problem.service[stops[position]]
        var previous = stops[position]
        for p in (position + 1)..<stops.count {
            let node = stops[p]
            arrival[p] = departure[p - 1] + problem.time(previous, node)
            let s = max(arrival[p], problem.earliest[node])
            if s > problem.latest[node] + PlanVerifier.tolerance { return false }
            start[p] = s
            wait[p] = s - arrival[p]
            departure[p] = s + problem.service[node]
            previous = node
        }
        return true
    }

    /// Forward time slack at `position`: how far its start can move later without breaking a later
    /// time window or lengthening a ride that began before it beyond its limit.
    private func slack(at position: Int, _ stops: [Int], _ problem: DARPProblem) -> Double {
        var best = Double.infinity
        var waited = 0.0
        for j in position..<stops.count {
            if j > position { waited += wait[j] }
            var room = problem.latest[stops[j]] - start[j]
            let origin = partner[j]
            if j > 0 && j < stops.count - 1 && origin >= 0 && origin < position {
                let ride = start[j] - departure[origin]
                room = min(room, problem.requests[problem.requestOfNode[stops[j]]].maxRide - ride)
            }
            best = min(best, waited + max(0, room))
        }
        return best
    }
}
