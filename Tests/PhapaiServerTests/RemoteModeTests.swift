import Foundation
import Synchronization
import Testing
import PhapaiCLI
import PhapaiCore
import PhapaiService
import PhapaiTestSupport

/// Lines a console printed, from any thread.
final class Printed: Sendable {
    let out = Mutex<[String]>([])
    let err = Mutex<[String]>([])
    var console: Console { Console(out: { line in self.out.withLock { $0.append(line) } }, err: { line in self.err.withLock { $0.append(line) } }) }
}

@Suite("phapai --server: the CLI's remote mode")
struct RemoteModeTests {
    struct Run: Equatable {
        var status: Int32
        var out: [String]
        var err: [String]
    }

    func run(_ arguments: [String], _ environment: [String: String]) -> Run {
        let printed = Printed()
        let status = PhapaiCLI.run(arguments, environment: environment, console: printed.console)
        return Run(status: status, out: printed.out.withLock { $0 }, err: printed.err.withLock { $0 })
    }

    /// A server over a world with one journey booked for Monday (trips 1 and 2), and the
    /// environments to run the same command over the wire and on the database file itself.
    func setUp() throws -> (running: TestServer, remote: [String: String], local: [String: String]) {
        let running = try TestServer(prepare: { world in
            _ = try world.service.bookTrip(BookingRequest(
                patient: PatientID(unchecked: "P004"), to: PlaceID(unchecked: "H-COMM"), timing: .appointment(try world.at("2026-11-23 09:00")),
                returnLeg: .at(try world.at("2026-11-23 13:00"))))
        })
        let remote = ["PHAPAI_SERVER": "127.0.0.1:\(running.port)", "PHAPAI_TOKEN": running.tokens["somchai"]!]
        let local = ["PHAPAI_DB": running.world.databasePath, "PHAPAI_NOW": "2026-11-20 10:00"]
        return (running, remote, local)
    }

    @Test func remoteOutputIsTheEmbeddedOutput() throws {
        let (running, remote, local) = try setUp()
        for command in [
            ["trip", "list", "--date", "2026-11-23"], ["trip", "list", "--date", "2026-11-23", "--json"], ["patient", "show", "P004"],
            ["trip", "show", "1", "--json"], ["--era", "buddhist", "trip", "show", "2"], ["shift", "list", "--date", "2026-11-23"],
            ["report", "--from", "2026-11-23", "--to", "2026-11-23", "--csv"], ["report", "--from", "2026-11-23", "--to", "2026-11-23", "--json"],
            ["report", "--from", "2026-11-01", "--to", "2026-12-31", "--html"], ["report", "--from", "2026-11-01", "--to", "2026-12-31", "--meeting", "--json"],
        ] {
            let over = run(command, remote)
            let here = run(command, local)
            #expect(over.status == 0 && over == here, "\(command): \(over) against \(here)")
        }
        let booked = run(["trip", "book", "--patient", "P002", "--to", "H-COMM", "--appointment", "2026-11-24 09:00", "--will-call", "--lang", "en"], remote)
        #expect(booked.status == 0 && booked.out.first == "Booked for P002 นางสาวบุญส่ง ทิพย์มณี on 2026-11-24:")
        let noToken = run(["--lang", "en", "trip", "list"], ["PHAPAI_SERVER": "127.0.0.1:\(running.port)"])
        #expect(noToken.status == 1 && noToken.err.first?.contains("PHAPAI_TOKEN") == true)
        let badToken = run(["--lang", "en", "trip", "list"], ["PHAPAI_SERVER": "127.0.0.1:\(running.port)", "PHAPAI_TOKEN": "nope"])
        #expect(badToken.status == 1 && badToken.err.first?.contains("refused the token") == true)
    }

    /// Every kind of refusal gives the same exit code, keyword and message whether the command ran
    /// on the server or on the file. The wire carries the English detail only: in Thai the rule's
    /// line is the same, the detail line is Thai on the file and the English message from a server.
    @Test(arguments: [
        (["trip", "show", "99"], 3, "UNKNOWN_TRIP"),
        (["trip", "book", "--patient", "P999", "--to", "H-COMM", "--appointment", "2026-11-23 09:00"], 3, "UNKNOWN_PATIENT"),
        (["trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-11-19 09:00"], 2, "IN_PAST"),
        (["trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-12-25 09:00"], 2, "BEYOND_HORIZON"),
        (["trip", "book", "--patient", "P005", "--to", "H-COMM", "--appointment", "2026-11-24 09:00", "--return", "08:00"], 2, "RETURN_BEFORE_ARRIVAL"),
        (["trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-11-23 10:00"], 4, "DOUBLE_BOOKING"),
        (["trip", "book", "--patient", "P005", "--to", "NOWHERE", "--appointment", "2026-11-24 09:00"], 3, "UNKNOWN_PLACE"),
        (["trip", "book", "--patient", "P005", "--to", "H-COMM", "--appointment", "2026-11-29 09:00"], 4, "NO_SHIFT"),
        (["trip", "status", "1", "dropoff"], 4, "NOT_PICKED_UP"),
        (["trip", "status", "1", "fly"], 2, "INVALID_VALUE"),
        (["trip", "ready", "2"], 4, "NOT_WILL_CALL"),
        (["trip", "list", "--status", "lost"], 2, "INVALID_VALUE"),
        (["trip", "move", "1", "--appointment", "2026-11-29 09:00"], 4, "NO_SHIFT"),
        (["patient", "add", "--id", "P004", "--name", "นายซ้ำ ซ้ำ", "--phone", "081-000-0000", "--village", "V01", "--mobility", "ambulatory",
          "--entitlement", "self_pay"], 4, "DUPLICATE_ID"),
        (["patient", "edit", "P004"], 1, "USAGE"),
        (["patient", "edit", "P004", "--companions", "9"], 2, "OUT_OF_RANGE"),
        (["run", "show", "--date", "2026-11-24", "--vehicle", "VAN1"], 3, "NO_RUN"),
        (["plan", "--date", "2026-11-23", "--iterations", "0"], 2, "OUT_OF_RANGE"),
        (["shift", "list", "--from", "2026-11-30", "--to", "2026-11-01"], 2, "DATE_ORDER"),
        (["standing", "end", "99", "--from", "2026-11-30"], 3, "UNKNOWN_STANDING_ORDER"),
        (["audit", "--limit", "0"], 2, "OUT_OF_RANGE"),
        (["trip", "cancel", "99", "--reason", "x"], 3, "UNKNOWN_TRIP"),
    ] as [([String], Int32, String)])
    func aRefusalIsTheSameOverTheWireAndOnTheFile(arguments: [String], status: Int32, keyword: String) throws {
        let (running, remote, local) = try setUp()
        let (over, here) = withExtendedLifetime(running) { (run(arguments, remote), run(arguments, local)) }
        // Told in Thai (the default) from the keyword, whichever side refused it.
        #expect(over.status == status && over.err.first?.hasPrefix("phapai: ผิดพลาด [\(keyword)]") == true, "\(over)")
        #expect(over.status == here.status && over.out == here.out && over.err.first == here.err.first, "\(over) | \(here)")
        let (overEnglish, hereEnglish) = withExtendedLifetime(running) { (run(arguments + ["--lang", "en"], remote), run(arguments + ["--lang", "en"], local)) }
        #expect(overEnglish.status == status && overEnglish.err.first?.hasPrefix("phapai: error [\(keyword)]") == true, "\(overEnglish)")
        #expect(overEnglish == hereEnglish)
    }

    @Test func aCommandOutsideTheRoleIsRefusedInTheCLIsForm() throws {
        let (running, _, _) = try setUp()
        let planner = ["PHAPAI_SERVER": "127.0.0.1:\(running.port)", "PHAPAI_TOKEN": running.tokens["malee"]!]
        let refused = run(["trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-11-24 09:00"], planner)
        #expect(refused == Run(status: 6, out: [], err: ["phapai: ผิดพลาด [NOT_ALLOWED]: ไม่อนุญาตให้ทำรายการนี้", "    a planner cannot do that"]))
        let english = run(["--lang", "en", "trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-11-24 09:00"], planner)
        #expect(english == Run(status: 6, out: [], err: ["phapai: error [NOT_ALLOWED]: a planner cannot do that"]))
    }
}
