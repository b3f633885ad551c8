#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import PhapaiNet
import Synchronization

/// Threads that do the loop's long work (plans, long reports, reports that may re-plan) so the
/// loop keeps answering everyone meanwhile. Each thread makes its own context once (a server's:
/// an application on its own database connection) and never shares it. Work with the same key
/// runs one piece at a time, in the order it came (two plans of one area never race); work with
/// other keys or none runs beside it. At most `longLimit` pieces of long work run at once, so
/// with more threads than that a short piece (a driver's report) never waits behind plans.
///
/// The loop hands work in with ``submit(_:key:lane:)``; a thread's outputs are collected for the
/// loop, which is woken through ``wakeDescriptor`` and takes them with ``takeOutputs()``.
final class WorkerPool<Input: Sendable, Output: Sendable, Context>: Sendable {
    /// How long a piece of work may run, which decides how many may run at once.
    enum Lane: Sendable {
        /// Seconds or minutes (a plan, a report over a year): at most `longLimit` at once.
        case long
        /// Milliseconds to a few hundred (a driver's report and its re-plan).
        case short
    }

    /// A piece of work with its key and lane.
    struct Ticket: Sendable {
        var input: Input
        var key: String?
        var lane: Lane
    }

    /// Threads in the pool.
    let threads: Int
    /// Most pieces of long work running at once.
    let longLimit: Int
    /// Readable when outputs are waiting (one byte per output, or fewer: only a wake-up).
    let wakeDescriptor: Int32
    private let wakeWrite: Int32
    private let state = Mutex(State())
    private let outputs = Mutex<[Output]>([])
    /// Signalled once per piece submitted and once more when a finished piece may unblock another.
    private let available = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)
    private let niceness: Int32
    private let makeContext: @Sendable (Int) -> Context
    private let perform: @Sendable (Input, Context) -> Output

    private struct State {
        var queue: [Ticket] = []
        var busyKeys: Set<String> = []
        var runningLong = 0
        var running = 0
        var stopping = false
    }

    /// Starts `threads` threads at `niceness` (0-19: the higher, the more they give way to other
    /// threads); each calls `makeContext` with its number once, on itself, then runs `perform` for
    /// each piece it takes.
    init(
        threads: Int, longLimit: Int, niceness: Int32 = 0, makeContext: @escaping @Sendable (Int) -> Context,
        perform: @escaping @Sendable (Input, Context) -> Output
    ) throws {
        precondition(threads >= 1 && longLimit >= 1, "a pool has a thread and runs long work")
        precondition((0...19).contains(niceness), "a niceness between 0 and 19")
        self.threads = threads
        self.longLimit = longLimit
        self.niceness = niceness
        self.makeContext = makeContext
        self.perform = perform
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw NetError(operation: "pipe", code: errno) }
        // Neither end blocks: a worker never waits for the loop to read, and the loop drains what is there.
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        (wakeDescriptor, wakeWrite) = (fds[0], fds[1])
        for number in 0..<threads {
            let thread = Thread { [self] in work(number) }
            thread.name = "phapaid-worker-\(number)"
            thread.start()
        }
    }

    /// Queues a piece of work.
    func submit(_ input: Input, key: String?, lane: Lane) {
        state.withLock { $0.queue.append(Ticket(input: input, key: key, lane: lane)) }
        available.signal()
    }

    /// The outputs finished since the last call, in the order they finished; and empties the wake-up pipe.
    func takeOutputs() -> [Output] {
        var buffer = [UInt8](repeating: 0, count: 256)
        while Glibc.read(wakeDescriptor, &buffer, buffer.count) > 0 {}
        return outputs.withLock { outputs in
            defer { outputs.removeAll() }
            return outputs
        }
    }

    /// Pieces waiting for a thread, and pieces running.
    var load: (queued: Int, running: Int) { state.withLock { ($0.queue.count, $0.running) } }

    /// Stops the pool: pieces not started are returned (they never run); pieces running finish
    /// (their outputs stay for ``takeOutputs()``), and then the threads end (``waitUntilStopped()``).
    func stop() -> [Input] {
        let dropped = state.withLock { state in
            state.stopping = true
            defer { state.queue.removeAll() }
            return state.queue.map(\.input)
        }
        for _ in 0..<threads { available.signal() }
        return dropped
    }

    /// Waits until every thread has ended, after ``stop()``.
    func waitUntilStopped() {
        for _ in 0..<threads { exited.wait() }
        Glibc.close(wakeWrite)
    }

    /// Closes the loop's end of the wake-up pipe, after ``waitUntilStopped()`` and the last ``takeOutputs()``.
    func closeWakeDescriptor() { Glibc.close(wakeDescriptor) }

    private func work(_ number: Int) {
        if niceness > 0 {
            // On Linux the nice value is the calling thread's own (not the process's): the loop
            // keeps its own. A failure leaves the thread at the loop's priority, which is only slower.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
        }
        let context = makeContext(number)
        while let ticket = next() {
            let output = perform(ticket.input, context)
            finish(ticket, output)
        }
        exited.signal()
    }

    /// The first piece in the queue whose key is free and whose lane has room; waits for one. Nil when stopping.
    private func next() -> Ticket? {
        while true {
            let taken: Ticket?? = state.withLock { state in
                if state.stopping { return .some(nil) }
                let busy = state.busyKeys
                let longFull = state.runningLong >= longLimit
                guard let index = state.queue.firstIndex(where: { ticket in
                    !(ticket.key.map(busy.contains) ?? false) && !(ticket.lane == .long && longFull)
                }) else { return nil }
                let ticket = state.queue.remove(at: index)
                if let key = ticket.key { state.busyKeys.insert(key) }
                if ticket.lane == .long { state.runningLong += 1 }
                state.running += 1
                return .some(ticket)
            }
            if let taken { return taken }
            available.wait()
        }
    }

    private func finish(_ ticket: Ticket, _ output: Output) {
        let waiting = state.withLock { state in
            if let key = ticket.key { state.busyKeys.remove(key) }
            if ticket.lane == .long { state.runningLong -= 1 }
            state.running -= 1
            return state.queue.count
        }
        outputs.withLock { $0.append(output) }
        // What this piece's key or lane held back may run now, on other threads too: each idle
        // one looks (a thread that finds nothing it may take waits again).
        for _ in 0..<min(waiting, threads) { available.signal() }
        var byte: UInt8 = 1
        // A full pipe (EAGAIN) already holds a wake-up the loop has not read: nothing is lost.
        _ = Glibc.write(wakeWrite, &byte, 1)
    }
}
