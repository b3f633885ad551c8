/// A moment in time: whole seconds since 1970-01-01T00:00:00Z.
public struct Instant: RawRepresentable, Hashable, Comparable, Sendable, Codable {
    /// Seconds since the Unix epoch.
    public var rawValue: Int64

    /// Wraps seconds since the Unix epoch.
    public init(rawValue: Int64) { self.rawValue = rawValue }
    /// Wraps seconds since the Unix epoch.
    public init(secondsSinceEpoch: Int64) { self.rawValue = secondsSinceEpoch }

    /// This instant moved by `seconds`.
    public func adding(seconds: Int) -> Instant { Instant(rawValue: rawValue + Int64(seconds)) }
    /// This instant moved by `minutes`.
    public func adding(minutes: Int) -> Instant { adding(seconds: minutes * 60) }
    /// Seconds from `other` to this instant (positive when this is later).
    public func seconds(since other: Instant) -> Int { Int(rawValue - other.rawValue) }

    /// This instant with the seconds dropped (the start of its minute).
    public var roundedDownToMinute: Instant { Instant(rawValue: floorDiv(rawValue, 60) * 60) }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Day of the week, Monday first (ISO 8601).
public enum Weekday: Int, CaseIterable, Sendable, Codable, Comparable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    /// Three-letter lower-case names used on the command line and in files: `mon` ... `sun`.
    public var shortName: String {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][rawValue - 1]
    }

    /// Parses `mon`, `monday`, `Mon` ... (English), refusing anything else.
    public static func parse(_ text: String, field: String) throws -> Weekday {
        let lower = text.lowercased()
        for day in allCases where lower == day.shortName || lower == day.fullName {
            return day
        }
        throw PhapaiError.invalid(field, "INVALID_WEEKDAY", "'\(text)' is not a weekday (use mon, tue, wed, thu, fri, sat, sun)")
    }

    /// Parses a comma-separated list such as `mon,wed,fri`, or a range such as `mon-fri`.
    public static func parseSet(_ text: String, field: String) throws -> [Weekday] {
        var days = Set<Weekday>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            if bounds.count == 2 {
                let first = try parse(String(bounds[0]), field: field)
                let last = try parse(String(bounds[1]), field: field)
                guard first <= last else {
                    throw PhapaiError.invalid(field, "INVALID_WEEKDAY", "range '\(part)' must run forward from Monday to Sunday")
                }
                for raw in first.rawValue...last.rawValue { days.insert(Weekday(rawValue: raw)!) }
            } else {
                days.insert(try parse(String(part), field: field))
            }
        }
        return days.sorted()
    }

    public var fullName: String {
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"][rawValue - 1]
    }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// How years are written for people: Common Era (2026) or Thai Buddhist Era (2569 = 2026 + 543).
public enum Era: String, Sendable, Codable {
    case common, buddhist

    /// The number of years the Buddhist Era runs ahead of the Common Era.
    public static let buddhistOffset = 543

    /// The era people reading `language` expect when none is asked for: Buddhist in Thai.
    public static func usual(for language: Language) -> Era {
        language == .th ? .buddhist : .common
    }

    /// The era named by `text` (`common` or `buddhist`), refused with the field named otherwise.
    public static func parse(_ text: String, field: String) throws -> Era {
        guard let era = Era(rawValue: text) else { throw PhapaiError.invalid(field, "INVALID_VALUE", "'\(text)' is not one of: common, buddhist") }
        return era
    }
}

/// The language people read: Thai by default, English on request. Keywords, exit codes, wire
/// keywords and JSON keys are the same in both.
public enum Language: String, Sendable, Codable, CaseIterable {
    case th, en

    /// The language named by `text` (`th` or `en`), refused with the field named otherwise.
    public static func parse(_ text: String, field: String) throws -> Language {
        guard let language = Language(rawValue: text) else {
            throw PhapaiError.invalid(field, "INVALID_VALUE", "'\(text)' is not one of: th, en")
        }
        return language
    }
}

/// A calendar date in the area's local time, e.g. 2026-11-22.
public struct LocalDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Common Era year.
    public let year: Int
    /// Month 1-12.
    public let month: Int
    /// Day of month 1-31.
    public let day: Int

    /// Creates a date, or `nil` when the day does not exist in that month.
    public init?(year: Int, month: Int, day: Int) {
        guard (1900...2999).contains(year), (1...12).contains(month),
            (1...LocalDate.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `dayNumber` days after 1970-01-01 (civil-from-days, proleptic Gregorian).
    public init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days since 1970-01-01 (negative before).
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The day of the week.
    public var weekday: Weekday {
        // 1970-01-01 was a Thursday.
        let index = ((dayNumber % 7) + 7 + 3) % 7
        return Weekday(rawValue: index + 1)!
    }

    /// The date `days` later (or earlier when negative).
    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    /// ISO 8601 form, `YYYY-MM-DD`, always in the Common Era.
    public var iso: String { format(era: .common) }

    /// `YYYY-MM-DD` with the year in the given era.
    public func format(era: Era) -> String {
        let shownYear = era == .buddhist ? year + Era.buddhistOffset : year
        return "\(shownYear)-\(Self.pad(month))-\(Self.pad(day))"
    }

    public var description: String { iso }

    /// Parses `YYYY-MM-DD`. A year of 2400 or more is read as Buddhist Era (2569-11-22 is
    /// 2026-11-22), since no booking can be that far in the Common Era.
    public static func parse(_ text: String, field: String) throws -> LocalDate {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let rawYear = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } })
        else {
            throw PhapaiError.invalid(field, "INVALID_DATE", Phrase("error.invalid_date", ["text": text]))
        }
        let year = rawYear >= 2400 ? rawYear - Era.buddhistOffset : rawYear
        guard let date = LocalDate(year: year, month: month, day: day) else {
            throw PhapaiError.invalid(field, "INVALID_DATE", Phrase("error.invalid_date.calendar", ["text": text]))
        }
        return date
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool { lhs.dayNumber < rhs.dayNumber }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try LocalDate.parse(text, field: "date")
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a date YYYY-MM-DD"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

/// A time of day in the area's local time, to the minute.
public struct LocalTime: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Minutes since local midnight, 0..<1440.
    public let minutes: Int

    /// Creates a time from minutes since midnight, or `nil` outside 00:00-23:59.
    public init?(minutes: Int) {
        guard (0..<1440).contains(minutes) else { return nil }
        self.minutes = minutes
    }

    /// `HH:MM`.
    public var description: String { "\(LocalDate.pad(minutes / 60)):\(LocalDate.pad(minutes % 60))" }

    /// Parses `HH:MM` (24-hour clock; `H:MM` accepted).
    public static func parse(_ text: String, field: String) throws -> LocalTime {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }),
            let hour = Int(parts[0]), let minute = Int(parts[1])
        else {
            throw PhapaiError.invalid(field, "INVALID_TIME", Phrase("error.invalid_time", ["text": text]))
        }
        guard hour < 24, minute < 60, let time = LocalTime(minutes: hour * 60 + minute) else {
            throw PhapaiError.invalid(field, "INVALID_TIME", Phrase("error.invalid_time.of_day", ["text": text]))
        }
        return time
    }

    public static func < (lhs: LocalTime, rhs: LocalTime) -> Bool { lhs.minutes < rhs.minutes }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try LocalTime.parse(text, field: "time")
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a time HH:MM"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// The area's fixed offset from UTC. Thailand is UTC+7 all year (no daylight saving).
public struct UTCOffset: Hashable, Sendable, Codable {
    /// Minutes east of UTC.
    public let minutes: Int

    /// Asia/Bangkok: UTC+07:00.
    public static let bangkok = UTCOffset(minutes: 420)

    /// Creates an offset of `minutes` east of UTC.
    public init(minutes: Int) { self.minutes = minutes }

    /// The local calendar date at `instant`.
    public func date(of instant: Instant) -> LocalDate {
        LocalDate(dayNumber: Int(floorDiv(localSeconds(instant), 86_400)))
    }

    /// The local time of day at `instant`, to the minute (seconds dropped).
    public func time(of instant: Instant) -> LocalTime {
        let secondOfDay = localSeconds(instant) - floorDiv(localSeconds(instant), 86_400) * 86_400
        return LocalTime(minutes: Int(secondOfDay / 60))!
    }

    /// The instant at local `time` on `date`.
    public func instant(_ date: LocalDate, _ time: LocalTime) -> Instant {
        Instant(rawValue: Int64(date.dayNumber) * 86_400 + Int64(time.minutes) * 60 - Int64(minutes) * 60)
    }

    /// The instant of local midnight starting `date`.
    public func startOfDay(_ date: LocalDate) -> Instant { instant(date, LocalTime(minutes: 0)!) }

    /// `+07:00`.
    public var iso: String {
        let sign = minutes < 0 ? "-" : "+"
        let value = abs(minutes)
        return "\(sign)\(LocalDate.pad(value / 60)):\(LocalDate.pad(value % 60))"
    }

    /// `YYYY-MM-DD HH:MM` in local time, the year in `era`.
    public func format(_ instant: Instant, era: Era = .common) -> String {
        "\(date(of: instant).format(era: era)) \(time(of: instant))"
    }

    /// ISO 8601 with offset, e.g. `2026-11-22T08:30:00+07:00` (always Common Era: for machines).
    public func iso8601(_ instant: Instant) -> String {
        let seconds = localSeconds(instant) - floorDiv(localSeconds(instant), 60) * 60
        return "\(date(of: instant).iso)T\(time(of: instant)):\(LocalDate.pad(Int(seconds)))\(iso)"
    }

    /// Parses a local date and time: `YYYY-MM-DD HH:MM` or `YYYY-MM-DDTHH:MM`; with `defaultDate`,
    /// a bare `HH:MM` means that day.
    public func parseDateTime(_ text: String, field: String, defaultDate: LocalDate? = nil) throws -> Instant {
        let separators: Set<Character> = [" ", "T"]
        if let split = text.firstIndex(where: { separators.contains($0) }) {
            let date = try LocalDate.parse(String(text[..<split]), field: field)
            let rest = String(text[text.index(after: split)...])
            let time = try LocalTime.parse(rest.hasSuffix(":00") && rest.count == 8 ? String(rest.dropLast(3)) : rest, field: field)
            return instant(date, time)
        }
        if let defaultDate, text.contains(":") {
            return instant(defaultDate, try LocalTime.parse(text, field: field))
        }
        throw PhapaiError.invalid(field, "INVALID_DATETIME", Phrase("error.invalid_datetime", ["text": text]))
    }

    private func localSeconds(_ instant: Instant) -> Int64 { instant.rawValue + Int64(minutes) * 60 }
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let quotient = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
}
