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
}
