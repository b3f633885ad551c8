import Testing
@testable import PhapaiCore

@Suite("Local dates and times")
struct TimeTests {
    @Test func dayNumbersRoundTripAcrossCenturiesAndLeapDays() throws {
        for text in ["1970-01-01", "2000-02-29", "2024-02-29", "2026-11-23", "2100-03-01", "1999-12-31"] {
            let date = try LocalDate.parse(text, field: "d")
            #expect(LocalDate(dayNumber: date.dayNumber) == date)
            #expect(date.iso == text)
        }
        #expect(try LocalDate.parse("1970-01-01", field: "d").dayNumber == 0)
        #expect(try LocalDate.parse("2026-11-23", field: "d").dayNumber == 20_780)
    }

    @Test func weekdaysFollowTheCalendar() throws {
        #expect(try LocalDate.parse("2026-11-23", field: "d").weekday == .monday)
        #expect(try LocalDate.parse("2026-11-22", field: "d").weekday == .sunday)
        #expect(try LocalDate.parse("1970-01-01", field: "d").weekday == .thursday)
    }

    @Test func buddhistEraYearsAreReadAndWritten() throws {
        let date = try LocalDate.parse("2569-11-23", field: "d")
        #expect(date.iso == "2026-11-23")
        #expect(date.format(era: .buddhist) == "2569-11-23")
    }

    @Test(arguments: ["2026-02-29", "2026-13-01", "2026-00-10", "2026-11-31"])
    func impossibleDaysAreRefused(text: String) {
        #expect(throws: PhapaiError.invalid("when", "INVALID_DATE", "'\(text)' is not a day of the calendar")) {
            try LocalDate.parse(text, field: "when")
        }
    }

    @Test(arguments: ["26-11-23", "2026-1-05", "2026/11/23", "tomorrow", "", "2026-11-2x", "+026-11-23"])
    func malformedDatesNameTheField(text: String) {
        #expect(throws: PhapaiError.invalid("when", "INVALID_DATE", "'\(text)' is not a date in the form YYYY-MM-DD")) {
            try LocalDate.parse(text, field: "when")
        }
    }

    @Test func timesParseAndRefuse() throws {
        #expect(try LocalTime.parse("07:05", field: "t").minutes == 425)
        #expect(try LocalTime.parse("7:05", field: "t").minutes == 425)
        #expect(throws: PhapaiError.self) { try LocalTime.parse("24:00", field: "t") }
        #expect(throws: PhapaiError.self) { try LocalTime.parse("12:60", field: "t") }
        #expect(throws: PhapaiError.self) { try LocalTime.parse("1230", field: "t") }
        #expect(throws: PhapaiError.self) { try LocalTime.parse("-1:30", field: "t") }
    }

    @Test func bangkokIsSevenHoursAheadOfUTC() throws {
        let offset = UTCOffset.bangkok
        let instant = try offset.parseDateTime("2026-11-23 07:30", field: "t")
        // 2026-11-23 00:30 UTC.
        #expect(instant.rawValue == Int64(20_780) * 86_400 + 30 * 60)
        #expect(offset.iso8601(instant) == "2026-11-23T07:30:00+07:00")
        #expect(offset.format(instant, era: .buddhist) == "2569-11-23 07:30")
        // Local midnight belongs to the new day even though UTC is still on the previous one.
        let midnight = try offset.parseDateTime("2026-11-23T00:00", field: "t")
        #expect(offset.date(of: midnight).iso == "2026-11-23")
        #expect(offset.date(of: midnight.adding(seconds: -1)).iso == "2026-11-22")
        #expect(offset.time(of: midnight.adding(seconds: -1)).description == "23:59")
    }

    @Test func bareTimesNeedADefaultDay() throws {
        let day = try LocalDate.parse("2026-11-23", field: "d")
        let instant = try UTCOffset.bangkok.parseDateTime("13:00", field: "return", defaultDate: day)
        #expect(UTCOffset.bangkok.format(instant) == "2026-11-23 13:00")
        #expect(throws: PhapaiError.self) { try UTCOffset.bangkok.parseDateTime("13:00", field: "return") }
    }

    @Test func weekdaySetsAcceptListsAndRanges() throws {
        #expect(try Weekday.parseSet("mon,wed,fri", field: "days") == [.monday, .wednesday, .friday])
        #expect(try Weekday.parseSet("mon-fri", field: "days").count == 5)
        #expect(try Weekday.parseSet("Sat,mon-tue", field: "days") == [.monday, .tuesday, .saturday])
        #expect(throws: PhapaiError.self) { try Weekday.parseSet("fri-mon", field: "days") }
        #expect(throws: PhapaiError.self) { try Weekday.parseSet("funday", field: "days") }
    }
}
