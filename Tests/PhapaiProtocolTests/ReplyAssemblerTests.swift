import Testing
@testable import PhapaiProtocol

/// Every reply the bytes complete, fed in chunks of `chunk` bytes (0: all at once).
func assemble(_ text: String, chunk: Int = 0, lineLimit: Int = ReplyAssembler.defaultLineLimit) throws -> [Reply] {
    var assembler = ReplyAssembler(lineLimit: lineLimit)
    let bytes = Array(text.utf8)
    var replies: [Reply] = []
    var offset = 0
    repeat {
        let end = chunk == 0 ? bytes.count : min(bytes.count, offset + chunk)
        assembler.feed(bytes[offset..<end])
        offset = end
        while let reply = try assembler.next() { replies.append(reply) }
    } while offset < bytes.count
    return replies
}

/// The error the bytes end in, if any.
func assemblyError(_ bytes: [UInt8], lineLimit: Int = ReplyAssembler.defaultLineLimit) -> ProtocolError? {
    var assembler = ReplyAssembler(lineLimit: lineLimit)
    assembler.feed(bytes)
    while true {
        switch Result(catching: { try assembler.next() }) {
        case .success(nil): return nil
        case .success: continue
        case .failure(let error): return error as? ProtocolError
        }
    }
}

@Suite("Reply assembly")
struct ReplyAssemblerTests {
    @Test func dataLinesEndAtTheFinalLineWithCRLFOrLF() throws {
        let replies = try assemble("200-Booked for P004:\r\n200-  trip 35 outbound\n200 #b DONE exit=0\r\n")
        #expect(replies == [Reply(code: 200, keyword: "DONE", fields: [.init("exit", "0")], data: ["Booked for P004:", "  trip 35 outbound"], tag: "b")])
    }

    @Test func aReplySplitOverManyFeedsComesOutWholeOnce() throws {
        let text = "200-ก ข\r\n200-\r\n200 #b1 BOOKED trip=35 return=36 \"จองแล้ว\"\r\n"
        let expected = [Reply(code: 200, keyword: "BOOKED", fields: [.init("trip", "35"), .init("return", "36")], text: "จองแล้ว", data: ["ก ข", ""], tag: "b1")]
        // One byte at a time splits the Thai letters' UTF-8 too.
        for chunk in [1, 2, 3, 7] { #expect(try assemble(text, chunk: chunk) == expected, "chunks of \(chunk)") }
        var assembler = ReplyAssembler()
        assembler.feed(Array("200-a\r\n200 DONE".utf8))
        #expect(try assembler.next() == nil)
        #expect(assembler.hasPartialReply)
        assembler.feed(Array("\r".utf8))
        #expect(try assembler.next() == nil)
        assembler.feed(Array("\n".utf8))
        #expect(try assembler.next() == Reply(code: 200, keyword: "DONE", data: ["a"]))
        #expect(!assembler.hasPartialReply)
        #expect(assembler.lastLine == "200 DONE")
    }

    @Test func severalRepliesInOneFeedComeOutInOrder() throws {
        let replies = try assemble("220 READY proto=1 \"phapai\"\r\n230 HELLO user=somchai role=dispatcher\r\n200 #p PONG\r\n")
        #expect(replies == [
            Reply(code: 220, keyword: "READY", fields: [.init("proto", "1")], text: "phapai"),
            Reply(code: 230, keyword: "HELLO", fields: [.init("user", "somchai"), .init("role", "dispatcher")]),
            Reply(code: 200, keyword: "PONG", tag: "p"),
        ])
    }

    @Test func pushesComeOutOnTheirOwnEvenBetweenAnotherReplysDataLines() throws {
        let replies = try assemble(
            "200-Cancelled trip 5\r\n600 EVENT run=5 seq=2 kind=planned\r\n200-re-planned\r\n200 DONE exit=0\r\n"
                + "600 EVENT run=5 seq=3 kind=planned detail=\"stops=4\"\r\n200 PONG\r\n")
        #expect(replies == [
            Reply(code: 600, keyword: "EVENT", fields: [.init("run", "5"), .init("seq", "2"), .init("kind", "planned")]),
            Reply(code: 200, keyword: "DONE", fields: [.init("exit", "0")], data: ["Cancelled trip 5", "re-planned"]),
            Reply(code: 600, keyword: "EVENT", fields: [.init("run", "5"), .init("seq", "3"), .init("kind", "planned"), .init("detail", "stops=4")]),
            Reply(code: 200, keyword: "PONG"),
        ])
        #expect(replies.map(\.isPush) == [true, false, true, false])
        #expect(replies[2]["detail"] == "stops=4" && replies[2]["at"] == nil)
    }

    @Test func repliesRoundTripThroughTheirLines() throws {
        let replies = [
            Reply(code: 200, keyword: "TRIPS", fields: [.init("count", "2")], text: "สองเที่ยว", data: ["1 requested", "2 scheduled"], tag: "b7"),
            Reply(code: 554, keyword: "UNKNOWN_TRIP", fields: [.init("exit", "3")], text: "no trip 99"),
            Reply(code: 200, keyword: "PLACES", data: ["[", "  {\"id\": \"H-COMM\", \"name\": \"a = b\"}", "]"]),
        ]
        let text = replies.flatMap(\.lines).map { $0 + "\r\n" }.joined()
        #expect(try assemble(text) == replies)
        #expect(try assemble(text, chunk: 5) == replies)
    }

    @Test func aLinePastTheLimitIsAnErrorAndEndsTheStream() throws {
        // "200 PONG" is 8 bytes: at the limit.
        #expect(assemblyError(Array("200 PONG\r\n".utf8), lineLimit: 8) == nil)
        let tooLong = ProtocolError(code: 500, keyword: "LINE_TOO_LONG", message: "a reply line is longer than 8 bytes")
        #expect(assemblyError(Array("200 PONG!\r\n".utf8), lineLimit: 8) == tooLong)
        // Unterminated: refused once more than the limit (and a CR) is buffered.
        #expect(assemblyError(Array("200-ABCDEF".utf8), lineLimit: 8) == tooLong)
        var assembler = ReplyAssembler(lineLimit: 8)
        assembler.feed(Array("200 PONG\r\n200-ABCDEFGH\r\n200 PONG\r\n".utf8))
        #expect(try assembler.next() == Reply(code: 200, keyword: "PONG"))
        #expect(throws: tooLong) { try assembler.next() }
        // The stream cannot be trusted after it: the same error every time.
        assembler.feed(Array("200 PONG\r\n".utf8))
        #expect(throws: tooLong) { try assembler.next() }
    }

    @Test(arguments: [
        ("20 OK\r\n", "SYNTAX"), ("200 \r\n", "SYNTAX"), ("\r\n", "SYNTAX"), ("abc DONE\r\n", "SYNTAX"), ("2x0 DONE\r\n", "SYNTAX"),
        ("200x DONE\r\n", "SYNTAX"), ("199 TOO_LOW\r\n", "SYNTAX"), ("700 TOO_HIGH\r\n", "SYNTAX"), ("200-a\r\n700-b\r\n", "SYNTAX"),
        ("200 OK \"text\" trailing\r\n", "SYNTAX"), ("200 OK key\r\n", "SYNTAX"), ("200 OK note=\"open\r\n", "SYNTAX"),
        ("200-a\r\n550-b\r\n", "SYNTAX"), ("200-a\r\n550 REFUSED\r\n", "SYNTAX"),
    ])
    func malformedLinesThrowAProtocolError(text: String, keyword: String) {
        #expect(assemblyError(Array(text.utf8))?.keyword == keyword, "\(text.debugDescription)")
    }

    @Test func aClosingNoticeCutsTheReplyUnderWayShort() throws {
        let replies = try assemble("200-a\r\n200-b\r\n421 SLOW_CONSUMER \"closing\"\r\n")
        #expect(replies == [Reply(code: 421, keyword: "SLOW_CONSUMER", text: "closing")])
    }

    @Test func theErrorsSayWhatWasWrong() {
        #expect(assemblyError(Array("200-a\r\n550 REFUSED\r\n".utf8)) == .syntax("a 550 final line ends a 200 reply"))
        #expect(assemblyError(Array("200-a\r\n550-b\r\n".utf8)) == .syntax("a 550 data line inside a 200 reply"))
        #expect(assemblyError(Array("200x DONE\r\n".utf8)) == .syntax("a reply code is followed by '-' or a space: '200x DONE'"))
        #expect(assemblyError(Array("700 X\r\n".utf8)) == .syntax("reply codes are 2xx-6xx, got 700"))
        #expect(assemblyError([0x32, 0x30, 0x30, 0x20, 0x4F, 0xFF, 0x0A])
            == ProtocolError(code: 501, keyword: "INVALID_UTF8", message: "a reply line is not valid UTF-8"))
    }
}

/// A server played from a script: `chunks` are what reads return, in order (then the end). Its
/// client holds it (the client may outlive the script's variable).
final class ScriptedStream {
    var chunks: [[UInt8]]
    var written: [UInt8] = []
    var reads = 0

    init(_ chunks: [String]) { self.chunks = chunks.map { Array($0.utf8) } }

    func client(lineLimit: Int = ReplyAssembler.defaultLineLimit) -> WireClient {
        WireClient(
            lineLimit: lineLimit,
            read: { [self] in
                reads += 1
                return chunks.isEmpty ? nil : chunks.removeFirst()
            },
            write: { [self] in written += $0 })
    }

    var writtenText: String { String(decoding: written, as: UTF8.self) }
}

@Suite("Wire client")
struct WireClientTests {
    @Test func greetingHelloAndARequest() throws {
        let stream = ScriptedStream([
            "220 READY proto=1 \"phapai\"\r\n", "230 HELLO user=somchai ", "role=dispatcher\r\n200-Booked for P004:\r\n",
            "200 #b1 BOOKED trip=35 return=36\r\n",
        ])
        let client = stream.client()
        #expect(try client.greeting() == Reply(code: 220, keyword: "READY", fields: [.init("proto", "1")], text: "phapai"))
        #expect(try client.hello(token: "abc") == Reply(code: 230, keyword: "HELLO", fields: [.init("user", "somchai"), .init("role", "dispatcher")]))
        let booked = try client.request(Request(
            tag: "b1", verb: "TRIP", subverb: "BOOK", arguments: [.init("patient", "P004"), .init("appointment", "2026-11-23 09:00")]))
        #expect(booked == Reply(
            code: 200, keyword: "BOOKED", fields: [.init("trip", "35"), .init("return", "36")], data: ["Booked for P004:"], tag: "b1"))
        #expect(booked["trip"] == "35")
        #expect(stream.writtenText == "HELLO proto=1 token=abc\r\n#b1 TRIP BOOK patient=P004 appointment=\"2026-11-23 09:00\"\r\n")
    }

    @Test func pushesWaitForNextPushAndRepliesForNext() throws {
        let stream = ScriptedStream([
            "600 EVENT run=5 seq=1\r\n200 #w WATCHING run=5 seq=1\r\n600 EVENT run=5 seq=2\r\n200 PONG\r\n600 EVENT run=5 seq=3\r\n",
        ])
        let client = stream.client()
        try client.send(line: "#w WATCH run=5 since=0")
        #expect(try client.next() == Reply(code: 200, keyword: "WATCHING", fields: [.init("run", "5"), .init("seq", "1")], tag: "w"))
        #expect(try client.next() == Reply(code: 200, keyword: "PONG"))
        #expect(try client.nextPush()["seq"] == "1")
        #expect(try client.nextPush()["seq"] == "2")
        #expect(try client.receive() == Reply(code: 600, keyword: "EVENT", fields: [.init("run", "5"), .init("seq", "3")]))
        #expect(try client.receive() == nil)
        #expect(stream.writtenText == "#w WATCH run=5 since=0\r\n")
    }

    @Test func receiveKeepsStreamOrderOfWhatNextPassedOver() throws {
        let stream = ScriptedStream(["600 EVENT seq=1\r\n600 EVENT seq=2\r\n200 PONG\r\n"])
        let client = stream.client()
        #expect(try client.next().keyword == "PONG")
        #expect(try client.receive()?["seq"] == "1")
        #expect(try client.receive()?["seq"] == "2")
        #expect(try client.receive() == nil)
    }

    @Test func theEndOfTheStreamIsATypedError() throws {
        let stream = ScriptedStream(["200 PONG\r\n221 BYE\r\n"])
        let client = stream.client()
        #expect(try client.next().keyword == "PONG")
        #expect(try client.next().keyword == "BYE")
        #expect(throws: WireClientError.closed(lastLine: "221 BYE")) { try client.next() }
        #expect(throws: WireClientError.closed(lastLine: "221 BYE")) { try client.nextPush() }
        // Once ended, the stream is not read again.
        #expect(stream.reads == 2)
        #expect(WireClientError.closed(lastLine: "221 BYE").description == "the server closed the connection; its last line was: 221 BYE")

        let cut = ScriptedStream(["200-Booked\r\n200 DO"]).client()
        #expect(throws: WireClientError.truncated(lastLine: "200-Booked")) { try cut.next() }
        #expect(throws: WireClientError.closed(lastLine: "200-Booked")) { try cut.next() }
        #expect(throws: WireClientError.closed(lastLine: nil)) { try ScriptedStream([]).client().greeting() }
        // An empty read is the end too.
        #expect(throws: WireClientError.closed(lastLine: nil)) { try ScriptedStream([""]).client().next() }
    }

    @Test func malformedRepliesAndLongLinesAreProtocolErrors() throws {
        let client = ScriptedStream(["200 PONG\r\n", "20 OK\r\n200 PONG\r\n"]).client()
        #expect(try client.next().keyword == "PONG")
        #expect(throws: ProtocolError.syntax("a reply line starts with a three-digit code: '20 OK'")) { try client.next() }
        #expect(throws: ProtocolError.self) { try client.next() }
        let long = ScriptedStream(["200-" + String(repeating: "x", count: 60) + "\r\n200 DONE\r\n"]).client(lineLimit: 32)
        #expect(throws: ProtocolError(code: 500, keyword: "LINE_TOO_LONG", message: "a reply line is longer than 32 bytes")) { try long.next() }
    }
}
