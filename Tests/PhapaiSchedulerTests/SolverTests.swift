import Foundation
import Testing
@testable import PhapaiScheduler

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

func a2_16() throws -> CordeauInstance {
    try CordeauInstance(text: String(contentsOf: fixtures.appendingPathComponent("a2-16.txt"), encoding: .utf8))
}

@Suite("Cordeau reader")
struct ReaderTests {
    @Test func readsTheStandardFile() throws {
        let instance = try a2_16()
        #expect(instance.requestCount == 16)
        #expect(instance.problem.vehicles.count == 2)
        #expect(instance.problem.nodeCount == 34)
        #expect(instance.problem.requests[0].maxRide == 30)
        #expect(instance.problem.vehicles[0].maxDuration == 480)
        #expect(instance.fileNodeIDs.last == 33)
        // Euclidean, never rounded: node 0 (0,0) to node 1 (-1.198, -5.164).
        #expect(abs(instance.problem.time(0, 1) - (1.198 * 1.198 + 5.164 * 5.164).squareRoot()) < 1e-12)
    }

    static let small = """
        0   0.0  0.0  0  0  0 480
        1   1.0  0.0  3  1  0 1440
        2   2.0  0.0  3  1  0 1440
        3   3.0  0.0  3 -1  0 1440
        4   4.0  0.0  3 -1  0 1440
        """

    @Test(arguments: [("2 2 480 3 30", true), ("2 4 480 3 30", true), ("2 2 480 3 30", false), ("2 4 480 3 30", false)])
    func readsBothHeaderVariantsWithOrWithoutEndDepot(header: String, endDepot: Bool) throws {
        let text = header + "\n" + Self.small + (endDepot ? "\n5 0.0 0.0 0 0 0 480" : "") + "\n"
        let instance = try CordeauInstance(text: text)
        #expect(instance.requestCount == 2)
        #expect(instance.problem.requests.map(\.pickup) == [1, 2])
        #expect(instance.problem.requests.map(\.dropoff) == [3, 4])
        let end = instance.problem.vehicles[0].endNode
        #expect(instance.problem.time(0, end) == 0)
        #expect(instance.fileNodeIDs[end] == (endDepot ? 5 : 0))
    }

    @Test func refusesMalformedFiles() {
        #expect(throws: SchedulerError.self) { try CordeauInstance(text: "2 2 480\n") }
        #expect(throws: SchedulerError.self) { try CordeauInstance(text: "2 2 480 3 30\n0 0 0 0 0 0 x\n") }
        #expect(throws: SchedulerError.self) { try CordeauInstance(text: "2 1 480 3 30\n0 0 0 0 0 0 480\n1 1 0 3 1 0 100\n2 2 0 3 1 0 100\n") }
    }
}

@Suite("DARP solver")
struct SolverTests {
    @Test func reachesTheOptimumOfA2_16() throws {
        let instance = try a2_16()
        let result = DARPSolver(problem: instance.problem).solve(SolverOptions(seed: 1, iterationLimit: 8_000))
        let check = PlanVerifier.verify(result.plan, problem: instance.problem)
        #expect(check.feasible, "\(check.violations)")
        #expect(result.plan.unserved.isEmpty)
        #expect(abs(check.travelCost - 294.25) < 0.005, "cost \(check.travelCost)")
    }

    @Test func parallelSearchesWithAnIterationBudgetGiveTheSamePlanEveryTime() throws {
        let instance = try CordeauInstance(text: String(contentsOf: fixtures.appendingPathComponent("a2-16.txt"), encoding: .utf8))
        // 13,000 iterations each: two exchanges of best plans (every 6,000) and a part epoch.
        let options = SolverOptions(seed: 3, iterationLimit: 13_000, threads: 3)
        let first = DARPSolver(problem: instance.problem).solve(options)
        let second = DARPSolver(problem: instance.problem).solve(options)
        #expect(first.plan == second.plan)
        #expect(first.cost == second.cost)
        #expect(first.iterations == 3 * 13_000)
        let check = PlanVerifier.verify(first.plan, problem: instance.problem)
        #expect(check.feasible, "\(check.violations)")
        #expect(first.plan.unserved.isEmpty)
        #expect(abs(first.cost - check.travelCost) < 1e-6)
    }

    @Test func threadSeedsDifferAndThreadZeroKeepsTheSeed() {
        #expect(DARPSolver.threadSeed(5, 0) == 5)
        #expect(Set((0..<8).map { DARPSolver.threadSeed(5, $0) }).count == 8)
    }

    @Test func theSameSeedGivesTheSamePlan() throws {
        let instance = try a2_16()
        let first = DARPSolver(problem: instance.problem).solve(SolverOptions(seed: 7, iterationLimit: 300))
        let second = DARPSolver(problem: instance.problem).solve(SolverOptions(seed: 7, iterationLimit: 300))
        #expect(first.plan == second.plan)
        #expect(first.cost == second.cost)
    }

    @Test func rankSelectionPicksWhatAStableSortWouldPutThere() throws {
        let problem = try a2_16().problem
        let search = Search(problem: problem, flat: FlatProblem(problem), seed: 1)
        var random = SeededGenerator(seed: 3)
        for size in [1, 2, 7, 50] {
            // Few distinct keys, so most have ties.
            let items = (0..<size).map { (key: Double(random.below(4)), order: $0, value: 100 + $0) }
            let sorted = items.sorted { $0.key < $1.key }
            for rank in 0..<size {
                var scratch = items
                #expect(search.stableRank(&scratch, rank) == sorted[rank].value)
            }
        }
    }

    @Test func unservableRequestsAreReportedWithAReason() throws {
        // The drop-off window closes before the pickup can be reached.
        let problem = try lineProblem(
            x: [0, 10, 20, 30, 40], windows: [(0, 100), (0, 100), (0, 100), (0, 100), (0, 5)], loads: [0, 1, 1, -1, -1],
            requests: [(1, 3, 50), (2, 4, 50)], vehicles: [vehicle()])
        let result = DARPSolver(problem: problem).solve(SolverOptions(seed: 1, iterationLimit: 50))
        #expect(result.plan.unserved == [1])
        #expect(result.unservedReasons[1]?.contains("even alone") == true)
        #expect(PlanVerifier.verify(result.plan, problem: problem).feasible)
    }
}

@Suite("Same-day insertion")
struct InsertionTests {
    /// Three requests on a line; request 0 (nodes 1 -> 4) is under way on vehicle 0.
    func problem(lockedPickup: Bool) throws -> DARPProblem {
        try lineProblem(
            x: [0, 5, 10, 15, 20, 25, 30], windows: Array(repeating: (0, 500), count: 7), loads: [0, 1, 1, 1, -1, -1, -1],
            requests: [(1, 4, 100), (2, 5, 100), (3, 6, 100)],
            vehicles: [vehicle(locked: lockedPickup ? [1] : []), vehicle()])
    }

    @Test func insertsBehindLockedStopsAndNeverMovesThem() throws {
        let problem = try problem(lockedPickup: true)
        let solver = DARPSolver(problem: problem)
        let plan = DARPPlan(routes: [[1, 4], []], unserved: [1, 2])
        guard case .inserted(let result) = solver.insert(1, into: plan) else {
            Issue.record("request 1 should fit")
            return
        }
        #expect(result.vehicle == 0)
        #expect(result.plan.routes[0].first == 1)
        #expect(result.plan.routes[0].contains(2) && result.plan.routes[0].contains(5))
        #expect(result.pickupTime >= 10 - 1e-9)
        #expect(result.dropoffTime > result.pickupTime)
        let check = PlanVerifier.verify(DARPPlan(routes: result.plan.routes, unserved: [2]), problem: problem)
        #expect(check.feasible, "\(check.violations)")
        // 0 -> 5 -> 20 -> 0 (40) becomes 0 -> 5 -> 10 -> 20 -> 25 -> 0 (50).
        #expect(abs(result.costIncrease - 10) < 1e-9)
    }

    @Test func refusesWithAReasonWhenNothingFits() throws {
        let problem = try lineProblem(
            x: [0, 5, 10, 15, 20], windows: [(0, 100), (0, 100), (0, 100), (0, 100), (0, 1)], loads: [0, 1, 1, -1, -1],
            requests: [(1, 3, 100), (2, 4, 100)], vehicles: [vehicle()])
        let outcome = DARPSolver(problem: problem).insert(1, into: DARPPlan(routes: [[1, 3]], unserved: [1]))
        guard case .refused(let reason) = outcome else {
            Issue.record("request 1 cannot be served")
            return
        }
        #expect(reason.contains("even alone"))
    }

    @Test func refusesARequestAlreadyPlanned() throws {
        let problem = try problem(lockedPickup: false)
        let outcome = DARPSolver(problem: problem).insert(0, into: DARPPlan(routes: [[1, 4], []], unserved: [1, 2]))
        guard case .refused(let reason) = outcome else {
            Issue.record("request 0 is already planned")
            return
        }
        #expect(reason.contains("already"))
    }
}

@Suite("Manual assignment")
struct AssignmentTests {
    @Test func aRequestAssignedToAVehicleIsServedOnlyByIt() throws {
        var problem = try lineProblem(
            x: [0, 5, 10, 15, 20], windows: Array(repeating: (0, 500), count: 5), loads: [0, 1, 1, -1, -1],
            requests: [(1, 3, 100), (2, 4, 100)], vehicles: [vehicle(), vehicle()])
        let requests = problem.requests.enumerated().map { index, request in
            DARPProblem.Request(pickup: request.pickup, dropoff: request.dropoff, maxRide: request.maxRide, allowedVehicles: index == 1 ? [1] : nil)
        }
        problem = try DARPProblem(
            dimensions: 1, earliest: problem.earliest, latest: problem.latest, service: problem.service, load: problem.load,
            travelTime: problem.travelTime, travelCost: problem.travelCost, requests: requests, vehicles: problem.vehicles)
        let result = DARPSolver(problem: problem).solve(SolverOptions(seed: 1, iterationLimit: 100))
        #expect(result.plan.routes[1].contains(2) && result.plan.routes[1].contains(4))
        #expect(PlanVerifier.verify(result.plan, problem: problem).feasible)
        #expect(PlanVerifier.verify(DARPPlan(routes: [[1, 2, 3, 4], []], unserved: []), problem: problem).violations
            .contains { $0.contains("assigned to other vehicles") })
    }
}
