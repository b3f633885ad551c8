import Foundation
import Testing
import PhapaiTestSupport

/// The Python client of docs/protocol.md ("A client program"), run against a real server: a
/// program reads the trip and its window from the reply's fields alone.
@Suite("docs/protocol.md: the client program")
struct ClientScriptTests {
    /// python3 on the PATH, if any (CI installs it; without it this suite is skipped, visibly).
    static let python: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        .map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The script, as the document shows it.
    static func script() throws -> String {
        let document = try String(contentsOf: TranscriptTests.documentURL, encoding: .utf8)
        let section = try #require(document.components(separatedBy: "## A client program").dropFirst().first)
        let block = try #require(section.components(separatedBy: "```python\n").dropFirst().first)
        return try #require(block.components(separatedBy: "\n```").first) + "\n"
    }

    struct Outcome {
        var status: Int32
        var out: String
        var err: String
    }

    func run(_ arguments: [String], token: String) throws -> Outcome {
        let file = NSTemporaryDirectory() + "phapai-book-\(UUID().uuidString).py"
        try Self.script().write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python!)
        process.arguments = [file] + arguments
        process.environment = ["PHAPAI_TOKEN": token, "LANG": "C.UTF-8"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, out: String(decoding: output, as: UTF8.self), err: String(decoding: errors, as: UTF8.self))
    }

    @Test(.enabled(if: python != nil, "python3 is not installed"))
    func theScriptBooksAJourneyAndReadsItsWindowFromFields() throws {
        let running = try TestServer()
        let token = running.tokens["somchai"]!
        let booked = try run(["127.0.0.1", String(running.port), "P004", "H-COMM", "2026-11-23 09:00"], token: token)
        #expect(booked.status == 0 && booked.out == "trip 1: pickup 2026-11-23T07:19:00+07:00 to 2026-11-23T07:49:00+07:00\n", "\(booked.err)")
        let refused = try run(["127.0.0.1", String(running.port), "P004", "H-COMM", "2026-11-19 09:00"], token: token)
        #expect(refused.status == 1 && refused.err == "refused: IN_PAST (field appointment)\n")
        #expect(try running.world.service.trips().count == 1)
    }
}
