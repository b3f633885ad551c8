/// The solver's route check: Cordeau & Laporte's (2003) eight-step scheme. It computes a schedule
/// that waits as little as possible, delays the departure by the forward time slack, then delays
/// pickups to shorten the rides that follow, and finally checks that schedule against every
/// constraint. It accepts a route only with an explicit schedule that meets every constraint, so a
/// "yes" is always right (the independent verifier re-checks every returned plan anyway).
final class RouteEvaluator {
    private let flat: FlatProblem
    private var capacity = 0
    private var arrival = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    private var start = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    private var wait = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    private var departure = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    private var partner = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    private var onBoard = [Int](repeating: 0, count: 3)
    /// Position of each node in the route being checked, valid where `stamp` equals `call`.
    private let positionOf: UnsafeMutablePointer<Int>
    private let stamp: UnsafeMutablePointer<Int>
    private var call = 0

    init(_ flat: FlatProblem) {
        self.flat = flat
        positionOf = .allocate(capacity: flat.nodeCount)
        stamp = .allocate(capacity: flat.nodeCount)
        stamp.initialize(repeating: 0, count: flat.nodeCount)
    }

    deinit {
        positionOf.deallocate()
        stamp.deallocate()
        arrival.deallocate()
        start.deallocate()
        wait.deallocate()
        departure.deallocate()
        partner.deallocate()
    }

    /// Service start time at `position` of the last route accepted.
    func serviceStart(at position: Int) -> Double { start[position] }

    private func reserve(_ count: Int) {
        guard count > capacity else { return }
        let size = max(count, 2 * capacity, 16)
        for pointer in [arrival, start, wait, departure] { pointer.deallocate() }
        partner.deallocate()
        arrival = .allocate(capacity: size)
        start = .allocate(capacity: size)
        wait = .allocate(capacity: size)
        departure = .allocate(capacity: size)
        partner = .allocate(capacity: size)
        capacity = size
    }

    /// Whether `stops` (depots included) is feasible for `vehicle`.
    func feasible(_ stops: [Int], vehicle: DARPProblem.Vehicle) -> Bool {
        stops.withUnsafeBufferPointer { feasible($0, vehicle: vehicle) }
    }

    func feasible(_ stops: UnsafeBufferPointer<Int>, vehicle: DARPProblem.Vehicle) -> Bool {
        let count = stops.count
        reserve(count)
        let f = flat
        let dims = f.dimensions
        for d in 0..<dims { onBoard[d] = 0 }
        call += 1
        // Capacity, and the partner position of every request stop.
        for position in 1..<(count - 1) {
            let node = stops[position]
            for d in 0..<dims {
                onBoard[d] += f.load[node * dims + d]
                if onBoard[d] > vehicle.capacity[d] { return false }
            }
            partner[position] = -1
            positionOf[node] = position
            stamp[node] = call
            if !f.isPickup[node] {
                let origin = f.partner[node]
                guard stamp[origin] == call else { return false }
                partner[positionOf[origin]] = position
                partner[position] = positionOf[origin]
            }
        }
        // Steps 1-2: earliest schedule from the earliest departure.
        start[0] = f.earliest[stops[0]]
        guard forward(from: 0, stops) else { return false }
        // Steps 3-5: delay the departure as far as the slack allows.
        var waiting = 0.0
        for position in 1..<(count - 1) { waiting += wait[position] }
        start[0] += min(slack(at: 0, stops), waiting)
        guard forward(from: 0, stops) else { return false }
        // Steps 6-7: delay pickups to shorten the rides after them. Delaying a pickup shortens only
        // rides that start there or later, so stop once none of those is too long.
        for position in 1..<(count - 1) where partner[position] > position {
            guard hasLongRide(from: position, stops) else { break }
            var after = 0.0
            for p in (position + 1)..<(count - 1) { after += wait[p] }
            guard after > 0 else { continue }
            let delay = min(slack(at: position, stops), after)
            if delay > 0 {
                wait[position] += delay
                start[position] = arrival[position] + wait[position]
                guard forward(from: position, stops) else { return false }
            }
        }
        // Step 8: check the schedule.
        return checkSchedule(stops, vehicle: vehicle)
    }

    private func hasLongRide(from position: Int, _ stops: UnsafeBufferPointer<Int>) -> Bool {
        let eps = PlanVerifier.tolerance
        for p in position..<(stops.count - 1) where partner[p] > p {
            if start[partner[p]] - departure[p] > flat.maxRide[stops[p]] + eps { return true }
        }
        return false
    }

    /// Whether the current schedule meets every window, ride time and the route duration.
    private func checkSchedule(_ stops: UnsafeBufferPointer<Int>, vehicle: DARPProblem.Vehicle) -> Bool {
        let count = stops.count
        let eps = PlanVerifier.tolerance
        for position in 0..<count where start[position] > flat.latest[stops[position]] + eps { return false }
        for position in 1..<(count - 1) where partner[position] > position {
            if start[partner[position]] - departure[position] > flat.maxRide[stops[position]] + eps { return false }
        }
        return start[count - 1] - departure[0] <= vehicle.maxDuration + eps
    }

    /// Recomputes arrival, wait, start and departure after `position` (whose start is set).
    private func forward(from position: Int, _ stops: UnsafeBufferPointer<Int>) -> Bool {
        let f = flat
        let n = f.nodeCount
        let eps = PlanVerifier.tolerance
        departure[position] = start[position] + f.service[stops[position]]
        var previous = stops[position]
        for p in (position + 1)..<stops.count {
            let node = stops[p]
            let a = departure[p - 1] + f.time[previous * n + node]
            arrival[p] = a
            let s = a > f.earliest[node] ? a : f.earliest[node]
            if s > f.latest[node] + eps { return false }
            start[p] = s
            wait[p] = s - a
            departure[p] = s + f.service[node]
            previous = node
        }
        return true
    }

    /// Forward time slack at `position`: how far its start can move later without breaking a later
    /// time window or lengthening a ride that began before it beyond its limit.
    private func slack(at position: Int, _ stops: UnsafeBufferPointer<Int>) -> Double {
        let f = flat
        var best = Double.infinity
        var waited = 0.0
        let last = stops.count - 1
        for j in position...last {
            if j > position { waited += wait[j] }
            if waited >= best { break }
            var room = f.latest[stops[j]] - start[j]
            if j > 0 && j < last {
                let origin = partner[j]
                if origin >= 0 && origin < position {
                    let rideRoom = f.maxRide[stops[j]] - (start[j] - departure[origin])
                    if rideRoom < room { room = rideRoom }
                }
            }
            let candidate = waited + (room > 0 ? room : 0)
            if candidate < best { best = candidate }
        }
        return best
    }
}
