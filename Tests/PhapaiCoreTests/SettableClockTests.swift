import Dispatch
import Testing
@testable import PhapaiCore

@Suite("Settable clock")
struct SettableClockTests {
    @Test func itShowsWhatItIsSetToAndMovesOnlyWhenTold() {
        let start = Instant(secondsSinceEpoch: 1_795_143_600)
        let clock = SettableClock(start)
        let read = clock.read
        #expect(clock.now == start && read() == start)
        clock.advance(seconds: 90)
        #expect(read() == start.adding(seconds: 90))
        // advance(to:) never goes back; set does.
        clock.advance(to: start)
        #expect(clock.now == start.adding(seconds: 90))
        clock.advance(to: start.adding(minutes: 10))
        #expect(clock.now == start.adding(minutes: 10))
        clock.set(start)
        #expect(read() == start)
    }

    @Test func movesFromManyThreadsAreAllKept() {
        let clock = SettableClock(Instant(secondsSinceEpoch: 0))
        DispatchQueue.concurrentPerform(iterations: 1_000) { _ in clock.advance(seconds: 1) }
        #expect(clock.now == Instant(secondsSinceEpoch: 1_000))
    }
}
