import Foundation
import Testing
import PhapaiCLI
import PhapaiCore
import PhapaiService
import PhapaiTestSupport

/// A write given with `rid=` is done once: a retry with the same id by the same user gets the
/// original reply (a client whose reply was lost to a crash retries without double-booking).
@Suite("phapaid: idempotent writes (rid)")
struct IdempotencyTests {
    static let booking = #"TRIP BOOK patient=P004 to=H-COMM appointment="2026-11-23 09:00" return=10:30"#

    /// The lines of a reply with its tag swapped, for comparing replies to requests tagged differently.
    static func retagged(_ lines: [String], from: String, to: String) -> [String] {
        lines.map { $0.replacingOccurrences(of: " \(from) ", with: " \(to) ") }
    }

    @Test func aRetryGetsTheOriginalReplyAndBooksNothingMore() throws {
        let running = try TestServer()
        let first = try running.login("somchai").ask("#a \(Self.booking) rid=b-0001")
        #expect(first.last?.hasPrefix("200 #a BOOKED trip=1 ") == true, "\(first)")
        #expect(first.count == 4)
        // Another connection of the same user, another tag: the same reply, the retry's tag.
        let again = try running.login("somchai").ask("#b \(Self.booking) rid=b-0001")
        #expect(again == Self.retagged(first, from: "#a", to: "#b"))
        #expect(try running.world.service.trips().count == 2)
        // Without the rid the same booking is a new one, and a double booking.
        #expect(try running.login("somchai").ask(Self.booking).last?.hasPrefix("555 DOUBLE_BOOKING field=patient ") == true)
        // The log names the rid and the replay, never an argument's value.
        let logged = running.logLines.filter { $0.contains("verb=TRIP.BOOK") }
        #expect(logged.count == 3 && logged[1].contains(" rid=b-0001 replayed=yes ") && !logged.joined().contains("P004"), "\(logged)")
    }

    @Test func theSameRidWithAnotherCommandOrOtherArgumentsIsRefused() throws {
        let running = try TestServer()
        let client = try running.login("somchai")
        #expect(try client.request("\(Self.booking) rid=b-0002").keyword == "BOOKED")
        let moved = #"TRIP BOOK patient=P004 to=H-COMM appointment="2026-11-23 10:00" return=10:30 rid=b-0002"#
        let refusal = #"555 RID_REUSED field=rid "rid b-0002 was given before with another command or other arguments; use a new rid for a new request""#
        #expect(try client.ask(moved) == [refusal])
        #expect(try client.ask(#"PATIENT EDIT id=P004 phone="081-555-0104" rid=b-0002"#) == [refusal])
        // json=yes is part of the request: asking the stored text reply as JSON is another request.
        #expect(try client.ask("\(Self.booking) rid=b-0002 json=yes").last == refusal)
        #expect(try running.world.service.trips().count == 2)
        #expect(try running.world.service.patient(PatientID(unchecked: "P004")).phone != "081-555-0104")
    }

    @Test func aRidBelongsToTheUserWhoGaveIt() throws {
        let running = try TestServer()
        #expect(try running.login("somchai").request("\(Self.booking) rid=shared-1").keyword == "BOOKED")
        // The admin's rid of the same name is their own: their booking runs, and is a double booking.
        let other = try running.login("root").request("\(Self.booking) rid=shared-1")
        #expect(other.code == 555 && other.keyword == "DOUBLE_BOOKING")
    }

    @Test func aRefusedWriteIsNotRememberedSoItsRidMayBeUsedAgain() throws {
        let running = try TestServer()
        let client = try running.login("somchai")
        let past = try client.request(#"TRIP BOOK patient=P004 to=H-COMM appointment="2026-11-19 09:00" rid=b-0003"#)
        #expect(past.code == 553 && past.keyword == "IN_PAST")
        // Nothing was done, so nothing was recorded: the corrected request with that rid is booked once.
        #expect(try client.request("\(Self.booking) rid=b-0003").keyword == "BOOKED")
        #expect(try client.request("\(Self.booking) rid=b-0003").keyword == "BOOKED")
        #expect(try running.world.service.trips().count == 2)
    }

    @Test func aJSONRetryGetsTheSameJSON() throws {
        let running = try TestServer()
        let client = try running.login("somchai")
        let first = try client.ask("\(Self.booking) json=yes rid=j-1")
        #expect(first.first == "200-{" && first.last?.hasPrefix("200 BOOKED trip=1 ") == true, "\(first)")
        #expect(try client.ask("\(Self.booking) json=yes rid=j-1") == first)
        #expect(try running.world.service.trips().count == 2)
    }

    @Test func theRidIsCheckedAndReadsTakeNone() throws {
        let running = try TestServer()
        let client = try running.login("somchai")
        let rule = #"553 INVALID_RID field=rid "a rid is 1-64 characters: ASCII letters, digits, '.', '_', ':' and '-'""#
        #expect(try client.ask("\(Self.booking) rid=\(String(repeating: "a", count: 65))") == [rule])
        #expect(try client.ask(#"\#(Self.booking) rid="two words""#) == [rule])
        #expect(try client.ask(#"\#(Self.booking) rid="""#) == [rule])
        #expect(try client.ask(#"\#(Self.booking) rid="ผิด""#) == [rule])
        #expect(try client.request("\(Self.booking) rid=\(String(repeating: "a", count: 64))").keyword == "BOOKED")
        #expect(try client.ask("TRIP SHOW id=1 rid=r-1")
            == [#"501 USAGE field=rid "'trip show' only reads and takes no rid: a read may simply be repeated""#])
        // A token is shown once and only its hash is kept, so USER ADD cannot replay its reply.
        #expect(try running.login("root").ask("USER ADD name=nid role=planner rid=u-1")
            == [#"501 USAGE field=rid "'user add' takes no rid: its reply holds a secret, which is never stored""#])
        // A plan searches on a worker and must not hold the database meanwhile; planning again is safe.
        #expect(try client.ask("PLAN date=2026-11-23 iterations=10 rid=p-1")
            == [#"501 USAGE field=rid "'plan' takes no rid: a plan starts from the day's runs and keeps its promises, so a retry may simply plan again""#])
    }

    @Test func twoRequestsWithOneRidInOneRoundAreDoneOnce() throws {
        let running = try TestServer()
        let client = try running.login("somchai")
        try client.socket.writeAll(Array("#x \(Self.booking) rid=p-1\r\n#y \(Self.booking) rid=p-1\r\n".utf8))
        let first = try client.reply()
        let second = try client.reply()
        #expect(first.last?.hasPrefix("200 #x BOOKED trip=1 ") == true)
        #expect(second == Self.retagged(first, from: "#x", to: "#y"))
        #expect(try running.world.service.trips().count == 2)
    }

    @Test func aRetryAfterARestartGetsTheOriginal() throws {
        let world = try SampleWorld()
        let before = try TestServer(world: world)
        let token = try #require(before.tokens["somchai"])
        let first = try before.login("somchai").ask("\(Self.booking) rid=r-restart")
        #expect(first.last?.hasPrefix("200 BOOKED trip=1 ") == true)
        before.server.stop()
        // A new server on the same database file.
        let after = try TestServer(world: world, logins: [])
        let client = try after.connect()
        _ = try client.reply()
        #expect(try client.ask("HELLO proto=1 token=\(token)") == ["230 HELLO user=somchai role=dispatcher"])
        #expect(try client.ask("\(Self.booking) rid=r-restart") == first)
        #expect(try world.service.trips().count == 2)
    }

    @Test func aReplyLostAfterTheCommitIsGivenAgain() throws {
        let failNext = FailOnce()
        let running = try TestServer(fault: { name in
            // The round's COMMIT went through; then the server fails before it answers.
            if name == "store.after-commit", failNext.take() { throw PhapaiError(.storage, keyword: "STORAGE", field: nil, message: "injected") }
        })
        let client = try running.login("somchai")
        failNext.arm()
        #expect(try client.ask("\(Self.booking) rid=lost-1").first?.hasPrefix("451 STORAGE") == true)
        #expect(try running.world.service.trips().count == 2)
        let retried = try client.ask("\(Self.booking) rid=lost-1")
        #expect(retried.first == "200-จองให้ P004 นางสาวบุญส่ง อินทร์ทอง วันที่ 2569-11-23:")
        #expect(retried.last?.hasPrefix("200 BOOKED trip=1 ") == true, "\(retried)")
        #expect(try running.world.service.trips().count == 2)
    }

    @Test func theCLIPassesItsRidOverTheWire() throws {
        let running = try TestServer()
        let remote = ["PHAPAI_SERVER": "127.0.0.1:\(running.port)", "PHAPAI_TOKEN": running.tokens["somchai"]!]
        let arguments = ["trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-11-23 09:00", "--rid", "cli-1"]
        func run(_ arguments: [String]) -> (Int32, [String], [String]) {
            let printed = Printed()
            let status = PhapaiCLI.run(arguments, environment: remote, console: printed.console)
            return (status, printed.out.withLock { $0 }, printed.err.withLock { $0 })
        }
        let first = run(arguments)
        #expect(first.0 == 0 && first.1.first == "จองให้ P004 นางสาวบุญส่ง อินทร์ทอง วันที่ 2569-11-23:", "\(first)")
        let again = run(arguments)
        #expect(again.0 == first.0 && again.1 == first.1 && again.2.isEmpty)
        #expect(try running.world.service.trips().count == 1)
        let reused = run(Array(arguments.dropLast(2)) + ["--notes", "ขอรถตู้", "--rid", "cli-1"])
        #expect(reused.0 == 4 && reused.2.first == "phapai: ผิดพลาด [RID_REUSED] ช่อง รหัสคำขอ (rid): รหัสคำขอ (rid) นี้ใช้กับคำสั่งอื่นไปแล้ว", "\(reused)")
        #expect(reused.2.dropFirst().first?.hasPrefix("    rid cli-1 was given before with another command") == true, "\(reused)")
    }
}
