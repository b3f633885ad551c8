import Foundation
import Testing

/// The report as a program reads it (`--json`) and as a tambon council reads it (`--html`).
@Suite("phapai report: JSON and the meeting page")
struct ReportPageTests {
    /// Two days in two months, each planned, reported by the drivers and closed: Monday 30
    /// November (P002 there and back served; P006 a no-show; P001 to the provincial hospital
    /// never reported, so missed) and Tuesday 1 December (P004 served one way; P005 cancelled).
    static func twoMonths() throws -> Workspace {
        let w = try Workspace.initialised()
        try w.ok("trip", "book", "--patient", "P002", "--to", "H-COMM", "--appointment", "2026-11-30 09:00", "--return", "11:30")
        try w.ok("trip", "book", "--patient", "P006", "--to", "H-COMM", "--appointment", "2026-11-30 10:00")
        try w.ok("trip", "book", "--patient", "P001", "--to", "H-PROV", "--appointment", "2026-11-30 10:00")
        try w.ok("trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-12-01 09:00")
        try w.ok("trip", "book", "--patient", "P005", "--to", "H-COMM", "--appointment", "2026-12-01 10:00")
        try w.ok("trip", "cancel", "6", "--reason", "ญาติพาไปเอง")
        try w.ok("plan", "--date", "2026-11-30", "--iterations", "100")
        try w.ok("plan", "--date", "2026-12-01", "--iterations", "100")
        let evening = ["PHAPAI_NOW": "2026-11-30 18:00"]
        for (trip, action, time) in [("1", "pickup", "07:40"), ("1", "dropoff", "08:40"), ("2", "pickup", "11:35"), ("2", "dropoff", "12:20"),
                                     ("3", "arrive", "08:50"), ("3", "noshow", "08:56")] {
            let result = try w.run(["trip", "status", trip, action, "--at", time], extraEnvironment: evening)
            #expect(result.status == 0, "trip \(trip) \(action): \(result.stderr)")
        }
        #expect(try w.run(["day", "close", "--date", "2026-11-30"], extraEnvironment: evening).status == 0)
        let tuesday = ["PHAPAI_NOW": "2026-12-01 18:00"]
        for (action, time) in [("pickup", "07:50"), ("dropoff", "08:45")] {
            let result = try w.run(["trip", "status", "5", action, "--at", time], extraEnvironment: tuesday)
            #expect(result.status == 0, "trip 5 \(action): \(result.stderr)")
        }
        #expect(try w.run(["day", "close", "--date", "2026-12-01"], extraEnvironment: tuesday).status == 0)
        return w
    }

    static func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    /// The first `report --json` wrote every figure as a string under its CSV header
    /// (`"pickup_on_time_%": "50.0"`): a program had to parse numbers and "-".
    @Test func theJSONRowsHaveEnglishKeysNumbersAndNulls() throws {
        let w = try Self.twoMonths()
        let rows = try #require(try Self.json(try w.ok("report", "--from", "2026-11-01", "--to", "2026-12-31", "--json")) as? [[String: Any]])
        let total = try #require(rows.first)
        #expect(rows.count == 1 && total["group"] as? String == "all")
        #expect(total["trips"] as? Int == 6 && total["served"] as? Int == 3 && total["missed"] as? Int == 1)
        #expect(total["noShows"] as? Int == 1 && total["cancelled"] as? Int == 1)
        #expect((total["cancelledByCode"] as? [String: Any])?["advance"] as? Int == 1)
        #expect(total["pickupOnTime"] is Double || total["pickupOnTime"] is Int)
        #expect(total["kilometres"] is Double)
        // Nothing served on the day: shares and ride times are null, not "-".
        let empty = try #require(try Self.json(try w.ok("report", "--from", "2026-12-02", "--to", "2026-12-02", "--json")) as? [[String: Any]])
        #expect(empty.first?["trips"] as? Int == 0 && empty.first?["pickupOnTime"] is NSNull && empty.first?["rideMeanMinutes"] is NSNull)
        // By village, in หมู่ order.
        let villages = try #require(try Self.json(try w.ok("report", "--from", "2026-11-01", "--to", "2026-12-31", "--by", "village", "--json")) as? [[String: Any]])
        #expect(villages.map { $0["trips"] as? Int ?? -1 }.reduce(0, +) == 6)
    }

    /// The meeting page: a chart per part, the numbers of the known days on it, villages in หมู่
    /// order, Buddhist-era dates, no script.
    @Test func theMeetingPageHasAChartPerPartAndTheNumbersOfTheDays() throws {
        let w = try Self.twoMonths()
        let page = try w.ok("report", "--from", "2026-11-01", "--to", "2026-12-31", "--html", "--lang", "th")
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.contains(#"<html lang="th">"#) && !page.contains("<script"))
        #expect(page.contains("ระหว่างวันที่ 1 พ.ย. 2569 ถึง 31 ธ.ค. 2569"))
        // What became of the trips, punctuality, two month charts, funding, vehicles, villages.
        #expect(page.components(separatedBy: "<svg").count - 1 == 7)
        for title in ["ผลของการจองทุกเที่ยว", "ความตรงเวลา", "เปรียบเทียบรายเดือน", "แยกตามแหล่งงบประมาณ", "แยกตามรถ", "แยกตามหมู่บ้าน"] {
            #expect(page.contains("<h2>\(title)</h2>"), "no \(title)")
        }
        // The key figures: 6 trips, 3 served, 1 not (P001, never reported).
        #expect(page.contains(#"<p class="n">6</p><p>เที่ยวทั้งหมด</p>"#) && page.contains(#"<p class="n">3</p><p>ให้บริการแล้ว</p>"#))
        #expect(page.contains(#"<p class="n">1</p><p>ไม่ได้รับบริการ</p>"#))
        #expect(page.contains(">3 เที่ยว</text>") && page.contains("พ.ย. 2569<tspan") && page.contains("ธ.ค. 2569<tspan"))
        // November: 4 trips (2 served, 1 missed, 1 no-show); December: 2 (1 served, 1 cancelled).
        #expect(page.contains("พ.ย. 2569<tspan font-weight=\"normal\" font-size=\"14.0\" fill=\"#333\"> · ทั้งหมด 4 เที่ยว</tspan>"))
        #expect(page.contains(" · ทั้งหมด 2 เที่ยว</tspan>"))
        // Every village of the sample, หมู่ 1 to 12 in that order (as text หมู่ 10 would come before หมู่ 2).
        let villages = page.components(separatedBy: "หมู่ ").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        #expect(villages == Array(1...12), "\(villages)")
        #expect(page.contains("กองทุนหลักประกันสุขภาพท้องถิ่น"))
        // Within one month there is nothing to compare month by month.
        let november = try w.ok("report", "--from", "2026-11-01", "--to", "2026-11-30", "--html", "--lang", "th")
        #expect(november.components(separatedBy: "<svg").count - 1 == 5 && !november.contains("เปรียบเทียบรายเดือน"))
        // In English on request: the same charts, English words, common-era dates.
        let english = try w.ok("report", "--from", "2026-11-01", "--to", "2026-12-31", "--html", "--lang", "en")
        #expect(english.contains(#"<html lang="en">"#) && english.contains("From 1 Nov 2026 to 31 Dec 2026") && english.contains("Month by month"))
        #expect(english.components(separatedBy: "<svg").count - 1 == 7 && !english.contains("เที่ยวทั้งหมด"))
    }

    /// The page's figures as JSON (`--meeting --json`), and as text.
    @Test func theMeetingReportAsJSONHasEveryPart() throws {
        let w = try Self.twoMonths()
        let meeting = try #require(try Self.json(try w.ok("report", "--from", "2026-11-01", "--to", "2026-12-31", "--meeting", "--json")) as? [String: Any])
        #expect(meeting["from"] as? String == "2026-11-01" && meeting["area"] as? String == "sample-tambon")
        let total = try #require(meeting["total"] as? [String: Any])
        #expect(total["trips"] as? Int == 6 && total["served"] as? Int == 3)
        let months = try #require(meeting["months"] as? [[String: Any]])
        #expect(months.map { $0["group"] as? String } == ["2026-11", "2026-12"])
        #expect(months.map { $0["served"] as? Int } == [2, 1] && months.map { $0["missed"] as? Int } == [1, 0])
        #expect(months.last?["to"] as? String == "2026-12-31")
        let villages = try #require(meeting["villages"] as? [[String: Any]])
        #expect(villages.count == 12 && villages.map { $0["trips"] as? Int ?? 0 }.reduce(0, +) == 6)
        let funding = try #require(meeting["funding"] as? [[String: Any]])
        #expect(funding.map { $0["group"] as? String } == ["tambon_health_fund", "disability", "ltc_dependency", "self_pay", "community_copay"])
        let vehicles = try #require(meeting["vehicles"] as? [[String: Any]])
        #expect(vehicles.contains { $0["name"] is String && $0["kilometres"] is Double })
        let text = try w.ok("report", "--from", "2026-11-01", "--to", "2026-12-31", "--meeting")
        #expect(text.contains("By month:") && text.contains("By village:") && text.contains("2026-12"))
    }

    /// The page holds every grouping of one area: `--by` and `--csv` with it are refused, and say why.
    @Test func theMeetingReportRefusesByAndCSV() throws {
        let w = try Self.twoMonths()
        let by = try w.run("report", "--from", "2026-11-01", "--to", "2026-12-31", "--html", "--by", "village")
        #expect(by.status == 1 && by.stderr.contains("[USAGE]: by:"), "\(by.stderr)")
        let csv = try w.run("report", "--from", "2026-11-01", "--to", "2026-12-31", "--meeting", "--csv")
        #expect(csv.status == 1 && csv.stderr.contains("[USAGE]: csv:"), "\(csv.stderr)")
        #expect(try w.run("report", "funder", "--month", "2026-11", "--html").status == 1)
    }
}
