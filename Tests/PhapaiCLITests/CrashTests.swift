import Foundation
import Testing
import PhapaiCore
import PhapaiService

/// A process killed half-way through a write (no cleanup, no rollback by the program) must leave
/// the database with all of the write or none of it.
@Suite("phapai: killed mid-write")
struct CrashTests {
    @Test(arguments: ["trip.book.after-outbound", "store.before-commit"])
    func aKilledBookingLeavesNothingPartial(point: String) throws {
        let w = try Workspace.initialised()
        try w.ok("trip", "book", "--patient", "P003", "--to", "H-COMM", "--appointment", "2026-11-23 09:30")
        let before = try counts(w)
        let killed = try w.run(
            ["trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-11-23 09:00", "--return", "12:00"],
            extraEnvironment: ["PHAPAI_FAULT": point])
        #expect(killed.status == 128 + SIGKILL, "the process must be killed at \(point): \(killed.stderr)")
        #expect(killed.stdout.isEmpty)
        let service = try inspect(w.database)
        #expect(try service.integrityCheck() == "ok")
        #expect(try counts(w) == before)
        #expect(try service.trips(patient: PatientID(unchecked: "P004")).isEmpty)
        // The same booking goes through afterwards, with both legs.
        #expect(try w.ok("trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-11-23 09:00", "--return", "12:00")
            .contains("trip 3 return"))
    }
}
