import Foundation
import Testing
import PhapaiCore
import PhapaiProtocol
import PhapaiService
@testable import PhapaiCLI

@Suite("One command language for the CLI and the wire")
struct CommandLanguageTests {
    static let invocations: [[String]] = [
        ["trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-11-23 09:00", "--will-call", "--notes", "ขอรถตู้ \"ด่วน\""],
        ["trip", "list", "--date", "2026-11-23", "--json"],
        ["patient", "show", "P004"],
        ["patient", "find", "บุญ"],
        ["trip", "cancel", "1", "--reason", "ญาติพาไปเอง", "--at-door"],
        ["--era", "buddhist", "trip", "list", "--date", "2569-11-23"],
        ["run", "show", "--date", "2026-11-23", "--vehicle", "VAN1", "--csv"],
        ["trip", "status", "3", "arrive", "--at", "07:00", "--odometer", "12.5"],
        ["report", "funder", "--month", "2026-11"],
    ]

    @Test(arguments: invocations)
    func invocationsTravelAsRequestsAndComeBackTheSame(arguments: [String]) throws {
        let request = try CommandLanguage.request(for: arguments)
        // Over the wire and back.
        let received = try RequestParser.parse(Array(request.line.utf8)).get()
        #expect(received == request)
        let rebuilt = try CommandLanguage.arguments(for: received)
        let original = try ParsedArguments.parse(arguments, commands: Commands.all)
        let again = try ParsedArguments.parse(rebuilt, commands: Commands.all)
        #expect(again.1?.name == original.1?.name)
        #expect(again.0.positionals == original.0.positionals)
        #expect(again.0.values == original.0.values)
        #expect(again.0.flags == original.0.flags)
    }

    @Test func aBookingTravelsAsTheDocumentedLine() throws {
        let request = try CommandLanguage.request(for: Self.invocations[0])
        #expect(request.line == #"TRIP BOOK patient=P004 to=H-COMM appointment="2026-11-23 09:00" notes="ขอรถตู้ \"ด่วน\"" will-call=yes"#)
    }

    @Test func executingARequestPrintsWhatTheEmbeddedCLIPrints() throws {
        let w = try Workspace.initialised()
        let service = try PhapaiService.open(path: w.database, create: false, actor: "test", clock: { try! UTCOffset.bangkok.parseDateTime("2026-11-20 10:00", field: "t") })
        let environment = ["PHAPAI_NOW": "2026-11-20 10:00"]
        let booking = ["trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-11-23 09:00", "--return", "13:15"]
        let reply = CommandLanguage.execute(try CommandLanguage.request(for: booking), service: service, environment: environment)
        #expect(reply.code == 200 && reply.keyword == "DONE" && reply.fields == [.init("exit", "0")])
        #expect(reply.data.first == "Booked for P004 นางสาวบุญส่ง อินทร์ทอง on 2026-11-23:")
        for arguments in [["trip", "list", "--date", "2026-11-23"], ["trip", "list", "--date", "2026-11-23", "--json"], ["patient", "show", "P004"]] {
            let embedded = LineCollector()
            let status = PhapaiCLI.run(arguments, service: service, environment: environment,
                                       console: Console(out: { embedded.append($0) }, err: { _ in }))
            #expect(status == 0)
            let remote = CommandLanguage.execute(try CommandLanguage.request(for: arguments), service: service, environment: environment)
            #expect(remote.data == embedded.lines.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) })
        }
    }

    @Test func errorsKeepTheirKeywordExitCodeAndMessage() throws {
        let w = try Workspace.initialised()
        let service = try PhapaiService.open(path: w.database, create: false, actor: "test")
        let unknown = CommandLanguage.execute(Request(verb: "TRIP", subverb: "SHOW", arguments: [.init("id", "99")]), service: service)
        #expect(unknown.code == 554 && unknown.keyword == "UNKNOWN_TRIP" && unknown.fields == [.init("exit", "3")])
        #expect(unknown.text == "phapai: error [UNKNOWN_TRIP]: trip: no trip 99")
        let bad = CommandLanguage.execute(Request(verb: "TRIP", subverb: "SHOW", arguments: [.init("colour", "red")]), service: service)
        #expect(bad.code == 501 && bad.keyword == "USAGE")
        #expect(throws: PhapaiError.self) { try CommandLanguage.request(for: ["demo"]) }
        #expect(unknown.lines.last!.hasPrefix("554 UNKNOWN_TRIP exit=3 \"phapai: error [UNKNOWN_TRIP]: trip: no trip 99\""))
    }
}
