import Foundation
import Testing
@testable import PhapaiProtocol

func parse(_ text: String) -> Result<Request, ProtocolError> { RequestParser.parse(Array(text.utf8)) }

func request(_ text: String) throws -> Request {
    switch parse(text) {
    case .success(let request): return request
    case .failure(let error): throw error
    }
}

func failure(_ text: String) -> ProtocolError? {
    if case .failure(let error) = parse(text) { return error }
    return nil
}

@Suite("Request grammar")
struct GrammarTests {
    @Test func parsesTagVerbSubverbAndArguments() throws {
        let parsed = try request(#"#b7 trip book patient=P004 to=H-COMM appointment="2026-11-23 09:00" notes="ขอรถตู้ \"ด่วน\"\n""#)
        #expect(parsed.tag == "b7")
        #expect(parsed.verb == "TRIP" && parsed.subverb == "BOOK")
        #expect(parsed.arguments.map(\.key) == ["patient", "to", "appointment", "notes"])
        #expect(parsed["appointment"] == "2026-11-23 09:00")
        #expect(parsed["notes"] == "ขอรถตู้ \"ด่วน\"\n")
    }

    @Test func verbsAloneAndExtraSpacesAreFine() throws {
        #expect(try request("PING") == Request(verb: "PING"))
        #expect(try request("  QUIT  ") == Request(verb: "QUIT"))
        #expect(try request("CAPA x=1").subverb == nil)
        #expect(try request(#"NOTE text="\u{E01}\t\\""#)["text"] == "ก\t\\")
    }

    @Test(arguments: [
        ("", "empty line"), ("#", "a tag"), ("#" + String(repeating: "a", count: 33) + " PING", "a tag"), ("123", "expected a verb"),
        ("TRIP BOOK patient", "expected key=value"), ("TRIP BOOK Patient=P1", "must be lower-case"),
        ("TRIP BOOK patient=P1 patient=P2", "given twice"), (#"TRIP BOOK notes="open"#, "unterminated"),
        (#"TRIP BOOK notes="a\q""#, "unknown escape"), (#"TRIP BOOK notes="\u{110000}""#, "not a Unicode scalar"),
        (#"TRIP BOOK notes="x"y"#, "a space must follow"), ("TRIP BOOK notes=ขอ", "bare value"), ("TRIP BOOK a=", "empty value"),
    ])
    func malformedLinesAreSyntaxErrors(line: String, reason: String) {
        let error = failure(line)
        #expect(error?.code == 500 && error?.keyword == "SYNTAX")
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "no error")")
    }

    @Test func tooManyArgumentsAreRefused() {
        let line = "X " + (0...ProtocolLimits.maxArguments).map { "k\($0)=v" }.joined(separator: " ")
        #expect(failure(line)?.message.contains("more than 32 arguments") == true)
    }

    @Test func badEncodingIsRefusedWith501() {
        let invalid = RequestParser.parse([0x50, 0x49, 0xFF, 0x4E, 0x47])
        #expect(invalid == .failure(ProtocolError(code: 501, keyword: "INVALID_UTF8", message: "the line is not valid UTF-8")))
        #expect(failure("PING\u{1}")?.keyword == "CONTROL_CHARACTER")
        #expect(failure("NOTE text=\"a\tb\"")?.keyword == "CONTROL_CHARACTER")
        #expect(failure("PING\u{85}")?.code == 501)
    }

    @Test func requestsRoundTripThroughTheirLine() throws {
        let original = Request(
            tag: "t1", verb: "TRIP", subverb: "BOOK",
            arguments: [.init("patient", "P004"), .init("notes", "ขอ \"รถตู้\" \\ =\n\t\u{7}"), .init("empty", ""), .init("eq", "a=b")])
        #expect(try request(original.line) == original)
    }
}

@Suite("Replies")
struct ReplyTests {
    @Test func repliesAreOneFinalLineAfterTheirDataLines() {
        let reply = Reply(code: 200, keyword: "TRIPS", fields: [.init("count", "2")], text: "สองเที่ยว", data: ["1 requested", "2 scheduled"], tag: "b7")
        #expect(reply.lines == ["200-1 requested", "200-2 scheduled", "200 #b7 TRIPS count=2 \"สองเที่ยว\""])
        #expect(Reply(code: 220, keyword: "READY", fields: [.init("proto", "1")]).lines == ["220 READY proto=1"])
        #expect(Reply(code: 200, keyword: "X", data: ["a\nb"]).lines == ["200-a\\nb", "200 X"])
    }

    @Test func protocolErrorsBecomeReplies() {
        let reply = Reply.error(ProtocolError(code: 500, keyword: "SYNTAX", message: "empty line"), tag: "q")
        #expect(reply.lines == ["500 #q SYNTAX \"empty line\""])
    }
}

@Suite("Line framing")
struct FramerTests {
    @Test func splitsOnLFAndDropsCR() {
        var framer = LineFramer(limit: 10)
        #expect(framer.append(Array("PING\r\nQU".utf8)) == [.line(Array("PING".utf8))])
        #expect(framer.hasPartialLine)
        #expect(framer.append(Array("IT\n\n".utf8)) == [.line(Array("QUIT".utf8)), .line([])])
        #expect(!framer.hasPartialLine)
    }

    @Test func linesPastTheLimitEndTheStream() {
        var framer = LineFramer(limit: 4)
        #expect(framer.append(Array("ABCD\r\n".utf8)) == [.line(Array("ABCD".utf8))])
        #expect(framer.append(Array("ABCDE\n".utf8)) == [.tooLong])
        #expect(framer.append(Array("PING\n".utf8)).isEmpty)
        var unterminated = LineFramer(limit: 4)
        #expect(unterminated.append(Array("ABCDEF".utf8)) == [.tooLong])
    }

    @Test func theLimitInForceWhenALineIsTakenApplies() {
        // HELLO and a long request in one packet: the longer limit after HELLO covers the second line.
        var framer = LineFramer(limit: 8)
        framer.feed(Array("HELLO\r\n0123456789AB\r\nPING".utf8))
        #expect(framer.next() == .line(Array("HELLO".utf8)))
        framer.limit = 16
        #expect(framer.next() == .line(Array("0123456789AB".utf8)))
        #expect(framer.next() == nil)
        #expect(framer.bufferedBytes == 4)
        framer.feed(Array("\n".utf8))
        #expect(framer.next() == .line(Array("PING".utf8)))
        #expect(framer.bufferedBytes == 0)
    }
}

@Suite("Robustness")
struct FuzzTests {
    /// 100,000 random and mutated lines: the parser always answers, never crashes, and every
    /// answer encodes to a well-formed reply line.
    @Test func randomAndMutatedLinesAlwaysGetAWellFormedAnswer() throws {
        var seed: UInt64 = 0x5EED
        func next() -> UInt64 {
            seed &+= 0x9E37_79B9_7F4A_7C15
            var z = seed
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let seeds = [
            #"#b7 TRIP BOOK patient=P004 to=H-COMM appointment="2026-11-23 09:00" notes="ขอรถตู้ \"ด่วน\"\n""#,
            "PING", "HELLO proto=1 token=abc", #"WATCH run=12 since=40"#, #"NOTE text="\u{E01}\t""#,
        ].map { Array($0.utf8) }
        let alphabet: [UInt8] = Array(" =\"\\#{}u0aZ-_.\n\t".utf8) + [0x00, 0x7F, 0xC3, 0xE0, 0xB8, 0xFF]
        // The reply grammar of docs/protocol.md: values bare or quoted with escapes, matched on
        // Unicode scalars as the protocol defines it (a Thai mark after a quote is its own scalar).
        let quoted = #""(?:[^"\\]|\\.)*""#
        let finalLine = try Regex(#"^[2-6][0-9]{2}( #[A-Za-z0-9_.-]+)? [A-Z0-9_]+( [a-z][a-z0-9_-]*=([^\s"=\\]+|"# + quoted + "))*( " + quoted + ")?$").matchingSemantics(.unicodeScalar)
        var outcomes = (ok: 0, refused: 0)
        for round in 0..<100_000 {
            var line: [UInt8]
            if round % 2 == 0 {
                line = (0..<Int(next() % 60)).map { _ in UInt8(truncatingIfNeeded: next()) }
            } else {
                line = seeds[Int(next() % UInt64(seeds.count))]
                for _ in 0..<(1 + Int(next() % 4)) {
                    let position = line.isEmpty ? 0 : Int(next() % UInt64(line.count + 1))
                    switch next() % 3 {
                    case 0: line.insert(alphabet[Int(next() % UInt64(alphabet.count))], at: position)
                    case 1: if position < line.count { line.remove(at: position) }
                    default: if position < line.count { line[position] = alphabet[Int(next() % UInt64(alphabet.count))] }
                    }
                }
            }
            let reply: Reply
            switch RequestParser.parse(line) {
            case .success(let request):
                outcomes.ok += 1
                // What parsed must print back to the same request.
                #expect(try RequestParser.parse(Array(request.line.utf8)).get() == request)
                reply = Reply(code: 200, keyword: "OK", fields: request.arguments, tag: request.tag)
            case .failure(let error):
                outcomes.refused += 1
                #expect([500, 501].contains(error.code))
                reply = Reply.error(error)
            }
            for text in reply.lines {
                #expect(!text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "control character in a reply line")
            }
            let last = reply.lines.last!
            #expect(last.wholeMatch(of: finalLine) != nil, "malformed reply: \(last)")
        }
        #expect(outcomes.ok > 1_000 && outcomes.refused > 1_000)
    }
}

@Suite("Reply parsing")
struct ReplyParserTests {
    @Test func finalLinesParseBackToTheirReply() throws {
        let replies = [
            Reply(code: 200, keyword: "DONE", fields: [.init("exit", "0")], data: ["a", "ข"]),
            Reply(code: 554, keyword: "UNKNOWN_TRIP", fields: [.init("exit", "3")], text: "phapai: error [UNKNOWN_TRIP]: trip: no trip 99"),
            Reply(code: 230, keyword: "HELLO", fields: [.init("user", "somchai"), .init("role", "dispatcher")], tag: "1"),
            Reply(code: 500, keyword: "SYNTAX", text: "line\nbreak \"quoted\""),
        ]
        for reply in replies {
            let lines = reply.lines
            #expect(try ReplyParser.parse(lines.last!, data: Array(lines.dropLast())) == reply)
        }
        #expect(throws: ProtocolError.self) { try ReplyParser.parse("20 OK") }
        #expect(throws: ProtocolError.self) { try ReplyParser.parse("200 ") }
        #expect(throws: ProtocolError.self) { try ReplyParser.parse(#"200 OK "text" trailing"#) }
    }
}
