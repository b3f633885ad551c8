import Foundation
import Testing
import PhapaiScheduler

/// A day shaped like the service's (seconds and kilometres, three load dimensions, a fixed cost
/// per vehicle, drivers' breaks as requests pinned to their vehicle): `journeys` outbound trips to
/// two hospitals and their returns, paired as partners, and `vehicles` shifts from 06:00 to 17:00
/// with a 45-minute break at the depot between 11:00 and 14:45. `lateStart` moves the given vehicles' starts.
func serviceLikeDay(journeys: Int, vehicles: Int, seed: UInt64, lateStart: [Int: Double] = [:]) throws -> DARPProblem {
    var random = SeededGenerator(seed: seed)
    var x: [Double] = [], y: [Double] = [], earliest: [Double] = [], latest: [Double] = [], service: [Double] = [], load: [Int] = []
    func node(_ point: (Double, Double), _ window: (Double, Double), _ seconds: Double, _ vector: [Int]) -> Int {
        x.append(point.0)
        y.append(point.1)
        earliest.append(window.0)
        latest.append(window.1)
        service.append(seconds)
        load.append(contentsOf: vector)
        return x.count - 1
    }
    let depot = (0.0, 0.0)
    let hospitals = [(2.0, 3.0), (20.0, -12.0)]
    func kilometres(_ a: (Double, Double), _ b: (Double, Double)) -> Double { 1.3 * ((a.0 - b.0) * (a.0 - b.0) + (a.1 - b.1) * (a.1 - b.1)).squareRoot() }
    func seconds(_ a: (Double, Double), _ b: (Double, Double)) -> Double { kilometres(a, b) * 90 }
    var darpVehicles: [DARPProblem.Vehicle] = []
    for k in 0..<vehicles {
        let start = node(depot, (21_600 + (lateStart[k] ?? 0), 61_200), 0, [0, 0, 0])
        let end = node(depot, (21_600, 61_200), 0, [0, 0, 0])
        darpVehicles.append(
            DARPProblem.Vehicle(
                startNode: start, endNode: end, capacity: [4, 1, 1], maxDuration: 39_600, fixedCost: 300, costPerUnit: 10))
    }
    var requests: [DARPProblem.Request] = []
    for _ in 0..<journeys {
        let home = (random.unit() * 30 - 15, random.unit() * 30 - 15)
        let hospital = hospitals[random.unit() < 0.8 ? 0 : 1]
        let wheelchair = random.unit() < 0.15
        let vector = wheelchair ? [1, 1, 0] : [2, 0, 0]
        let boarding: Double = wheelchair ? 300 : 120
        let direct = seconds(home, hospital)
        let appointment = (25_200 + random.unit() * 14_400).rounded()
        let ride = direct * 1.5 + 1_800
        let outPickup = node(home, (appointment - direct - 5_400, appointment - direct - 600), boarding, vector)
        let outDropoff = node(hospital, (appointment - 2_700, appointment), boarding, vector.map { -$0 })
        let back = appointment + 7_200 + (random.unit() * 3_600).rounded()
        let backPickup = node(hospital, (back, back + 3_600), boarding, vector)
        let backDropoff = node(home, (back, back + 3_600 + ride), boarding, vector.map { -$0 })
        requests.append(DARPProblem.Request(pickup: outPickup, dropoff: outDropoff, maxRide: ride, partner: requests.count + 1))
        requests.append(DARPProblem.Request(pickup: backPickup, dropoff: backDropoff, maxRide: ride, partner: requests.count - 1))
    }
    for k in 0..<vehicles {
        // Staggered 45-minute breaks from 11:00 to 14:00.
        let breakStart = 39_600 + Double(k % 7) * 1_800
        let begin = node(depot, (breakStart, breakStart), 2_700, [0, 0, 0])
        let finish = node(depot, (breakStart + 2_700, breakStart + 2_700), 0, [0, 0, 0])
        requests.append(DARPProblem.Request(pickup: begin, dropoff: finish, maxRide: 0, allowedVehicles: [k], unservedPenalty: 1e12))
    }
    let n = x.count
    var time = [Double](repeating: 0, count: n * n)
    var cost = [Double](repeating: 0, count: n * n)
    for a in 0..<n {
        for b in 0..<n {
            time[a * n + b] = seconds((x[a], y[a]), (x[b], y[b]))
            cost[a * n + b] = kilometres((x[a], y[a]), (x[b], y[b]))
        }
    }
    return try DARPProblem(
        dimensions: 3, earliest: earliest, latest: latest, service: service, load: load, travelTime: time, travelCost: cost,
        requests: requests, vehicles: darpVehicles, unservedPenalty: 1_000_000)
}

/// Warm re-planning speed after a late driver report, in a release build:
/// `PHAPAI_MEASURE=1 swift test -c release --scratch-path .build-sched --filter WarmReplanMeasurement`.
/// Prints figures; asserts only correctness (no timing assertions in unit tests).
@Suite("Warm re-plan measurement", .enabled(if: ProcessInfo.processInfo.environment["PHAPAI_MEASURE"] != nil))
struct WarmReplanMeasurement {
    @Test func aLateReportOnA200RequestDay() throws {
        let clock = ContinuousClock()
        func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        }
        var samples: [Double] = []
        var iterations = 0
        var searchSeconds = 0.0
        for day in 1...5 as ClosedRange<UInt64> {
            // 90 journeys and 20 breaks: 200 requests.
            let planned = try serviceLikeDay(journeys: 90, vehicles: 20, seed: day)
            let current = DARPSolver(problem: planned).solve(SolverOptions(seed: 1, iterationLimit: 3_000)).plan
            var random = SeededGenerator(seed: day * 1_000)
            for _ in 0..<20 {
                var late: [Int: Double] = [:]
                for _ in 0..<3 { late[random.below(20)] = Double(1_200 + random.below(1_800)) }
                let started = clock.now
                let problem = try serviceLikeDay(journeys: 90, vehicles: 20, seed: day, lateStart: late)
                let solver = DARPSolver(problem: problem)
                let searchStart = clock.now
                let result = solver.solve(SolverOptions(seed: 1, iterationLimit: 300), initial: current)
                let finished = clock.now
                samples.append(seconds(finished - started))
                searchSeconds += seconds(finished - searchStart)
                iterations += result.iterations
                #expect(PlanVerifier.verify(result.plan, problem: problem).feasible)
                #expect(result.cost <= result.initialCost! + 1e-6)
            }
        }
        samples.sort()
        let median = samples[samples.count / 2]
        let p99 = samples[min(samples.count - 1, Int((0.99 * Double(samples.count)).rounded(.up)) - 1)]
        print(
            String(
                format: "warm re-plan, 200 requests, 300 iterations, %d runs: median %.1f ms, p99 %.1f ms, max %.1f ms, %.0f iterations/s",
                samples.count, median * 1000, p99 * 1000, samples.last! * 1000, Double(iterations) / searchSeconds))
    }
}
