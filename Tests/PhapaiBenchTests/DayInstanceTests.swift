import Foundation
import Testing
import PhapaiScheduler
@testable import PhapaiBench

/// The repository root, from this file's place in it.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fresh temporary folder for one test.
func temporaryFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("phapai-bench-tests-" + UUID().uuidString)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

@Suite("Generated day-long instances")
struct DayInstanceTests {
    @Test func aGeneratedDayHasTheHeldOutShape() throws {
        let text = InstanceGenerator.dayText(requests: 40, windows: .narrow, seed: 3)
        #expect(text.hasPrefix("9 40 480 6 90\n0 0.0 0.0 0 0 0 1440\n"))
        let instance = try CordeauInstance(text: text)
        let problem = instance.problem
        #expect(instance.requestCount == 40)
        #expect(problem.vehicles.count == InstanceGenerator.defaultVehicles(requests: 40))
        #expect(problem.vehicles.allSatisfy { $0.capacity == [6] && $0.maxDuration == 480 })
        #expect(problem.earliest[0] == 0 && problem.latest[0] == 1440 && problem.latest[problem.nodeCount - 1] == 1440)
        var companions = 0
        for (index, request) in problem.requests.enumerated() {
            #expect(request.maxRide == 90)
            #expect(problem.service[request.pickup] == 10 && problem.service[request.dropoff] == 10)
            let load = problem.load[request.pickup]
            #expect(load == 1 || load == 2)
            if load == 2 { companions += 1 }
            // Outbound first: the window on the drop-off; inbound: on the pickup; the other end has the day.
            let (timed, open) = index < 20 ? (request.dropoff, request.pickup) : (request.pickup, request.dropoff)
            #expect(problem.latest[timed] - problem.earliest[timed] == 15)
            #expect(problem.earliest[timed] >= (index < 20 ? 420 : 540) && problem.earliest[timed] < (index < 20 ? 960 : 1080))
            #expect(problem.earliest[open] == 0 && problem.latest[open] == 1440)
        }
        #expect(companions > 0 && companions < 20)
        let xs = (0..<problem.nodeCount).map { problem.time(0, $0) }
        #expect(xs.max()! <= 30 * 2.0.squareRoot())
        let wide = try CordeauInstance(text: InstanceGenerator.dayText(requests: 40, vehicles: 4, windows: .wide, seed: 3))
        #expect(wide.problem.vehicles.count == 4)
        #expect(wide.problem.latest[wide.problem.requests[0].dropoff] - wide.problem.earliest[wide.problem.requests[0].dropoff] == 60)
        // Same seed, same bytes; another seed, another day.
        #expect(InstanceGenerator.dayText(requests: 40, windows: .narrow, seed: 3) == text)
        #expect(InstanceGenerator.dayText(requests: 40, windows: .narrow, seed: 4) != text)
    }

    @Test func dropOffsGatherAtThreeHospitals() throws {
        let problem = try CordeauInstance(text: InstanceGenerator.dayText(requests: 200, seed: 9)).problem
        var places: [String: Int] = [:]
        for request in problem.requests.prefix(100) {
            places["\(problem.time(0, request.dropoff))", default: 0] += 1
        }
        let busiest = places.values.sorted(by: >)
        // About three in four outbound trips end at a hospital, the others anywhere.
        #expect(busiest.count > 3 && busiest.prefix(3).reduce(0, +) >= 60 && busiest[3] == 1)
    }

    @Test(arguments: [(24, InstanceGenerator.DayWindows.narrow, UInt64(1)), (36, .wide, 2), (48, .narrow, 5)])
    func aGeneratedDayIsServedWholeByItsDefaultFleet(requests: Int, windows: InstanceGenerator.DayWindows, seed: UInt64) throws {
        let instance = try CordeauInstance(text: InstanceGenerator.dayText(requests: requests, windows: windows, seed: seed))
        let result = DARPSolver(problem: instance.problem).solve(SolverOptions(seed: 1, iterationLimit: 300))
        let check = PlanVerifier.verify(result.plan, problem: instance.problem)
        #expect(check.feasible, "\(check.violations.prefix(3))")
        #expect(result.plan.unserved.isEmpty)
        #expect(check.vehiclesUsed <= instance.problem.vehicles.count)
    }

    /// Every `phapai-bench generate` command of the folder's README, run again, gives the committed bytes.
    @Test func theCommittedDevelopmentSetRegeneratesByteForByte() throws {
        let folder = repositoryRoot.appendingPathComponent("simulations/darp-days")
        let readme = try String(contentsOf: folder.appendingPathComponent("README.md"), encoding: .utf8)
        let commands = readme.split(separator: "\n").filter { $0.hasPrefix(".build/release/phapai-bench generate ") }
        let scratch = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        var checked = Set<String>()
        for command in commands {
            var arguments = command.split(separator: " ").dropFirst().map(String.init)
            let out = try #require(arguments.firstIndex(of: "--out").map { $0 + 1 })
            let committed = repositoryRoot.appendingPathComponent(arguments[out])
            let again = scratch.appendingPathComponent(committed.lastPathComponent)
            arguments[out] = again.path
            #expect(BenchCommand.run(arguments) == 0)
            #expect(try Data(contentsOf: again) == Data(contentsOf: committed), "\(committed.lastPathComponent)")
            checked.insert(committed.lastPathComponent)
        }
        // Every generated file in the folder has its command in the README.
        let generated = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("n") && $0.hasSuffix(".txt") }
        #expect(Set(generated) == checked)
        #expect(checked.count >= 23)
    }

    /// Each cost of `bks.tsv` is that of a kept solution (`best/NAME.sol`) that `check` passes.
    @Test func theBestKnownTableMatchesItsKeptSolutions() throws {
        let folder = repositoryRoot.appendingPathComponent("simulations/darp-days")
        let table = try String(contentsOf: folder.appendingPathComponent("bks.tsv"), encoding: .utf8)
        let rows = table.split(separator: "\n").dropFirst().map { $0.split(separator: "\t").map(String.init) }
        let instances = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".txt") }
        #expect(Set(rows.map { $0[0] + ".txt" }) == Set(instances))
        for row in rows {
            let text = try String(contentsOf: folder.appendingPathComponent(row[0] + ".txt"), encoding: .utf8)
            let header = text.prefix { $0 != "\n" }.split(separator: " ")
            #expect(row.count == 4 && row[1] == String(header[0]) && row[2] == String(header[1]), "\(row)")
            let report = try SolutionCheck.check(
                instanceText: text, solutionText: String(contentsOf: folder.appendingPathComponent("best/\(row[0]).sol"), encoding: .utf8))
            #expect(report.passed, "\(row[0])")
            #expect(String(format: "%.2f", report.check.travelCost) == row[3], "\(row[0])")
        }
    }

    @Test func generateRefusesBadOptionsNamingThem() throws {
        let scratch = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("day.txt").path
        for arguments in [
            ["generate"], ["generate", "--requests", "0"], ["generate", "--requests", "ten"], ["generate", "--requests", "10001"],
            ["generate", "--requests", "10", "--windows", "medium"], ["generate", "--requests", "10", "--vehicles", "0"],
            ["generate", "--requests", "10", "--colour", "red"], ["generate", "--requests", "10", "file.txt"],
            ["generate", "--requests", "10", "--seed", "-1"], ["generate", "--requests", "10", "--out", scratch.path + "/no/such/day.txt"],
        ] {
            #expect(BenchCommand.run(arguments) == 1, "\(arguments)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(BenchCommand.run(["generate", "--requests", "10", "--windows", "wide", "--seed", "4", "--out", out]) == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == InstanceGenerator.dayText(requests: 10, windows: .wide, seed: 4))
    }

    @Test func theOldScaleInstancesAreUnchanged() {
        // `scale` and `insert` figures stay comparable only while this text stays the same.
        let expected = """
            2 4 1440 3 30
            0 0.0 0.0 0 0 0 1440
            1 4.058 0.409 3 1 0 1440
            2 -7.129 -8.579 3 1 0 1440
            3 8.651 9.144 3 1 852 867
            4 7.811 -8.391 3 1 144 159
            5 1.482 -2.173 3 -1 980 995
            6 -2.376 7.343 3 -1 788 803
            7 8.655 3.382 3 -1 0 1440
            8 -0.173 -9.084 3 -1 0 1440
            9 0.0 0.0 0 0 0 1440

            """
        #expect(InstanceGenerator.cordeauText(requests: 4, vehicles: 2, seed: 1) == expected)
    }

    @Test func bestKnownCostsAreFoundBesideRelativePaths() throws {
        // "./x.txt" once crashed Foundation's path handling; a relative path now reads like any other.
        #expect(DARPBenchmark.loadBestKnown(near: ["./x.txt"]) == DARPBenchmark.loadBestKnown(near: ["x.txt"]))
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "instance\tvehicles\trequests\tbest_known_cost\nn24\t6\t24\t812.5\n".write(
            to: folder.appendingPathComponent("bks.tsv"), atomically: true, encoding: .utf8)
        #expect(DARPBenchmark.loadBestKnown(near: [folder.appendingPathComponent("n24.txt").path]) == ["n24": 812.5])
    }
}
