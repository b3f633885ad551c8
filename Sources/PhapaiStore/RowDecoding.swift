import PhapaiCore

/// Strict reading of stored values: a column that holds something its type does not know is a
/// corrupt row, reported as a storage error naming the table and column. Never repaired to a
/// default, because a stretcher patient read back as ambulatory is worse than no answer.
extension Store {
    /// The error for a stored value that is not what `table.column` may hold.
    static func corruptRow(_ table: String, _ column: String, holds value: String, notA what: String) -> PhapaiError {
        PhapaiError(
            .storage, keyword: "CORRUPT_ROW", field: "\(table).\(column)",
            message: "\(table).\(column) holds \(shown(value)), which is not \(what)")
    }

    /// Decodes the enum value stored in `table.column`, or throws CORRUPT_ROW.
    static func decode<T: RawRepresentable>(
        _ type: T.Type, _ raw: String, table: String, column: String, what: String
    ) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: raw) else { throw corruptRow(table, column, holds: raw, notA: what) }
        return value
    }

    /// Decodes a minute of the day stored in `table.column`, or throws CORRUPT_ROW.
    static func minute(_ value: Int64, table: String, column: String) throws -> LocalTime {
        guard let time = LocalTime(minutes: Int(value)) else {
            throw corruptRow(table, column, holds: String(value), notA: "a minute of the day")
        }
        return time
    }

    /// A bad value as it may appear in a message: quoted when it has the shape of a code (an enum
    /// value, a small number), withheld otherwise. A column written out of place could hold a
    /// name or a phone number, and patient data never goes into an error.
    static func shown(_ value: String) -> String {
        let isCodeCharacter = { (c: Character) in c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-") }
        let looksLikeCode = value.count <= 32 && value.allSatisfy(isCodeCharacter)
            && (value.count <= 3 || value.first.map { $0.isASCII && $0.isLetter } == true)
        return looksLikeCode ? "'\(value)'" : "a value of \(value.count) characters (not shown)"
    }
}
