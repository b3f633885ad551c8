import PhapaiProtocol
import Testing

/// The driver web face's strict HTTP/1.1 reader.
@Suite("HTTP reader")
struct HTTPReaderTests {
    func parse(_ text: String, limits: HTTPLimits = HTTPLimits()) -> HTTPParse { HTTPReader.parse(Array(text.utf8), limits: limits) }

    @Test func readsAGetWithItsQueryAndAPostWithItsForm() throws {
        guard case .request(let get, let used) = parse("GET /d/abc?r=w1-5-arrive&x=%E0%B8%81 HTTP/1.1\r\nHost: x\r\n\r\nEXTRA") else {
            Issue.record("not read")
            return
        }
        #expect(get.method == "GET" && get.path == "/d/abc" && get.query == ["r": "w1-5-arrive", "x": "ก"] && get.headers["host"] == "x")
        #expect(used == "GET /d/abc?r=w1-5-arrive&x=%E0%B8%81 HTTP/1.1\r\nHost: x\r\n\r\n".utf8.count)
        let body = "trip=5&report=arrive&rid=a+b%2Bc"
        guard case .request(let post, _) = parse("POST /d/abc/status HTTP/1.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)") else {
            Issue.record("not read")
            return
        }
        #expect(HTTPReader.formFields(post.body) == ["trip": "5", "report": "arrive", "rid": "a b+c"])
    }

    @Test func waitsForTheWholeHeadAndBody() {
        #expect(parse("GET / HTTP/1.1\r\nHost: x\r\n") == .incomplete)
        #expect(parse("POST /d/a/status HTTP/1.1\r\nContent-Length: 10\r\n\r\ntrip=5") == .incomplete)
    }

    @Test func refusesWhatItWillNotTakeWithTheStatusThatSaysWhy() {
        var limits = HTTPLimits()
        limits.maxHeadBytes = 100
        #expect(parse("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 200), limits: limits) == .refused(status: 431, reason: "head-too-large"))
        #expect(parse("GET / HTTP/1.1\r\n" + String(repeating: "X: 1\r\n", count: 41) + "\r\n") == .refused(status: 431, reason: "too-many-headers"))
        #expect(parse("POST /d/a/status HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") == .refused(status: 501, reason: "transfer-encoding"))
        #expect(parse("POST /d/a/status HTTP/1.1\r\n\r\n") == .refused(status: 411, reason: "no-length"))
        #expect(parse("POST /d/a/status HTTP/1.1\r\nContent-Length: 5000\r\n\r\n") == .refused(status: 413, reason: "body-too-large"))
        #expect(parse("POST /d/a/status HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab") == .refused(status: 400, reason: "two-lengths"))
        #expect(parse("GET / HTTP/1.1\r\nX: 1\r\n folded\r\n\r\n") == .refused(status: 400, reason: "bad-header"))
        #expect(parse("DELETE / HTTP/1.1\r\n\r\n") == .refused(status: 405, reason: "method"))
        #expect(parse("GET http://x/ HTTP/1.1\r\n\r\n") == .refused(status: 400, reason: "target"))
        #expect(parse("GET /%zz HTTP/1.1\r\n\r\n") == .refused(status: 400, reason: "bad-path"))
        #expect(parse("GET / SPDY\r\n\r\n") == .refused(status: 400, reason: "bad-request-line"))
    }

    @Test func everyAnswerClosesAndKeepsTheLinkOutOfCachesAndReferrers() {
        let text = String(decoding: HTTPResponse(status: 303, headers: [("Location", "/d/x?r=1")]).bytes, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 303 See Other\r\n"))
        for header in ["Connection: close", "Cache-Control: no-store", "Referrer-Policy: no-referrer", "Location: /d/x?r=1", "Content-Length: 0"] {
            #expect(text.contains(header + "\r\n"))
        }
        #expect(text.hasSuffix("\r\n\r\n"))
    }
}
