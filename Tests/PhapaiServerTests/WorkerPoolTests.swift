import Dispatch
import Foundation
import Synchronization
import Testing
import PhapaiNet
@testable import PhapaiServer

/// Holds the first thread that passes a named point after `arm()` until the test lets it go: a
/// plan between its search and its write, or the loop in a round's commit. No sleeps: the test
/// waits until the thread is held, does what it must meanwhile, and releases it.
final class Gate: Sendable {
    private let armed = Mutex(false)
    private let entered = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)

    func arm() { armed.withLock { $0 = true } }

    /// Called at the point: holds the first caller after `arm()`, lets every other one pass.
    func pass() {
        let hold = armed.withLock { armed in
            defer { armed = false }
            return armed
        }
        guard hold else { return }
        entered.signal()
        released.wait()
    }

    /// Waits until a thread is held (false after 10 s: it never came).
    func waitUntilHeld() -> Bool { entered.wait(timeout: .now() + 10) == .success }

    /// Lets the held thread go on (harmless when none is held).
    func release() { released.signal() }
}

@Suite("The worker pool")
struct WorkerPoolTests {
    /// Work that records when it starts and may be held until the test lets it go.
    struct Piece: Sendable {
        var name: String
        var gate: Gate?
    }

    @Test func workOfOneKeyRunsInTurnWhileOtherKeysAndShortWorkRunBeside() throws {
        let started = Mutex<[String]>([])
        let pool = try WorkerPool<Piece, String, Void>(
            threads: 3, longLimit: 2, makeContext: { _ in },
            perform: { piece, _ in
                started.withLock { $0.append(piece.name) }
                piece.gate?.pass()
                return piece.name
            })
        let first = Gate()
        first.arm()
        defer { first.release() }
        pool.submit(Piece(name: "plan A 1", gate: first), key: "A", lane: .long)
        #expect(first.waitUntilHeld())
        pool.submit(Piece(name: "plan A 2"), key: "A", lane: .long)
        pool.submit(Piece(name: "plan B"), key: "B", lane: .long)
        // Plan B was queued after A's second plan and finishes while A's first is held: A's
        // second never started (it waits for its key), or B would have been taken after it.
        #expect(waitFor(pool, ["plan B"]))
        #expect(started.withLock { $0 } == ["plan A 1", "plan B"])
        first.release()
        #expect(waitFor(pool, ["plan A 1", "plan A 2"]))
        #expect(pool.stop().isEmpty)
        pool.waitUntilStopped()
        pool.closeWakeDescriptor()
    }

    @Test func shortWorkNeverWaitsBehindLongWorkThatFillsItsLane() throws {
        let pool = try WorkerPool<Piece, String, Void>(
            threads: 2, longLimit: 1, makeContext: { _ in }, perform: { piece, _ in
                piece.gate?.pass()
                return piece.name
            })
        let long = Gate()
        long.arm()
        defer { long.release() }
        pool.submit(Piece(name: "plan", gate: long), key: "A", lane: .long)
        #expect(long.waitUntilHeld())
        pool.submit(Piece(name: "report"), key: nil, lane: .long)
        pool.submit(Piece(name: "driver"), key: "status:A", lane: .short)
        // The second long piece waits for the lane; the driver's report does not.
        #expect(waitFor(pool, ["driver"]))
        long.release()
        #expect(waitFor(pool, ["plan", "report"]))
        #expect(pool.stop().isEmpty)
        pool.waitUntilStopped()
        pool.closeWakeDescriptor()
    }

    @Test func stoppingReturnsWhatNeverStartedAndFinishesWhatRuns() throws {
        let pool = try WorkerPool<Piece, String, Void>(
            threads: 1, longLimit: 1, makeContext: { _ in }, perform: { piece, _ in
                piece.gate?.pass()
                return piece.name
            })
        let gate = Gate()
        gate.arm()
        pool.submit(Piece(name: "running", gate: gate), key: nil, lane: .long)
        #expect(gate.waitUntilHeld())
        pool.submit(Piece(name: "queued"), key: nil, lane: .long)
        #expect(pool.stop().map(\.name) == ["queued"])
        gate.release()
        pool.waitUntilStopped()
        #expect(pool.takeOutputs() == ["running"])
        pool.closeWakeDescriptor()
    }

    /// Waits (at most 10 s, on the pool's wake-up descriptor) until the outputs taken are `expected`, in any order.
    func waitFor(_ pool: WorkerPool<Piece, String, Void>, _ expected: Set<String>) -> Bool {
        var seen: Set<String> = []
        let deadline = Date().addingTimeInterval(10)
        while seen != expected && Date() < deadline {
            var entries = [Poller.Entry(descriptor: pool.wakeDescriptor)]
            _ = try? Poller.wait(&entries, milliseconds: 100)
            seen.formUnion(pool.takeOutputs())
        }
        return seen == expected
    }
}
