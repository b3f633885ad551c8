import Foundation
import Testing
import PhapaiCore
import PhapaiServer
import PhapaiTestSupport

@Suite("config/phapaid.json: the holiday calendar")
struct HolidayConfigTests {
    /// A folder holding a configuration file and, when given, a calendar beside it.
    func folder(calendar: String?) throws -> String {
        let folder = NSTemporaryDirectory() + "phapai-holidays-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if let calendar { try Data(calendar.utf8).write(to: URL(fileURLWithPath: folder + "/holidays-th.csv")) }
        return folder
    }

    func read(_ json: String, in folder: String) throws -> HolidayCalendar {
        try Daemon.holidays(from: Data(json.utf8), file: folder + "/phapaid.json")
    }

    @Test func theCalendarBesideTheFileIsReadByDefault() throws {
        let folder = try folder(calendar: "date,name_th,name_en\n2026-12-31,วันสิ้นปี,New Year's Eve\n")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(try read("{}", in: folder).holidays.map(\.date.iso) == ["2026-12-31"])
        #expect(try read(#"{"holidays": "none"}"#, in: folder).holidays.isEmpty)
        // The repository's own configuration names the shipped calendar.
        let config = SampleWorld.configFolder + "/phapaid.json"
        let shipped = try Daemon.holidays(from: Data(contentsOf: URL(fileURLWithPath: config)), file: config)
        #expect(shipped.years == [2026, 2027] && shipped.holiday(on: LocalDate(year: 2027, month: 1, day: 1)!) != nil)
    }

    @Test func aMissingOrBadCalendarStopsTheStartNamingTheField() throws {
        let folder = try folder(calendar: nil)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let missing = #expect(throws: PhapaiError.self) { try read("{}", in: folder) }
        #expect(missing?.keyword == "NO_FILE" && missing?.field == "holidays")
        #expect(missing?.message.contains(folder + "/holidays-th.csv") == true)
        let empty = #expect(throws: PhapaiError.self) { try read(#"{"holidays": ""}"#, in: folder) }
        #expect(empty?.keyword == "EMPTY" && empty?.field == "holidays")
        try Data("date,name_th,name_en\n2026-12-31,วันสิ้นปี\n".utf8).write(to: URL(fileURLWithPath: folder + "/other.csv"))
        let bad = #expect(throws: PhapaiError.self) { try read(#"{"holidays": "other.csv"}"#, in: folder) }
        #expect(bad?.keyword == "INVALID_LINE" && bad?.field == "holidays: \(folder)/other.csv line 2")
    }
}
