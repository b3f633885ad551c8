import Foundation
import Testing

/// The `--json` forms of `trip list` and `patient show` are a contract documented in docs/cli.md;
/// the examples there are compared byte for byte with what the binary prints.
@Suite("phapai: JSON output contract")
struct JSONContractTests {
    /// The ```json blocks of docs/cli.md, in order.
    static func documentedExamples() throws -> [String] {
        let text = try String(contentsOf: Phapai.repository.appendingPathComponent("docs/cli.md"), encoding: .utf8)
        return text.components(separatedBy: "```json\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] + "\n" }
    }

    @Test func tripListJSONMatchesTheDocumentation() throws {
        let w = try Workspace.initialised()
        try w.ok("trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-11-23 09:00", "--will-call", "--notes", "ขอรถตู้")
        let json = try w.ok("trip", "list", "--date", "2026-11-23", "--json")
        let examples = try Self.documentedExamples()
        #expect(examples.count == 2)
        #expect(json == examples[0])
        #expect(json.contains("\"earliest\": \"2026-11-23T07:19:00+07:00\""))
        #expect(try w.ok("trip", "list", "--date", "2026-11-23", "--json") == json)
    }

    @Test func patientShowJSONMatchesTheDocumentation() throws {
        let w = try Workspace.initialised()
        let json = try w.ok("patient", "show", "P004", "--json")
        #expect(json == (try Self.documentedExamples())[1])
        #expect(json.contains("\"upcomingTrips\": []"))
    }
}
