import Foundation
import Testing
import PhapaiCore
import PhapaiNet
import PhapaiProtocol
import PhapaiApp
import PhapaiService
@testable import PhapaiServer
import PhapaiTestSupport

/// One `transcript` block of docs/protocol.md: client lines and the server lines expected after each.
struct Transcript {
    /// Where the block starts in the document (1-based line), for messages.
    var line: Int
    /// Lines as written: `C: ...` or `S: ...`.
    var lines: [String]
    /// Whether the block opens a new connection (it starts with the greeting).
    var connects: Bool { lines.first { !$0.hasPrefix("(clock: ") }?.hasPrefix("S: 220 ") == true }

    /// Every block of the document, in order.
    static func all(in document: String) -> [Transcript] {
        var blocks: [Transcript] = []
        var current: Transcript?
        for (index, line) in document.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line == "```transcript" {
                current = Transcript(line: index + 1, lines: [])
            } else if line == "```", let block = current {
                blocks.append(block)
                current = nil
            } else if current != nil {
                current!.lines.append(String(line))
            }
        }
        return blocks
    }

    /// Whether `actual` server lines fit `expected`: `...` alone stands for any lines (none too),
    /// and a line ending in `...` for any line that starts with what comes before.
    static func matches(_ expected: [String], _ actual: [String]) -> Bool {
        guard let first = expected.first else { return actual.isEmpty }
        if first == "..." {
            return (0...actual.count).contains { matches(Array(expected.dropFirst()), Array(actual.dropFirst($0))) }
        }
        guard let line = actual.first else { return false }
        let fits = first.hasSuffix("...") ? line.hasPrefix(String(first.dropLast(3))) : line == first
        return fits && matches(Array(expected.dropFirst()), Array(actual.dropFirst()))
    }
}

/// The server the transcripts run against: the sample area with English as its language (so the
/// spec's data lines read in English; the sample file's Thai is the default, and `lang=` chooses
/// per request), the clock at 2026-11-20 10:00 (a Friday), and four logins whose tokens the
/// transcripts write as `<admin>`, `<dispatcher>`, `<planner>` and `<driver>`.
final class TranscriptServer {
    let running: TestServer
    let tokens: [String: String]

    init() throws {
        running = try TestServer(world: SampleWorld(language: .en))
        tokens = [
            "<admin>": running.tokens["root"]!, "<dispatcher>": running.tokens["somchai"]!,
            "<planner>": running.tokens["malee"]!, "<driver>": running.tokens["sompong"]!,
        ]
    }

    func substitute(_ line: String) -> String {
        tokens.reduce(line) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
    }
}

@Suite("docs/protocol.md: every transcript replayed against phapaid")
struct TranscriptTests {
    static let documentURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/protocol.md")

    /// Replays every block in order on one server (later blocks see what earlier ones did). With
    /// PHAPAI_RECORD_TRANSCRIPTS=1 it writes the server's actual lines into the document instead
    /// of failing, for a person to read and commit.
    @Test func theSpecificationsTranscriptsHold() throws {
        let document = try String(contentsOf: Self.documentURL, encoding: .utf8)
        let blocks = Transcript.all(in: document)
        // Every request form has at least one transcript: the command language's and the server's own verbs.
        let sent = Set(blocks.flatMap(\.lines).filter { $0.hasPrefix("C: ") }.map { line -> String in
            let words = line.dropFirst(3).split(separator: " ").filter { !$0.hasPrefix("#") }
            return words.prefix(2).filter { !$0.contains("=") }.joined(separator: " ")
        })
        let forms = Command.allCases.map { $0.rawValue.uppercased() } + ["HELLO", "PING", "QUIT", "CAPA", "WATCH", "STATS"]
        for form in forms {
            #expect(sent.contains(form), "docs/protocol.md has no transcript for \(form)")
        }
        let record = ProcessInfo.processInfo.environment["PHAPAI_RECORD_TRANSCRIPTS"] == "1"
        let server = try TranscriptServer()
        var client: TestClient?
        var recorded: [Int: [String]] = [:]
        for block in blocks {
            if block.connects {
                client = try server.running.connect()
                // The transcripts plan days (PLAN ... iterations=2000): in a debug build beside the
                // rest of the suite that can take longer than a test client's usual 5 s, and a
                // reply read late would shift every answer after it.
                try client?.socket.setReadTimeout(seconds: 120)
            }
            guard let connection = client else {
                Issue.record("docs/protocol.md:\(block.line): the first transcript must open a connection (start with S: 220)")
                return
            }
            var output: [String] = []
            var index = 0
            // Each step: the client line (none for the greeting), then the server lines until the next client line.
            while index < block.lines.count {
                if let time = Self.clockSetting(block.lines[index]) {
                    // "(clock: YYYY-MM-DD HH:MM)": time passes on the server, between two requests.
                    let instant = try UTCOffset.bangkok.parseDateTime(time, field: "clock")
                    server.running.world.clock.set(instant)
                    output.append(block.lines[index])
                    index += 1
                    continue
                }
                var sent: String?
                if block.lines[index].hasPrefix("C: ") {
                    sent = String(block.lines[index].dropFirst(3))
                    output.append(block.lines[index])
                    index += 1
                }
                var expected: [String] = []
                while index < block.lines.count, block.lines[index].hasPrefix("S: ") {
                    expected.append(String(block.lines[index].dropFirst(3)))
                    index += 1
                }
                if index < block.lines.count, !block.lines[index].hasPrefix("C: "), Self.clockSetting(block.lines[index]) == nil {
                    Issue.record("docs/protocol.md:\(block.line + index + 1): a transcript line starts with C:, S: or (clock: ...)")
                    return
                }
                if let sent { try connection.send(server.substitute(sent)) }
                let actual = try Self.readAnswer(connection)
                if Transcript.matches(expected, actual) {
                    output += expected.map { "S: " + $0 }
                } else if record {
                    output += actual.map { "S: " + $0 }
                } else {
                    Issue.record("""
                        docs/protocol.md:\(block.line): after \(sent ?? "connecting") the server said
                        \(actual.joined(separator: "\n"))
                        but the transcript says
                        \(expected.joined(separator: "\n"))
                        """)
                }
            }
            recorded[block.line] = output
        }
        if record {
            var lines = document.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for block in blocks.reversed() {
                lines.replaceSubrange(block.line..<(block.line + block.lines.count), with: recorded[block.line] ?? block.lines)
            }
            try lines.joined(separator: "\n").write(to: Self.documentURL, atomically: true, encoding: .utf8)
        }
    }

    /// The time of a `(clock: YYYY-MM-DD HH:MM)` line.
    static func clockSetting(_ line: String) -> String? {
        guard line.hasPrefix("(clock: "), line.hasSuffix(")") else { return nil }
        return String(line.dropFirst(8).dropLast())
    }

    /// The lines up to a reply that is not a push (pushes included), or until the server closes.
    static func readAnswer(_ client: TestClient) throws -> [String] {
        var lines: [String] = []
        while let reply = try client.receive() {
            lines += reply.lines
            if !reply.isPush { break }
        }
        return lines
    }

    @Test func theMatcherTakesWildcards() {
        #expect(Transcript.matches(["200-a", "...", "200 DONE exit=0"], ["200-a", "200-b", "200-c", "200 DONE exit=0"]))
        #expect(Transcript.matches(["...", "200 X"], ["200 X"]))
        #expect(Transcript.matches(["200 STATS connections=1 ..."], ["200 STATS connections=1 requests=4"]))
        #expect(!Transcript.matches(["200 STATS connections=1 ..."], ["200 STATS connections=2 requests=4"]))
        #expect(!Transcript.matches(["200-a", "200 DONE exit=0"], ["200-a", "200-b", "200 DONE exit=0"]))
    }
}

@Suite("The limits table of docs/protocol.md")
struct LimitsDocumentationTests {
    @Test func theTableMatchesTheCodeAndTheShippedConfiguration() throws {
        let doc = try String(contentsOf: TranscriptTests.documentURL, encoding: .utf8)
        var documented: [String: Int] = [:]
        for line in doc.components(separatedBy: "## Limits")[1].split(separator: "\n") where line.hasPrefix("| ") && !line.contains("---") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.count == 3, let value = Int(cells[1]) { documented[cells[0]] = value }
        }
        let defaults = ServerConfiguration()
        let code: [String: Int] = [
            "maxLineBytes": ProtocolLimits.maxLineBytes, "maxLineBytesBeforeHello": ProtocolLimits.maxLineBytesBeforeHello,
            "maxTagBytes": ProtocolLimits.maxTagBytes, "maxArguments": ProtocolLimits.maxArguments, "version": ProtocolLimits.version,
            "readChunkBytes": Server.readChunkBytes, "roundBudgetMilliseconds": Int((Server.roundBudgetSeconds * 1000).rounded()),
            "maxConnections": defaults.maxConnections, "helloDeadlineSeconds": Int(defaults.helloDeadline),
            "lineDeadlineSeconds": Int(defaults.lineDeadline), "idleTimeoutSeconds": Int(defaults.idleTimeout),
            "maxOutgoingBytes": defaults.maxOutgoingBytes, "maxPipelined": defaults.maxPipelined,
            "acceptsPerTurn": Server.acceptsPerTurn, "revocationCheckSeconds": Int(Server.revocationCheckSeconds),
            "keepAliveIdleSeconds": Int(KeepAlive.standard.idleSeconds), "keepAliveIntervalSeconds": Int(KeepAlive.standard.intervalSeconds),
            "keepAliveProbes": Int(KeepAlive.standard.probes),
            "maxUnauthenticated": defaults.maxUnauthenticated, "maxUnauthenticatedPerAddress": defaults.maxUnauthenticatedPerAddress,
            "unauthenticatedGraceSeconds": Int(defaults.unauthenticatedGrace),
            "maxLoginFailures": defaults.maxLoginFailures, "loginFailureWindowSeconds": Int(defaults.loginFailureWindow),
            "loginLockoutSeconds": Int(defaults.loginLockout), "loginLockoutMaxSeconds": Int(defaults.loginLockoutMax),
            "workers": defaults.workers, "maxPlanSeconds": Int(defaults.maxPlanSeconds), "maxPlanIterations": defaults.maxPlanIterations,
            "planThreads": defaults.planThreads,
            "maxWatchReplay": defaults.maxWatchReplay, "maxStatusReportsPerMinute": defaults.maxStatusReportsPerMinute,
        ]
        #expect(documented == code)
        let shipped = try JSONSerialization.jsonObject(
            with: Data(contentsOf: TranscriptTests.documentURL.deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("config/phapaid.json"))) as? [String: Any] ?? [:]
        for (key, value) in shipped {
            guard let number = value as? Int, !(value is Bool) else { continue }
            #expect(documented[key] == number, "config/phapaid.json sets \(key)=\(number), the table says \(documented[key].map(String.init) ?? "nothing")")
        }
    }
}
