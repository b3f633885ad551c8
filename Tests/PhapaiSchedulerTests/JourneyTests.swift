import Testing
@testable import PhapaiScheduler

/// `problem` again, with each request changed by `change` (partners, assignments, penalties) and,
/// when given, other vehicles.
func rebuilt(
    _ problem: DARPProblem, vehicles: [DARPProblem.Vehicle]? = nil, _ change: (Int, inout DARPProblem.Request) -> Void = { _, _ in }
) throws -> DARPProblem {
    let requests = problem.requests.enumerated().map { index, request in
        var copy = request
        change(index, &copy)
        return copy
    }
    return try DARPProblem(
        dimensions: problem.dimensions, earliest: problem.earliest, latest: problem.latest, service: problem.service, load: problem.load,
        travelTime: problem.travelTime, travelCost: problem.travelCost, requests: requests, vehicles: vehicles ?? problem.vehicles,
        unservedPenalty: problem.unservedPenalty)
}

/// Pairs request a with b and b with a for every (a, b).
func pairing(_ pairs: [(Int, Int)]) -> (Int, inout DARPProblem.Request) -> Void {
    { index, request in
        for (a, b) in pairs {
            if index == a { request.partner = b }
            if index == b { request.partner = a }
        }
    }
}

@Suite("Journeys: both legs or neither")
struct JourneyTests {
    /// One vehicle whose shift ends at 100. Request 0 (10 -> 20) is an outbound trip whose return,
    /// request 1 (20 -> 10), is wanted at 150: after the shift. Request 2 (30 -> 40) stands alone.
    /// Greedy insertion alone would serve the outbound trip and strand the patient.
    func strandedReturn() throws -> DARPProblem {
        let base = try lineProblem(
            x: [0, 10, 20, 20, 10, 30, 40], windows: [(0, 100), (0, 100), (0, 100), (150, 160), (0, 200), (0, 100), (0, 100)],
            loads: [0, 1, -1, 1, -1, 1, -1], requests: [(1, 2, 100), (3, 4, 100), (5, 6, 100)], vehicles: [vehicle()])
        return try rebuilt(base, pairing([(0, 1)]))
    }

    @Test func anOutboundTripWhoseReturnCannotBeServedIsNotServedEither() throws {
        let problem = try strandedReturn()
        let result = DARPSolver(problem: problem).solve(SolverOptions(seed: 1, iterationLimit: 200))
        #expect(result.plan == DARPPlan(routes: [[5, 6]], unserved: [0, 1]))
        #expect(PlanVerifier.verify(result.plan, problem: problem).feasible)
        // 0 -> 30 -> 40 -> 0, and two unserved requests.
        #expect(result.cost == 80 + 2 * problem.unservedPenalty)
        #expect(result.unservedReasons[0] == "its partner request 1 cannot be served: no vehicle can serve it even alone: outside every vehicle's working hours")
        #expect(result.unservedReasons[1] == "no vehicle can serve it even alone: outside every vehicle's working hours")
    }

    @Test func aJourneyThatFitsIsServedWhole() throws {
        var problem = try strandedReturn()
        var latest = problem.latest
        latest[0] = 300
        problem = try DARPProblem(
            dimensions: 1, earliest: problem.earliest, latest: latest, service: problem.service, load: problem.load,
            travelTime: problem.travelTime, travelCost: problem.travelCost, requests: problem.requests, vehicles: problem.vehicles)
        let result = DARPSolver(problem: problem).solve(SolverOptions(seed: 1, iterationLimit: 200))
        #expect(result.plan.unserved.isEmpty)
        #expect(PlanVerifier.verify(result.plan, problem: problem).feasible)
    }

    /// a2-16 with each outbound request i paired with the inbound request i + 8; the return of
    /// request 3 is wanted after every shift has ended.
    @Test(arguments: [(1, 1), (2, 1), (3, 1), (1, 2)] as [(UInt64, Int)])
    func theSearchNeverSplitsAJourney(seed: UInt64, threads: Int) throws {
        let base = try a2_16().problem
        var earliest = base.earliest
        var latest = base.latest
        earliest[base.requests[11].pickup] = 2000
        latest[base.requests[11].pickup] = 2010
        let problem = try DARPProblem(
            dimensions: 1, earliest: earliest, latest: latest, service: base.service, load: base.load, travelTime: base.travelTime,
            travelCost: base.travelCost, requests: base.requests.enumerated().map { index, request in
                var copy = request
                copy.partner = index < 8 ? index + 8 : index - 8
                return copy
            }, vehicles: base.vehicles)
        let solver = DARPSolver(problem: problem)
        let result = solver.solve(SolverOptions(seed: seed, iterationLimit: 1_500, threads: threads))
        let check = PlanVerifier.verify(result.plan, problem: problem)
        #expect(check.feasible, "\(check.violations)")
        #expect(result.plan.unserved == [3, 11])
        #expect(result.unservedReasons[3]?.hasPrefix("its partner request 11 cannot be served") == true)
        #expect(abs(check.cost - result.cost) < 1e-6)
        #expect(solver.solve(SolverOptions(seed: seed, iterationLimit: 1_500, threads: threads)).plan == result.plan)
    }

    @Test func theVerifierFlagsHalfAJourney() throws {
        let problem = try strandedReturn()
        let check = PlanVerifier.verify(DARPPlan(routes: [[1, 2, 5, 6]], unserved: [1]), problem: problem)
        #expect(check.violations == ["request 0 is served but its partner 1 is not"])
        #expect(PlanVerifier.verify(DARPPlan(routes: [[5, 6]], unserved: [0, 1]), problem: problem).feasible)
    }

    @Test func theProblemRefusesPartnersThatDoNotPair() throws {
        let base = try strandedReturn()
        func refusal(vehicles: [DARPProblem.Vehicle]? = nil, _ change: @escaping (Int, inout DARPProblem.Request) -> Void) -> String? {
            do {
                _ = try rebuilt(base, vehicles: vehicles) { index, request in
                    request.partner = nil
                    change(index, &request)
                }
                return nil
            } catch let error as SchedulerError {
                return error.description
            } catch {
                return "\(error)"
            }
        }
        #expect(refusal { index, request in if index == 0 { request.partner = 1 } } == "invalid problem: request 0 names partner 1, whose partner is none")
        #expect(refusal(pairing([(0, 1), (1, 2)])) == "invalid problem: request 0 names partner 1, whose partner is 2")
        #expect(refusal { index, request in if index == 0 { request.partner = 0 } } == "invalid problem: request 0 names itself as its partner")
        #expect(refusal { index, request in if index == 0 { request.partner = 3 } } == "invalid problem: request 0 names partner 3, which does not exist")
        #expect(
            refusal(vehicles: [vehicle(locked: [1])], pairing([(0, 1)]))
                == "invalid problem: request 0 has partner 1, but its node 1 is locked on vehicle 0 (a journey under way is planned without partners)")
        #expect(refusal(vehicles: [vehicle(locked: [1])], pairing([(1, 2)])) == nil)
    }

    @Test func theProblemRefusesNegativeTravelTimes() throws {
        let base = try strandedReturn()
        var time = base.travelTime
        time[1] = -1
        #expect(throws: SchedulerError.invalidProblem("travel times must be numbers, not negative")) {
            try DARPProblem(
                dimensions: 1, earliest: base.earliest, latest: base.latest, service: base.service, load: base.load, travelTime: time,
                travelCost: base.travelCost, requests: base.requests, vehicles: base.vehicles)
        }
    }
}

@Suite("Journeys: same-day insertion")
struct JourneyInsertionTests {
    /// Vehicle 0 (cost 1 per unit, at most 30 on the road) and vehicle 1 (cost 2 per unit). Journey
    /// 0 (5 -> 10) and 1 (-5 -> -10), the second pinned to vehicle 0; journey 2 (3 -> 4) and 3
    /// (4 -> 3), whose return is wanted after every shift.
    func problem() throws -> DARPProblem {
        let base = try lineProblem(
            x: [0, 5, 10, -5, -10, 3, 4, 4, 3],
            windows: [(0, 1000), (0, 1000), (0, 1000), (0, 1000), (0, 1000), (0, 1000), (0, 1000), (2000, 2010), (0, 3000)],
            loads: [0, 1, -1, 1, -1, 1, -1, 1, -1], requests: [(1, 2, 100), (3, 4, 100), (5, 6, 100), (7, 8, 100)],
            vehicles: [vehicle(duration: 30), vehicle()])
        var vehicles = base.vehicles
        vehicles[1].costPerUnit = 2
        return try rebuilt(base, vehicles: vehicles) { index, request in
            pairing([(0, 1), (2, 3)])(index, &request)
            if index == 1 { request.allowedVehicles = [0] }
        }
    }

    let empty = DARPPlan(routes: [[], []], unserved: [0, 1, 2, 3])

    @Test func aJourneyIsInsertedWholeInTheReverseOrderWhenTheGivenOneFails() throws {
        let problem = try problem()
        // Request 0 first would take vehicle 0 (cost 20 against 40), where request 1 no longer fits.
        guard case .inserted(let placed, let plan, let increase) = DARPSolver(problem: problem).insert([0, 1], into: empty) else {
            Issue.record("the journey fits when its return goes first")
            return
        }
        #expect(placed == [
            PlacedRequest(request: 0, vehicle: 1, pickupTime: 5, dropoffTime: 10),
            PlacedRequest(request: 1, vehicle: 0, pickupTime: 5, dropoffTime: 10),
        ])
        #expect(plan == DARPPlan(routes: [[3, 4], [1, 2]], unserved: [2, 3]))
        #expect(increase == 20 + 40)
        #expect(PlanVerifier.verify(plan, problem: problem).feasible)
    }

    @Test func aJourneyWithALegThatFitsNowhereChangesNothing() throws {
        let problem = try problem()
        let solver = DARPSolver(problem: problem)
        guard case .inserted(_, let plan, _) = solver.insert([0, 1], into: empty) else {
            Issue.record("journey 0-1 fits")
            return
        }
        let outcome = solver.insert([2, 3], into: plan)
        #expect(outcome == .refused(request: 3, reason: "no vehicle can serve it even alone: outside every vehicle's working hours"))
        // Alone, request 2 would fit; it is refused because its return is not in the call.
        guard case .refused(let reason) = solver.insert(2, into: plan) else {
            Issue.record("a leg without its partner is refused")
            return
        }
        #expect(reason == "request 2 is one leg of a journey: insert it together with its partner request 3")
    }

    @Test func malformedCallsAreRefused() throws {
        let solver = DARPSolver(problem: try problem())
        #expect(solver.insert([0, 9], into: empty) == .refused(request: 9, reason: "unknown request 9"))
        #expect(solver.insert([0, 0, 1], into: empty) == .refused(request: 0, reason: "request 0 is named twice"))
        #expect(solver.insert([0], into: empty) == .refused(
            request: 0, reason: "request 0 is one leg of a journey: insert it together with its partner request 1"))
        #expect(solver.insert([2, 3], into: DARPPlan(routes: [[5, 6], []], unserved: [0, 1, 3])) == .refused(
            request: 2, reason: "request 2 is already in the plan"))
    }
}

@Suite("Warm start")
struct WarmStartTests {
    /// Vehicle 0 starts at 0 (x = 0) but now no earlier than 40; vehicle 1 starts at x = 100 and has
    /// request 3 (90 -> 80) picked up already. Request 0 (10 -> 20) must be picked up by 20, so only
    /// vehicle 0 leaving at 0 could have taken it; request 4 (20 -> 10) is its return.
    func problem(vehicle0Start: Double = 40) throws -> DARPProblem {
        let base = try lineProblem(
            x: [0, 100, 10, 20, 30, 40, 50, 60, 90, 80, 20, 10],
            windows: [(vehicle0Start, 1000), (0, 1000), (0, 20)] + Array(repeating: (0, 1000), count: 9),
            loads: [0, 0, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1], requests: [(2, 3, 100), (4, 5, 100), (6, 7, 100), (8, 9, 100), (10, 11, 100)],
            vehicles: [vehicle(), vehicle()])
        var vehicles = base.vehicles
        vehicles[1] = DARPProblem.Vehicle(startNode: 1, endNode: 1, capacity: [3], maxDuration: 1000, lockedNodes: [8])
        return try rebuilt(base, vehicles: vehicles, pairing([(0, 4)]))
    }

    /// Yesterday's plan: vehicle 0 took journey 0-4 and requests 1 and 2; vehicle 1's list holds a
    /// node that is no longer in the problem and a node twice.
    let yesterday = DARPPlan(routes: [[2, 3, 4, 5, 6, 7, 10, 11], [8, 99, 9, 9]], unserved: [])

    @Test func repairKeepsWhatStillFitsInItsOrder() throws {
        let problem = try problem()
        let solver = DARPSolver(problem: problem)
        #expect(!PlanVerifier.verify(yesterday, problem: problem).feasible)
        let repaired = solver.repaired(yesterday)
        #expect(repaired == DARPPlan(routes: [[4, 5, 6, 7], [8, 9]], unserved: [0, 4]))
        #expect(PlanVerifier.verify(repaired, problem: problem).feasible)
        // A plan that still fits comes back as it was.
        let fitting = DARPPlan(routes: [[2, 3, 4, 5, 6, 7, 10, 11], [8, 9]], unserved: [])
        #expect(DARPSolver(problem: try self.problem(vehicle0Start: 0)).repaired(fitting) == fitting)
        // Missing routes and a missing locked head come back empty and headed.
        #expect(solver.repaired(DARPPlan(routes: [], unserved: [])) == DARPPlan(routes: [[], [8, 9]], unserved: [0, 1, 2, 4]))
    }

    @Test func aWarmStartFromAnInfeasiblePlanIsNeverWorseThanItsRepair() throws {
        let problem = try problem()
        let solver = DARPSolver(problem: problem)
        let result = solver.solve(SolverOptions(seed: 1, iterationLimit: 300), initial: yesterday)
        let check = PlanVerifier.verify(result.plan, problem: problem)
        #expect(check.feasible, "\(check.violations)")
        #expect(result.plan.unserved == [0, 4])
        // Nothing else fits in, so the repaired plan is where the search starts.
        let start = PlanVerifier.verify(solver.repaired(yesterday), problem: problem).cost
        #expect(result.initialCost == start)
        #expect(result.cost <= start)
        #expect(result.cost == check.cost)
        #expect(solver.solve(SolverOptions(seed: 1, iterationLimit: 300)).initialCost == nil)
    }

    @Test func aWarmStartInsertsWhatItsInitialPlanLeftOut() throws {
        let problem = try problem(vehicle0Start: 0)
        let solver = DARPSolver(problem: problem)
        let result = solver.solve(SolverOptions(seed: 1, iterationLimit: 100), initial: DARPPlan(routes: [[4, 5], [8, 9]], unserved: []))
        #expect(result.plan.unserved.isEmpty)
        #expect(PlanVerifier.verify(result.plan, problem: problem).feasible)
        #expect(result.cost <= result.initialCost!)
    }
}

@Suite("Why a request does not fit")
struct ExplainTests {
    /// Request 0 (load 2, 10 -> 40, picked up in [50, 55], ride at most 35) against seven vehicles:
    /// 0 it is not assigned to; 1 seats one; 2 works until 30; 3 carries a passenger (request 1,
    /// locked) to x = 12 in [70, 72]; 4 has a break at the depot from 48 to 100 (request 2) and one
    /// at 300 (request 3); 5 is away for request 4 (-20 at 40 to -25 at 60); 6 is free.
    func problem() throws -> DARPProblem {
        let x: [Double] = [0, 0, 10, 40, 0, 12, 0, 0, 0, 0, -20, -25]
        let windows: [(Double, Double)] = [
            (0, 1000), (0, 30), (50, 55), (0, 1000), (0, 1000), (70, 72), (48, 48), (100, 100), (300, 300), (310, 310), (40, 40), (60, 60),
        ]
        var service = [Double](repeating: 0, count: x.count)
        service[6] = 52
        service[8] = 10
        let base = try lineProblem(
            x: x, windows: windows, service: service, loads: [0, 0, 2, -2, 1, -1, 0, 0, 0, 0, 2, -2],
            requests: [(2, 3, 35), (4, 5, 1000), (6, 7, 0), (8, 9, 0), (10, 11, 100)], vehicles: [vehicle()])
        let vehicles = [
            vehicle(), vehicle(capacity: 1), DARPProblem.Vehicle(startNode: 1, endNode: 1, capacity: [3], maxDuration: 1000),
            vehicle(locked: [4]), vehicle(), vehicle(capacity: 2), vehicle(),
        ]
        return try rebuilt(base, vehicles: vehicles) { index, request in
            switch index {
            case 0: request.allowedVehicles = [1, 2, 3, 4, 5, 6]
            case 2, 3:
                request.allowedVehicles = [4]
                request.unservedPenalty = 1e12
            case 4: request.allowedVehicles = [5]
            default: break
            }
        }
    }

    let plan = DARPPlan(routes: [[], [], [], [4, 5], [6, 7, 8, 9], [10, 11], []], unserved: [0])

    @Test func eachVehicleNamesItsOwnObstacle() throws {
        let problem = try problem()
        #expect(PlanVerifier.verify(plan, problem: problem).feasible)
        let solver = DARPSolver(problem: problem)
        #expect(solver.explain(0, in: plan, fixedPenalty: 1e9) == [.notAllowed, .capacity, .timeWindows, .rideTime, .blockedBy([2]), .busy, .fits])
        // With every request counted as fixed, vehicle 5's passenger blocks too.
        #expect(solver.explain(0, in: plan, fixedPenalty: 0)[5] == .blockedBy([4]))
        // A request already in the plan is explained as if it were taken out first.
        #expect(solver.explain(4, in: plan, fixedPenalty: 1e9)[5] == .fits)
    }

    @Test func withNoSingleBlockerEveryFixedRequestIsListed() throws {
        // The second break moves to 110-120: request 0 (home at 120 at the earliest) fits around
        // neither break, so taking out one of them alone never makes room.
        var problem = try problem()
        var earliest = problem.earliest, latest = problem.latest
        (earliest[8], latest[8], earliest[9], latest[9]) = (110, 110, 120, 120)
        problem = try DARPProblem(
            dimensions: 1, earliest: earliest, latest: latest, service: problem.service, load: problem.load, travelTime: problem.travelTime,
            travelCost: problem.travelCost, requests: problem.requests, vehicles: problem.vehicles)
        #expect(PlanVerifier.verify(plan, problem: problem).feasible)
        #expect(DARPSolver(problem: problem).explain(0, in: plan, fixedPenalty: 1e9)[4] == .blockedBy([2, 3]))
    }

    @Test func theUnservedReasonNamesTheBlockingBreak() throws {
        // Only vehicle 4 may take request 0: the break at 48-100 is why it stays unserved.
        let problem = try rebuilt(try problem()) { index, request in if index == 0 { request.allowedVehicles = [4] } }
        let result = DARPSolver(problem: problem).solve(SolverOptions(seed: 1, iterationLimit: 50), initial: plan)
        #expect(result.plan.unserved == [0])
        #expect(result.unservedReasons[0] == "no vehicle has room at that time alongside the other requests: blocked by request 2 on vehicle 4")
    }

    @Test(arguments: [
        ([1], "no vehicle can serve it even alone: its load exceeds the capacity of every vehicle allowed to take it"),
        ([2], "no vehicle can serve it even alone: outside every vehicle's working hours"),
        ([3], "no vehicle can serve it even alone within its ride-time limit"),
        ([5], "no vehicle has room at that time alongside the other requests"),
        ([], "no vehicle is allowed to take it"),
    ] as [(Set<Int>, String)])
    func theUnservedReasonNamesTheClosestObstacle(allowed: Set<Int>, reason: String) throws {
        let problem = try rebuilt(try problem()) { index, request in if index == 0 { request.allowedVehicles = allowed } }
        let result = DARPSolver(problem: problem).solve(SolverOptions(seed: 1, iterationLimit: 20), initial: plan)
        #expect(result.plan.unserved == [0])
        #expect(result.unservedReasons[0] == reason)
    }
}
