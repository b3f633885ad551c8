import Foundation
import Testing
import PhapaiScheduler
@testable import PhapaiBench

@Suite("phapai-bench check")
struct SolutionCheckTests {
    /// Two requests on a line, two vehicles: 1 -> 3 and 2 -> 4, route duration 480, ride 30.
    static let instance = "2 2 480 3 30\n0 0 0 0 0 0 480\n1 1 0 3 1 0 1440\n2 2 0 3 1 0 1440\n3 3 0 3 -1 0 1440\n4 4 0 3 -1 0 1440\n5 0 0 0 0 0 480\n"

    @Test func aGoodSolutionPassesWithItsCostRecomputed() throws {
        let report = try SolutionCheck.check(instanceText: Self.instance, solutionText: "route 1: 1 2 3 4\ncost 8.00\n")
        #expect(report.passed)
        #expect(report.served == 2 && report.unserved.isEmpty && report.routes == 1)
        #expect(abs(report.check.travelCost - 8) < 1e-9)
        #expect(report.statedCost == 8)
        // Two routes, no cost line: still fine.
        let two = try SolutionCheck.check(instanceText: Self.instance, solutionText: "route 1: 1 3\nroute 2: 2 4\n")
        #expect(two.passed && two.check.vehiclesUsed == 2 && abs(two.check.travelCost - 14) < 1e-9 && two.statedCost == nil)
    }

    @Test func whatTheBenchWritesTheCheckReadsBack() throws {
        let text = InstanceGenerator.dayText(requests: 12, windows: .wide, seed: 2)
        let instance = try CordeauInstance(text: text)
        let result = DARPSolver(problem: instance.problem).solve(SolverOptions(seed: 1, iterationLimit: 200))
        let cost = PlanVerifier.verify(result.plan, problem: instance.problem).travelCost
        let report = try SolutionCheck.check(instanceText: text, solutionText: DARPBenchmark.solutionText(result.plan, instance: instance, cost: cost))
        #expect(report.passed)
        #expect(report.served == 12)
        #expect(abs(report.check.travelCost - cost) < 1e-9)
    }

    @Test func aDropOffBeforeItsPickupIsInfeasible() throws {
        let report = try SolutionCheck.check(instanceText: Self.instance, solutionText: "route 1: 3 1 2 4\ncost 8.00\n")
        #expect(!report.passed && !report.check.feasible)
        #expect(report.check.violations.contains { $0.contains("dropped off before it is picked up") })
        #expect(report.served == 2)
    }

    @Test func aMissingRequestIsUnservedAndFails() throws {
        let report = try SolutionCheck.check(instanceText: Self.instance, solutionText: "route 1: 2 4\n")
        #expect(report.check.feasible)
        #expect(!report.passed)
        #expect(report.served == 1 && report.unserved == [1])
        // Half a request (a pickup without its drop-off) is a violation, not an unserved request.
        let half = try SolutionCheck.check(instanceText: Self.instance, solutionText: "route 1: 1 2 4\n")
        #expect(!half.check.feasible && half.unserved.isEmpty && half.served == 1)
        // No route at all (a solver that found nothing in its budget): everyone unserved.
        let nothing = try SolutionCheck.check(instanceText: Self.instance, solutionText: "cost 0.00\n")
        #expect(nothing.check.feasible && !nothing.passed && nothing.served == 0 && nothing.unserved == [1, 2])
        let orphan = try SolutionCheck.check(instanceText: Self.instance, solutionText: "route 1: 3 2 4\n")
        #expect(!orphan.check.feasible && orphan.check.violations.contains { $0.contains("dropped off but not picked up") })
    }

    @Test func tooManyRoutesOrAVisitTwiceIsInfeasible() throws {
        let three = try SolutionCheck.check(instanceText: Self.instance, solutionText: "route 1: 1\nroute 2: 2 4\nroute 3: 3\n")
        #expect(!three.check.feasible && three.routes == 3)
        #expect(three.check.violations.contains { $0.contains("3 routes for 2 vehicles") })
        // Numbers are labels: an empty route, or routes numbered 2 and 5, use two vehicles.
        let labels = try SolutionCheck.check(instanceText: Self.instance, solutionText: "route 2: 1 3\nroute 3:\nroute 5: 2 4\n")
        #expect(labels.passed && labels.routes == 2)
        let twice = try SolutionCheck.check(instanceText: Self.instance, solutionText: "route 1: 1 3\nroute 2: 1 2 3 4\n")
        #expect(twice.check.violations.contains { $0.contains("visited twice") })
    }

    @Test(arguments: [
        ("route 1: 1 2 3 99\n", "node 99, which the instance does not have"),
        ("route 1: 0 1 3\n", "lists depot 0"),
        ("route 1: 1 x 3\n", "line 1: node ids are whole numbers, not 'x'"),
        ("route one: 1 3\n", "a route number is a whole number from 1"),
        ("route 1: 1 3\nroute 1: 2 4\n", "line 2: route 1 is listed twice"),
        ("1 2 3 4\n", "expected 'route K: node ids...' or 'cost X'"),
        ("route 1: 1 2 3 4\ncost cheap\n", "a cost line is 'cost X'"),
        ("", "no 'route K: ...' or 'cost X' line"),
    ])
    func aBrokenFileIsRefusedWithTheLineAndTheRule(solution: String, message: String) {
        #expect {
            try SolutionCheck.check(instanceText: Self.instance, solutionText: solution, solutionName: "a.sol")
        } throws: { error in
            "\(error)".contains(message) && "\(error)".hasPrefix("a.sol")
        }
    }

    @Test func theCommandExitsZeroOnlyForAFeasibleWholeSolution() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let instance = folder.appendingPathComponent("i.txt").path
        try Self.instance.write(toFile: instance, atomically: true, encoding: .utf8)
        func run(_ solution: String) throws -> Int32 {
            let path = folder.appendingPathComponent("s.sol").path
            try solution.write(toFile: path, atomically: true, encoding: .utf8)
            return BenchCommand.run(["check", instance, path])
        }
        #expect(try run("route 1: 1 2 3 4\ncost 8.00\n") == 0)
        #expect(try run("route 1: 3 1 2 4\n") == 1)
        #expect(try run("route 1: 1 3\n") == 1)
        #expect(try run("route 1: 1 2 3 77\n") == 1)
        #expect(BenchCommand.run(["check", instance]) == 1)
        #expect(BenchCommand.run(["check", instance, folder.appendingPathComponent("none.sol").path]) == 1)
        #expect(BenchCommand.run(["check", folder.appendingPathComponent("none.txt").path, instance]) == 1)
        // An instance that is not one is refused with the reader's message, not a crash.
        #expect(BenchCommand.run(["check", folder.appendingPathComponent("s.sol").path, instance]) == 1)
    }
}
