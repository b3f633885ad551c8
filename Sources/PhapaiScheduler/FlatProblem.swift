/// The problem's per-node data and matrix copied into raw buffers once, for the solver's inner
/// loops (no bounds or exclusivity checks, no reference counting). Read-only after creation, but
/// for a copy's own `latest`, which its maker tightens before using it. Not `Sendable`: raw
/// buffers carry no guarantee across threads, and a solve runs on one thread.
final class FlatProblem {
    let nodeCount: Int
    let dimensions: Int
    let earliest: UnsafeMutablePointer<Double>
    let latest: UnsafeMutablePointer<Double>
    let service: UnsafeMutablePointer<Double>
    let time: UnsafeMutablePointer<Double>
    let load: UnsafeMutablePointer<Int>
    /// Per node: the request's max ride, the partner node, and whether it is a pickup.
    let maxRide: UnsafeMutablePointer<Double>
    let partner: UnsafeMutablePointer<Int>
    let isPickup: UnsafeMutablePointer<Bool>
    /// The largest arc cost (scales the insertion noise).
    let maxCost: Double
    /// The problem whose buffers this one shares (all but `maxRide`, and `latest` when it owns
    /// its own), kept alive while it is.
    private let base: FlatProblem?
    private let ownsLatest: Bool

    init(_ problem: DARPProblem) {
        let n = problem.nodeCount
        nodeCount = n
        dimensions = problem.dimensions
        func copy<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
            let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(1, values.count))
            pointer.initialize(from: values, count: values.count)
            return pointer
        }
        earliest = copy(problem.earliest)
        latest = copy(problem.latest)
        service = copy(problem.service)
        time = copy(problem.travelTime)
        load = copy(problem.load)
        var ride = [Double](repeating: .infinity, count: n)
        var other = [Int](repeating: -1, count: n)
        var pickup = [Bool](repeating: false, count: n)
        for request in problem.requests {
            ride[request.pickup] = request.maxRide
            ride[request.dropoff] = request.maxRide
            other[request.pickup] = request.dropoff
            other[request.dropoff] = request.pickup
            pickup[request.pickup] = true
        }
        maxCost = problem.travelCost.max() ?? 1
        maxRide = copy(ride)
        partner = copy(other)
        isPickup = copy(pickup)
        base = nil
        ownsLatest = true
    }

    /// `base` with latest starts of its own (a copy to tighten); shares every other buffer.
    init(copyingLatestOf base: FlatProblem) {
        self.base = base
        ownsLatest = true
        nodeCount = base.nodeCount
        dimensions = base.dimensions
        earliest = base.earliest
        latest = .allocate(capacity: max(1, base.nodeCount))
        latest.initialize(from: base.latest, count: base.nodeCount)
        service = base.service
        time = base.time
        load = base.load
        partner = base.partner
        isPickup = base.isPickup
        maxCost = base.maxCost
        maxRide = .allocate(capacity: max(1, nodeCount))
        maxRide.initialize(from: base.maxRide, count: nodeCount)
    }

    /// `base` with no ride-time limit for `request` (for telling a ride-time limit from a time
    /// window in explanations); shares every other buffer.
    init(_ base: FlatProblem, unlimitedRideOf request: DARPProblem.Request) {
        self.base = base
        ownsLatest = false
        nodeCount = base.nodeCount
        dimensions = base.dimensions
        earliest = base.earliest
        latest = base.latest
        service = base.service
        time = base.time
        load = base.load
        partner = base.partner
        isPickup = base.isPickup
        maxCost = base.maxCost
        maxRide = .allocate(capacity: max(1, nodeCount))
        maxRide.initialize(from: base.maxRide, count: nodeCount)
        maxRide[request.pickup] = .infinity
        maxRide[request.dropoff] = .infinity
    }

    deinit {
        maxRide.deallocate()
        guard base == nil else {
            if ownsLatest { latest.deallocate() }
            return
        }
        earliest.deallocate()
        latest.deallocate()
        service.deallocate()
        time.deallocate()
        load.deallocate()
        partner.deallocate()
        isPickup.deallocate()
    }
}
