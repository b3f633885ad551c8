import Dispatch
import Foundation

/// One search thread's search; each box is touched by one thread at a time (the exchange between
/// epochs runs on the calling thread while no search runs).
private final class SearchBox: @unchecked Sendable {
    var search: Search
    init(_ search: Search) { self.search = search }
}

extension DARPSolver {
    /// Iterations each search runs between two exchanges of best plans: a count, never the clock,
    /// so that an iteration budget gives the same plan on any machine. Rare, because searches that
    /// meet often follow the same plan: on the district day (`simulations/darp-days/district-d1`,
    /// 10 s, seeds 1-5) two threads exchanging every 500 iterations ended 0.14% above one thread
    /// on average, every 2,000 0.11% above, every 6,000 0.35% below.
    static let exchangeInterval = 6_000

    /// The seed of search thread `index`: thread 0 keeps the given seed, so one thread searches
    /// exactly as ``solve(_:initial:)`` always did.
    static func threadSeed(_ seed: UInt64, _ index: Int) -> UInt64 {
        index == 0 ? seed : seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15
    }

    /// `options.threads` searches from different seeds, each on its own thread with its own copy
    /// of the problem's buffers. Every ``exchangeInterval`` iterations all of them stop, and the
    /// best plan among them (ties: the lowest thread) becomes the best plan of the others, where
    /// their next cycle starts. Returns the best plan of all; its iterations are the sum.
    func solveInParallel(_ options: SolverOptions, initial: DARPPlan?) -> SolverResult {
        let start = initial.map(repaired)
        let boxes = (0..<options.threads).map { index in
            var search = Search(problem: problem, flat: index == 0 ? flat : FlatProblem(problem), seed: Self.threadSeed(options.seed, index))
            if let start { search.load(start) }
            return SearchBox(search)
        }
        let begun = ContinuousClock.now
        let deadline = options.timeLimit.map { begun + .nanoseconds(Int64($0 * 1e9)) }
        let warm = start != nil
        Self.sideBySide(boxes.count) { index in boxes[index].search.begin(warm: warm) }
        let limit = options.iterationLimit ?? .max
        var target = 0
        var leader = 0
        while true {
            target = limit - target > Self.exchangeInterval ? target + Self.exchangeInterval : limit
            let goal = target
            Self.sideBySide(boxes.count) { index in boxes[index].search.advance(to: goal, deadline: deadline) }
            leader = 0
            for index in boxes.indices where boxes[index].search.loop.bestCost < boxes[leader].search.loop.bestCost - 1e-9 { leader = index }
            let best = boxes[leader].search.loop
            for index in boxes.indices where index != leader { boxes[index].search.offer(best.best, cost: best.bestCost, foundAfter: best.secondsToBest) }
            // Done at the budget, at the deadline, or when no search has anything to move.
            let stalled = boxes.allSatisfy { $0.search.loop.iteration < goal }
            if target >= limit || stalled || deadline.map({ ContinuousClock.now >= $0 }) == true { break }
        }
        var result = boxes[leader].search.finish()
        result.iterations = boxes.reduce(0) { $0 + $1.search.loop.iteration }
        result.secondsToBest = boxes[leader].search.loop.secondsToBest
        return result
    }

    /// Runs `body(0)` on the calling thread and every other index on a thread of its own, and
    /// returns when all are done. New threads rather than the shared pool: a new thread inherits
    /// its creator's priority, and the server plans at a lower priority than its event loop.
    static func sideBySide(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let done = DispatchGroup()
        for index in 1..<max(1, count) {
            done.enter()
            Thread {
                body(index)
                done.leave()
            }.start()
        }
        body(0)
        done.wait()
    }
}
