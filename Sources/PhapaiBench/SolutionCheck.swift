import Foundation
import PhapaiScheduler

/// `phapai-bench check`: re-checks a solution file (the format ``DARPBenchmark/solutionText(_:instance:cost:)``
/// writes, which the OR-Tools comparison writes too) against its instance with ``PlanVerifier``.
public enum SolutionCheck {
    /// What the check found.
    public struct Report: Sendable {
        /// The verifier's findings on the plan read from the file.
        public var check: PlanCheck
        /// Requests in the instance.
        public var requests: Int
        /// Requests whose pickup and drop-off both appear in the file.
        public var served: Int
        /// Requests absent from every route, numbered as in the file (pickup ids).
        public var unserved: [Int]
        /// The cost the file states, if it has a `cost` line.
        public var statedCost: Double?
        /// Non-empty routes in the file.
        public var routes: Int

        /// True when the solution breaks no constraint and serves every request.
        public var passed: Bool { check.feasible && unserved.isEmpty }
    }

    /// A solution read from text: routes of file node ids, and the stated cost.
    struct Solution {
        /// Route number (from 1) and its node ids, by number.
        var routes: [(number: Int, ids: [Int])]
        var cost: Double?
    }

    /// Checks the solution in `solutionText` against `instanceText`; throws on a malformed file.
    public static func check(instanceText: String, solutionText: String, solutionName: String = "solution") throws -> Report {
        let instance = try CordeauInstance(text: instanceText)
        let solution = try parse(solutionText, name: solutionName)
        let n = instance.requestCount
        // File ids name nodes; the depots (first and last node) never stand in a route.
        var nodeOfID: [Int: Int] = [:]
        for (node, id) in instance.fileNodeIDs.enumerated() where instance.problem.requestOfNode[node] >= 0 {
            nodeOfID[id] = node
        }
        let depots = Set([instance.fileNodeIDs.first!, instance.fileNodeIDs.last!])
        var routes: [[Int]] = []
        // Identical vehicles: the file's non-empty routes run on vehicles 0, 1, ... in order.
        for route in solution.routes where !route.ids.isEmpty {
            routes.append(try route.ids.map { id in
                if let node = nodeOfID[id] { return node }
                if depots.contains(id) {
                    throw BenchError("\(solutionName): route \(route.number) lists depot \(id); a route lists pickups and drop-offs only (1...\(2 * n))")
                }
                throw BenchError("\(solutionName): route \(route.number) lists node \(id), which the instance does not have (pickups and drop-offs are 1...\(2 * n))")
            })
        }
        let used = routes.count
        let problem = instance.problem
        var present = Set<Int>()
        for route in routes { present.formUnion(route) }
        let unserved = problem.requests.indices.filter { !present.contains(problem.requests[$0].pickup) && !present.contains(problem.requests[$0].dropoff) }
        let served = problem.requests.filter { present.contains($0.pickup) && present.contains($0.dropoff) }.count
        // A request with one end in the file is reported by the verifier; only wholly absent ones are unserved.
        let halfServed = problem.requests.indices.filter { !present.contains(problem.requests[$0].pickup) && present.contains(problem.requests[$0].dropoff) }
        // Vehicles without a route stay home.
        while routes.count < problem.vehicles.count { routes.append([]) }
        let plan = DARPPlan(routes: routes, unserved: unserved + halfServed)
        let check = PlanVerifier.verify(plan, problem: problem)
        return Report(
            check: check, requests: n, served: served, unserved: unserved.map { instance.fileNodeIDs[problem.requests[$0].pickup] },
            statedCost: solution.cost, routes: used)
    }

    /// Reads `route k: ids...` lines (k counted from 1, each once) and an optional `cost X` line.
    static func parse(_ text: String, name: String) throws -> Solution {
        var routes: [Int: [Int]] = [:]
        var cost: Double?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            let place = "\(name), line \(index + 1)"
            if line.isEmpty { continue }
            if line.hasPrefix("cost") {
                let fields = line.split(separator: " ")
                guard fields.count == 2, let value = Double(fields[1]), value.isFinite else {
                    throw BenchError("\(place): a cost line is 'cost X' with X a number, not '\(line)'")
                }
                guard cost == nil else { throw BenchError("\(place): a second cost line") }
                cost = value
                continue
            }
            guard line.hasPrefix("route"), let colon = line.firstIndex(of: ":") else {
                throw BenchError("\(place): expected 'route K: node ids...' or 'cost X', not '\(line.prefix(60))'")
            }
            let label = line[line.index(line.startIndex, offsetBy: 5)..<colon].trimmingCharacters(in: .whitespaces)
            guard let number = Int(label), number >= 1, number <= 100_000 else {
                throw BenchError("\(place): a route number is a whole number from 1, not '\(label)'")
            }
            guard routes[number] == nil else { throw BenchError("\(place): route \(number) is listed twice") }
            routes[number] = try line[line.index(after: colon)...].split(separator: " ").map { field in
                guard let id = Int(field) else { throw BenchError("\(place): node ids are whole numbers, not '\(field)'") }
                return id
            }
        }
        // A solution may serve nobody (a cost line alone), but an empty file is no solution.
        guard !routes.isEmpty || cost != nil else { throw BenchError("\(name): no 'route K: ...' or 'cost X' line") }
        return Solution(routes: routes.keys.sorted().map { ($0, routes[$0]!) }, cost: cost)
    }

    /// `phapai-bench check INSTANCE SOLUTION`: prints the verdict; returns true when the solution
    /// is feasible and serves every request.
    public static func run(instancePath: String, solutionPath: String, print: (String) -> Void) throws -> Bool {
        func read(_ path: String, _ what: String) throws -> String {
            guard FileManager.default.fileExists(atPath: path) else { throw BenchError("no such \(what) file: \(path)") }
            do {
                return try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw BenchError("cannot read \(what) file \(path) as UTF-8 text")
            }
        }
        let report = try check(
            instanceText: read(instancePath, "instance"), solutionText: read(solutionPath, "solution"),
            solutionName: (solutionPath as NSString).lastPathComponent)
        print("instance \(instancePath): \(report.requests) requests")
        print("solution \(solutionPath): \(report.routes) routes")
        print("feasible: " + (report.check.feasible ? "yes" : "NO"))
        if !report.check.feasible {
            // The verifier numbers routes and requests from 0 (its request r is the file's pickup r + 1 in Cordeau's numbering).
            print("violations (routes and requests counted from 0, node ids as in the file):")
            for violation in report.check.violations { print("  " + violation) }
        }
        let missing = report.unserved.isEmpty ? "none" : report.unserved.prefix(20).map(String.init).joined(separator: " ")
            + (report.unserved.count > 20 ? " ..." : "")
        print("served: \(report.served)/\(report.requests), unserved requests (pickup ids): \(missing)")
        var costLine = String(format: "cost: %.2f (recomputed)", report.check.travelCost)
        if let stated = report.statedCost {
            // Files state the cost to 2 decimals.
            costLine += abs(stated - report.check.travelCost) <= 0.0051 ? ", as the file says" : String(format: "; the file says %.2f", stated)
        }
        print(costLine)
        print(report.passed ? "verdict: OK" : "verdict: FAILED")
        return report.passed
    }
}
