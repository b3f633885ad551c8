import Foundation
import PhapaiScheduler

/// `phapai-bench insert`: how long one same-day insertion takes in plans of a given size. A plan
/// of N requests is built by inserting them one by one (as bookings arrive); then each probe
/// request is inserted into that plan on its own and timed.
public enum InsertionBenchmark {
    /// Timing figures for one plan size.
    public struct Figures: Sendable {
        public var planRequests: Int
        public var probes: Int
        public var medianMilliseconds: Double
        public var p99Milliseconds: Double
        public var maxMilliseconds: Double
        public var inserted: Int
    }

    /// Measures plans of each size in `sizes`.
    public static func run(sizes: [Int], probes: Int, seed: UInt64, print: (String) -> Void) throws -> [Figures] {
        print("plan  vehicles  probes  inserted  median-ms  p99-ms  max-ms")
        var all: [Figures] = []
        for size in sizes {
            let vehicles = max(2, size / 16)
            let text = InstanceGenerator.cordeauText(requests: size + probes, vehicles: vehicles, seed: seed)
            let instance = try CordeauInstance(text: text)
            let solver = DARPSolver(problem: instance.problem)
            var plan = DARPPlan(routes: Array(repeating: [], count: vehicles), unserved: Array(0..<(size + probes)))
            for request in 0..<size {
                if case .inserted(let result) = solver.insert(request, into: plan) { plan = result.plan }
            }
            plan.unserved = (0..<(size + probes)).filter { request in !plan.routes.contains { $0.contains(instance.problem.requests[request].pickup) } }
            let served = size + probes - plan.unserved.count
            let clock = ContinuousClock()
            var samples: [Double] = []
            var inserted = 0
            for probe in size..<(size + probes) {
                let started = clock.now
                let outcome = solver.insert(probe, into: plan)
                let elapsed = clock.now - started
                samples.append(Double(elapsed.components.attoseconds) * 1e-15 + Double(elapsed.components.seconds) * 1000)
                if case .inserted(let result) = outcome {
                    inserted += 1
                    // Every accepted insertion is a feasible plan.
                    let check = PlanVerifier.verify(
                        DARPPlan(routes: result.plan.routes, unserved: result.plan.unserved.filter { $0 != probe }),
                        problem: instance.problem)
                    guard check.feasible else { throw BenchError("insertion of probe \(probe) gave an infeasible plan: \(check.violations.first ?? "")") }
                }
            }
            samples.sort()
            let figures = Figures(
                planRequests: served, probes: probes, medianMilliseconds: percentile(samples, 0.5), p99Milliseconds: percentile(samples, 0.99),
                maxMilliseconds: samples.last ?? 0, inserted: inserted)
            all.append(figures)
            print(String(format: "%4d  %8d  %6d  %8d  %9.3f  %6.3f  %6.3f", figures.planRequests, vehicles, probes, inserted,
                         figures.medianMilliseconds, figures.p99Milliseconds, figures.maxMilliseconds))
        }
        return all
    }

    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}

/// `phapai-bench scale`: a generated instance of the given size solved under a time budget.
public enum ScaleBenchmark {
    /// Generates, optionally writes, solves and verifies; prints one summary.
    public static func run(requests: Int, vehicles: Int, seed: UInt64, seconds: Double, writeTo: String?, print: (String) -> Void) throws {
        let text = InstanceGenerator.cordeauText(requests: requests, vehicles: vehicles, seed: seed)
        if let writeTo { try text.write(toFile: writeTo, atomically: true, encoding: .utf8) }
        let clock = ContinuousClock()
        let started = clock.now
        let instance = try CordeauInstance(text: text)
        let result = DARPSolver(problem: instance.problem).solve(SolverOptions(seed: seed, timeLimit: seconds))
        let check = PlanVerifier.verify(result.plan, problem: instance.problem)
        let elapsed = clock.now - started
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print(String(format: "requests %d  vehicles %d  served %d  routes %d  cost %.2f  iterations %d  to-best %.1f s  total %.1f s  peak RSS %.0f MiB  verified %@",
                     requests, vehicles, requests - result.plan.unserved.count, check.vehiclesUsed, check.travelCost, result.iterations,
                     result.secondsToBest, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18,
                     Double(usage.ru_maxrss) / 1024, check.feasible ? "yes" : "NO"))
        if !check.feasible { throw BenchError("the plan failed verification: \(check.violations.prefix(3).joined(separator: "; "))") }
    }
}
