import Foundation
import Testing
import PhapaiCore
import PhapaiTestSupport
@testable import PhapaiSim

/// Scenario text with some of its top-level values changed.
private func scenario(_ text: String = TestScenarios.handComputed, startDate: String? = nil, adding extra: String = "") throws -> Scenario {
    var text = text
    if let startDate { text = text.replacingOccurrences(of: #""startDate": "2026-12-07""#, with: #""startDate": "\#(startDate)""#) }
    if !extra.isEmpty { text = text.replacingOccurrences(of: #"{"name": "hand","#, with: #"{"name": "hand", \#(extra),"#) }
    return try TestScenarios.decode(text)
}

/// A temporary file holding `text`, removed by the caller.
private func temporaryFile(_ text: String, suffix: String) throws -> String {
    let path = NSTemporaryDirectory() + "phapai-sim-test-" + UUID().uuidString + suffix
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
}

@Suite("phapai-sim: the holiday calendar")
struct SimHolidayTests {
    /// With the calendar of config/ (the default), New Year's Eve and Day are not service days.
    @Test func theYearEndIsNotSimulatedWithTheDefaultCalendar() throws {
        let yearEnd = try scenario(startDate: "2026-12-28")
        let world = try World(yearEnd)
        let (days, skipped) = try CoverageRun.serviceDays(yearEnd, count: 5, holidays: world.holidays)
        #expect(days.map(\.iso) == ["2026-12-28", "2026-12-29", "2026-12-30", "2027-01-04", "2027-01-05"])
        #expect(skipped.map(\.date.iso) == ["2026-12-31", "2027-01-01"])
        #expect(skipped.map(\.nameTH) == ["วันสิ้นปี", "วันขึ้นปีใหม่"])
        // Without a calendar they were simulated like any weekday.
        let none = try scenario(startDate: "2026-12-28", adding: #""holidays": "none""#)
        let plain = try CoverageRun.serviceDays(none, count: 5, holidays: World(none).holidays)
        #expect(plain.days.map(\.iso) == ["2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01"] && plain.skipped.isEmpty)
    }

    /// A run across the year end drives on 30 Dec and 4 Jan, and says what it left out.
    @Test func aRunSaysWhichHolidaysItLeftOut() throws {
        let yearEnd = try scenario(startDate: "2026-12-30")
        let outcome = try CoverageRun.run(yearEnd, days: 2)[0]
        #expect(outcome.vehicleDays.map(\.day.iso) == ["2026-12-30", "2027-01-04"])
        #expect(outcome.trips.map(\.day.iso) == ["2026-12-30", "2026-12-30"])
        #expect(KPIs(outcome, days: 2)["holidays_skipped"] == "2")
        #expect(outcome.calendarNotes == ["public holidays not simulated: 2026-12-31 วันสิ้นปี, 2027-01-01 วันขึ้นปีใหม่"])
        let html = Report.html(yearEnd, outcomes: [outcome], kpis: [(outcome.variant, KPIs(outcome, days: 2))], days: 2)
        #expect(html.contains("<p>public holidays not simulated: 2026-12-31 วันสิ้นปี, 2027-01-01 วันขึ้นปีใหม่</p>"))
        // A year the calendar has no day in is simulated as working days, and said so.
        let later = try CoverageRun.run(try scenario(startDate: "2028-01-03"), days: 1)[0]
        #expect(later.holidaysSkipped.isEmpty && later.yearsWithoutHolidays == [2028])
        #expect(later.calendarNotes == ["warning: the holiday calendar has no day in 2028: its holidays were simulated as service days"])
    }

    /// A scenario's own calendar is read relative to the working directory; a missing or bad one
    /// stops the run before it starts, naming `holidays`, the file, the line and the rule.
    @Test func aMissingOrBadCalendarNamesTheField() throws {
        let own = try temporaryFile("date,name_th,name_en\n2026-12-08,วันหยุดท้องถิ่น,Local holiday\n", suffix: ".csv")
        defer { try? FileManager.default.removeItem(atPath: own) }
        let local = try scenario(adding: #""holidays": "\#(own)""#)
        let days = try CoverageRun.serviceDays(local, count: 2, holidays: World(local).holidays)
        #expect(days.days.map(\.iso) == ["2026-12-07", "2026-12-09"] && days.skipped.map(\.nameEN) == ["Local holiday"])

        let missing = #expect(throws: PhapaiError.self) { try CoverageRun.run(try scenario(adding: #""holidays": "no/such/file.csv""#), days: 1) }
        #expect(missing?.keyword == "NO_FILE" && missing?.field == "holidays")
        let bad = try temporaryFile("date,name_th,name_en\n2026-12-08,วันหยุด,Holiday\n2026-12-08,ซ้ำ,Again\n", suffix: ".csv")
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let duplicate = #expect(throws: PhapaiError.self) { try CoverageRun.run(try scenario(adding: #""holidays": "\#(bad)""#), days: 1) }
        #expect(duplicate?.keyword == "DUPLICATE_DATE" && duplicate?.field == "holidays: \(bad) line 3: date")
        let empty = #expect(throws: PhapaiError.self) { try scenario(adding: #""holidays": " ""#) }
        #expect(empty?.keyword == "INVALID_SCENARIO" && empty?.field == "holidays")
    }
}
