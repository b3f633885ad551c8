/// Parses request lines. Pure and total: every input gives a request or a ``ProtocolError``.
public enum RequestParser {
    /// Parses one line (line ending already removed).
    public static func parse(_ bytes: some Collection<UInt8>) -> Result<Request, ProtocolError> {
        // Encoding first: invalid UTF-8 and control characters are refused whole.
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(ProtocolError(code: 501, keyword: "INVALID_UTF8", message: "the line is not valid UTF-8"))
        }
        if let bad = text.unicodeScalars.first(where: { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) }) {
            return .failure(ProtocolError(
                code: 501, keyword: "CONTROL_CHARACTER", message: "control character U+\(String(bad.value, radix: 16, uppercase: true)) in the line"))
        }
        do {
            return .success(try parse(text: text))
        } catch let error as ProtocolError {
            return .failure(error)
        } catch {
            return .failure(.syntax("\(error)"))
        }
    }

    /// Parses one line of text (already checked for encoding).
    static func parse(text: String) throws -> Request {
        var scanner = Scanner(Array(text.unicodeScalars))
        scanner.skipSpaces()
        guard !scanner.atEnd else { throw ProtocolError.syntax("empty line") }
        var tag: String?
        if scanner.peek == "#" {
            scanner.advance()
            let word = scanner.word()
            guard !word.isEmpty, word.utf8.count <= ProtocolLimits.maxTagBytes, word.unicodeScalars.allSatisfy(isTagScalar) else {
                throw ProtocolError.syntax("a tag is # and 1-\(ProtocolLimits.maxTagBytes) letters, digits, '_', '-' or '.'")
            }
            tag = word
            scanner.skipSpaces()
        }
        let verb = scanner.word()
        guard isVerb(verb) else { throw ProtocolError.syntax("expected a verb (letters), got '\(verb.prefix(40))'") }
        scanner.skipSpaces()
        var subverb: String?
        let save = scanner.position
        let next = scanner.word()
        if !next.isEmpty && !next.contains("=") && isVerb(next) {
            subverb = next.uppercased()
        } else {
            scanner.position = save
        }
        var arguments: [Request.Argument] = []
        while true {
            scanner.skipSpaces()
            if scanner.atEnd { break }
            let key = scanner.key()
            guard !key.isEmpty, scanner.peek == "=" else {
                throw ProtocolError.syntax("expected key=value, got '\(String(String.UnicodeScalarView(scanner.rest.prefix(40))))'")
            }
            guard key.unicodeScalars.first.map({ ("a"..."z").contains($0) }) == true,
                key.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" })
            else { throw ProtocolError.syntax("key '\(key.prefix(40))' must be lower-case letters, digits, '_' or '-', starting with a letter") }
            scanner.advance()
            let value = try scanner.value()
            guard !arguments.contains(where: { $0.key == key }) else { throw ProtocolError.syntax("key '\(key)' is given twice") }
            arguments.append(Request.Argument(key, value))
            guard arguments.count <= ProtocolLimits.maxArguments else {
                throw ProtocolError.syntax("more than \(ProtocolLimits.maxArguments) arguments")
            }
            guard scanner.atEnd || scanner.peek == " " else { throw ProtocolError.syntax("a space must follow the value of '\(key)'") }
        }
        return Request(tag: tag, verb: verb.uppercased(), subverb: subverb, arguments: arguments)
    }

    static func isVerb(_ word: String) -> Bool {
        !word.isEmpty && word.count <= 32 && word.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("a"..."z").contains($0) || $0 == "_" }
    }

    static func isTagScalar(_ scalar: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-" || scalar == "."
    }

    struct Scanner {
        let scalars: [Unicode.Scalar]
        var position = 0
        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var atEnd: Bool { position >= scalars.count }
        var peek: Unicode.Scalar? { atEnd ? nil : scalars[position] }
        var rest: ArraySlice<Unicode.Scalar> { scalars[min(position, scalars.count)...] }
        mutating func advance() { position += 1 }
        mutating func skipSpaces() { while peek == " " { advance() } }

        /// Up to the next space.
        mutating func word() -> String {
            var out = String.UnicodeScalarView()
            while let scalar = peek, scalar != " " {
                out.append(scalar)
                advance()
            }
            return String(out)
        }

        /// Up to '=' or a space.
        mutating func key() -> String {
            var out = String.UnicodeScalarView()
            while let scalar = peek, scalar != " ", scalar != "=" {
                out.append(scalar)
                advance()
            }
            return String(out)
        }

        /// A bare token or a quoted string.
        mutating func value() throws -> String {
            guard peek == "\"" else {
                var out = String.UnicodeScalarView()
                while let scalar = peek, scalar != " " {
                    guard scalar.isASCII, Wire.isBareByte(UInt8(scalar.value)) else {
                        throw ProtocolError.syntax("a bare value is printable ASCII without '\"', '\\\\' or '='; quote other text")
                    }
                    out.append(scalar)
                    advance()
                }
                guard !out.isEmpty else { throw ProtocolError.syntax("empty value; write \"\" for an empty text") }
                return String(out)
            }
            advance()
            var out = String.UnicodeScalarView()
            while let scalar = peek {
                advance()
                switch scalar {
                case "\"": return String(out)
                case "\\":
                    guard let escaped = peek else { throw ProtocolError.syntax("unfinished escape") }
                    advance()
                    switch escaped {
                    case "\"": out.append("\"")
                    case "\\": out.append("\\")
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "u":
                        guard peek == "{" else { throw ProtocolError.syntax("\\u must be followed by {hex}") }
                        advance()
                        var hex = ""
                        while let digit = peek, digit != "}" {
                            hex.unicodeScalars.append(digit)
                            advance()
                            guard hex.count <= 6 else { throw ProtocolError.syntax("\\u{...} takes 1-6 hex digits") }
                        }
                        guard peek == "}", let value = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(value) else {
                            throw ProtocolError.syntax("\\u{\(hex.prefix(8))} is not a Unicode scalar")
                        }
                        advance()
                        out.append(decoded)
                    default: throw ProtocolError.syntax("unknown escape \\\(escaped)")
                    }
                default: out.append(scalar)
                }
            }
            throw ProtocolError.syntax("unterminated quoted value")
        }
    }
}
