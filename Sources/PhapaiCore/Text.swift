import Foundation

/// Rules every piece of free text obeys before it is stored: valid UTF-8, NFC-normalised, no control
/// characters, trimmed, and within a length limit counted in user-perceived characters.
public enum TextRules {
    /// Limits per kind of field, in characters.
    public enum Limit {
        /// Person and place names.
        public static let name = 100
        /// Addresses.
        public static let address = 200
        /// Notes about a patient or a trip.
        public static let notes = 500
        /// Reasons given for a cancellation or a hold.
        public static let reason = 200
        /// Phone numbers.
        public static let phone = 20
    }

    /// Decodes bytes that must be UTF-8, refusing invalid sequences with a message naming the field.
    public static func decodeUTF8(_ bytes: some Collection<UInt8>, field: String) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw PhapaiError.invalid(field, "INVALID_UTF8", "is not valid UTF-8 text")
        }
        return text
    }

    /// Validates and normalises one line of text (a name, an address, a reason, a note).
    ///
    /// - Returns: the NFC-normalised, trimmed text.
    /// - Throws: `EMPTY` when required and blank, `CONTROL_CHARACTER` for C0/C1 controls or DEL,
    ///   `TOO_LONG` beyond `maxLength` characters.
    public static func line(_ text: String, field: String, maxLength: Int, required: Bool = true) throws -> String {
        if let bad = text.unicodeScalars.first(where: isControl) {
            let code = String(bad.value, radix: 16, uppercase: true)
            throw PhapaiError.invalid(
                field, "CONTROL_CHARACTER",
                "must not contain control characters (found U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code))")
        }
        let normalised = text.precomposedStringWithCanonicalMapping
            .trimmingCharacters(in: .whitespaces)
        if required && normalised.isEmpty {
            throw PhapaiError.invalid(field, "EMPTY", "must not be empty")
        }
        if normalised.count > maxLength {
            throw PhapaiError.invalid(field, "TOO_LONG", "must be at most \(maxLength) characters (got \(normalised.count))")
        }
        return normalised
    }

    /// Validates a phone number: digits with optional leading `+` and `-` or space separators.
    public static func phone(_ text: String, field: String = "phone") throws -> String {
        let value = try line(text, field: field, maxLength: Limit.phone)
        let digits = value.filter(\.isASCIIDigitCharacter).count
        let allowed = value.enumerated().allSatisfy { index, char in
            char.isASCIIDigitCharacter || char == "-" || char == " " || (index == 0 && char == "+")
        }
        guard allowed, (6...15).contains(digits) else {
            throw PhapaiError.invalid(field, "INVALID_PHONE", "must be 6-15 digits, optionally with a leading '+' and '-' or space separators")
        }
        return value
    }

    /// Whether a scalar is a C0 or C1 control character or DEL.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0)
    }

    /// Columns `text` takes on a terminal: combining marks (Thai vowel and tone marks above and below
    /// the line) and format characters take none, East Asian wide characters take two.
    public static func displayWidth(_ text: String) -> Int {
        var width = 0
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .format, .control:
                continue
            default:
                width += isWide(scalar) ? 2 : 1
            }
        }
        return width
    }

    private static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v) || (0x1F900...0x1F9FF).contains(v)
            || (0x20000...0x3FFFD).contains(v)
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}

/// Comma-separated values as spreadsheets read them (RFC 4180).
public enum CSV {
    /// One field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break,
    /// quotes doubled. A field a spreadsheet would run as a formula (it begins with `=`, `+`, `-`,
    /// `@`, a tab or a carriage return: a note typed as `=HYPERLINK(...)`) gets a leading `'`,
    /// which spreadsheets show as text.
    public static func field(_ text: String) -> String {
        var text = text
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record: its fields, each as ``field(_:)`` writes it, separated by commas.
    public static func record(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") }
}
