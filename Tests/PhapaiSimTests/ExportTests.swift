import Foundation
import Testing
import PhapaiScheduler
@testable import PhapaiSim

@Suite("phapai-sim export-darp")
struct ExportTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("phapai-sim-export-tests-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The hand-computed scenario's day: the village sits on the depot, the hospital 10.0075 km due
    /// north (circuity 1.0, 60 km/h: 10.0075 minutes, written 10.008). The car works 07:00-17:00,
    /// plus 180 minutes of overtime for the depot's closing. The appointment at 09:00 puts the
    /// drop-off in [08:00, 08:45] (15 to 60 minutes before); the return at 11:00 is picked up in
    /// [11:00, 11:30]. The ride limit is 1.5 x 601 s + 20 min = 2,101.5 s, a minute up: 36.
    @Test func aHandComputedDayIsExportedExactly() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = folder.appendingPathComponent("hand.json")
        try TestScenarios.handComputed.write(to: scenario, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("hand.txt")
        #expect(SimCommand.run(["export-darp", scenario.path, "--day", "1", "--out", out.path]) == 0)
        let text = try String(contentsOf: out, encoding: .utf8)
        #expect(text == """
            1 2 600 3 36
            0 0 0 0 0 420 1200
            1 0 0 2 1 482 512
            2 0 10.008 2 1 660 690
            3 0 10.008 2 -1 480 525
            4 0 0 2 -1 672.017 728
            5 0 0 0 0 420 1200

            """)
        let instance = try CordeauInstance(text: text)
        #expect(instance.requestCount == 2 && abs(instance.problem.time(0, 3) - 10.008) < 1e-9)
        // Served by the one car, both legs.
        let result = DARPSolver(problem: instance.problem).solve(SolverOptions(seed: 1, iterationLimit: 50))
        #expect(result.plan.unserved.isEmpty && PlanVerifier.verify(result.plan, problem: instance.problem).feasible)
    }

    /// The committed simulated days are what the README's commands give.
    @Test func theCommittedSimulatedDaysExportByteForByte() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let readme = try String(contentsOf: Self.root.appendingPathComponent("simulations/darp-days/README.md"), encoding: .utf8)
        let commands = readme.split(separator: "\n").filter { $0.hasPrefix(".build/release/phapai-sim export-darp ") }
        #expect(commands.count == 2)
        var sizes: [String: (Int, Int)] = [:]
        for command in commands {
            var arguments = command.split(separator: " ").dropFirst().map(String.init)
            let out = try #require(arguments.firstIndex(of: "--out").map { $0 + 1 })
            let committed = Self.root.appendingPathComponent(arguments[out])
            arguments[out] = folder.appendingPathComponent(committed.lastPathComponent).path
            arguments[1] = Self.root.appendingPathComponent(arguments[1]).path
            #expect(SimCommand.run(arguments) == 0)
            let again = try Data(contentsOf: URL(fileURLWithPath: arguments[out]))
            #expect(again == (try Data(contentsOf: committed)), "\(committed.lastPathComponent)")
            let instance = try CordeauInstance(text: String(decoding: again, as: UTF8.self))
            sizes[committed.lastPathComponent] = (instance.requestCount, instance.problem.vehicles.count)
        }
        #expect(sizes["tambon-baseline-d1.txt"]! == (33, 4))
        #expect(sizes["district-d1.txt"]! == (196, 20))
    }

    @Test func badOptionsAreRefusedNamingTheOptionAndTheRule() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = folder.appendingPathComponent("hand.json")
        try TestScenarios.handComputed.write(to: scenario, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("x.txt").path
        // Mistakes in the input exit with 2; a file that cannot be written is a failure while running (1).
        for (arguments, code) in [
            (["export-darp"], 2), (["export-darp", scenario.path], 2), (["export-darp", scenario.path, "--day", "0"], 2),
            (["export-darp", scenario.path, "--day", "one"], 2), (["export-darp", scenario.path, "--day", "1", "--area", "T9"], 2),
            (["export-darp", scenario.path, "--day", "1", "--vehicles", "0"], 2), (["export-darp", scenario.path, "--day", "1", "--colour", "red"], 2),
            (["export-darp", folder.appendingPathComponent("none.json").path, "--day", "1"], 2),
            (["export-darp", scenario.path, "--day", "1", "--out", folder.path + "/no/such/x.txt"], 1),
        ] as [([String], Int32)] {
            #expect(SimCommand.run(arguments + ["--out", out].filter { _ in !arguments.contains("--out") }) == code, "\(arguments)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        // A day with no trips says so.
        #expect(SimCommand.run(["export-darp", scenario.path, "--day", "2", "--out", out]) == 1)
    }
}
