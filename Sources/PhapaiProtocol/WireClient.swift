/// A blocking client of the protocol over any byte stream, for programs and tests: requests
/// out, whole replies in (``ReplyAssembler``). The stream is two closures, so this module stays
/// free of I/O; with a socket they are its blocking read and write.
///
/// Replies and pushes are read in stream order; ``next()`` takes the next reply that is not a
/// push and ``nextPush()`` the next push, each keeping what it passes over for the other.
/// Used from one thread at a time (it is not `Sendable`).
public final class WireClient {
    private let read: () throws -> [UInt8]?
    private let write: ([UInt8]) throws -> Void
    private var assembler: ReplyAssembler
    /// Replies and pushes read but not yet taken, in stream order.
    private var waiting: [Reply] = []
    private var ended = false

    /// Creates a client. `read` waits for bytes and returns nil or an empty array at the end of
    /// the stream; `write` sends all of its bytes.
    public init(
        lineLimit: Int = ReplyAssembler.defaultLineLimit, read: @escaping () throws -> [UInt8]?, write: @escaping ([UInt8]) throws -> Void
    ) {
        self.read = read
        self.write = write
        assembler = ReplyAssembler(lineLimit: lineLimit)
    }

    /// The last whole line read, for messages when the stream breaks off.
    public var lastLine: String? { assembler.lastLine }

    /// Sends a request.
    public func send(_ request: Request) throws { try send(line: request.line) }

    /// Sends one line as it is (CRLF added), such as a malformed line in a test.
    public func send(line: String) throws { try write(Array((line + "\r\n").utf8)) }

    /// The next reply or push in stream order; nil when the stream ended between replies.
    /// Throws ``WireClientError/truncated(lastLine:)`` when it ended inside one.
    public func receive() throws -> Reply? {
        if !waiting.isEmpty { return waiting.removeFirst() }
        return try readOne()
    }

    /// The next reply that is not a push (pushes read on the way wait for ``nextPush()``).
    /// Throws ``WireClientError/closed(lastLine:)`` when the stream ends first.
    public func next() throws -> Reply {
        try take { !$0.isPush }
    }

    /// The next push (replies read on the way wait for ``next()``).
    /// Throws ``WireClientError/closed(lastLine:)`` when the stream ends first.
    public func nextPush() throws -> Reply {
        try take { $0.isPush }
    }

    /// Sends `request` and returns its reply (the next reply that is not a push).
    public func request(_ request: Request) throws -> Reply {
        try send(request)
        return try next()
    }

    /// The server's greeting (`220 READY` when it takes the connection).
    public func greeting() throws -> Reply { try next() }

    /// Logs in with `HELLO proto=1 token=...` and returns the answer (`230 HELLO` when logged in).
    public func hello(token: String) throws -> Reply {
        try request(Request(verb: "HELLO", arguments: [.init("proto", String(ProtocolLimits.version)), .init("token", token)]))
    }

    private func take(where wanted: (Reply) -> Bool) throws -> Reply {
        if let index = waiting.firstIndex(where: wanted) { return waiting.remove(at: index) }
        while let reply = try readOne() {
            if wanted(reply) { return reply }
            waiting.append(reply)
        }
        throw WireClientError.closed(lastLine: lastLine)
    }

    /// Reads until a reply or push is whole; nil at the end of the stream.
    private func readOne() throws -> Reply? {
        while true {
            if let reply = try assembler.next() { return reply }
            guard !ended else { return nil }
            guard let bytes = try read(), !bytes.isEmpty else {
                ended = true
                if assembler.hasPartialReply { throw WireClientError.truncated(lastLine: lastLine) }
                return nil
            }
            assembler.feed(bytes)
        }
    }
}

/// A stream that ended before the reply a ``WireClient`` waited for.
public enum WireClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The stream ended between replies. `lastLine`: the last line read, if any.
    case closed(lastLine: String?)
    /// The stream ended inside a reply (data lines or part of a line without the final line).
    case truncated(lastLine: String?)

    /// What happened, for people.
    public var description: String {
        switch self {
        case .closed(let line): "the server closed the connection" + (line.map { "; its last line was: \($0)" } ?? "")
        case .truncated(let line): "the server closed the connection inside a reply" + (line.map { "; its last line was: \($0)" } ?? "")
        }
    }
}
