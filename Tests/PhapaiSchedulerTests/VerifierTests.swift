import Testing
@testable import PhapaiScheduler

/// Points on a line: node i at position x[i]; travel time and cost are the distance.
func lineProblem(
    x: [Double], windows: [(Double, Double)], service: [Double]? = nil, loads: [Int], requests: [(Int, Int, Double)],
    vehicles: [DARPProblem.Vehicle]
) throws -> DARPProblem {
    let n = x.count
    var matrix = [Double](repeating: 0, count: n * n)
    for a in 0..<n { for b in 0..<n { matrix[a * n + b] = abs(x[a] - x[b]) } }
    return try DARPProblem(
        dimensions: 1, earliest: windows.map(\.0), latest: windows.map(\.1), service: service ?? Array(repeating: 0, count: n),
        load: loads, travelTime: matrix, travelCost: matrix,
        requests: requests.map { DARPProblem.Request(pickup: $0.0, dropoff: $0.1, maxRide: $0.2) }, vehicles: vehicles)
}

func vehicle(capacity: Int = 3, duration: Double = 1000, locked: [Int] = []) -> DARPProblem.Vehicle {
    DARPProblem.Vehicle(startNode: 0, endNode: 0, capacity: [capacity], maxDuration: duration, lockedNodes: locked)
}

@Suite("Independent plan verifier")
struct VerifierTests {
    /// Depot at 0; pickup at 10 (open window); drop-off at 20 with window [50, 60]; maximum ride 10.
    /// Leaving at 0 the ride is 40. Only leaving at 30 (or later, up to 40) makes the ride exactly 10.
    func delayedDeparture(maxRide: Double = 10) throws -> DARPProblem {
        try lineProblem(
            x: [0, 10, 20], windows: [(0, 100), (0, 100), (50, 60)], loads: [0, 1, -1], requests: [(1, 2, maxRide)],
            vehicles: [vehicle()])
    }

    @Test func aRouteFeasibleOnlyByDelayingTheDepartureIsAccepted() throws {
        let problem = try delayedDeparture()
        let check = PlanVerifier.verify(DARPPlan(routes: [[1, 2]], unserved: []), problem: problem)
        #expect(check.feasible, "\(check.violations)")
        #expect(check.travelCost == 40)
        let schedule = check.schedules[0]
        // The ride sits exactly at its limit.
        #expect(abs((schedule[2] - schedule[1]) - 10) < 1e-9)
        #expect(schedule[0] >= 30 - 1e-9)
        // The solver's own evaluator finds the same route feasible by delaying the departure.
        let evaluator = RouteEvaluator(FlatProblem(problem))
        #expect(evaluator.feasible([0, 1, 2, 0], vehicle: problem.vehicles[0]))
        #expect(abs(evaluator.serviceStart(at: 2) - evaluator.serviceStart(at: 1) - 10) < 1e-9)
    }

    @Test func aRideOneUnitTooTightIsRefusedByBoth() throws {
        let problem = try delayedDeparture(maxRide: 9.99)
        let check = PlanVerifier.verify(DARPPlan(routes: [[1, 2]], unserved: []), problem: problem)
        #expect(!check.feasible)
        #expect(!RouteEvaluator(FlatProblem(problem)).feasible([0, 1, 2, 0], vehicle: problem.vehicles[0]))
    }

    /// Two requests on a line: 1 -> 3 and 2 -> 4.
    func twoRequests(
        capacity: Int = 3, duration: Double = 1000, maxRide: Double = 100, windows: [(Double, Double)]? = nil, locked: [Int] = []
    ) throws -> DARPProblem {
        try lineProblem(
            x: [0, 5, 10, 15, 20], windows: windows ?? Array(repeating: (0, 200), count: 5), loads: [0, 2, 2, -2, -2],
            requests: [(1, 3, maxRide), (2, 4, maxRide)], vehicles: [vehicle(capacity: capacity, duration: duration, locked: locked), vehicle()])
    }

    @Test func aGoodPlanPassesWithItsCost() throws {
        let check = PlanVerifier.verify(DARPPlan(routes: [[1, 3, 2, 4], []], unserved: []), problem: try twoRequests())
        #expect(check.feasible, "\(check.violations)")
        // 0 -> 5 -> 15 -> 10 -> 20 -> 0.
        #expect(check.travelCost == 50)
        #expect(check.vehiclesUsed == 1)
    }

    @Test func capacityIsChecked() throws {
        let check = PlanVerifier.verify(DARPPlan(routes: [[1, 2, 3, 4], []], unserved: []), problem: try twoRequests(capacity: 3))
        #expect(check.violations.contains { $0.contains("exceeds capacity") })
    }

    @Test func timeWindowsAreChecked() throws {
        var windows = Array(repeating: (0.0, 200.0), count: 5)
        windows[3] = (0, 12)
        let check = PlanVerifier.verify(DARPPlan(routes: [[1, 3, 2, 4], []], unserved: []), problem: try twoRequests(windows: windows))
        #expect(check.violations.contains { $0.contains("no schedule") })
    }

    @Test func rideTimesAreChecked() throws {
        // 1 -> 2 -> 3: request 1 rides 10 with a limit of 9.
        let check = PlanVerifier.verify(DARPPlan(routes: [[1, 2, 3, 4], []], unserved: []), problem: try twoRequests(capacity: 4, maxRide: 9))
        #expect(check.violations.contains { $0.contains("no schedule") })
        #expect(PlanVerifier.verify(DARPPlan(routes: [[1, 2, 3, 4], []], unserved: []), problem: try twoRequests(capacity: 4, maxRide: 10)).feasible)
    }

    @Test func routeDurationIsChecked() throws {
        let check = PlanVerifier.verify(DARPPlan(routes: [[1, 3, 2, 4], []], unserved: []), problem: try twoRequests(duration: 49))
        #expect(check.violations.contains { $0.contains("no schedule") })
        #expect(PlanVerifier.verify(DARPPlan(routes: [[1, 3, 2, 4], []], unserved: []), problem: try twoRequests(duration: 50)).feasible)
    }

    @Test func precedenceAndPairingAreChecked() throws {
        let problem = try twoRequests()
        #expect(PlanVerifier.verify(DARPPlan(routes: [[3, 1, 2, 4], []], unserved: []), problem: problem).violations
            .contains { $0.contains("dropped off before it is picked up") })
        #expect(PlanVerifier.verify(DARPPlan(routes: [[1, 2, 4], [3]], unserved: []), problem: problem).violations
            .contains { $0.contains("not dropped off on the same route") })
        #expect(PlanVerifier.verify(DARPPlan(routes: [[1, 3, 1, 3], []], unserved: [1]), problem: problem).violations
            .contains { $0.contains("visited twice") })
    }

    @Test func everyRequestIsServedOrListedUnserved() throws {
        let problem = try twoRequests()
        #expect(PlanVerifier.verify(DARPPlan(routes: [[1, 3], []], unserved: []), problem: problem).violations
            .contains { $0.contains("neither served nor listed") })
        let partial = PlanVerifier.verify(DARPPlan(routes: [[1, 3], []], unserved: [1]), problem: problem)
        #expect(partial.feasible)
        // 0 -> 5 -> 15 -> 0, and one unserved request.
        #expect(partial.cost == 30 + problem.unservedPenalty)
    }

    @Test func lockedStopsMustHeadTheirRoute() throws {
        let problem = try twoRequests(locked: [2])
        #expect(PlanVerifier.verify(DARPPlan(routes: [[2, 4, 1, 3], []], unserved: []), problem: problem).feasible)
        #expect(PlanVerifier.verify(DARPPlan(routes: [[1, 3, 2, 4], []], unserved: []), problem: problem).violations
            .contains { $0.contains("locked stops") })
    }
}
