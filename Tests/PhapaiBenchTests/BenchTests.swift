import Foundation
import Testing
import PhapaiScheduler
@testable import PhapaiBench

@Suite("Benchmark helpers")
struct BenchTests {
    @Test func generatedInstancesReadBackInCordeauFormat() throws {
        let text = InstanceGenerator.cordeauText(requests: 40, vehicles: 3, seed: 5)
        #expect(text.hasPrefix("3 40 1440 3 30\n"))
        let instance = try CordeauInstance(text: text)
        #expect(instance.requestCount == 40)
        #expect(instance.problem.vehicles.count == 3)
        // Outbound half: window on the drop-off; inbound half: window on the pickup.
        let first = instance.problem.requests[0]
        #expect(instance.problem.latest[first.dropoff] - instance.problem.earliest[first.dropoff] == 15)
        let last = instance.problem.requests[39]
        #expect(instance.problem.latest[last.pickup] - instance.problem.earliest[last.pickup] == 15)
        #expect(InstanceGenerator.cordeauText(requests: 40, vehicles: 3, seed: 5) == text)
        #expect(InstanceGenerator.cordeauText(requests: 40, vehicles: 3, seed: 6) != text)
    }

    @Test func solutionFilesListNonEmptyRoutesInTheFileNumberingAndTheCost() throws {
        let text = "2 2 480 3 30\n0 0 0 0 0 0 480\n1 1 0 3 1 0 1440\n2 2 0 3 1 0 1440\n3 3 0 3 -1 0 1440\n4 4 0 3 -1 0 1440\n"
        let instance = try CordeauInstance(text: text)
        let plan = DARPPlan(routes: [[], [1, 2, 3, 4]], unserved: [])
        let check = PlanVerifier.verify(plan, problem: instance.problem)
        #expect(check.feasible)
        // No end depot line: the start depot (id 0) closes the route.
        #expect(DARPBenchmark.solutionText(plan, instance: instance, cost: check.travelCost) == "route 1: 1 2 3 4\ncost 8.00\n")
    }

    @Test func theDARPBenchmarkSolvesEachInstanceOncePerThreadCount() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("phapai-bench-threads-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try InstanceGenerator.cordeauText(requests: 12, vehicles: 2, seed: 3).write(toFile: folder + "/g12.txt", atomically: true, encoding: .utf8)
        var lines: [String] = []
        let rows = try DARPBenchmark.run(
            paths: [folder], seconds: 60, iterations: 600, seed: 1, threadCounts: [1, 2], outputFolder: folder, print: { lines.append($0) })
        #expect(rows.map(\.threads) == [1, 2])
        #expect(rows.filter(\.verified).count == 2)
        #expect(rows[0].iterations == 600 && rows[1].iterations == 1_200)
        #expect(FileManager.default.fileExists(atPath: folder + "/g12-t1.sol") && FileManager.default.fileExists(atPath: folder + "/g12-t2.sol"))
        #expect(lines.first?.hasPrefix("instance   threads") == true)
        #expect(BenchCommand.run(["darp", folder, "--iterations", "10", "--threads", "0"]) == 1)
    }

    @Test func percentilesUseTheNearestRank() {
        let samples = (1...100).map(Double.init)
        #expect(InsertionBenchmark.percentile(samples, 0.5) == 50)
        #expect(InsertionBenchmark.percentile(samples, 0.99) == 99)
        #expect(InsertionBenchmark.percentile([3], 0.99) == 3)
    }
}
