/// Parses a reply's final line, `NNN [#tag] KEYWORD *(key=value) ["text"]`, for clients.
public enum ReplyParser {
    /// The reply that `line` ends (data lines are given separately).
    public static func parse(_ line: String, data: [String] = []) throws -> Reply {
        let scalars = Array(line.unicodeScalars)
        guard scalars.count >= 5, scalars[3] == " ", let code = Int(String(String.UnicodeScalarView(scalars[0..<3]))),
            (200...699).contains(code)
        else { throw ProtocolError.syntax("a reply starts with a three-digit code and a space") }
        var scanner = RequestParser.Scanner(Array(scalars[4...]))
        var tag: String?
        if scanner.peek == "#" {
            scanner.advance()
            tag = scanner.word()
            scanner.skipSpaces()
        }
        let keyword = scanner.word()
        guard !keyword.isEmpty else { throw ProtocolError.syntax("a reply needs a keyword") }
        var fields: [Request.Argument] = []
        var text: String?
        while true {
            scanner.skipSpaces()
            if scanner.atEnd { break }
            if scanner.peek == "\"" {
                text = try scanner.value()
                scanner.skipSpaces()
                guard scanner.atEnd else { throw ProtocolError.syntax("the text ends the reply") }
                break
            }
            let key = scanner.key()
            guard !key.isEmpty, scanner.peek == "=" else { throw ProtocolError.syntax("expected key=value in the reply") }
            scanner.advance()
            fields.append(.init(key, try scanner.value()))
        }
        return Reply(code: code, keyword: keyword, fields: fields, text: text, data: data.map { String($0.dropFirst(4)) }, tag: tag)
    }
}
