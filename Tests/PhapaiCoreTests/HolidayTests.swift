import Foundation
import Testing
@testable import PhapaiCore

@Suite("Holiday calendar")
struct HolidayTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func date(_ text: String) throws -> LocalDate { try LocalDate.parse(text, field: "test") }

    @Test func commentsBlankLinesAndBuddhistYearsAreRead() throws {
        let text = """
            # a comment first
            \u{FEFF}date, name_th, name_en\r

            2569-12-31,วันสิ้นปี,New Year's Eve   # trailing comment
            2027-01-01 , วันขึ้นปีใหม่ , New Year's Day
            """
        let calendar = try HolidayCalendar.parse(text, source: "h.csv")
        #expect(calendar.holidays.map(\.date.iso) == ["2026-12-31", "2027-01-01"])
        #expect(calendar.holiday(on: try date("2026-12-31")) == Holiday(date: try date("2026-12-31"), nameTH: "วันสิ้นปี", nameEN: "New Year's Eve"))
        #expect(calendar.holiday(on: try date("2027-01-01"))?.nameEN == "New Year's Day")
        #expect(calendar.holiday(on: try date("2027-01-04")) == nil)
        #expect(calendar.years == [2026, 2027])
        #expect(try HolidayCalendar.parse("date,name_th,name_en\n", source: "h.csv").holidays.isEmpty)
    }

    @Test(arguments: [
        ("date,name_th,name_en\n2026-12-31,วันสิ้นปี,New Year's Eve\n2026-12-32,x,y\n", "h.csv line 3: date", "INVALID_DATE"),
        ("date,name_th,name_en\n31/12/2026,วันสิ้นปี,New Year's Eve\n", "h.csv line 2: date", "INVALID_DATE"),
        ("date,name_th,name_en\n2026-12-31,วันสิ้นปี,New Year's Eve\n# again\n2569-12-31,ซ้ำ,Again\n", "h.csv line 4: date", "DUPLICATE_DATE"),
        ("date,name_th,name_en\n2026-12-31,วันสิ้นปี\n", "h.csv line 2", "INVALID_LINE"),
        ("date,name_th,name_en\n2026-12-05,วันชาติ,National Day, Father's Day\n", "h.csv line 2", "INVALID_LINE"),
        ("date,name_th,name_en\n2026-12-31,,New Year's Eve\n", "h.csv line 2: name_th", "EMPTY"),
        ("# only a comment\n2026-12-31,วันสิ้นปี,New Year's Eve\n", "h.csv line 2", "INVALID_HEADER"),
        ("", "h.csv", "INVALID_HEADER"),
    ])
    func aBadLineRefusesTheFileNamingTheLineAndTheRule(text: String, field: String, keyword: String) {
        do {
            _ = try HolidayCalendar.parse(text, source: "h.csv")
            Issue.record("accepted: \(text)")
        } catch let error as PhapaiError {
            #expect(error.field == field)
            #expect(error.keyword == keyword)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func theDuplicateNamesTheFirstLine() throws {
        let error = #expect(throws: PhapaiError.self) {
            try HolidayCalendar.parse("date,name_th,name_en\n2026-12-31,a,b\n2026-12-31,c,d\n", source: "h.csv")
        }
        #expect(error?.message == "2026-12-31 is already on line 2; a day is listed once")
    }

    @Test func invalidUTF8IsRefusedNamingTheFile() {
        let error = #expect(throws: PhapaiError.self) { try HolidayCalendar.parse(Data([0x64, 0xFF, 0x0A]), source: "h.csv") }
        #expect(error?.keyword == "INVALID_UTF8" && error?.field == "h.csv")
    }

    /// The calendar shipped in config/ reads, and has the days the simulator used to drive on.
    @Test func theShippedCalendarReadsAndHasTheYearEnd() throws {
        let data = try Data(contentsOf: Self.repository.appendingPathComponent("config/holidays-th.csv"))
        let calendar = try HolidayCalendar.parse(data, source: "holidays-th.csv")
        #expect(calendar.years == [2026, 2027])
        #expect(calendar.holiday(on: try date("2026-12-31"))?.nameTH == "วันสิ้นปี")
        #expect(calendar.holiday(on: try date("2027-01-01"))?.nameTH == "วันขึ้นปีใหม่")
        // 5 December 2026 is a Saturday: the Monday after is its substitution day.
        #expect(try date("2026-12-05").weekday == .saturday)
        #expect(calendar.holiday(on: try date("2026-12-07"))?.nameEN == "Substitution for National Day and Father's Day")
        // A substitution day is a working day that follows a holiday on a weekend.
        for holiday in calendar.holidays where holiday.nameEN.hasPrefix("Substitution") {
            #expect(![.saturday, .sunday].contains(holiday.date.weekday), "\(holiday.date)")
            let before = (1...3).map { holiday.date.adding(days: -$0) }
            #expect(before.contains { [.saturday, .sunday].contains($0.weekday) && calendar.holiday(on: $0) != nil }, "\(holiday.date)")
        }
    }
}
