/// Assembles whole replies from the bytes a server sends: `NNN-data` lines up to the final
/// `NNN ` line, framed by ``LineFramer`` and parsed by ``ReplyParser``. Pure: bytes in, replies
/// out, so a blocking client (``WireClient``), a poll loop and a test can all use it.
///
/// Server pushes (`600 EVENT ...`) come out as replies of their own, in stream order, even
/// between the data lines of another reply; a `421` (the server closing the connection) cuts the
/// reply under way short. A line that breaks the reply grammar or the line
/// limit throws a ``ProtocolError``; the stream cannot be trusted after it, so every later
/// ``next()`` throws the same error.
public struct ReplyAssembler: Sendable {
    /// The longest reply line accepted by default, its ending excluded: 1 MiB. Far above the
    /// request limit, because data lines carry listings and JSON.
    public static let defaultLineLimit = 1 << 20

    private var framer: LineFramer
    /// Data lines of the reply being assembled, without their `NNN-` prefix.
    private var data: [String] = []
    /// The code of those data lines.
    private var dataCode: Int?
    private var failure: ProtocolError?
    /// The last whole line taken, ending excluded (for messages when a stream breaks off).
    public private(set) var lastLine: String?

    /// Creates an assembler refusing lines longer than `lineLimit` bytes.
    public init(lineLimit: Int = ReplyAssembler.defaultLineLimit) {
        framer = LineFramer(limit: lineLimit)
    }

    /// Adds bytes from the stream.
    public mutating func feed(_ bytes: some Sequence<UInt8>) {
        framer.feed(bytes)
    }

    /// Whether bytes of a reply not yet whole are buffered: data lines without their final line,
    /// or part of a line. Meaningful once ``next()`` has returned nil (at the end of a stream,
    /// true means the stream broke off inside a reply).
    public var hasPartialReply: Bool { dataCode != nil || framer.hasPartialLine }

    /// The next whole reply or push, or nil when none is buffered yet.
    public mutating func next() throws -> Reply? {
        if let failure { throw failure }
        do {
            while let event = framer.next() {
                switch event {
                case .tooLong:
                    throw ProtocolError(code: 500, keyword: "LINE_TOO_LONG", message: "a reply line is longer than \(framer.limit) bytes")
                case .line(let bytes):
                    if let reply = try take(bytes) { return reply }
                }
            }
            return nil
        } catch let error as ProtocolError {
            failure = error
            throw error
        }
    }

    /// One line: a data line is kept (nil), a final line ends its reply.
    private mutating func take(_ bytes: [UInt8]) throws -> Reply? {
        guard let line = String(validating: bytes, as: UTF8.self) else {
            throw ProtocolError(code: 501, keyword: "INVALID_UTF8", message: "a reply line is not valid UTF-8")
        }
        lastLine = line
        guard bytes.count >= 4, bytes[0..<3].allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw ProtocolError.syntax("a reply line starts with a three-digit code: '\(line.prefix(40))'")
        }
        let code = Int(bytes[0] - 0x30) * 100 + Int(bytes[1] - 0x30) * 10 + Int(bytes[2] - 0x30)
        guard (200...699).contains(code) else { throw ProtocolError.syntax("reply codes are 2xx-6xx, got \(code)") }
        switch bytes[3] {
        case UInt8(ascii: "-"):
            if let dataCode, dataCode != code {
                throw ProtocolError.syntax("a \(code) data line inside a \(dataCode) reply")
            }
            dataCode = code
            data.append(String(decoding: bytes[4...], as: UTF8.self))
            return nil
        case UInt8(ascii: " "):
            var reply = try ReplyParser.parse(line)
            if let dataCode, dataCode != code {
                // A push may arrive between another reply's data lines; that reply goes on after it.
                if reply.isPush { return reply }
                // 421: the server is closing the connection (a client that did not read, a
                // shutdown): the reply under way is cut short and comes no further.
                guard code == 421 else { throw ProtocolError.syntax("a \(code) final line ends a \(dataCode) reply") }
                data = []
                self.dataCode = nil
                return reply
            }
            reply.data = data
            data = []
            dataCode = nil
            return reply
        default:
            throw ProtocolError.syntax("a reply code is followed by '-' or a space: '\(line.prefix(40))'")
        }
    }
}

extension Reply {
    /// Whether the server pushed this line unasked (6xx, such as `600 EVENT`).
    public var isPush: Bool { (600...699).contains(code) }

    /// The value of field `key` on the final line, if given.
    public subscript(key: String) -> String? { fields.first { $0.key == key }?.value }
}
