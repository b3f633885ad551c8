import Foundation
import Testing
import PhapaiApp
import PhapaiCore
import PhapaiProtocol
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

    /// The command and the application's arguments an invocation stands for.
    static func decode(_ arguments: [String]) throws -> (Command, Arguments) {
        let parsed = try ParsedArguments.parse(arguments)
        guard case .shared(let command) = try #require(parsed.command) else { throw PhapaiError.usage("a local command") }
        return (command, parsed.arguments(for: command.spec, environment: [:]))
    }

    @Test(arguments: invocations)
    func invocationsTravelAsRequestsAndArriveTheSame(arguments: [String]) throws {
        let (command, sent) = try Self.decode(arguments)
        let request = RemoteClient.request(command, sent)
        // Over the wire and back: the server sees the same command with the same arguments.
        let received = try RequestParser.parse(Array(request.line.utf8)).get()
        #expect(received == request)
        #expect(Command(path: [received.verb.lowercased()] + (received.subverb.map { [$0.lowercased()] } ?? [])) == command)
        var arrived = Arguments()
        for argument in received.arguments { arrived[argument.key] = argument.value }
        #expect(arrived == sent)
    }

    @Test func aBookingTravelsAsTheDocumentedLine() throws {
        let (command, arguments) = try Self.decode(Self.invocations[0])
        #expect(RemoteClient.request(command, arguments).line
            == #"TRIP BOOK patient=P004 to=H-COMM appointment="2026-11-23 09:00" will-call=yes notes="ขอรถตู้ \"ด่วน\"""#)
    }

    @Test func localCommandsAreNotPartOfTheSharedLanguage() throws {
        for words in [["init"], ["demo"], ["backup", "x.db"], ["matrix", "import", "m.csv"]] {
            guard case .local = try #require(try ParsedArguments.parse(words).command) else {
                Issue.record("\(words) should be local")
                continue
            }
        }
        #expect(Command(path: ["backup"]) == nil && Command(path: ["demo"]) == nil)
    }

    @Test func everyCommandOfTheCatalogueHasAHelpAndAJSONForm() {
        for command in Command.allCases {
            #expect(command.spec.options.contains { $0.name == "json" }, "\(command.rawValue) has no json")
            #expect(Help.text(command.spec, words: Words(.en)).hasPrefix("Usage: phapai \(command.rawValue)"))
            #expect(Help.text(command.spec, words: Words(.th)).hasPrefix("วิธีใช้: phapai \(command.rawValue)"))
        }
    }
}
