/// A dial-a-ride problem with time windows: requests as pickup/drop-off pairs with load vectors,
/// service times and windows at both ends and a maximum ride time; heterogeneous vehicles with their
/// own depots, shift windows, capacities, maximum route duration and locked route heads.
///
/// Times and travel times share one unit (minutes for the benchmark, seconds for the service);
/// costs are in any unit. Nodes are indices into flat arrays so the solver's hot loops touch no
/// dictionaries.
public struct DARPProblem: Sendable {
    /// One pickup/drop-off pair.
    public struct Request: Hashable, Sendable {
        /// The pickup node.
        public var pickup: Int
        /// The drop-off node.
        public var dropoff: Int
        /// Longest ride allowed: drop-off service start minus (pickup service start + pickup service time).
        public var maxRide: Double
        /// The only vehicles that may serve it (a dispatcher's manual assignment); nil: any.
        public var allowedVehicles: Set<Int>?
        /// Its own cost of staying unserved (a driver's break: never); nil: the problem's.
        public var unservedPenalty: Double?
        /// The other leg of its journey (the outbound trip's return, or the return's outbound), or
        /// nil. A plan serves both legs of a journey or neither: a patient taken to hospital is
        /// taken home. Partners are symmetric and never under way (no locked node).
        public var partner: Int?

        /// Creates a request.
        public init(
            pickup: Int, dropoff: Int, maxRide: Double, allowedVehicles: Set<Int>? = nil, unservedPenalty: Double? = nil,
            partner: Int? = nil
        ) {
            self.pickup = pickup
            self.dropoff = dropoff
            self.maxRide = maxRide
            self.allowedVehicles = allowedVehicles
            self.unservedPenalty = unservedPenalty
            self.partner = partner
        }
    }

    /// One vehicle and its working day.
    public struct Vehicle: Hashable, Sendable {
        /// Node where the route starts (its window is the shift start).
        public var startNode: Int
        /// Node where the route ends (its window bounds the shift end).
        public var endNode: Int
        /// Capacity per load dimension.
        public var capacity: [Int]
        /// Longest route duration: arrival at the end minus departure from the start.
        public var maxDuration: Double
        /// Cost of using the vehicle at all.
        public var fixedCost: Double
        /// Multiplier of the travel cost of its arcs.
        public var costPerUnit: Double
        /// Nodes that head the route and must stay there, in order (performed or under way).
        public var lockedNodes: [Int]

        /// Creates a vehicle.
        public init(
            startNode: Int, endNode: Int, capacity: [Int], maxDuration: Double, fixedCost: Double = 0,
            costPerUnit: Double = 1, lockedNodes: [Int] = []
        ) {
            self.startNode = startNode
            self.endNode = endNode
            self.capacity = capacity
            self.maxDuration = maxDuration
            self.fixedCost = fixedCost
            self.costPerUnit = costPerUnit
            self.lockedNodes = lockedNodes
        }
    }

    /// Number of nodes (depots, pickups, drop-offs).
    public let nodeCount: Int
    /// Load dimensions (seats, wheelchairs, stretchers: 1 to 3).
    public let dimensions: Int
    /// Earliest start of service per node.
    public let earliest: [Double]
    /// Latest start of service per node.
    public let latest: [Double]
    /// Service duration per node.
    public let service: [Double]
    /// Load change per node and dimension, flat `node * dimensions + d` (positive at pickups).
    public let load: [Int]
    /// Travel time, flat `from * nodeCount + to`.
    public let travelTime: [Double]
    /// Travel cost, flat `from * nodeCount + to`.
    public let travelCost: [Double]
    /// The requests.
    public let requests: [Request]
    /// The vehicles.
    public let vehicles: [Vehicle]
    /// Cost of leaving one request unserved (large: serving comes first).
    public let unservedPenalty: Double
    /// Request of each node, or -1 for depots.
    public let requestOfNode: [Int]
    /// True when no travel time is longer than the way through a third node (straight-line
    /// times, as in Cordeau's instances). A route that cannot take a request then cannot take it
    /// once it has more stops either, and the search stops asking. False unless the maker of the
    /// problem knows (an imported road matrix may break it).
    public var timesAreMetric = false

    /// Creates and checks a problem.
    public init(
        dimensions: Int, earliest: [Double], latest: [Double], service: [Double], load: [Int], travelTime: [Double],
        travelCost: [Double], requests: [Request], vehicles: [Vehicle], unservedPenalty: Double = 10_000
    ) throws {
        let n = earliest.count
        func fail(_ message: String) -> SchedulerError { SchedulerError.invalidProblem(message) }
        guard (1...3).contains(dimensions) else { throw fail("dimensions must be 1 to 3") }
        guard latest.count == n, service.count == n, load.count == n * dimensions else { throw fail("node arrays differ in length") }
        guard travelTime.count == n * n, travelCost.count == n * n else { throw fail("matrices must be \(n) x \(n)") }
        // The solver's filters rely on times never running backwards along a route.
        guard !travelTime.contains(where: { !($0 >= 0) }) else { throw fail("travel times must be numbers, not negative") }
        for node in 0..<n where !(earliest[node] <= latest[node]) || service[node] < 0 {
            throw fail("node \(node): window [\(earliest[node]), \(latest[node])] or service \(service[node]) is invalid")
        }
        var owner = [Int](repeating: -1, count: n)
        for (index, request) in requests.enumerated() {
            for node in [request.pickup, request.dropoff] {
                guard (0..<n).contains(node), owner[node] == -1 else { throw fail("request \(index) uses node \(node) twice or out of range") }
                owner[node] = index
            }
            guard request.maxRide >= 0 else { throw fail("request \(index): negative maximum ride time") }
            for d in 0..<dimensions where load[request.pickup * dimensions + d] != -load[request.dropoff * dimensions + d] {
                throw fail("request \(index): drop-off load must undo the pickup load")
            }
        }
        for (index, vehicle) in vehicles.enumerated() {
            guard (0..<n).contains(vehicle.startNode), (0..<n).contains(vehicle.endNode), owner[vehicle.startNode] == -1,
                owner[vehicle.endNode] == -1
            else { throw fail("vehicle \(index): depot nodes must exist and belong to no request") }
            guard vehicle.capacity.count == dimensions else { throw fail("vehicle \(index): capacity needs \(dimensions) dimension(s)") }
            for node in vehicle.lockedNodes where !(0..<n).contains(node) || owner[node] == -1 {
                throw fail("vehicle \(index): locked node \(node) is not a request node")
            }
        }
        var lockedSeen = Set<Int>()
        for (index, request) in requests.enumerated() {
            guard let partner = request.partner else { continue }
            guard partner != index else { throw fail("request \(index) names itself as its partner") }
            guard requests.indices.contains(partner) else { throw fail("request \(index) names partner \(partner), which does not exist") }
            guard requests[partner].partner == index else {
                throw fail("request \(index) names partner \(partner), whose partner is \(requests[partner].partner.map(String.init) ?? "none")")
            }
        }
        for (k, vehicle) in vehicles.enumerated() {
            // The solver removes and re-inserts both legs of a journey together, which a locked leg forbids.
            for node in vehicle.lockedNodes {
                if let partner = requests[owner[node]].partner {
                    throw fail(
                        "request \(owner[node]) has partner \(partner), but its node \(node) is locked on vehicle \(k) (a journey under way is planned without partners)")
                }
            }
        }
        for vehicle in vehicles {
            for node in vehicle.lockedNodes {
                guard lockedSeen.insert(node).inserted else { throw fail("node \(node) is locked on two vehicles") }
            }
            // A locked drop-off needs its pickup locked before it on the same vehicle.
            for (position, node) in vehicle.lockedNodes.enumerated() where requests[owner[node]].dropoff == node {
                guard vehicle.lockedNodes[..<position].contains(requests[owner[node]].pickup) else {
                    throw fail("locked drop-off \(node) has no locked pickup before it")
                }
            }
        }
        nodeCount = n
        self.dimensions = dimensions
        self.earliest = earliest
        self.latest = latest
        self.service = service
        self.load = load
        self.travelTime = travelTime
        self.travelCost = travelCost
        self.requests = requests
        self.vehicles = vehicles
        self.unservedPenalty = unservedPenalty
        requestOfNode = owner
    }

    /// What leaving `request` unserved costs.
    @inline(__always) public func penalty(_ request: Int) -> Double { requests[request].unservedPenalty ?? unservedPenalty }

    /// The other leg of `request`'s journey, or -1.
    @inline(__always) func partner(_ request: Int) -> Int { requests[request].partner ?? -1 }

    /// Travel time from `a` to `b`.
    @inline(__always) public func time(_ a: Int, _ b: Int) -> Double { travelTime[a * nodeCount + b] }
    /// Travel cost from `a` to `b`.
    @inline(__always) public func cost(_ a: Int, _ b: Int) -> Double { travelCost[a * nodeCount + b] }
}

/// A plan: one ordered list of request nodes per vehicle (depots excluded), and what is unserved.
public struct DARPPlan: Hashable, Sendable {
    /// Visiting order per vehicle, request nodes only; an empty route means the vehicle stays home.
    public var routes: [[Int]]
    /// Requests not served.
    public var unserved: [Int]

    /// Creates a plan.
    public init(routes: [[Int]], unserved: [Int]) {
        self.routes = routes
        self.unserved = unserved
    }
}

/// Errors of the scheduler.
public enum SchedulerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The problem is malformed.
    case invalidProblem(String)
    /// An instance file could not be read.
    case invalidInstance(line: Int, message: String)

    public var description: String {
        switch self {
        case .invalidProblem(let message): "invalid problem: \(message)"
        case .invalidInstance(let line, let message): "invalid instance, line \(line): \(message)"
        }
    }
}
