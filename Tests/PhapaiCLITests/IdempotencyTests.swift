import Foundation
import Testing
import PhapaiCore
import PhapaiService

/// `--rid` on a local database: a retry of a write prints what the first run printed and does
/// nothing more, even when the first run was killed after its COMMIT, before it printed anything.
@Suite("phapai: --rid on a local database")
struct CLIIdempotencyTests {
    static let booking = ["trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-11-23 09:00", "--return", "12:00"]

    @Test func aRetryPrintsTheOriginalAndBooksNothingMore() throws {
        let w = try Workspace.initialised()
        let first = try w.run(Self.booking + ["--rid", "r-1"])
        #expect(first.status == 0 && first.stdout.contains("trip 1 outbound") && first.stdout.contains("trip 2 return"), "\(first.stderr)")
        let again = try w.run(Self.booking + ["--rid", "r-1"])
        #expect(again.status == 0 && again.stdout == first.stdout && again.stderr.isEmpty)
        #expect(try counts(w).trips == 2)
        let json = try w.run(Array(Self.booking.dropLast(4)) + ["--appointment", "2026-11-24 09:00", "--json", "--rid", "r-2"])
        #expect(json.status == 0 && json.stdout.hasPrefix("{"), "\(json.stderr)")
        #expect(try w.run(Array(Self.booking.dropLast(4)) + ["--appointment", "2026-11-24 09:00", "--json", "--rid", "r-2"]).stdout == json.stdout)
        #expect(try counts(w).trips == 3)
    }

    @Test func aKilledRunIsRetriedWithoutADoubleBooking() throws {
        let w = try Workspace.initialised()
        let killed = try w.run(Self.booking + ["--rid", "r-kill"], extraEnvironment: ["PHAPAI_FAULT": "store.after-commit"])
        #expect(killed.status == 128 + SIGKILL && killed.stdout.isEmpty, "\(killed.stderr)")
        // The booking was committed before the kill, and its reply with it.
        #expect(try counts(w).trips == 2)
        let retried = try w.run(Self.booking + ["--rid", "r-kill"])
        #expect(retried.status == 0 && retried.stdout.contains("trip 1 outbound") && retried.stdout.contains("trip 2 return"), "\(retried.stderr)")
        #expect(try counts(w).trips == 2)
        // Without the rid it would have been a double booking.
        #expect(try w.run(Self.booking).status == 4)
    }

    @Test func aReusedRidAndABadOneAreRefused() throws {
        let w = try Workspace.initialised()
        try w.ok("trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-11-23 09:00", "--rid", "r-3")
        let reused = try w.run(["trip", "cancel", "1", "--reason", "ญาติพาไปเอง", "--rid", "r-3"])
        #expect(reused.status == 4)
        #expect(reused.stderr == "phapai: error [RID_REUSED]: rid: rid r-3 was given before with another command or other arguments; "
            + "use a new rid for a new request\n")
        let bad = try w.run(["trip", "cancel", "1", "--reason", "x", "--rid", "no spaces"])
        #expect(bad.status == 2 && bad.stderr.hasPrefix("phapai: error [INVALID_RID]: rid: "))
        let read = try w.run(["trip", "show", "1", "--rid", "r-4"])
        #expect(read.status == 1 && read.stderr.hasPrefix("phapai: error [USAGE]: rid: 'trip show' only reads and takes no rid"), "\(read.stderr)")
        #expect(try inspect(w.database).trip(TripID(1)).status == .requested)
    }
}
