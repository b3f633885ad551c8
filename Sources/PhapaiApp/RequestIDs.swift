import Foundation
import PhapaiCore
import PhapaiService

/// A client's request id (`rid=` on the wire, `--rid` on the command line): the name a client
/// gives one write so that retrying it, after an answer lost to a crash or a cut connection,
/// gets the first answer instead of doing it twice. 1-64 ASCII letters, digits, `.`, `_`, `:`, `-`
/// (a UUID fits), so it can be logged and never carries patient data by accident of encoding.
public struct RequestID: Hashable, Sendable, CustomStringConvertible {
    /// The id as given.
    public let rawValue: String

    /// The longest id.
    public static let maxLength = 64

    /// The id, or nil when `text` breaks the rule.
    public init?(_ text: String) {
        guard (1...Self.maxLength).contains(text.utf8.count),
            text.utf8.allSatisfy({ byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || [0x2D, 0x2E, 0x3A, 0x5F].contains(byte)
            })
        else { return nil }
        rawValue = text
    }

    /// The id, or an error naming the field and the rule.
    public static func parse(_ text: String) throws -> RequestID {
        guard let id = RequestID(text) else {
            throw PhapaiError.invalid("rid", "INVALID_RID", "a rid is 1-\(maxLength) characters: ASCII letters, digits, '.', '_', ':' and '-'")
        }
        return id
    }

    public var description: String { rawValue }
}

/// Which face runs a command. Its answer is kept in that face's form, so the face is part of what
/// a rid names: a command line's rid replayed on the wire would have no keyword to show.
public enum Face: String, Sendable {
    /// The line protocol (`phapaid`).
    case wire
    /// The command line on a local database file.
    case commandLine = "cli"
    /// The driver web face (a driver's link on a phone).
    case driverWeb = "web"
}

/// An answer as a face shows it: the lines for people (text, or one JSON document) and, on the
/// wire, the final line's keyword and fields. What a retry with the same rid gets, word for word.
public struct RenderedReply: Codable, Sendable, Equatable {
    /// One `key=value` field of the final line.
    public struct Field: Codable, Sendable, Equatable {
        public var key: String
        public var value: String

        /// A field.
        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The result's keyword (`BOOKED`); empty for the command line, which has none.
    public var keyword: String
    /// The result's key fields.
    public var fields: [Field]
    /// The data lines: what `phapai` prints.
    public var lines: [String]

    /// An answer.
    public init(keyword: String = "", fields: [Field] = [], lines: [String]) {
        self.keyword = keyword
        self.fields = fields
        self.lines = lines
    }
}

/// What a command answered, and whether it is the kept answer of an earlier request with its rid.
public struct Replied: Sendable {
    /// The answer.
    public var reply: RenderedReply
    /// True when the command was not run again: this is the first answer to its rid.
    public var replayed: Bool
}

extension Application {
    /// Runs `command` as ``run(_:_:as:)`` does and renders its response with `render`. With a
    /// `rid` among the arguments the write is done at most once per principal and rid: the
    /// rid's record is read, the command run, and its rendered answer recorded in one unit that is
    /// stored whole or not at all (in a server's round, with the round's commit), so an answer is
    /// never kept for a write that was lost, nor a write kept without its answer. A retry with the
    /// same command and arguments gets the recorded answer; the same rid with another command or
    /// other arguments is refused (`RID_REUSED`). A refused command records nothing: it changed
    /// nothing, so running it again cannot do anything twice.
    public func run(
        _ command: Command, _ arguments: Arguments, as principal: Principal, face: Face, render: (Response) throws -> RenderedReply
    ) throws -> Replied {
        guard let text = arguments["rid"] else {
            return Replied(reply: try render(perform(command, arguments, as: principal)), replayed: false)
        }
        // As for any command, the role first: a command the user may not give is refused whatever its arguments.
        _ = try AccessPolicy(service: service).admit(command, arguments, principal)
        if let refusal = command.requestIDRefusal { throw refusal }
        let rid = try RequestID.parse(text)
        let digest = Self.digest(command, arguments, face: face)
        return try service.atomically {
            if let record = try service.requestRecord(actor: principal.actor, rid: rid.rawValue) {
                guard record.command == command.rawValue, record.digest == digest else {
                    throw PhapaiError.conflict(
                        "rid", "RID_REUSED", "rid \(rid) was given before with another command or other arguments; use a new rid for a new request")
                }
                do {
                    return Replied(reply: try JSONDecoder().decode(RenderedReply.self, from: Data(record.reply.utf8)), replayed: true)
                } catch {
                    throw PhapaiError(.storage, keyword: "CORRUPT_ROW", field: nil, message: "the kept answer to rid \(rid) cannot be read")
                }
            }
            let reply = try render(perform(command, arguments, as: principal))
            let encoded = String(decoding: try JSONEncoder().encode(reply), as: UTF8.self)
            try service.recordRequest(actor: principal.actor, rid: rid.rawValue, command: command.rawValue, digest: digest, reply: encoded)
            return Replied(reply: reply, replayed: false)
        }
    }

    /// What tells a retry from a reuse of its rid: the SHA-256 of the face, the command and every
    /// argument as the client gave it (the rid aside), each part length-prefixed so that no two
    /// requests encode alike. Presentation (`json`, `era`) counts: it shapes the kept answer.
    static func digest(_ command: Command, _ arguments: Arguments, face: Face) -> String {
        var parts = [face.rawValue, command.rawValue]
        for key in arguments.values.keys.sorted() where key != "rid" { parts += [key, arguments.values[key]!] }
        let encoded = parts.map { "\($0.utf8.count):\($0)" }.joined()
        return SHA256.hex(SHA256.digest(Array(encoded.utf8)))
    }
}
