/// One HTTP/1.1 request of the driver web face: a small, strict reader (no chunked bodies, no
/// header folding, bounded sizes), because the face serves a handful of pages and forms.
public struct HTTPRequest: Sendable, Equatable {
    /// `GET` or `POST` (others are refused with 405).
    public var method: String
    /// The path, percent-decoded, without the query.
    public var path: String
    /// The query's fields (`?r=...`), decoded.
    public var query: [String: String]
    /// Header values by lower-case name.
    public var headers: [String: String]
    /// The body (a form's fields, for a POST).
    public var body: [UInt8]
}

/// The bounds the reader enforces; past them the request is refused with the status named.
public struct HTTPLimits: Sendable {
    /// The request line and headers together (431 beyond).
    public var maxHeadBytes = 8_192
    /// Header lines (431 beyond).
    public var maxHeaders = 40
    /// The body (413 beyond).
    public var maxBodyBytes = 2_048

    /// The default bounds.
    public init() {}
}

/// What reading the bytes received so far gives.
public enum HTTPParse: Sendable, Equatable {
    /// More bytes are needed.
    case incomplete
    /// A whole request, and how many bytes it took.
    case request(HTTPRequest, consumed: Int)
    /// A request the face will not take: the status to answer and why (for the log; no values).
    case refused(status: Int, reason: String)
}

/// Reads HTTP/1.1 requests.
public enum HTTPReader {
    /// Reads the request at the start of `bytes`.
    public static func parse(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits()) -> HTTPParse {
        guard let headEnd = endOfHead(bytes) else {
            return bytes.count > limits.maxHeadBytes ? .refused(status: 431, reason: "head-too-large") : .incomplete
        }
        guard headEnd.start <= limits.maxHeadBytes else { return .refused(status: 431, reason: "head-too-large") }
        guard let head = String(validating: bytes[..<headEnd.start], as: UTF8.self) else { return .refused(status: 400, reason: "head-not-UTF-8") }
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard requestLine.count == 3, requestLine[2] == "HTTP/1.1" || requestLine[2] == "HTTP/1.0" else {
            return .refused(status: 400, reason: "bad-request-line")
        }
        let method = String(requestLine[0])
        guard method == "GET" || method == "POST" else { return .refused(status: 405, reason: "method") }
        let target = String(requestLine[1])
        guard target.hasPrefix("/"), target.utf8.count <= 2_048 else { return .refused(status: target.hasPrefix("/") ? 414 : 400, reason: "target") }
        guard lines.count <= limits.maxHeaders else { return .refused(status: 431, reason: "too-many-headers") }
        var headers: [String: String] = [:]
        for line in lines {
            // A folded line (obs-fold) or a name with spaces is refused: smuggling lives in such ambiguity.
            guard let colon = line.firstIndex(of: ":"), line.first != " ", line.first != "\t" else { return .refused(status: 400, reason: "bad-header") }
            let name = line[..<colon].lowercased()
            guard !name.isEmpty, !name.contains(" "), !name.contains("\t") else { return .refused(status: 400, reason: "bad-header") }
            var value = Substring(line[line.index(after: colon)...])
            while value.first == " " || value.first == "\t" { value.removeFirst() }
            while value.last == " " || value.last == "\t" { value.removeLast() }
            if let earlier = headers[name] {
                // The same length twice is one length; two lengths are a smuggling attempt.
                if name == "content-length" {
                    guard earlier == value else { return .refused(status: 400, reason: "two-lengths") }
                    continue
                }
                headers[name] = earlier + ", " + value
            } else {
                headers[name] = String(value)
            }
        }
        if headers["transfer-encoding"] != nil { return .refused(status: 501, reason: "transfer-encoding") }
        var length = 0
        if let text = headers["content-length"] {
            guard !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let value = Int(text) else {
                return .refused(status: 400, reason: "bad-length")
            }
            length = value
        } else if method == "POST" {
            return .refused(status: 411, reason: "no-length")
        }
        guard length <= limits.maxBodyBytes else { return .refused(status: 413, reason: "body-too-large") }
        guard bytes.count - headEnd.end >= length else { return .incomplete }
        let pathPart = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard let path = percentDecode(String(pathPart[0]), plusIsSpace: false) else { return .refused(status: 400, reason: "bad-path") }
        var query: [String: String] = [:]
        if pathPart.count == 2 {
            guard let fields = formFields(Array(pathPart[1].utf8)) else { return .refused(status: 400, reason: "bad-query") }
            query = fields
        }
        let body = Array(bytes[headEnd.end..<(headEnd.end + length)])
        return .request(HTTPRequest(method: method, path: path, query: query, headers: headers, body: body), consumed: headEnd.end + length)
    }

    /// The fields of a form (`application/x-www-form-urlencoded`) or a query; nil when an escape
    /// is broken or the text is not UTF-8. A field given twice keeps its first value.
    public static func formFields(_ bytes: [UInt8]) -> [String: String]? {
        var fields: [String: String] = [:]
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = percentDecode(String(parts[0]), plusIsSpace: true),
                let value = percentDecode(parts.count == 2 ? String(parts[1]) : "", plusIsSpace: true)
            else { return nil }
            if fields[key] == nil { fields[key] = value }
        }
        return fields
    }

    /// `%XX` escapes decoded (and `+` as a space in forms); nil when broken or not UTF-8.
    static func percentDecode(_ text: String, plusIsSpace: Bool) -> String? {
        var out: [UInt8] = []
        var bytes = text.utf8.makeIterator()
        while let byte = bytes.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = bytes.next().flatMap(hexValue), let low = bytes.next().flatMap(hexValue) else { return nil }
                out.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace: out.append(0x20)
            default: out.append(byte)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    /// Where the head ends: the blank line's start, and the first byte after it.
    private static func endOfHead(_ bytes: [UInt8]) -> (start: Int, end: Int)? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 0x0D && bytes[index + 1] == 0x0A && bytes[index + 2] == 0x0D && bytes[index + 3] == 0x0A {
            return (index, index + 4)
        }
        return nil
    }
}

/// An HTTP/1.1 response of the driver web face, as bytes: every response closes its connection
/// and carries the headers that keep a secret link out of caches and referrers.
public struct HTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Extra headers (`Location`).
    public var headers: [(String, String)] = []
    /// The body.
    public var body: [UInt8] = []
    /// Its media type.
    public var contentType = "text/html; charset=utf-8"

    /// A response.
    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The reason phrase of the statuses the face uses.
    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 303: "See Other"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        default: "Error"
        }
    }

    /// The response on the wire.
    public var bytes: [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
        // The link is the driver's key: no cache keeps the page, and no map site hears the link as a referrer.
        head += "Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\nX-Robots-Tag: noindex, nofollow\r\n"
        head += "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'\r\n"
        if status == 405 { head += "Allow: GET, POST\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        return Array((head + "\r\n").utf8) + body
    }
}
