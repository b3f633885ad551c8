import Foundation

/// A day the office is closed (a Thai government holiday, วันหยุดราชการ), with its names.
public struct Holiday: Hashable, Sendable {
    /// The day.
    public var date: LocalDate
    /// The name in Thai, as the cabinet's announcement gives it.
    public var nameTH: String
    /// The name in English.
    public var nameEN: String

    /// A holiday on `date`.
    public init(date: LocalDate, nameTH: String, nameEN: String) {
        self.date = date
        self.nameTH = nameTH
        self.nameEN = nameEN
    }
}

/// The holidays an office keeps (config/holidays-th.csv): standing orders make no trips on them
/// and the simulator simulates no service on them. Editable by the office, so read from a file
/// whose every line is checked.
///
/// ```swift
/// let calendar = try HolidayCalendar.parse(text, source: "holidays-th.csv")
/// calendar.holiday(on: LocalDate(year: 2026, month: 12, day: 31)!)?.nameTH   // "วันสิ้นปี"
/// ```
public struct HolidayCalendar: Sendable, Hashable {
    /// The holidays in date order.
    public let holidays: [Holiday]
    private let byDay: [Int: Holiday]

    /// A calendar of `holidays`; a day given twice keeps its first entry (``parse(_:source:)``
    /// refuses a file that does so).
    public init(_ holidays: [Holiday] = []) {
        var byDay: [Int: Holiday] = [:]
        for holiday in holidays where byDay[holiday.date.dayNumber] == nil { byDay[holiday.date.dayNumber] = holiday }
        self.byDay = byDay
        self.holidays = byDay.values.sorted { $0.date < $1.date }
    }

    /// No holidays: every day may be a service day.
    public static let none = HolidayCalendar()

    /// The holiday on `date`, if it is one.
    public func holiday(on date: LocalDate) -> Holiday? { byDay[date.dayNumber] }

    /// The years that have at least one holiday: a day in another year is a working day only
    /// because nobody has entered that year yet.
    public var years: Set<Int> { Set(holidays.map(\.date.year)) }

    /// The header line the file must start with (after comments).
    public static let header = "date,name_th,name_en"

    /// Reads a calendar file: UTF-8, comment lines and trailing comments after `#`, the header
    /// ``header``, then one `date,name_th,name_en` a line. All or nothing: a bad line refuses the
    /// file, naming `source`, the line and the rule (`holidays-th.csv line 12: date`).
    public static func parse(_ data: Data, source: String) throws -> HolidayCalendar {
        try parse(TextRules.decodeUTF8(data, field: source), source: source)
    }

    /// Reads the text of a calendar file (see ``parse(_:source:)-(Data,_)``).
    public static func parse(_ text: String, source: String) throws -> HolidayCalendar {
        var holidays: [Holiday] = []
        var lineOf: [Int: Int] = [:]
        var sawHeader = false
        // Lines are counted as an editor shows them, so that the error points at the right one.
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let at = "\(source) line \(number)"
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let content = line.replacingOccurrences(of: "\u{FEFF}", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !content.isEmpty else { continue }
            guard sawHeader else {
                guard content.lowercased().replacingOccurrences(of: " ", with: "") == header else {
                    throw PhapaiError.invalid(at, "INVALID_HEADER", "the first line that is not a comment must be \(header)")
                }
                sawHeader = true
                continue
            }
            let fields = content.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 3 else {
                throw PhapaiError.invalid(
                    at, "INVALID_LINE", "needs three fields, date,name_th,name_en (got \(fields.count); names must not contain commas)")
            }
            let date = try LocalDate.parse(fields[0], field: "\(at): date")
            if let first = lineOf[date.dayNumber] {
                throw PhapaiError.invalid("\(at): date", "DUPLICATE_DATE", "\(date.iso) is already on line \(first); a day is listed once")
            }
            let nameTH = try TextRules.line(fields[1], field: "\(at): name_th", maxLength: TextRules.Limit.name)
            let nameEN = try TextRules.line(fields[2], field: "\(at): name_en", maxLength: TextRules.Limit.name)
            lineOf[date.dayNumber] = number
            holidays.append(Holiday(date: date, nameTH: nameTH, nameEN: nameEN))
        }
        guard sawHeader else { throw PhapaiError.invalid(source, "INVALID_HEADER", "the file is empty; it needs the header \(header)") }
        return HolidayCalendar(holidays)
    }
}
