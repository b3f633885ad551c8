/// A request line: `[#tag] VERB [SUBVERB] *(key=value)`.
public struct Request: Hashable, Sendable {
    /// The client's tag, echoed on the reply so pipelined replies can be matched.
    public var tag: String?
    /// The verb, upper case (`TRIP`, `PING`).
    public var verb: String
    /// The sub-verb, upper case (`BOOK`), if any.
    public var subverb: String?
    /// Arguments in the order given; keys are lower case and unique.
    public var arguments: [Argument]

    /// One `key=value`.
    public struct Argument: Hashable, Sendable {
        public var key: String
        public var value: String
        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    /// Creates a request.
    public init(tag: String? = nil, verb: String, subverb: String? = nil, arguments: [Argument] = []) {
        self.tag = tag
        self.verb = verb
        self.subverb = subverb
        self.arguments = arguments
    }

    /// The value of `key`, if given.
    public subscript(key: String) -> String? { arguments.first { $0.key == key }?.value }

    /// The request as one line (no line ending), values quoted where they must be.
    public var line: String {
        var parts: [String] = []
        if let tag { parts.append("#" + tag) }
        parts.append(verb)
        if let subverb { parts.append(subverb) }
        parts += arguments.map { "\($0.key)=\(Wire.value($0.value))" }
        return parts.joined(separator: " ")
    }
}

/// A reply: `NNN KEYWORD *(key=value) ["human text"]`, with optional data lines before it, each
/// sent as `NNN-line` (SMTP style). Clients act on the code and keyword, never on the text.
public struct Reply: Hashable, Sendable {
    /// 2xx done, 4xx transient, 5xx permanent, 6xx server push.
    public var code: Int
    /// A stable upper-case keyword.
    public var keyword: String
    /// Machine-readable fields.
    public var fields: [Request.Argument]
    /// Text for people.
    public var text: String?
    /// Lines of data sent before the final line.
    public var data: [String]
    /// The request's tag, echoed.
    public var tag: String?

    /// Creates a reply.
    public init(code: Int, keyword: String, fields: [Request.Argument] = [], text: String? = nil, data: [String] = [], tag: String? = nil) {
        precondition((200...699).contains(code), "reply codes are 2xx-6xx")
        self.code = code
        self.keyword = keyword
        self.fields = fields
        self.text = text
        self.data = data
        self.tag = tag
    }

    /// The reply as lines (no line endings): `NNN-data` lines, then the final line.
    public var lines: [String] {
        let prefix = String(code)
        var out = data.map { "\(prefix)-\(Wire.dataLine($0))" }
        var last = [prefix] + (tag.map { ["#" + $0] } ?? []) + [keyword]
        last += fields.map { "\($0.key)=\(Wire.value($0.value))" }
        if let text { last.append(Wire.quoted(text)) }
        out.append(last.joined(separator: " "))
        return out
    }

    /// The reply for a protocol error.
    public static func error(_ error: ProtocolError, tag: String? = nil) -> Reply {
        Reply(code: error.code, keyword: error.keyword, text: error.message, tag: tag)
    }
}

/// A line that breaks the protocol's grammar or limits.
public struct ProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The reply code: 500 syntax, 501 bad encoding.
    public var code: Int
    /// `SYNTAX`, `INVALID_UTF8`, `CONTROL_CHARACTER`, `LINE_TOO_LONG`, ...
    public var keyword: String
    /// What was wrong, for people.
    public var message: String

    /// Creates an error.
    public init(code: Int, keyword: String, message: String) {
        self.code = code
        self.keyword = keyword
        self.message = message
    }

    public var description: String { "\(code) \(keyword): \(message)" }

    static func syntax(_ message: String) -> ProtocolError { ProtocolError(code: 500, keyword: "SYNTAX", message: message) }
}

/// Writing values on the wire.
public enum Wire {
    /// A bare token when it is one (printable ASCII, no space, quote, backslash or '='), else quoted.
    public static func value(_ text: String) -> String {
        if !text.isEmpty && text.utf8.allSatisfy(isBareByte) { return text }
        return quoted(text)
    }

    /// `"..."` with `\"`, `\\`, `\n`, `\t`, and `\u{X}` for other control characters; other text raw.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0) {
                    out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A data line of a multi-line reply: control characters escaped so the line stays one line.
    static func dataLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        return String(quoted(text).dropFirst().dropLast())
    }

    static func isBareByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && byte != 0x22 && byte != 0x5C && byte != 0x3D
    }
}
